/** Interval runs: drift made in the cluster is corrected and reported; a quiet run reports nothing. */
import nock from "nock";
import { describe, expect, it, vi } from "vitest";
import { repositoryConfigFromObject } from "../../src/github/config/repository.js";
import type { GitHub } from "../../src/github/sync.js";
import {
  checkRunCalls,
  checkRunUrl,
  deliver,
  INSTALLATION,
  installationToken,
  mockGitHub,
  OWNER,
  pushPayload,
  REPO,
  repositoryConfig,
  sha,
  tarball,
  tarballDownload,
  useFerryApp,
} from "../support/github.js";

const HEAD = sha("d");
const repository = { owner: OWNER, repo: REPO };
const spec = repositoryConfigFromObject({ sync: [{ cluster: "production", path: "deploy" }] });

describe("interval runs", () => {
  const app = useFerryApp("ferry-drift-");

  it("corrects drift made with kubectl and reports it on the head commit; a quiet run reports nothing", async () => {
    if (!spec.ok) throw new Error("fixture config");
    const archive = await tarball("app-repo", HEAD);
    let github = mockGitHub();
    installationToken(github.api)
      .get(`/repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`)
      .reply(200, await repositoryConfig("app-repo"))
      .post(`/repos/${OWNER}/${REPO}/check-runs`)
      .reply(201, { id: 31, html_url: checkRunUrl(31) })
      .patch(`/repos/${OWNER}/${REPO}/check-runs/31`)
      .reply(200, { id: 31, html_url: checkRunUrl(31) });
    tarballDownload(github, HEAD, archive);
    await deliver(app.probot, "delivery-drift", "push", pushPayload(HEAD));
    await app.service.idle();
    expect(nock.pendingMocks()).toEqual([]);
    app.service.stop(); // the push started the repository's interval timers; this test drives runs itself

    // Someone edits the ConfigMap by hand.
    app.server.objects.patch(
      { type: app.server.type("v1", "ConfigMap"), namespace: "hello", name: "hello-settings" },
      "application/merge-patch+json",
      JSON.stringify({ data: { greeting: "edited by hand" } }),
      { dryRun: false, fieldManager: "kubectl-edit" },
    );
    const octokit = (await app.probot.auth(INSTALLATION)) as unknown as GitHub;

    github = mockGitHub();
    github.api
      .get(`/repos/${OWNER}/${REPO}/branches/master`)
      .reply(200, { name: "master", commit: { sha: HEAD } })
      .post(`/repos/${OWNER}/${REPO}/check-runs`)
      .reply(201, { id: 32, html_url: checkRunUrl(32) });
    tarballDownload(github, HEAD, archive);
    await app.service.drift(octokit, repository, spec.config.sync[0], "failures", "master");
    await app.service.idle();

    expect(nock.pendingMocks()).toEqual([]);
    expect(app.server.get("v1", "ConfigMap", "hello", "hello-settings")?.data).toEqual({ greeting: "hello" });
    const [report] = checkRunCalls(github.calls);
    expect(report.body).toMatchObject({
      name: "Ferry / production",
      head_sha: HEAD,
      status: "completed",
      conclusion: "success",
    });
    expect(report.body.output.text).toContain("ConfigMap/hello/hello-settings");

    github = mockGitHub();
    github.api
      .get(`/repos/${OWNER}/${REPO}/branches/master`)
      .reply(200, { name: "master", commit: { sha: HEAD } });
    tarballDownload(github, HEAD, archive);
    await app.service.drift(octokit, repository, spec.config.sync[0], "failures", "master");
    await app.service.idle();

    expect(nock.pendingMocks()).toEqual([]);
    expect(github.unmatched).toEqual([]);
    expect(checkRunCalls(github.calls)).toEqual([]);
  });

  it("runs each target every interval, and watching again replaces the timers", async () => {
    const config = repositoryConfigFromObject({
      sync: [
        { cluster: "production", path: "deploy", interval: "50ms" },
        { cluster: "production", path: "other", interval: 0 },
      ],
    });
    if (!config.ok) throw new Error(JSON.stringify(config.problems));
    const drift = vi.spyOn(app.service, "drift").mockResolvedValue();
    const github = { request: vi.fn() } as unknown as GitHub;
    vi.useFakeTimers();
    try {
      app.service.watch(async () => github, repository, config.config, "master");
      app.service.watch(async () => github, repository, config.config, "master");
      await vi.advanceTimersByTimeAsync(160);
      expect(drift.mock.calls.length).toBe(3);
      expect(drift.mock.calls.every(([, , target]) => target.path === "deploy")).toBe(true);
      app.service.stop();
      await vi.advanceTimersByTimeAsync(200);
      expect(drift.mock.calls.length).toBe(3);
    } finally {
      vi.useRealTimers();
      drift.mockRestore();
    }
  });
});

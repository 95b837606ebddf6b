/**
 * The start-up run: when Ferry starts it lists its installations and their repositories, reads each
 * `.github/ferry.yml`, and reconciles every target once at the head of its branch. A check run a
 * stopped instance left in progress on the head is taken over and completed; one on an older commit
 * ends as superseded. Repositories installed later are set up the same way.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import nock from "nock";
import type { Probot } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { SyncService } from "../../src/github/sync.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import {
  checkRunCalls,
  checkRunUrl,
  deliver,
  ferryApp,
  INSTALLATION,
  installationToken,
  mockGitHub,
  OWNER,
  operatorConfig,
  REPO,
  repositoryConfig,
  restoreNetwork,
  sha,
  tarball,
  tarballDownload,
  updatesOf,
} from "../support/github.js";

const HEAD = sha("e");
const OLDER = sha("c");
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

describe("the start-up run", () => {
  let server: KubeApiServer;
  let dir: string;
  let kubeconfig: string;
  let app: { probot: Probot; service: SyncService } | undefined;
  const logs: Record<string, unknown>[] = [];

  beforeAll(async () => {
    server = await KubeApiServer.start();
    dir = await mkdtemp(join(tmpdir(), "ferry-startup-"));
    kubeconfig = join(dir, "production.kubeconfig");
    await server.writeKubeconfig(kubeconfig);
  });
  afterEach(() => restoreNetwork());
  afterAll(async () => {
    app?.service.stop();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("reconciles every installed repository's targets once and completes check runs a stopped instance left", async () => {
    const github = mockGitHub();
    github.api
      .get("/app/installations")
      .query({ per_page: 100, page: 1 })
      .reply(200, [{ id: INSTALLATION }]);
    installationToken(github.api)
      .get("/installation/repositories")
      .query({ per_page: 100, page: 1 })
      .reply(200, {
        total_count: 3,
        repositories: [
          { name: REPO, owner: { login: OWNER }, default_branch: "master" },
          { name: "Broken", owner: { login: OWNER }, default_branch: "main" },
          { name: "Attic", owner: { login: OWNER }, default_branch: "main", archived: true },
        ],
      })
      .get(`/repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`)
      .reply(200, await repositoryConfig("app-repo"))
      .get(`/repos/${OWNER}/Broken/contents/.github%2Fferry.yml`)
      .reply(200, "sync:\n  - cluster: production\n    path: deploy\n    prune: sometimes\n")
      .get(`/repos/${OWNER}/${REPO}/commits`)
      .query({ sha: "master", per_page: 5 })
      .reply(200, [{ sha: HEAD }, { sha: OLDER }])
      .get(`/repos/${OWNER}/${REPO}/commits/${HEAD}/check-runs`)
      .query({ check_name: "Ferry / production", status: "in_progress" })
      .reply(200, {
        total_count: 1,
        check_runs: [{ id: 61, head_sha: HEAD, external_id: "production:deploy", status: "in_progress" }],
      })
      .get(`/repos/${OWNER}/${REPO}/commits/${OLDER}/check-runs`)
      .query({ check_name: "Ferry / production", status: "in_progress" })
      .reply(200, {
        total_count: 2,
        check_runs: [
          { id: 60, head_sha: OLDER, external_id: "production:deploy", status: "in_progress" },
          // Another target's run (not in this config any more): not this target's to complete.
          { id: 59, head_sha: OLDER, external_id: "production:elsewhere", status: "in_progress" },
        ],
      })
      .patch(`/repos/${OWNER}/${REPO}/check-runs/60`)
      .reply(200, { id: 60, html_url: checkRunUrl(60) })
      .patch(`/repos/${OWNER}/${REPO}/check-runs/61`)
      .reply(200, { id: 61, html_url: checkRunUrl(61) });
    tarballDownload(github, HEAD, await tarball("app-repo", HEAD));

    app = await ferryApp({
      operator: operatorConfig(
        `clusters:\n  production:\n    kubeconfig: ${kubeconfig}\n    repositories: ["${OWNER}/*"]\n`,
      ),
      cacheDir: join(dir, "cache"),
      logs,
      startup: true,
    });
    await vi.waitFor(() =>
      expect(logs.map((l) => l.msg)).toContain("start-up run: 1 targets in 2 repositories"),
    );
    await app.service.idle();

    expect(nock.pendingMocks()).toEqual([]);
    expect(github.unmatched).toEqual([]);
    expect(updatesOf(github.calls, 60)[0].body).toMatchObject({
      status: "completed",
      conclusion: "skipped",
      output: { title: `Superseded by ${HEAD.slice(0, 7)}` },
    });
    const [completed] = updatesOf(github.calls, 61);
    expect(completed.body).toMatchObject({ status: "completed", conclusion: "success" });
    expect(completed.body.output.text).toContain("Deployment/hello/hello");
    expect(server.get("v1", "ConfigMap", "hello", "hello-settings")?.data).toEqual({ greeting: "hello" });
    // The repository with an invalid file is named in the log with its problem, and left alone.
    const broken = logs.find((l) => l.repository === `${OWNER}/Broken`);
    expect(broken?.msg).toContain(".github/ferry.yml is invalid");
    expect(JSON.stringify(broken?.problems)).toContain("prune");
  });

  it("sets up a repository added to the installation; a start-up run that changes nothing reports nothing", async () => {
    if (!app) throw new Error("the first test loads the app");
    app.service.stop();
    const definition = examples.find((d) => d.name === "installation_repositories");
    const payload = structuredClone(
      ((definition?.examples ?? []) as Record<string, unknown>[]).find((p) => p.action === "added"),
    ) as { installation: { id: number }; repositories_added: { name: string; full_name: string }[] };
    // The example adds Codertocat/Space; it holds the same deployment as Hello-World.
    payload.repositories_added = [
      { ...payload.repositories_added[0], name: REPO, full_name: `${OWNER}/${REPO}` },
    ];
    const github = mockGitHub();
    github.api
      .post(`/app/installations/${payload.installation.id}/access_tokens`)
      .reply(201, { token: "test-token", permissions: {} })
      .get(`/repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`)
      .reply(200, await repositoryConfig("app-repo"))
      .get(`/repos/${OWNER}/${REPO}`)
      .reply(200, { name: REPO, default_branch: "master" })
      .get(`/repos/${OWNER}/${REPO}/commits`)
      .query({ sha: "master", per_page: 5 })
      .reply(200, [{ sha: HEAD }])
      .get(`/repos/${OWNER}/${REPO}/commits/${HEAD}/check-runs`)
      .query({ check_name: "Ferry / production", status: "in_progress" })
      .reply(200, { total_count: 0, check_runs: [] });
    tarballDownload(github, HEAD, await tarball("app-repo", HEAD));

    await deliver(app.probot, "delivery-added", "installation_repositories", payload);
    await app.service.idle();

    expect(nock.pendingMocks()).toEqual([]);
    expect(github.unmatched).toEqual([]);
    expect(checkRunCalls(github.calls).filter((c) => c.method !== "GET")).toEqual([]);
    expect(
      logs.find((l) => l.msg === "synced deploy to production: succeeded" && l.sha === HEAD),
    ).toBeDefined();
  });
});

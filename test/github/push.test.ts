import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  checkRunCalls,
  checkRunUrl,
  deliver,
  installationToken,
  mockGitHub,
  OWNER,
  pushPayload,
  REPO,
  repositoryConfig,
  tarball,
  tarballDownload,
  useFerryApp,
} from "../support/github.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("a push to a repository with a sync target", () => {
  const app = useFerryApp("ferry-push-");

  it("opens a check run in progress, applies the target, and completes it with the per-unit table", async () => {
    const github = mockGitHub();
    installationToken(github.api)
      .get(`/repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`)
      .reply(200, await repositoryConfig("app-repo"))
      .post(`/repos/${OWNER}/${REPO}/check-runs`)
      .reply(201, { id: 42, html_url: checkRunUrl(42) })
      .patch(`/repos/${OWNER}/${REPO}/check-runs/42`)
      .reply(200, { id: 42, html_url: checkRunUrl(42) });
    tarballDownload(github, SHA, await tarball("app-repo", SHA));

    await deliver(app.probot, "delivery-1", "push", pushPayload(SHA));
    await app.service.idle();

    expect(nock.pendingMocks()).toEqual([]);
    expect(github.unmatched).toEqual([]);
    const checkRuns = checkRunCalls(github.calls);
    expect(checkRuns[0]).toMatchObject({
      method: "POST",
      path: `/repos/${OWNER}/${REPO}/check-runs`,
      body: { name: "Ferry / production", head_sha: SHA, status: "in_progress" },
    });
    expect(checkRuns[1].method).toBe("PATCH");
    expect(checkRuns[1].body).toMatchObject({ status: "completed", conclusion: "success" });
    expect(checkRuns[1].body.output.summary).toContain("deploy");
    expect(checkRuns[1].body.output.text).toContain("Deployment/hello/hello");
    expect(app.server.get("apps/v1", "Deployment", "hello", "hello")?.status?.readyReplicas).toBe(1);
    expect(app.server.get("v1", "ConfigMap", "hello", "hello-settings")?.data).toEqual({ greeting: "hello" });
    // The run's log lines carry the delivery they came from.
    expect(app.logs.find((l) => l.msg === "synced deploy to production: succeeded")).toMatchObject({
      id: "delivery-1",
      repository: `${OWNER}/${REPO}`,
      cluster: "production",
      sha: SHA,
    });
    expect(
      app.server.get("coordination.k8s.io/v1", "Lease", "ferry-system", "ferry-production")?.spec
        .holderIdentity,
    ).toBe("");
  });
});

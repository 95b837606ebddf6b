/**
 * A push, end to end: the GitHub App receives a real push payload, GitHub is answered by nock
 * (every expected call must happen), and the cluster is the test API server.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import type { Probot } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SyncService } from "../../src/github/sync.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import {
  checkRunCalls,
  checkRunUrl,
  deliver,
  ferryApp,
  installationToken,
  mockGitHub,
  OWNER,
  operatorConfig,
  pushPayload,
  REPO,
  repositoryConfig,
  restoreNetwork,
  tarball,
  tarballDownload,
} from "../support/github.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("a push to a repository with a sync target", () => {
  let server: KubeApiServer;
  let dir: string;
  let probot: Probot;
  let service: SyncService;

  beforeAll(async () => {
    server = await KubeApiServer.start();
    dir = await mkdtemp(join(tmpdir(), "ferry-push-"));
    const kubeconfig = join(dir, "production.kubeconfig");
    await server.writeKubeconfig(kubeconfig);
    ({ probot, service } = await ferryApp({
      operator: operatorConfig(
        `clusters:\n  production:\n    kubeconfig: ${kubeconfig}\n    repositories: ["${OWNER}/*"]\n`,
      ),
      cacheDir: join(dir, "cache"),
    }));
  });

  afterEach(() => {
    restoreNetwork();
  });

  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

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

    await deliver(probot, "delivery-1", "push", pushPayload(SHA));
    await service.queue.idle();

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
    expect(server.get("apps/v1", "Deployment", "hello", "hello")?.status?.readyReplicas).toBe(1);
    expect(server.get("v1", "ConfigMap", "hello", "hello-settings")?.data).toEqual({ greeting: "hello" });
    expect(
      server.get("coordination.k8s.io/v1", "Lease", "ferry-system", "ferry-production")?.spec.holderIdentity,
    ).toBe("");
  });
});

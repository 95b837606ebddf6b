/**
 * A push whose target holds a manifest the cluster rejects (a Deployment with no containers):
 * the check run fails with an annotation on that file and line, the commit gets Ferry's comment
 * (`comments: failures`), and nothing of the target is written to the cluster.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import type { Probot } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SyncService } from "../../src/github/sync.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { writesSince } from "../support/fleet.js";
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
  sha,
  tarball,
  tarballDownload,
} from "../support/github.js";

const SHA = sha("b");

describe("a push of a broken manifest", () => {
  let server: KubeApiServer;
  let dir: string;
  let probot: Probot;
  let service: SyncService;

  beforeAll(async () => {
    server = await KubeApiServer.start();
    dir = await mkdtemp(join(tmpdir(), "ferry-push-broken-"));
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

  it("fails the check run with an annotation at the file and line, comments on the commit, and writes nothing", async () => {
    const github = mockGitHub();
    installationToken(github.api)
      .get(`/repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`)
      .reply(200, await repositoryConfig("broken-repo"))
      .post(`/repos/${OWNER}/${REPO}/check-runs`)
      .reply(201, { id: 7, html_url: checkRunUrl(7) })
      .patch(`/repos/${OWNER}/${REPO}/check-runs/7`)
      .reply(200, { id: 7, html_url: checkRunUrl(7) })
      // Someone else's comment on the commit: Ferry must add its own, not edit this one.
      .get(`/repos/${OWNER}/${REPO}/commits/${SHA}/comments`)
      .reply(200, [{ id: 1, body: "Looks good to me" }])
      .post(`/repos/${OWNER}/${REPO}/commits/${SHA}/comments`)
      .reply(201, { id: 2 });
    tarballDownload(github, SHA, await tarball("broken-repo", SHA));
    const before = server.requests.length;

    await deliver(probot, "delivery-broken", "push", pushPayload(SHA));
    await service.queue.idle();

    expect(nock.pendingMocks()).toEqual([]);

    const [created, completed, ...more] = checkRunCalls(github.calls);
    expect(created).toMatchObject({
      method: "POST",
      body: { name: "Ferry / production", status: "in_progress" },
    });
    expect(more).toEqual([]);
    expect(completed.body).toMatchObject({ status: "completed", conclusion: "failure" });
    // Only the Deployment is wrong: one annotation, on its document in app.yaml (line 10), not
    // on the ConfigMap above it (line 2) nor on service.yaml.
    expect(completed.body.output.annotations).toEqual([
      expect.objectContaining({
        path: "deploy/app.yaml",
        start_line: 10,
        end_line: 10,
        annotation_level: "failure",
        message: expect.stringContaining("containers"),
      }),
    ]);

    const comment = github.calls.find((c) => c.method === "POST" && c.path.endsWith("/comments"));
    expect(comment?.path).toBe(`/repos/${OWNER}/${REPO}/commits/${SHA}/comments`);
    expect(comment?.body.body.startsWith("<!-- ferry:production:deploy -->\n")).toBe(true);
    expect(comment?.body.body).toContain(`(${checkRunUrl(7)})`);
    expect(comment?.body.body).toContain("deploy/app.yaml");

    // Dry runs only: the only writes are the Lease (and `ferry-system`, which holds it); no object
    // of the target, nor its inventory, was created, updated or deleted.
    const writes = writesSince(server, before).filter(
      (r) =>
        r.target?.resource !== "leases" &&
        !(r.target?.resource === "namespaces" && r.target.name === "ferry-system"),
    );
    expect(writes).toEqual([]);
    expect(server.get("v1", "ConfigMap", "default", "broken-settings")).toBeUndefined();
    expect(server.get("v1", "Service", "default", "broken")).toBeUndefined();
    expect(server.get("apps/v1", "Deployment", "default", "broken")).toBeUndefined();
    // The dry runs did reach the server: the test would see the writes had Ferry made them.
    expect(
      server.requests
        .slice(before)
        .some((r) => r.target?.resource === "deployments" && r.query.dryRun === "All"),
    ).toBe(true);
  });
});

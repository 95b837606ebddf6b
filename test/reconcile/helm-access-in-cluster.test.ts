/**
 * A HelmRelease on the cluster Ferry runs in, reached with its pod's service account (`inCluster: true`
 * in the operator file): the context the GitHub App builds for such a cluster, with the real helm
 * against the test API server standing in for the pod's cluster.
 */
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Workspace } from "../../src/build/workspace.js";
import { type ClusterConnection, KubeClient } from "../../src/cluster/client.js";
import { reconcileTree } from "../../src/reconcile/run.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { rootUnit, ScratchRepo } from "../support/fleet.js";
import { stubInCluster, writeServiceAccount } from "../support/in-cluster.js";

describe("a HelmRelease on a cluster reached in-cluster", () => {
  let server: KubeApiServer;
  let repo: ScratchRepo;
  let dir: string;

  beforeAll(async () => {
    server = await KubeApiServer.start();
    repo = await ScratchRepo.of("github/helm-repo");
    dir = await mkdtemp(join(tmpdir(), "ferry-helm-in-cluster-"));
    await writeServiceAccount(server, join(dir, "serviceaccount"));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    await server.stop();
    await repo.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it("installs it with helm using the service account's token, and leaves no kubeconfig behind", async () => {
    stubInCluster(server);
    // Ferry's temporary files (helm's folders, the kubeconfig it writes) go here, where the test can look.
    const temporary = join(dir, "tmp");
    await mkdir(temporary);
    vi.stubEnv("TMPDIR", temporary);
    expect(tmpdir()).toBe(temporary);
    const connection: ClusterConnection = { inCluster: true, serviceAccountDir: join(dir, "serviceaccount") };
    const client = await KubeClient.connect(connection);
    const workspace = await Workspace.create(repo.dir);
    try {
      const result = await reconcileTree(
        { client, workspace, sopsKeys: { age: [], pgp: [] }, revision: "test", connection },
        rootUnit("clusters/production"),
      );

      expect(result.units.find((u) => u.name === "team-a/greeter")).toMatchObject({
        status: "succeeded",
        changes: [expect.objectContaining({ action: "created", reason: "greeter@0.2.0 revision 1" })],
      });
      expect(result.ok).toBe(true);
    } finally {
      client.close();
      await workspace.dispose();
    }
    const helmRequests = server.requests.filter((r) => r.userAgent?.startsWith("Helm/"));
    expect(helmRequests.length).toBeGreaterThan(0);
    expect(server.get("v1", "ConfigMap", "team-a", "greeter-greeting")?.data).toEqual({
      greeting: "hello from git",
    });
    expect((await readdir(temporary)).filter((name) => name.startsWith("ferry-kubeconfig-"))).toEqual([]);
  });
});

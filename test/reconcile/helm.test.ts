/**
 * HelmReleases in a synced path, reconciled with the real helm against the test API server: the chart
 * from the repository, values from a ConfigMap the same path applies plus inline values; a second
 * reconcile makes no new revision; a values change upgrades; a chart from another repository fails
 * alone and its dependents are skipped.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Workspace } from "../../src/build/workspace.js";
import { KubeClient } from "../../src/cluster/client.js";
import { HelmDriver } from "../../src/helm/driver/helm-driver.js";
import type { ReconcileResult } from "../../src/model/result.js";
import { reconcileTree } from "../../src/reconcile/run.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { rootUnit, ScratchRepo } from "../support/fleet.js";

describe("HelmReleases in a synced path", () => {
  let server: KubeApiServer;
  let repo: ScratchRepo;
  let kubeconfig: string;

  beforeAll(async () => {
    server = await KubeApiServer.start();
    repo = await ScratchRepo.of("helm-fleet");
    kubeconfig = join(repo.dir, "..", `${repo.dir.split("/").pop()}.kubeconfig`);
    await server.writeKubeconfig(kubeconfig);
  });
  afterAll(async () => {
    await server.stop();
    await repo.cleanup();
  });

  async function reconcile(): Promise<ReconcileResult> {
    const client = await KubeClient.connect({ kubeconfigText: server.kubeconfig() });
    const workspace = await Workspace.create(repo.dir);
    try {
      return await reconcileTree(
        { client, workspace, sopsKeys: { age: [], pgp: [] }, revision: "test", kubeconfigPath: kubeconfig },
        rootUnit("clusters/production"),
      );
    } finally {
      client.close();
      await workspace.dispose();
    }
  }

  const unit = (result: ReconcileResult, name: string) => result.units.find((u) => u.name === name);

  async function release() {
    const driver = await HelmDriver.create({ kubeconfig });
    try {
      return { status: await driver.status("hello", "web"), history: await driver.history("hello", "web") };
    } finally {
      await driver.close();
    }
  }

  it("installs the chart with the merged values, and fails the foreign one alone", async () => {
    const result = await reconcile();

    expect(unit(result, "ferry-system/clusters-production")?.status).toBe("succeeded");
    const hello = unit(result, "web/hello");
    expect(hello?.status).toBe("succeeded");
    expect(hello?.changes).toEqual([
      expect.objectContaining({
        subject: "HelmRelease/web/hello",
        action: "created",
        reason: "hello@0.1.0 revision 1",
      }),
    ]);
    // valuesFrom (the ConfigMap the same path applied) and inline values, as helm rendered them.
    expect(server.get("v1", "ConfigMap", "web", "hello-config")?.data).toEqual({
      message: "from the configmap",
    });
    expect(server.get("apps/v1", "Deployment", "web", "hello")?.spec.replicas).toBe(2);
    expect((await release()).status).toMatchObject({
      revision: 1,
      status: "deployed",
      chart: { version: "0.1.0" },
    });

    expect(unit(result, "web/elsewhere")).toMatchObject({
      status: "failed",
      problems: [
        expect.objectContaining({
          message: expect.stringContaining("GitRepository web/someone-else is not this repository"),
          origin: expect.objectContaining({ file: "clusters/production/web.yaml" }),
        }),
      ],
    });
    expect(unit(result, "web/after-elsewhere")).toMatchObject({
      status: "skipped",
      problems: [expect.objectContaining({ message: "dependency web/elsewhere did not succeed" })],
    });
    expect(result.ok).toBe(false);
  });

  it("makes no new revision when nothing changed, and upgrades when the values do", async () => {
    const again = await reconcile();
    expect(unit(again, "web/hello")?.changes).toEqual([
      expect.objectContaining({ action: "unchanged", reason: "hello@0.1.0 revision 1" }),
    ]);
    expect((await release()).history).toHaveLength(1);

    const file = "clusters/production/web.yaml";
    await repo.write(file, (await repo.read(file)).replace("replicas: 2", "replicas: 3"));
    const changed = await reconcile();
    expect(unit(changed, "web/hello")?.changes).toEqual([
      expect.objectContaining({ action: "configured", reason: "hello@0.1.0 revision 2" }),
    ]);
    expect(server.get("apps/v1", "Deployment", "web", "hello")?.spec.replicas).toBe(3);
  });
});

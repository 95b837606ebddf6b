/**
 * The helm side of a run over a tree of units, shared by `reconcileTree` and `diffTree`: the chart
 * sources found in the builds, one chart client, and one helm driver made on first use.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChartRepositoryClient } from "../helm/chart-source/index.js";
import { HelmDriver } from "../helm/driver/helm-driver.js";
import type { FluxPruneContext } from "./flux-prune.js";
import type { HelmContext } from "./helm-release.js";
import type { ReconcileContext } from "./unit.js";

export function openHelmContext(ctx: ReconcileContext): HelmContext & { close(): Promise<void> } {
  let driver: Promise<HelmDriver> | undefined;
  return {
    sources: new Map(),
    charts: new ChartRepositoryClient({ cacheDir: ctx.chartCacheDir ?? join(tmpdir(), "ferry-charts") }),
    driver: (kubeconfig) => {
      driver ??= HelmDriver.create({ kubeconfig });
      return driver;
    },
    close: async () => {
      await driver?.then((d) => d.close()).catch(() => undefined);
    },
  };
}

/** helm for uninstalling releases, or why it may not run against this cluster. */
export function helmForPrune(ctx: ReconcileContext, helm: HelmContext): FluxPruneContext["helm"] {
  return async () => {
    if (ctx.helmUnavailable || !ctx.kubeconfigPath) {
      return { unavailable: ctx.helmUnavailable ?? "Ferry was given no kubeconfig file for helm" };
    }
    // helm deletes whatever the release holds, which Ferry cannot check namespace by namespace.
    if (ctx.namespaces)
      return { unavailable: `${ctx.namespaces.describe} may only write to some namespaces` };
    return helm.driver(ctx.kubeconfigPath);
  };
}

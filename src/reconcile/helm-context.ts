/**
 * The helm side of a run over a tree of units, shared by `reconcileTree` and `diffTree`: the chart
 * sources found in the builds, one chart client per kind of repository, and one helm driver made on
 * first use.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChartRepositoryClient, OciChartClient } from "../helm/chart-source/index.js";
import type { FluxPruneContext } from "./flux-prune.js";
import { type HelmContext, openHelmDriver } from "./helm-release.js";
import type { ReconcileContext } from "./unit.js";

export function openHelmContext(ctx: ReconcileContext): HelmContext & { close(): Promise<void> } {
  // One driver per identity helm acts as (Ferry's, or a HelmRelease's service account).
  const opened = new Map<string, ReturnType<typeof openHelmDriver>>();
  const cacheDir = ctx.chartCacheDir ?? join(tmpdir(), "ferry-charts");
  const credentials = ctx.registryCredentials;
  return {
    sources: new Map(),
    chartCacheDir: cacheDir,
    charts: new ChartRepositoryClient({
      cacheDir,
      // The operator's `registries` logins serve chart repositories on those hosts too.
      ...(credentials ? { credentials: (url: string) => credentials(new URL(url).host) } : {}),
    }),
    ociCharts: new OciChartClient({
      cacheDir,
      ...(credentials ? { credentials } : {}),
    }),
    driver: async (connection) => {
      const key = connection.impersonate ?? "";
      let driver = opened.get(key);
      if (!driver) {
        driver = openHelmDriver(connection);
        opened.set(key, driver);
      }
      return (await driver).driver;
    },
    close: async () => {
      for (const driver of opened.values()) await driver.then((o) => o.close()).catch(() => undefined);
    },
  };
}

/** helm for uninstalling releases, or why it may not run against this cluster. */
export function helmForPrune(ctx: ReconcileContext, helm: HelmContext): FluxPruneContext["helm"] {
  return async () => {
    if (!ctx.connection) return { unavailable: "Ferry was given no way for helm to reach the cluster" };
    // helm deletes whatever the release holds, which Ferry cannot check namespace by namespace.
    if (ctx.namespaces)
      return { unavailable: `${ctx.namespaces.describe} may only write to some namespaces` };
    return helm.driver(ctx.connection);
  };
}

/**
 * One HelmRelease, as Flux's helm-controller reconciles it, with the real helm: the chart from this
 * repository (a GitRepository source) or from a HelmRepository found in the build, the values from
 * `valuesFrom` (ConfigMaps and Secrets in the target cluster) and inline `values`, then `helm upgrade
 * --install` — unless the deployed release already has that chart version and those values, so an
 * unchanged reconcile makes no new revision — and `helm test` when enabled. Never throws: failures
 * are in the result, with helm's error and never a value.
 */

import { parseDuration } from "../build/duration.js";
import { conventionalSourceNames } from "../build/flux.js";
import { type ChartRepositoryClient, localChart } from "../helm/chart-source/index.js";
import type { HelmDriver, HelmReleaseStatus } from "../helm/driver/helm-driver.js";
import type { HelmRelease, HelmRepository, OCIRepository } from "../helm/release.js";
import { releaseName, releaseNamespace } from "../helm/release-name.js";
import { composeValues, valuesSources } from "../helm/values.js";
import { valuesDigest } from "../helm/values-digest.js";
import type { ObjectRef } from "../model/object.js";
import { ReconcileError, type UnitResult } from "../model/result.js";
import { type ReconcileContext, type UnitDefinition, unitName } from "./unit.js";

/** What a tree's HelmReleases share: the chart sources found in its builds, and one chart client. */
export interface HelmContext {
  /** HelmRepository and OCIRepository objects by `namespace/name`. */
  sources: Map<string, HelmRepository | OCIRepository>;
  charts: ChartRepositoryClient;
  /** The tree's one helm driver (found, version-checked and given its folders once), made on first use. */
  driver(kubeconfig: string): Promise<HelmDriver>;
}

/** A HelmRelease found in a build, as a unit of the tree (ordered by its `dependsOn`). */
export function unitOfHelmRelease(release: HelmRelease, origin?: UnitDefinition["origin"]): UnitDefinition {
  return {
    owner: { name: release.metadata.name, namespace: release.metadata.namespace },
    path: release.spec.chart?.spec.chart ?? "",
    overlay: {},
    prune: false,
    wait: false,
    timeoutMs: parseDuration(release.spec.timeout) ?? 300_000,
    force: false,
    suspend: release.spec.suspend,
    dependsOn: release.spec.dependsOn,
    healthChecks: [],
    helm: release,
    ...(origin ? { origin } : {}),
  };
}

/** Reconciles a HelmRelease unit; never throws: failures are in the result. */
export async function reconcileHelmUnit(
  ctx: ReconcileContext,
  helm: HelmContext,
  unit: UnitDefinition & { helm: HelmRelease },
): Promise<UnitResult> {
  const started = performance.now();
  const result: UnitResult = {
    name: unitName(unit.owner),
    path: unit.path,
    ...(ctx.revision ? { revision: ctx.revision } : {}),
    status: "succeeded",
    changes: [],
    health: [],
    timings: [],
    problems: [],
    notSupported: [],
    consumed: [],
    durationMs: 0,
  };
  if (unit.suspend) {
    result.status = "skipped";
    result.problems.push({ message: "suspended: spec.suspend is true" });
  } else {
    try {
      await reconcileHelmRelease(ctx, helm, unit.helm, result);
    } catch (error) {
      result.status = "failed";
      const problems =
        error instanceof ReconcileError
          ? error.problems
          : [{ message: error instanceof Error ? error.message : String(error) }];
      result.problems.push(
        ...problems.map((p) => ({ ...p, ...(unit.origin && !p.origin ? { origin: unit.origin } : {}) })),
      );
    }
  }
  const ms = Math.round(performance.now() - started);
  result.timings.push({ phase: "apply", ms });
  result.durationMs = ms;
  return result;
}

export async function reconcileHelmRelease(
  ctx: ReconcileContext,
  helm: HelmContext,
  release: HelmRelease,
  result: UnitResult,
): Promise<void> {
  const { name, namespace } = release.metadata;
  const ref: ObjectRef = {
    group: "helm.toolkit.fluxcd.io",
    version: "v2",
    kind: "HelmRelease",
    namespace,
    name,
  };
  const subject = `HelmRelease/${namespace}/${name}`;
  const kubeconfig = helmKubeconfig(ctx, subject);
  const { chart, values, target } = await desiredRelease(ctx, helm, release);
  const driver = await helm.driver(kubeconfig);
  const deployed = await driver.status(target.name, target.namespace);
  if (deployed && inSync(deployed, chart, values)) {
    result.changes.push({
      ref,
      subject,
      action: "unchanged",
      reason: `${chart.name}@${chart.version} revision ${deployed.revision}`,
    });
    return;
  }
  const install = deployed === undefined;
  const { upgraded, remediated } = await upgradeWithRemediation(driver, release, {
    ...target,
    chart,
    values,
    install,
    previous: deployed?.status === "deployed" ? deployed.revision : undefined,
  });
  const after = remediated.length > 0 ? ` (after ${remediated.join(", ")})` : "";
  result.changes.push({
    ref,
    subject,
    action: install ? "created" : "configured",
    reason: `${chart.name}@${chart.version} revision ${upgraded.revision}${after}`,
  });
  if (release.spec.test.enable) {
    const tested = await driver.test(target.name, target.namespace, { filters: release.spec.test.filters });
    if (!tested.passed && !release.spec.test.ignoreFailures) {
      const failing = tested.tests.filter((t) => t.phase !== "Succeeded").map((t) => t.name);
      throw new ReconcileError(
        `${subject}: helm test failed: ${failing.join(", ") || tested.detail || "see helm test"}`,
      );
    }
  }
}

/** The release a HelmRelease installs: Flux's release name, in its target namespace. */
export function releaseTargetOf(release: HelmRelease): { name: string; namespace: string } {
  const { name, namespace } = release.metadata;
  return {
    name: releaseName({ name, namespace, ...optional(release.spec) }),
    namespace: releaseNamespace({ name, namespace, ...optional(release.spec) }),
  };
}

/** The kubeconfig helm runs with, or an error saying why helm may not run against this cluster. */
export function helmKubeconfig(ctx: ReconcileContext, subject: string): string {
  if (ctx.helmUnavailable || !ctx.kubeconfigPath) {
    throw new ReconcileError(
      `${subject}: ${ctx.helmUnavailable ?? "helm needs a kubeconfig file for this cluster, and Ferry was given none"}`,
    );
  }
  // helm writes what the chart renders, which Ferry cannot check object by object beforehand.
  if (ctx.namespaces) {
    throw new ReconcileError(
      `${subject}: ${ctx.namespaces.describe} may only write to some namespaces, and Ferry cannot yet check what a Helm chart writes; ask the operator to allow every namespace ("*") for this cluster`,
    );
  }
  return ctx.kubeconfigPath;
}

/** What a HelmRelease asks helm for: the chart on disk, the composed values, the release's name and namespace. */
export async function desiredRelease(
  ctx: ReconcileContext,
  helm: HelmContext,
  release: HelmRelease,
): Promise<{
  chart: { name: string; version: string; path: string };
  values: Record<string, unknown>;
  target: { name: string; namespace: string };
}> {
  const chart = await chartOf(ctx, helm, release);
  const values = composeValues({
    namespace: release.metadata.namespace,
    valuesFrom: release.spec.valuesFrom,
    values: release.spec.values ?? null,
    lookup: lookupOf(await readSources(ctx, release)),
  });
  return { chart, values, target: releaseTargetOf(release) };
}

/** The deployed release already has this chart version and these values: nothing to upgrade. */
export function inSync(
  deployed: HelmReleaseStatus,
  chart: { name: string; version: string },
  values: Record<string, unknown>,
): boolean {
  return (
    deployed.status === "deployed" &&
    deployed.chart.name === chart.name &&
    deployed.chart.version === chart.version &&
    deployed.valuesDigest === valuesDigest(values)
  );
}

const optional = (spec: HelmRelease["spec"]) => ({
  ...(spec.releaseName ? { releaseName: spec.releaseName } : {}),
  ...(spec.targetNamespace ? { targetNamespace: spec.targetNamespace } : {}),
  ...(spec.storageNamespace ? { storageNamespace: spec.storageNamespace } : {}),
});

/** The chart on disk: a folder of this repository, or an archive from a HelmRepository. */
async function chartOf(
  ctx: ReconcileContext,
  helm: HelmContext,
  release: HelmRelease,
): Promise<{ name: string; version: string; path: string }> {
  const subject = `HelmRelease/${release.metadata.namespace}/${release.metadata.name}`;
  const spec = release.spec.chart?.spec;
  if (!spec)
    throw new ReconcileError(
      `${subject}: spec.chartRef (OCIRepository, HelmChart) is not supported yet; use spec.chart`,
    );
  const source = spec.sourceRef;
  const sourceNamespace = source.namespace ?? release.metadata.namespace;
  if (source.kind === "GitRepository") {
    const names = [...conventionalSourceNames, ...(ctx.sourceNames ?? [])];
    if (!names.includes(source.name) && !names.includes(`${sourceNamespace}/${source.name}`)) {
      throw new ReconcileError(
        `${subject}: GitRepository ${sourceNamespace}/${source.name} is not this repository; Ferry reads charts from the repository it syncs`,
      );
    }
    const local = await localChart(ctx.workspace.root, spec.chart);
    return { name: local.name, version: local.version, path: local.dir };
  }
  if (source.kind !== "HelmRepository") {
    throw new ReconcileError(`${subject}: charts from a ${source.kind} are not supported yet`);
  }
  const repository = helm.sources.get(`${sourceNamespace}/${source.name}`);
  if (repository?.kind !== "HelmRepository") {
    throw new ReconcileError(
      `${subject}: HelmRepository ${sourceNamespace}/${source.name} is not in the repository's synced paths`,
    );
  }
  if (repository.spec.type === "oci") {
    throw new ReconcileError(`${subject}: OCI HelmRepositories are not supported yet`);
  }
  const interval = repository.spec.interval ? parseDuration(repository.spec.interval) : undefined;
  const resolved = await helm.charts.resolve(
    { url: repository.spec.url, ...(interval ? { intervalMs: interval } : {}) },
    spec.chart,
    spec.version,
  );
  return { name: resolved.name, version: resolved.version, path: resolved.archive };
}

/** The data of every ConfigMap and Secret `valuesFrom` names (Secrets decoded), by kind and name. */
async function readSources(
  ctx: ReconcileContext,
  release: HelmRelease,
): Promise<Map<string, Record<string, string> | undefined>> {
  const found = new Map<string, Record<string, string> | undefined>();
  for (const { kind, name } of valuesSources(release.spec.valuesFrom)) {
    const live = await ctx.client.get({
      group: "",
      version: "v1",
      kind,
      namespace: release.metadata.namespace,
      name,
    });
    const data = (live?.data ?? {}) as Record<string, string>;
    found.set(
      `${kind}/${name}`,
      live === undefined
        ? undefined
        : kind === "Secret"
          ? Object.fromEntries(
              Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
            )
          : data,
    );
  }
  return found;
}

const lookupOf = (found: Map<string, Record<string, string> | undefined>) => (kind: string, name: string) =>
  found.get(`${kind}/${name}`);

/**
 * `helm upgrade --install`, and Flux's remediation when it fails: with `remediation.retries` above 0
 * (negative: as often as Ferry retries in one run, 5), a failed install is uninstalled and a failed
 * upgrade rolled back to the release that was deployed (or uninstalled, with `strategy: uninstall`)
 * before the next attempt, and after the last one unless `remediateLastFailure` is false. Only a
 * failure that left a new revision is remediated: a chart that does not render changed nothing.
 */
async function upgradeWithRemediation(
  driver: HelmDriver,
  release: HelmRelease,
  target: {
    name: string;
    namespace: string;
    chart: { name: string; version: string; path: string };
    values: Record<string, unknown>;
    install: boolean;
    previous: number | undefined;
  },
): Promise<{ upgraded: Awaited<ReturnType<HelmDriver["upgrade"]>>; remediated: string[] }> {
  const remediated: string[] = [];
  const timeoutMs = parseDuration(release.spec.timeout) ?? 300_000;
  let install = target.install;
  for (let attempt = 1; ; attempt++) {
    const settings = install ? release.spec.install : release.spec.upgrade;
    const { retries } = settings.remediation;
    const attempts = 1 + (retries < 0 ? MAX_RETRIES_PER_RUN : Math.min(retries, MAX_RETRIES_PER_RUN));
    try {
      const upgraded = await driver.upgrade({
        name: target.name,
        namespace: target.namespace,
        chart: target.chart.path,
        values: target.values,
        timeoutMs,
        wait: !settings.disableWait,
        maxHistory: release.spec.maxHistory,
        createNamespace: release.spec.install.createNamespace,
      });
      return { upgraded, remediated };
    } catch (error) {
      const last = attempt >= attempts;
      const remediate = retries !== 0 && (!last || (settings.remediation.remediateLastFailure ?? true));
      if (remediate) {
        const done = await remediateFailure(driver, release, { ...target, install }, timeoutMs);
        if (done) remediated.push(done);
        if (done === "uninstalled") install = true;
      }
      if (last) {
        // Flux's event: `Helm upgrade failed for release <ns>/<name> with chart <chart>@<version>: <error>`.
        const why =
          error instanceof Error ? ((error as { detail?: string }).detail ?? error.message) : String(error);
        const message =
          `Helm ${target.install ? "install" : "upgrade"} failed for release ` +
          `${target.namespace}/${target.name} with chart ${target.chart.name}@${target.chart.version}: ${why}` +
          (remediated.length > 0 ? `; remediated: ${remediated.join(", ")}` : "");
        throw new ReconcileError(message, [
          { message, subject: `HelmRelease/${release.metadata.namespace}/${release.metadata.name}` },
        ]);
      }
    }
  }
}

/** Retries Ferry makes in one run (Flux counts them across reconciles). */
const MAX_RETRIES_PER_RUN = 5;

/** Undoes a failed attempt that left a revision behind; says what it did, or undefined when nothing needed undoing. */
async function remediateFailure(
  driver: HelmDriver,
  release: HelmRelease,
  target: { name: string; namespace: string; install: boolean; previous: number | undefined },
  timeoutMs: number,
): Promise<string | undefined> {
  const now = await driver.status(target.name, target.namespace);
  if (!now || now.status === "deployed") return undefined;
  const rollbackSpec = release.spec.rollback;
  if (
    target.install ||
    release.spec.upgrade.remediation.strategy === "uninstall" ||
    target.previous === undefined
  ) {
    await driver.uninstall(target.name, target.namespace, { timeoutMs, wait: !rollbackSpec.disableWait });
    return "uninstalled";
  }
  await driver.rollback(target.name, target.namespace, target.previous, {
    timeoutMs,
    wait: !rollbackSpec.disableWait,
    maxHistory: release.spec.maxHistory,
  });
  return `rolled back to revision ${target.previous}`;
}

/**
 * One HelmRelease, as Flux's helm-controller reconciles it, with the real helm: the chart from this
 * repository (a GitRepository source) or from a HelmRepository found in the build, the values from
 * `valuesFrom` (ConfigMaps and Secrets in the target cluster) and inline `values`, then `helm upgrade
 * --install` — unless the deployed release already has that chart version, those values and those
 * post-renderers, so an unchanged reconcile makes no new revision — with the chart's CRDs applied by
 * the CRD policy first, and `helm test` when enabled. Never throws: failures
 * are in the result, with helm's error and never a value.
 */

import { parseDuration } from "../build/duration.js";
import type { ClusterConnection, KubeClient } from "../cluster/client.js";
import { readConfigData } from "../cluster/config-data.js";
import { KubeconfigFile } from "../cluster/kubeconfig-file.js";
import { chartCrds } from "../helm/chart-crds.js";
import type { ChartRepositoryClient, OciChartClient } from "../helm/chart-source/index.js";
import { applyCrdPolicy } from "../helm/crd-policy.js";
import { HelmDriver, type HelmReleaseStatus, type HelmUpgradeRequest } from "../helm/driver/helm-driver.js";
import { type PostRenderMetadata, postRenderDigest } from "../helm/post-render/config.js";
import { deployedPostRenderersDigest, postRenderersLabels } from "../helm/post-render/release-label.js";
import type { HelmRelease, HelmRepository, OCIRepository } from "../helm/release.js";
import { releaseName, releaseNamespace } from "../helm/release-name.js";
import { composeValues, valuesSources } from "../helm/values.js";
import { valuesDigest } from "../helm/values-digest.js";
import { mergeMaps, type Values } from "../helm/values-map.js";
import type { ObjectRef } from "../model/object.js";
import { type ChangeSetEntry, ReconcileError, type UnitResult } from "../model/result.js";
import { chartOf, chartValuesFiles } from "./helm-chart.js";
import { checkReleaseNamespaces, checkRenderedNamespaces } from "./helm-namespaces.js";
import { type ReconcileContext, type UnitDefinition, unitName } from "./unit.js";

/** What a tree's HelmReleases share: the chart sources found in its builds, and one chart client per kind. */
export interface HelmContext {
  /** HelmRepository and OCIRepository objects by `namespace/name`. */
  sources: Map<string, HelmRepository | OCIRepository>;
  charts: ChartRepositoryClient;
  /** Where charts are kept (archives by digest, and chart folders Ferry writes). */
  chartCacheDir: string;
  ociCharts: OciChartClient;
  /** The tree's one helm driver (found, version-checked and given its folders once), made on first use. */
  driver(connection: ClusterConnection): Promise<HelmDriver>;
}

/**
 * A helm driver reaching the cluster as Ferry's client does: the operator's kubeconfig and context, or
 * a private kubeconfig Ferry writes for the pod's service account, impersonating what the client does.
 * `close()` removes the driver's folders and any kubeconfig Ferry wrote.
 */
export async function openHelmDriver(
  connection: ClusterConnection,
): Promise<{ driver: HelmDriver; close(): Promise<void> }> {
  const kubeconfig = await KubeconfigFile.open(connection);
  try {
    const driver = await HelmDriver.create({
      kubeconfig: kubeconfig.path,
      ...(kubeconfig.context ? { kubeContext: kubeconfig.context } : {}),
      ...(connection.impersonate ? { kubeAsUser: connection.impersonate } : {}),
    });
    return {
      driver,
      close: async () => {
        await driver.close();
        await kubeconfig.close();
      },
    };
  } catch (e) {
    await kubeconfig.close();
    throw e;
  }
}

/** A HelmRelease found in a build, as a unit of the tree (ordered by its `dependsOn`). */
export function unitOfHelmRelease(release: HelmRelease, origin?: UnitDefinition["origin"]): UnitDefinition {
  return {
    owner: { name: release.metadata.name, namespace: release.metadata.namespace },
    // Where the chart comes from, as the result shows it: the chart (a path or a repository's chart name), or the chartRef.
    path: release.spec.chart?.spec.chart ?? chartRefText(release),
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

function chartRefText(release: HelmRelease): string {
  const ref = release.spec.chartRef;
  return ref ? `${ref.kind}/${ref.namespace ?? release.metadata.namespace}/${ref.name}` : "";
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
  const drift = unit.helm.spec.driftDetection?.mode;
  if (drift === "enabled" || drift === "warn") {
    // Said rather than silently ignored: the release is reconciled, its objects are not checked for drift.
    result.notSupported.push({
      subject: `HelmRelease/${unit.helm.metadata.namespace}/${unit.helm.metadata.name}`,
      reason: `spec.driftDetection.mode ${drift}: Ferry does not yet compare a release's objects with its manifest`,
      ...(unit.origin ? { origin: unit.origin } : {}),
    });
  }
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
  const connection = helmConnection(ctx, release);
  const desired = await desiredRelease(ctx, helm, release);
  const { chart, target } = desired;
  const driver = await helm.driver(connection);
  const deployed = await deployedRelease(ctx.client, driver, target);
  if (deployed && inSync(deployed, desired)) {
    result.changes.push({
      ref,
      subject,
      action: "unchanged",
      reason: `${chart.name}@${chart.version} revision ${deployed.revision}`,
    });
    // Unchanged is not healthy when the tests of this revision failed: say so again, as Flux keeps
    // TestSuccess false until a new revision passes.
    if (release.spec.test.enable && !release.spec.test.ignoreFailures) {
      const failing = (await driver.lastTestRuns(target.name, target.namespace))
        .filter((t) => t.phase === "Failed")
        .map((t) => t.name);
      if (failing.length > 0) {
        throw new ReconcileError(
          `${subject}: helm test failed: ${failing.join(", ")} (revision ${deployed.revision}, unchanged since)`,
        );
      }
    }
    return;
  }
  const install = deployed === undefined;
  const request = upgradeRequest(release, desired, deployed);
  if (ctx.namespaces) await checkRenderedNamespaces(ctx.client, ctx.namespaces, driver, subject, request);
  // Flux's CRD policy (install.crds, default Create; upgrade.crds, default Skip); helm skips crds/.
  result.changes.push(
    ...(await applyCrdPolicy({
      client: ctx.client,
      policy: install ? release.spec.install.crds : release.spec.upgrade.crds,
      crds: await chartCrds(chart.path),
      owner: { name, namespace },
      ...(ctx.namespaces ? { namespaces: ctx.namespaces } : {}),
    })),
  );
  const { upgraded, remediated } = await upgradeWithRemediation(driver, release, request, {
    ...target,
    chart,
    install,
    previous: deployed?.status === "deployed" ? deployed.revision : undefined,
  });
  const after = remediated.length > 0 ? ` (after ${remediated.join(", ")})` : "";
  const change: ChangeSetEntry = {
    ref,
    subject,
    action: install ? "created" : "configured",
    reason: `${chart.name}@${chart.version} revision ${upgraded.revision}${after}`,
  };
  result.changes.push(change);
  if (release.spec.test.enable) {
    const tested = await driver.test(target.name, target.namespace, { filters: release.spec.test.filters });
    const failing = tested.tests.filter((t) => t.phase !== "Succeeded").map((t) => t.name);
    if (!tested.passed && !release.spec.test.ignoreFailures) {
      throw new ReconcileError(
        `${subject}: helm test failed: ${failing.join(", ") || tested.detail || "see helm test"}`,
      );
    }
    change.reason += `; ${testSummary(tested.tests.length, failing)}`;
  }
}

/** What `helm test` found, for the release's line in the result. */
function testSummary(count: number, failing: string[]): string {
  if (count === 0) return "no tests in the chart";
  if (failing.length === 0) return `${count} test${count === 1 ? "" : "s"} passed`;
  return `${failing.length} of ${count} tests failed (${failing.join(", ")}), ignored as test.ignoreFailures says`;
}

/** The release a HelmRelease installs: Flux's release name, in its target namespace. */
export function releaseTargetOf(release: HelmRelease): { name: string; namespace: string } {
  const { name, namespace } = release.metadata;
  return {
    name: releaseName({ name, namespace, ...optional(release.spec) }),
    namespace: releaseNamespace({ name, namespace, ...optional(release.spec) }),
  };
}

/**
 * How helm reaches the cluster: Ferry's connection, acting as the HelmRelease's `serviceAccountName`
 * when it names one (as helm-controller impersonates it), or an error when Ferry was given no way or
 * the HelmRelease points at another cluster.
 */
export function helmConnection(ctx: ReconcileContext, release: HelmRelease): ClusterConnection {
  const subject = `HelmRelease/${release.metadata.namespace}/${release.metadata.name}`;
  if (!ctx.connection) {
    throw new ReconcileError(
      `${subject}: helm needs to know how to reach the cluster, and Ferry was given nothing`,
    );
  }
  if (release.spec.kubeConfig !== undefined) {
    throw new ReconcileError(
      `${subject}: spec.kubeConfig points the release at another cluster; Ferry installs it in the cluster the sync target names, so remove spec.kubeConfig and sync this path to that cluster instead`,
    );
  }
  const account = release.spec.serviceAccountName;
  if (!account) return ctx.connection;
  return { ...ctx.connection, impersonate: `system:serviceaccount:${release.metadata.namespace}:${account}` };
}

/** What a HelmRelease asks helm for. */
export interface DesiredRelease {
  /** The chart on disk. */
  chart: { name: string; version: string; path: string };
  values: Values;
  target: { name: string; namespace: string };
  /** The digest of what post-rendering does (post-renderers, common metadata, origin labels). */
  postRenderers: string | undefined;
}

/**
 * The chart, the composed values and the release's name and namespace. On a namespace-limited cluster
 * both namespaces must be allowed before anything (a `valuesFrom` Secret included) is read.
 */
export async function desiredRelease(
  ctx: ReconcileContext,
  helm: HelmContext,
  release: HelmRelease,
): Promise<DesiredRelease> {
  const { name, namespace } = release.metadata;
  const target = releaseTargetOf(release);
  if (ctx.namespaces) {
    checkReleaseNamespaces(ctx.namespaces, `HelmRelease/${namespace}/${name}`, {
      helmRelease: namespace,
      release: target.namespace,
    });
  }
  const chart = await chartOf(ctx, helm, release);
  // The chart's valuesFiles lie beneath valuesFrom and values, as the chart's own values do.
  const values = mergeMaps(
    await chartValuesFiles(ctx, release, chart),
    composeValues({
      namespace,
      valuesFrom: release.spec.valuesFrom,
      values: release.spec.values ?? null,
      lookup: lookupOf(await readSources(ctx, release)),
    }),
  );
  return {
    chart,
    values,
    target,
    postRenderers: postRenderDigest(release.spec.postRenderers, postRenderMetadata(release)),
  };
}

/** A deployed release, with the post-renderers digest it was labelled with. */
export type DeployedRelease = HelmReleaseStatus & { postRenderers: string | undefined };

/** The release's latest revision, or undefined when it is not installed. */
export async function deployedRelease(
  client: KubeClient,
  driver: HelmDriver,
  target: { name: string; namespace: string },
): Promise<DeployedRelease | undefined> {
  const status = await driver.status(target.name, target.namespace);
  return status && { ...status, postRenderers: await deployedPostRenderersDigest(client, status) };
}

/** The deployed release already has this chart version, these values and post-renderers: nothing to upgrade. */
export function inSync(deployed: DeployedRelease, desired: DesiredRelease): boolean {
  return (
    deployed.status === "deployed" &&
    deployed.chart.name === desired.chart.name &&
    deployed.chart.version === desired.chart.version &&
    deployed.valuesDigest === valuesDigest(desired.values) &&
    deployed.postRenderers === desired.postRenderers
  );
}

/**
 * What every `helm upgrade` of the release is given: the attempts (which set `wait` as the install or
 * upgrade settings say), the namespace check's dry run and `ferry diff`'s alike, so each sees what will
 * be written.
 */
export function upgradeRequest(
  release: HelmRelease,
  desired: DesiredRelease,
  deployed: DeployedRelease | undefined,
): HelmUpgradeRequest {
  return {
    ...desired.target,
    chart: desired.chart.path,
    values: desired.values,
    timeoutMs: parseDuration(release.spec.timeout) ?? 300_000,
    wait: false,
    maxHistory: release.spec.maxHistory,
    createNamespace: release.spec.install.createNamespace,
    // Ferry applies the chart's CRDs itself, as the CRD policy says.
    skipCrds: true,
    postRenderers: release.spec.postRenderers,
    postRenderMetadata: postRenderMetadata(release),
    labels: postRenderersLabels(desired.postRenderers, deployed?.postRenderers),
  };
}

/**
 * What every object of the release is labelled and annotated with, as Flux's renderers do: the
 * HelmRelease's `commonMetadata`, then its origin labels (`helm.toolkit.fluxcd.io/name` and
 * `/namespace`), which win a clash.
 */
function postRenderMetadata(release: HelmRelease): PostRenderMetadata {
  const common = release.spec.commonMetadata;
  return {
    labels: {
      ...common?.labels,
      "helm.toolkit.fluxcd.io/name": release.metadata.name,
      "helm.toolkit.fluxcd.io/namespace": release.metadata.namespace,
    },
    annotations: { ...common?.annotations },
  };
}

const optional = (spec: HelmRelease["spec"]) => ({
  ...(spec.releaseName ? { releaseName: spec.releaseName } : {}),
  ...(spec.targetNamespace ? { targetNamespace: spec.targetNamespace } : {}),
  ...(spec.storageNamespace ? { storageNamespace: spec.storageNamespace } : {}),
});

/** The data of every ConfigMap and Secret `valuesFrom` names (Secrets decoded), by kind and name. */
async function readSources(
  ctx: ReconcileContext,
  release: HelmRelease,
): Promise<Map<string, Record<string, string> | undefined>> {
  const found = new Map<string, Record<string, string> | undefined>();
  for (const { kind, name } of valuesSources(release.spec.valuesFrom)) {
    const ref = { kind, namespace: release.metadata.namespace, name };
    found.set(`${kind}/${name}`, await readConfigData(ctx.client, ref));
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
  request: HelmUpgradeRequest,
  target: {
    name: string;
    namespace: string;
    chart: { name: string; version: string; path: string };
    install: boolean;
    previous: number | undefined;
  },
): Promise<{ upgraded: Awaited<ReturnType<HelmDriver["upgrade"]>>; remediated: string[] }> {
  const remediated: string[] = [];
  const timeoutMs = request.timeoutMs;
  let install = target.install;
  for (let attempt = 1; ; attempt++) {
    const settings = install ? release.spec.install : release.spec.upgrade;
    const { retries } = settings.remediation;
    const attempts = 1 + (retries < 0 ? MAX_RETRIES_PER_RUN : Math.min(retries, MAX_RETRIES_PER_RUN));
    try {
      const upgraded = await driver.upgrade({ ...request, ...actionFlags(release, install) });
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

/** Flux's install or upgrade switches, as helm flags for that attempt. */
function actionFlags(release: HelmRelease, install: boolean): Partial<HelmUpgradeRequest> {
  const settings = install ? release.spec.install : release.spec.upgrade;
  const { upgrade } = release.spec;
  return {
    wait: !settings.disableWait,
    waitForJobs: !settings.disableWaitForJobs,
    disableHooks: settings.disableHooks,
    disableOpenApiValidation: settings.disableOpenAPIValidation,
    skipSchemaValidation: settings.disableSchemaValidation,
    ...(install ? {} : { forceReplace: upgrade.force, cleanupOnFail: upgrade.cleanupOnFail }),
  };
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

/**
 * The chart a HelmRelease installs, on disk: a folder of this repository (a GitRepository source), an
 * archive from a HelmRepository (its index over HTTP(S), or an OCI registry), or the chart an
 * OCIRepository (`chartRef`) holds. Logins come from the source's `secretRef` (read from the target
 * cluster) or the operator's file; settings Ferry cannot honour are refused, not ignored.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { parseDuration } from "../build/duration.js";
import { conventionalSourceNames } from "../build/flux.js";
import { readConfigData } from "../cluster/config-data.js";
import { readChartFolder } from "../helm/chart-folder.js";
import {
  ChartSourceError,
  chartFolderWithVersion,
  HELM_CHART_LAYERS,
  type LocalChart,
  localChart,
  type OciAccess,
  pullOciRepositoryChart,
  type RepositoryLogin,
  resolveOciChartVersion,
  secretLogins,
} from "../helm/chart-source/index.js";
import type { HelmRelease, HelmRepository, OCIRepository } from "../helm/release.js";
import { readValuesFiles, ValuesFilesError, type ValuesFilesSource } from "../helm/values-files.js";
import type { Values } from "../helm/values-map.js";
import { parseImageReference } from "../images/registry/index.js";
import { ReconcileError } from "../model/result.js";
import type { HelmContext } from "./helm-release.js";
import type { ReconcileContext } from "./unit.js";

/** A chart on disk, as helm is given it. */
export interface Chart {
  name: string;
  /** As the release records it; for an OCIRepository, with the digest as build metadata. */
  version: string;
  /** A chart folder or archive. */
  path: string;
}

/**
 * The chart on disk: a folder of this repository, or one from a HelmRepository (index or OCI) or an
 * OCIRepository (`chartRef`). Source failures name the HelmRelease and the source.
 */
export async function chartOf(
  ctx: ReconcileContext,
  helm: HelmContext,
  release: HelmRelease,
): Promise<Chart> {
  const subject = `HelmRelease/${release.metadata.namespace}/${release.metadata.name}`;
  const chartRef = release.spec.chartRef;
  if (chartRef) {
    if (chartRef.kind !== "OCIRepository") {
      throw new ReconcileError(
        `${subject}: spec.chartRef to a ${chartRef.kind} is not supported yet; use an OCIRepository or spec.chart`,
      );
    }
    const name = `${chartRef.namespace ?? release.metadata.namespace}/${chartRef.name}`;
    const source = helm.sources.get(name);
    if (source?.kind !== "OCIRepository") {
      throw new ReconcileError(`${subject}: OCIRepository ${name} is not in the repository's synced paths`);
    }
    return sourceFailure(`${subject}: OCIRepository ${name}`, async () => {
      const access = await ociAccess(ctx, source);
      const chart = await pullOciRepositoryChart(helm.ociCharts, source, access);
      return { name: chart.name, version: chart.version, path: chart.path };
    });
  }
  // The schema holds exactly one of chart and chartRef.
  const spec = (release.spec.chart as NonNullable<HelmRelease["spec"]["chart"]>).spec;
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
    if (spec.reconcileStrategy === "Revision") return revisionedChart(helm, local);
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
    return sourceFailure(`${subject}: HelmRepository ${sourceNamespace}/${source.name}`, async () => {
      const access = await ociAccess(ctx, repository);
      const version = await resolveOciChartVersion(
        helm.ociCharts.tagLister(access),
        repository.spec.url,
        spec.chart,
        spec.version,
      );
      const chart = await helm.ociCharts.pull(
        parseImageReference(version.reference),
        access,
        HELM_CHART_LAYERS,
      );
      return { name: chart.name, version: chart.version, path: chart.archive };
    });
  }
  return sourceFailure(`${subject}: HelmRepository ${sourceNamespace}/${source.name}`, async () => {
    const interval = repository.spec.interval ? parseDuration(repository.spec.interval) : undefined;
    const login = await secretRefLogin(ctx, repository);
    const resolved = await helm.charts.resolve(
      {
        url: repository.spec.url,
        ...(interval ? { intervalMs: interval } : {}),
        ...(repository.spec.passCredentials ? { passCredentials: true } : {}),
        ...(login ? { login } : {}),
      },
      spec.chart,
      spec.version,
    );
    return { name: resolved.name, version: resolved.version, path: resolved.archive };
  });
}

/** Runs `pull`, its failures as ReconcileErrors starting with `where` (the HelmRelease and its source). */
async function sourceFailure(where: string, pull: () => Promise<Chart>): Promise<Chart> {
  try {
    return await pull();
  } catch (error) {
    if (!(error instanceof ChartSourceError)) throw error;
    const message = `${where}: ${error.message}`;
    throw new ReconcileError(message, [{ message, subject: where.split(":")[0] }]);
  }
}

/**
 * How an OCI source reaches its registry: plain HTTP with `insecure`, the login its `secretRef`
 * Secret holds (read from the cluster, in the source's namespace), else the operator's. Settings
 * Ferry cannot honour yet are refused rather than ignored.
 */
async function ociAccess(ctx: ReconcileContext, source: OCIRepository | HelmRepository): Promise<OciAccess> {
  refuseUnsupported(source);
  const spec: OCIRepository["spec"] | HelmRepository["spec"] = source.spec;
  const access: OciAccess = spec.insecure ? { insecure: true } : {};
  const secret = await secretRefData(ctx, source);
  if (!secret) return access;
  return { ...access, logins: { lookup: secretLogins(secret.data, secret.name), source: secret.name } };
}

/** Source settings Ferry cannot honour yet are refused rather than ignored. */
function refuseUnsupported(source: OCIRepository | HelmRepository): void {
  const spec: OCIRepository["spec"] | HelmRepository["spec"] = source.spec;
  const unsupported = [
    spec.provider !== "generic" ? `spec.provider ${spec.provider} (a cloud login)` : undefined,
    spec.certSecretRef ? "spec.certSecretRef (TLS certificates)" : undefined,
    "verify" in spec && spec.verify ? "spec.verify (signature verification)" : undefined,
    "serviceAccountName" in spec && spec.serviceAccountName
      ? "spec.serviceAccountName (pull secrets)"
      : undefined,
  ].filter((text) => text !== undefined);
  if (unsupported.length > 0) {
    throw new ChartSourceError(
      `Ferry does not support ${unsupported.join(", ")} yet; give the login in spec.secretRef or in the operator file`,
      "not-supported",
      source.metadata.name,
    );
  }
}

/**
 * A `type: default` HelmRepository's login: the `username` and `password` of its `secretRef` Secret;
 * undefined without one (the operator's login for the host, if any, is used then).
 */
async function secretRefLogin(
  ctx: ReconcileContext,
  repository: HelmRepository,
): Promise<RepositoryLogin | undefined> {
  refuseUnsupported(repository);
  const secret = await secretRefData(ctx, repository);
  if (!secret) return undefined;
  const { username, password } = secret.data;
  if (!username || !password) {
    throw new ChartSourceError(
      `${secret.name} needs username and password keys for the Helm repository's basic auth`,
      "unauthorized",
      secret.name,
    );
  }
  return { username, password };
}

/** The decoded data of a source's `secretRef` Secret (in the source's namespace); undefined without one. */
async function secretRefData(
  ctx: ReconcileContext,
  source: OCIRepository | HelmRepository,
): Promise<{ name: string; data: Record<string, string> } | undefined> {
  const ref = source.spec.secretRef;
  if (!ref) return undefined;
  const namespace = source.metadata.namespace;
  const name = `Secret ${namespace}/${ref.name}`;
  const data = await readConfigData(ctx.client, { kind: "Secret", namespace, name: ref.name });
  if (!data) {
    throw new ChartSourceError(
      `its spec.secretRef ${name} is not in the cluster; create it with the login`,
      "unauthorized",
      name,
    );
  }
  return { name, data };
}

/**
 * The chart's `valuesFiles` merged (empty without any): read from the repository for a chart of this
 * repository, from the chart itself for one of a Helm repository, as Flux reads them.
 */
export async function chartValuesFiles(
  ctx: ReconcileContext,
  release: HelmRelease,
  chart: Chart,
): Promise<Values> {
  const spec = release.spec.chart?.spec;
  if (!spec?.valuesFiles?.length) return {};
  const source: ValuesFilesSource =
    spec.sourceRef.kind === "GitRepository"
      ? { folder: ctx.workspace.root, describe: "the repository" }
      : chart.path.endsWith(".tgz")
        ? { archive: chart.path, describe: `chart ${chart.name}@${chart.version}` }
        : { folder: chart.path, describe: `chart ${chart.name}@${chart.version}` };
  try {
    return await readValuesFiles(spec.valuesFiles, source, spec.ignoreMissingValuesFiles === true);
  } catch (error) {
    if (!(error instanceof ValuesFilesError || error instanceof ChartSourceError)) throw error;
    const subject = `HelmRelease/${release.metadata.namespace}/${release.metadata.name}`;
    throw new ReconcileError(`${subject}: chart.spec.${error.message}`, [
      { message: `${subject}: chart.spec.${error.message}`, subject },
    ]);
  }
}

/**
 * `reconcileStrategy: Revision` for a chart of this repository: a new chart version whenever the
 * chart's files change, `<version>+<first 12 hex of their digest>`, so an edited template upgrades
 * without a version bump. (Flux takes the source revision, so any commit upgrades; the digest upgrades
 * only when the chart did.) helm is given a copy whose Chart.yaml says that version.
 */
async function revisionedChart(helm: HelmContext, local: LocalChart): Promise<Chart> {
  const files = await readChartFolder(local.dir);
  const digest = createHash("sha256");
  for (const path of [...files.keys()].sort()) {
    digest.update(`${path}\0${(files.get(path) as Buffer).length}\0`).update(files.get(path) as Buffer);
  }
  const version = `${local.version}+${digest.digest("hex").slice(0, 12)}`;
  const path = await chartFolderWithVersion(
    { name: local.name, version: local.version, files },
    version,
    join(helm.chartCacheDir, "revisioned"),
    `${local.name}-${version}`,
  );
  return { name: local.name, version, path };
}

/**
 * Reading what helm prints with `-o json`: a release (`helm upgrade`, `helm status`), its
 * metadata and values (`helm get`), its history.
 */
import { z } from "zod";
import { valuesDigest } from "../values-digest.js";
import { isValuesMap } from "../values-map.js";

export interface HelmChartRef {
  name: string;
  version: string;
  appVersion?: string;
}

/** A release as `helm upgrade -o json` (or `helm status -o json`) describes it. */
export interface HelmRelease {
  name: string;
  namespace: string;
  revision: number;
  /** `deployed`, `failed`, `pending-upgrade`, `superseded`, … */
  status: string;
  description: string;
  /** Absent from Helm 4's `helm status`. */
  chart?: HelmChartRef;
  /** `valuesDigest` of the values the release was given (not the chart's defaults). */
  valuesDigest: string;
  /** The rendered manifest; it may hold Secret data, so never log it. */
  manifest: string;
  /** The release's test hooks with the outcome of their last run. */
  tests: HelmTestRun[];
  /** Each hook's manifest, test hooks included; they may hold Secret data, so never log them. */
  hookManifests: string[];
}

export interface HelmTestRun {
  name: string;
  kind: string;
  /** `Succeeded`, `Failed`, `Running`, …; "" when it did not run (filtered out, or never). */
  phase: string;
}

/** `helm get metadata -o json` (Helm 3.13 and later). */
export interface HelmReleaseMetadata {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  chart: HelmChartRef;
}

export interface HelmRevision {
  revision: number;
  status: string;
  /** `<name>-<version>`, as helm prints it. */
  chart: string;
  appVersion?: string;
  description: string;
  updated: string;
}

const releaseSchema = z.looseObject({
  name: z.string(),
  namespace: z.string(),
  version: z.number().int(),
  info: z.looseObject({ status: z.string(), description: z.string().optional() }),
  chart: z
    .looseObject({
      metadata: z.looseObject({ name: z.string(), version: z.string(), appVersion: z.string().optional() }),
    })
    .optional(),
  // Only what the release was given; absent when it was given nothing.
  config: z.unknown().optional(),
  manifest: z.string().optional(),
  hooks: z
    .array(
      z.looseObject({
        name: z.string(),
        kind: z.string(),
        manifest: z.string().optional(),
        events: z.array(z.string()).nullish(),
        last_run: z.looseObject({ phase: z.string().optional() }).nullish(),
      }),
    )
    .nullish(),
});

const metadataSchema = z.looseObject({
  name: z.string(),
  namespace: z.string(),
  revision: z.number().int(),
  status: z.string(),
  chart: z.string(),
  version: z.string(),
  appVersion: z.string().optional(),
});

const historySchema = z.array(
  z.looseObject({
    revision: z.number().int(),
    status: z.string(),
    chart: z.string(),
    app_version: z.string().optional(),
    description: z.string().optional(),
    updated: z.string().optional(),
  }),
);

/** Parses a release; `what` names the command for the error (which never quotes the JSON). */
export function parseRelease(stdout: string, what: string): HelmRelease {
  const release = parseWith(releaseSchema, jsonOf(stdout, what), what);
  const config = isValuesMap(release.config) ? release.config : {};
  return {
    name: release.name,
    namespace: release.namespace,
    revision: release.version,
    status: release.info.status,
    description: release.info.description ?? "",
    ...(release.chart ? { chart: chartRef(release.chart.metadata) } : {}),
    valuesDigest: valuesDigest(config),
    manifest: release.manifest ?? "",
    tests: (release.hooks ?? [])
      .filter((hook) => hook.events?.includes("test"))
      .map((hook) => ({ name: hook.name, kind: hook.kind, phase: hook.last_run?.phase ?? "" })),
    hookManifests: (release.hooks ?? []).flatMap((hook) => (hook.manifest ? [hook.manifest] : [])),
  };
}

export function parseMetadata(stdout: string, what: string): HelmReleaseMetadata {
  const metadata = parseWith(metadataSchema, jsonOf(stdout, what), what);
  return {
    name: metadata.name,
    namespace: metadata.namespace,
    revision: metadata.revision,
    status: metadata.status,
    chart: chartRef({ name: metadata.chart, version: metadata.version, appVersion: metadata.appVersion }),
  };
}

/** `helm get values -o json`: the values a release was given; helm prints `null` for none. */
export function parseValuesDigest(stdout: string, what: string): string {
  const values = jsonOf(stdout, what);
  if (values === null) return valuesDigest({});
  if (!isValuesMap(values)) throw new Error(`${what} printed something other than a map of values`);
  return valuesDigest(values);
}

function chartRef(chart: { name: string; version: string; appVersion?: string | undefined }): HelmChartRef {
  return {
    name: chart.name,
    version: chart.version,
    ...(chart.appVersion ? { appVersion: chart.appVersion } : {}),
  };
}

export function parseHistory(stdout: string, what: string): HelmRevision[] {
  return parseWith(historySchema, jsonOf(stdout, what), what).map((entry) => ({
    revision: entry.revision,
    status: entry.status,
    chart: entry.chart,
    ...(entry.app_version ? { appVersion: entry.app_version } : {}),
    description: entry.description ?? "",
    updated: entry.updated ?? "",
  }));
}

/** The JSON document in helm's output; Helm 3 may print a line of text before it. */
function jsonOf(stdout: string, what: string): unknown {
  const start = stdout.search(/^([[{]|null\b)/m);
  if (start < 0) throw new Error(`${what} printed no JSON`);
  try {
    return JSON.parse(stdout.slice(start));
  } catch {
    throw new Error(`${what} printed JSON that could not be parsed`);
  }
}

/** Fails with the paths of what was wrong, never the values found there. */
function parseWith<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const paths = parsed.error.issues.map((issue) => issue.path.join(".") || "(top)");
  throw new Error(`${what} printed JSON without the expected fields: ${[...new Set(paths)].join(", ")}`);
}

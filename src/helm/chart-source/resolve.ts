/**
 * Choosing a chart version from an index the way Flux's source-controller does
 * (`ChartRepository.GetChartVersion`): an exact version string wins; otherwise the version is a
 * Masterminds range (empty means `*`, which leaves prereleases out); only strict three-part versions
 * (`v` allowed) count; the highest match wins, and of versions equal but for build metadata the one
 * the index says was created last.
 */
import {
  type Constraint,
  ConstraintError,
  compareVersions,
  parseConstraint,
  parseVersion,
  type Version,
} from "../../semver/index.js";
import type { ChartIndex, ChartVersion } from "./chart-index.js";
import { ChartSourceError } from "./errors.js";

/** How many of the newest versions an error lists. */
const SHOWN_VERSIONS = 5;
/** How many chart names an error lists when the chart is missing. */
const SHOWN_CHARTS = 10;

/**
 * The entry of `chart` that `version` (an exact version or a range; default `*`) selects. Throws a
 * ChartSourceError: `chart-not-found`, `bad-version-range`, or `no-matching-version` (naming the
 * range and the newest versions the index has).
 */
export function resolveChartVersion(index: ChartIndex, chart: string, version = ""): ChartVersion {
  const versions = index.entries.get(chart);
  if (!versions || versions.length === 0) throw chartNotFound(index, chart, versions !== undefined);

  if (version !== "") {
    const exact = versions.find((entry) => entry.version === version);
    if (exact) return exact;
  }

  const constraint = rangeOf(index, chart, version);
  let best: { entry: ChartVersion; parsed: Version } | undefined;
  for (const entry of versions) {
    const parsed = parseVersion(entry.version);
    if (!parsed || !constraint.matches(parsed)) continue;
    if (!best) {
      best = { entry, parsed };
      continue;
    }
    const order = compareVersions(parsed, best.parsed);
    if (order > 0 || (order === 0 && (entry.created ?? -Infinity) > (best.entry.created ?? -Infinity))) {
      best = { entry, parsed };
    }
  }
  if (!best) throw noMatch(index, chart, version, versions);
  return best.entry;
}

function rangeOf(index: ChartIndex, chart: string, version: string): Constraint {
  try {
    return parseConstraint(version === "" ? "*" : version);
  } catch (error) {
    if (!(error instanceof ConstraintError)) throw error;
    throw new ChartSourceError(
      `chart "${chart}" in ${index.source} has no version ${JSON.stringify(version)}, and it is not a ` +
        `valid semver range (${error.reason}); set the version to one the index lists or to a range such as "^1.2"`,
      "bad-version-range",
      index.source,
      undefined,
      { cause: error },
    );
  }
}

function chartNotFound(index: ChartIndex, chart: string, listed: boolean): ChartSourceError {
  if (listed) {
    return new ChartSourceError(
      `chart "${chart}" is listed in the index of ${index.source} without any versions`,
      "chart-not-found",
      index.source,
    );
  }
  const names = [...index.entries.keys()].sort();
  const available =
    names.length === 0
      ? "the index has no charts"
      : `it has ${names.slice(0, SHOWN_CHARTS).join(", ")}${names.length > SHOWN_CHARTS ? `, … (${names.length} charts)` : ""}`;
  return new ChartSourceError(
    `chart "${chart}" is not in the index of ${index.source} (${available}); check the chart name in the HelmRelease`,
    "chart-not-found",
    index.source,
  );
}

function noMatch(
  index: ChartIndex,
  chart: string,
  version: string,
  versions: readonly ChartVersion[],
): ChartSourceError {
  const range = version === "" ? "*" : version;
  const newest = versions
    .flatMap((entry) => {
      const parsed = parseVersion(entry.version);
      return parsed ? [parsed] : [];
    })
    .sort((a, b) => compareVersions(b, a))
    .slice(0, SHOWN_VERSIONS)
    .map((parsed) => parsed.original);
  const available =
    newest.length === 0
      ? "none of its versions is a semver version (x.y.z)"
      : `the newest are ${newest.join(", ")}`;
  const hint =
    range === "*" && newest.length > 0
      ? '; without a version only stable ones count, ">=0.0.0-0" admits prereleases'
      : "";
  return new ChartSourceError(
    `no version of chart "${chart}" in ${index.source} matches ${JSON.stringify(range)} (${available})${hint}`,
    "no-matching-version",
    index.source,
  );
}

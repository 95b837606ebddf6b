/**
 * The chart an OCIRepository's artifact holds, as Flux's source-controller chooses the artifact and
 * helm-controller installs it: `ref.digest`, else the highest tag in `ref.semver` (tags first
 * filtered by `ref.semverFilter`; `_` read as `+` when the layer selector asks for Helm's chart
 * layer), else `ref.tag`, else `latest`; the layer `layerSelector.mediaType` names (the first layer
 * without one). The revision is `<tag>@<manifest digest>` (the digest alone when pulled by digest),
 * and the chart is installed as `<version>+<first 12 hex digits of the digest>`, so a tag pushed
 * again with other content upgrades the release and an unchanged one does not.
 */
import {
  type ImageReference,
  ImageReferenceError,
  parseImageReference,
} from "../../images/registry/index.js";
import {
  ConstraintError,
  compareVersions,
  highestMatching,
  parseConstraint,
  parseVersion,
} from "../../semver/index.js";
import type { OCIRepository } from "../release.js";
import { ChartSourceError } from "./errors.js";
import { HELM_CHART_LAYER, type OciAccess, type OciChartClient } from "./oci-client.js";

/** The chart of an OCIRepository, ready for helm. */
export interface OciRepositoryChart {
  name: string;
  /** The chart's version with the digest as build metadata: `1.2.3+0123456789ab`. */
  version: string;
  /** A chart folder whose Chart.yaml says that version. */
  path: string;
  /** Flux's artifact revision: `1.2.3@sha256:…`, or `sha256:…` when pulled by digest. */
  revision: string;
}

/** How many of the newest versions an error lists. */
const SHOWN_VERSIONS = 5;

/**
 * Pulls the chart `source` points at; throws ChartSourceError saying what failed and what to do (the
 * caller names the source).
 */
export async function pullOciRepositoryChart(
  client: OciChartClient,
  source: OCIRepository,
  access: OciAccess,
): Promise<OciRepositoryChart> {
  const { spec } = source;
  const repository = repositoryOf(spec.url);
  const mediaType = spec.layerSelector?.mediaType;
  const ref = spec.ref ?? {};
  let reference: ImageReference;
  if (ref.digest) {
    reference = { ...repository, digest: ref.digest };
  } else if (ref.semver) {
    const tags = await client.listTags(repository, access);
    reference = {
      ...repository,
      tag: tagBySemver(tags, ref.semver, ref.semverFilter, mediaType, repository.name),
    };
  } else {
    reference = { ...repository, tag: ref.tag || "latest" };
  }

  const chart = await client.pull(reference, access, mediaType ? [mediaType] : []);
  const revision = reference.tag ? `${reference.tag}@${chart.manifestDigest}` : chart.manifestDigest;
  const version = versionWithDigest(chart.version, reference.tag, chart.manifestDigest, repository.name);
  return { name: chart.name, version, path: await client.withVersion(chart, version), revision };
}

/** `oci://host/path` as a repository without tag or digest (Flux refuses a tag in the URL). */
function repositoryOf(url: string): ImageReference {
  const text = url.slice("oci://".length).replace(/\/+$/, "");
  let parsed: ImageReference;
  try {
    parsed = parseImageReference(text);
  } catch (error) {
    if (!(error instanceof ImageReferenceError)) throw error;
    throw new ChartSourceError(
      `spec.url ${url} is not an OCI repository (${error.message})`,
      "bad-entry",
      url,
    );
  }
  if (parsed.tag !== undefined || parsed.digest !== undefined) {
    throw new ChartSourceError(
      `spec.url ${url} must not hold a tag or digest; set it in spec.ref instead`,
      "bad-entry",
      url,
    );
  }
  return { registry: parsed.registry, host: parsed.host, repository: parsed.repository, name: parsed.name };
}

/** Flux's `getTagBySemver`: the tag of the highest strict version in the range, after the filter. */
function tagBySemver(
  tags: readonly string[],
  range: string,
  filter: string | undefined,
  mediaType: string | undefined,
  image: string,
): string {
  let pattern: RegExp | undefined;
  try {
    pattern = filter ? new RegExp(filter) : undefined;
  } catch (error) {
    throw new ChartSourceError(
      `spec.ref.semverFilter ${JSON.stringify(filter)} is not a regular expression (${(error as Error).message})`,
      "bad-version-range",
      image,
    );
  }
  let constraint: ReturnType<typeof parseConstraint>;
  try {
    constraint = parseConstraint(range);
  } catch (error) {
    if (!(error instanceof ConstraintError)) throw error;
    throw new ChartSourceError(
      `spec.ref.semver ${JSON.stringify(range)} is not a semver range (${error.reason}); write one such as "^1.2" or ">=1.0.0 <2.0.0"`,
      "bad-version-range",
      image,
    );
  }
  // `+` is not allowed in a tag: Helm pushes 1.0.0+build as 1.0.0_build.
  const helmTags = mediaType === HELM_CHART_LAYER;
  const candidates = tags
    .filter((tag) => pattern === undefined || pattern.test(tag))
    .map((tag) => ({ tag, version: helmTags ? tag.replaceAll("_", "+") : tag }));
  const best = highestMatching(candidates, constraint, (c) => c.version);
  if (best) return best.tag;
  const newest = candidates
    .flatMap((c) => parseVersion(c.version) ?? [])
    .sort((a, b) => compareVersions(b, a))
    .slice(0, SHOWN_VERSIONS)
    .map((v) => v.original);
  const available =
    newest.length === 0 ? "none of its tags is a version (x.y.z)" : `the newest are ${newest.join(", ")}`;
  throw new ChartSourceError(
    `no tag of ${image} matches semver ${JSON.stringify(range)}${filter ? ` and semverFilter ${JSON.stringify(filter)}` : ""} (${available})`,
    "no-matching-version",
    image,
  );
}

/**
 * helm-controller's `mutateChartWithSourceRevision`: a tag that is a version must be the chart's
 * version; the chart's version gets the digest's first 12 hex digits as its build metadata.
 */
function versionWithDigest(
  chartVersion: string,
  tag: string | undefined,
  digest: string,
  image: string,
): string {
  const version = parseVersion(chartVersion);
  if (!version) {
    throw new ChartSourceError(
      `the chart's version ${JSON.stringify(chartVersion)} is not a semantic version (x.y.z)`,
      "bad-chart",
      image,
    );
  }
  const tagVersion = tag === undefined ? undefined : parseVersion(tag.replaceAll("_", "+"));
  if (tagVersion && compareVersions(tagVersion, version) !== 0) {
    throw new ChartSourceError(
      `the artifact tagged ${tag} holds chart version ${chartVersion}; push the chart under its own version`,
      "bad-chart",
      image,
    );
  }
  const prerelease = version.prerelease ? `-${version.prerelease}` : "";
  const hex = digest.slice(digest.indexOf(":") + 1, digest.indexOf(":") + 13);
  return `${version.major}.${version.minor}.${version.patch}${prerelease}+${hex}`;
}

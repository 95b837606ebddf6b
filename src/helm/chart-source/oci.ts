/**
 * Chart versions from a `type: oci` HelmRepository (`oci://ghcr.io/acme/charts`, the chart at
 * `ghcr.io/acme/charts/<chart>`), as Flux's OCIChartRepository chooses them: a concrete version
 * (three parts, `v` allowed) is taken as it is without asking the registry; otherwise the tags are
 * listed, read as Helm's registry client does (`_` stands for `+`, strict semver without `v`), and
 * resolved like an index: an exact match first, then the highest version in the range (default `*`).
 * The chart layer is pulled by OciChartClient.
 */
import {
  ImageReferenceError,
  parseImageReference,
  RegistryError,
  type TagLister,
} from "../../images/registry/index.js";
import { compareVersions, parseVersion, type Version } from "../../semver/index.js";
import { ChartSourceError } from "./errors.js";
import { chartSourceReason } from "./oci-client.js";
import { resolveChartVersion } from "./resolve.js";

/** A chart version in an OCI registry. */
export interface OciChartVersion {
  name: string;
  version: string;
  /** The artifact to pull: `ghcr.io/acme/charts/hello:1.2.3_build.1` (`+` written `_`, as Helm pushes it). */
  reference: string;
}

/** Resolves `chart` at `version` in the `oci://` repository `repositoryUrl`, listing tags through `registry`. */
export async function resolveOciChartVersion(
  registry: TagLister,
  repositoryUrl: string,
  chart: string,
  version = "",
): Promise<OciChartVersion> {
  const image = chartImage(repositoryUrl, chart);
  if (parseVersion(version)) return { name: chart, version, reference: `${image}:${tagOf(version)}` };

  let tags: string[];
  try {
    tags = await registry.listTags(image);
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    throw new ChartSourceError(
      `cannot list the versions of chart "${chart}" in ${repositoryUrl}: ${error.message}`,
      chartSourceReason(error),
      repositoryUrl,
      error.status,
      { cause: error },
    );
  }
  const versions = helmVersions(tags);
  if (versions.length === 0) {
    throw new ChartSourceError(
      `chart "${chart}" in ${repositoryUrl} has no tags that are chart versions (x.y.z); push it with helm push`,
      "chart-not-found",
      repositoryUrl,
    );
  }
  const index = {
    source: `oci://${image}`,
    apiVersion: "v1",
    entries: new Map([[chart, versions.map((text) => ({ name: chart, version: text, urls: [] }))]]),
  };
  const entry = resolveChartVersion(index, chart, version);
  return { name: chart, version: entry.version, reference: `${image}:${tagOf(entry.version)}` };
}

/** `registry/path/chart` for `oci://registry/path` and `chart`; throws when it is not an image name. */
export function chartImage(repositoryUrl: string, chart: string): string {
  if (!repositoryUrl.startsWith("oci://")) {
    throw new ChartSourceError(
      `the HelmRepository URL ${repositoryUrl} of a type: oci repository must start with oci://`,
      "bad-entry",
      repositoryUrl,
    );
  }
  const text = `${repositoryUrl.slice("oci://".length).replace(/\/+$/, "")}/${chart}`;
  try {
    const ref = parseImageReference(text);
    if (ref.tag !== undefined || ref.digest !== undefined)
      throw new ImageReferenceError("it has a tag or digest");
    return ref.name;
  } catch (error) {
    if (!(error instanceof ImageReferenceError)) throw error;
    throw new ChartSourceError(
      `chart "${chart}" in ${repositoryUrl} does not make an OCI repository name (${error.message}); ` +
        "check spec.url and the chart name",
      "bad-entry",
      repositoryUrl,
      undefined,
      { cause: error },
    );
  }
}

/** Helm's `Tags`: `_` back to `+`, strict semver only (no `v`), highest first. */
function helmVersions(tags: readonly string[]): string[] {
  const parsed: Version[] = [];
  for (const tag of tags) {
    const text = tag.replaceAll("_", "+");
    const version = text.startsWith("v") ? undefined : parseVersion(text);
    if (version) parsed.push(version);
  }
  return parsed.sort((a, b) => compareVersions(b, a)).map((version) => version.original);
}

function tagOf(version: string): string {
  return version.replaceAll("+", "_");
}

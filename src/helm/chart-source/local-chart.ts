/**
 * A chart kept in the repository itself (a HelmRelease `chart.spec` whose sourceRef is the
 * GitRepository, `chart` a path): the folder must stay inside the repository (symbolic links
 * included) and hold a `Chart.yaml` with a name and a version.
 */
import { readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { parse } from "yaml";
import { isInside } from "../../build/paths.js";
import { ChartSourceError } from "./errors.js";

/** A chart folder in the repository. */
export interface LocalChart {
  /** `name` in Chart.yaml. */
  name: string;
  /** `version` in Chart.yaml. */
  version: string;
  /** The chart folder, absolute, symbolic links resolved. */
  dir: string;
}

/** Chart.yaml is small; this only stops a runaway file. */
const MAX_CHART_YAML_BYTES = 1024 * 1024;

/**
 * The chart at `path` (relative to the repository root; a leading `/` or `./` is allowed). Throws a
 * ChartSourceError (`bad-local-chart`) when the path leaves the repository, is not a folder, or has
 * no readable Chart.yaml with a name and a version.
 */
export async function localChart(repoDir: string, path: string): Promise<LocalChart> {
  const fail = (problem: string, cause?: unknown) =>
    new ChartSourceError(
      `chart path ${JSON.stringify(path)} ${problem}`,
      "bad-local-chart",
      path,
      undefined,
      cause === undefined ? undefined : { cause },
    );
  if (path.trim() === "")
    throw fail("is empty; set chart.spec.chart to the chart's folder in the repository");
  if (path.includes("\0")) throw fail("contains a NUL character");

  const root = await realpath(repoDir);
  const relativePath = path.replace(/^\/+/, "");
  if (isAbsolute(relativePath)) throw fail("is not a path inside the repository");
  const lexical = join(root, relativePath);
  if (!isInside(root, lexical))
    throw fail("leaves the repository; give a path inside it, such as charts/app");

  let dir: string;
  try {
    dir = await realpath(lexical);
  } catch (error) {
    throw fail("does not exist in the repository; check chart.spec.chart", error);
  }
  if (!isInside(root, dir)) throw fail("leads out of the repository through a symbolic link");
  if (!(await stat(dir)).isDirectory())
    throw fail("is a file; chart.spec.chart must name the chart's folder");

  const chartFile = join(dir, "Chart.yaml");
  let text: string;
  try {
    const real = await realpath(chartFile);
    if (!isInside(root, real)) throw fail("has a Chart.yaml that links out of the repository");
    const info = await stat(real);
    if (!info.isFile()) throw fail("has a Chart.yaml that is not a file");
    if (info.size > MAX_CHART_YAML_BYTES) throw fail("has a Chart.yaml larger than 1 MiB");
    text = await readFile(real, "utf8");
  } catch (error) {
    if (error instanceof ChartSourceError) throw error;
    throw fail("has no Chart.yaml; is it a Helm chart folder?", error);
  }

  let metadata: unknown;
  try {
    metadata = parse(text, { logLevel: "error" });
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    throw fail(`has a Chart.yaml that is not YAML (${reason})`, error);
  }
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw fail("has a Chart.yaml that is not a map of chart metadata");
  }
  const { name, version } = metadata as Record<string, unknown>;
  if (typeof name !== "string" || name === "") throw fail("has a Chart.yaml without a name (a string)");
  if (typeof version !== "string" || version === "") {
    throw fail('has a Chart.yaml without a version (a string; quote numbers such as "1.0")');
  }
  return { name, version, dir };
}

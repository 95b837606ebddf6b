/**
 * The CustomResourceDefinitions a chart ships in its `crds/` folders (its own and its subcharts',
 * as helm's `Chart.CRDObjects()` gathers them), read from a chart folder or a chart archive (.tgz),
 * subchart archives under `charts/` included. Helm reads `*.yaml`, `*.yml` and `*.json` there;
 * objects of other kinds are left out, as Flux leaves them out.
 */
import { lstat, readFile } from "node:fs/promises";
import { extname, posix } from "node:path";
import { Parser, type ReadEntry } from "tar";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../model/object.js";
import { ChartFolderError, readChartFolder } from "./chart-folder.js";

/** A CRD of the chart, with the chart file it came from (`crds/a.yaml`, `charts/sub/crds/b.yaml`). */
export interface ChartCrd {
  file: string;
  object: KubeObject;
}

/** A file of a chart, its path relative to the chart's folder (`/` separated). */
interface ChartFile {
  path: string;
  data: Buffer;
}

/** Charts are small; this only stops a runaway archive. */
const MAX_CHART_BYTES = 64 * 1024 * 1024;
const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

export class ChartCrdError extends Error {
  override readonly name = "ChartCrdError";
}

/** The chart's CRDs, in the order helm would install them (the chart's own, then each subchart's). */
export async function chartCrds(chartPath: string): Promise<ChartCrd[]> {
  const info = await lstat(chartPath);
  const files = info.isDirectory()
    ? await readFolder(chartPath)
    : await readArchive(await readFile(chartPath), chartPath);
  return crdsOf(files, "", chartPath);
}

async function crdsOf(files: ChartFile[], prefix: string, chart: string): Promise<ChartCrd[]> {
  const crds: ChartCrd[] = [];
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sorted) {
    if (!file.path.startsWith("crds/") || !MANIFEST_EXTENSIONS.has(extname(file.path))) continue;
    crds.push(...parseCrds(file, `${prefix}${file.path}`, chart));
  }
  // Subcharts: folders and archives right under charts/.
  const folders = new Set<string>();
  for (const file of sorted) {
    const match = /^charts\/([^/]+)\/(.+)$/.exec(file.path);
    if (match?.[1]) folders.add(match[1]);
  }
  for (const folder of folders) {
    const inside = files
      .filter((f) => f.path.startsWith(`charts/${folder}/`))
      .map((f) => ({ path: f.path.slice(`charts/${folder}/`.length), data: f.data }));
    crds.push(...(await crdsOf(inside, `${prefix}charts/${folder}/`, chart)));
  }
  for (const file of sorted) {
    if (!/^charts\/[^/]+\.tgz$/.test(file.path)) continue;
    const where = `${chart}: ${prefix}${file.path}`;
    crds.push(...(await crdsOf(await readArchive(file.data, where), `${prefix}${file.path}/`, chart)));
  }
  return crds;
}

function parseCrds(file: ChartFile, shown: string, chart: string): ChartCrd[] {
  const crds: ChartCrd[] = [];
  for (const document of parseAllDocuments(file.data.toString("utf8"))) {
    if (document.errors.length > 0) {
      throw new ChartCrdError(`${chart}: ${shown} is not valid YAML: ${document.errors[0]?.message}`);
    }
    const object = document.toJS() as KubeObject | null;
    if (object === null || typeof object !== "object") continue;
    if (
      object.kind !== "CustomResourceDefinition" ||
      !String(object.apiVersion).startsWith("apiextensions.k8s.io/")
    )
      continue;
    if (typeof object.metadata?.name !== "string" || object.metadata.name === "") {
      throw new ChartCrdError(`${chart}: ${shown} has a CustomResourceDefinition without metadata.name`);
    }
    crds.push({ file: shown, object });
  }
  return crds;
}

/** The `crds/` and `charts/` trees of a chart folder (only those are read). */
async function readFolder(dir: string): Promise<ChartFile[]> {
  try {
    const files = await readChartFolder(dir, ["crds", "charts"]);
    return [...files].map(([path, data]) => ({ path, data }));
  } catch (error) {
    if (error instanceof ChartFolderError) throw new ChartCrdError(error.message);
    throw error;
  }
}

/**
 * The files of a chart archive, relative to its one top folder (`hello/crds/a.yaml` → `crds/a.yaml`).
 * Refuses names that leave the archive (absolute, `..`) and archives over the size limit.
 */
async function readArchive(archive: Buffer, where: string): Promise<ChartFile[]> {
  const files: ChartFile[] = [];
  let total = 0;
  let refused: string | undefined;
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        const name = entry.path;
        const normal = posix.normalize(name);
        if (name.startsWith("/") || normal === ".." || normal.startsWith("../") || name.includes("\\")) {
          refused ??= `has an entry outside the chart: ${JSON.stringify(name)}`;
          entry.resume();
          return;
        }
        const inChart = normal.split("/").slice(1).join("/");
        if (entry.type !== "File" || !/^(crds|charts)\//.test(inChart)) {
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on("data", (chunk: Buffer) => {
          total += chunk.length;
          if (total > MAX_CHART_BYTES) refused ??= "unpacks to more than 64 MiB";
          else chunks.push(chunk);
        });
        entry.on("end", () => files.push({ path: inChart, data: Buffer.concat(chunks) }));
      },
    });
    parser.on("error", (error: Error) =>
      reject(new ChartCrdError(`${where} is not a readable chart archive: ${error.message}`)),
    );
    parser.on("end", () => resolve());
    parser.end(archive);
  });
  if (refused) throw new ChartCrdError(`${where} ${refused}`);
  return files;
}

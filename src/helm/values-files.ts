/**
 * A chart's `valuesFiles` (`chart.spec.valuesFiles`): the files merged in list order, the last
 * winning, as Flux's HelmChart merges them. Paths are relative to the source, as Flux reads them:
 * the repository's root for a chart from this repository, the chart's folder for a chart from a
 * Helm repository. A file that is missing fails, unless `ignoreMissingValuesFiles` says to skip it.
 */
import { readFile, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { isInside } from "../build/paths.js";
import { readChartArchive } from "./chart-source/chart-archive.js";
import { readValues } from "./read-values.js";
import { mergeMaps, type Values } from "./values-map.js";

export class ValuesFilesError extends Error {
  override readonly name = "ValuesFilesError";
}

/** Where the files are read from: a folder (the repository, or a chart folder), or a chart archive. */
export type ValuesFilesSource = { folder: string; describe: string } | { archive: string; describe: string };

const MAX_VALUES_FILE_BYTES = 5 * 1024 * 1024;

export async function readValuesFiles(
  files: readonly string[],
  source: ValuesFilesSource,
  ignoreMissing: boolean,
): Promise<Values> {
  const read =
    "archive" in source ? await archiveReader(source.archive, source.describe) : folderReader(source.folder);
  let merged: Values = {};
  for (const file of files) {
    const path = file.replace(/^(\.\/|\/)+/, "");
    const text = await read(path);
    if (text === undefined) {
      if (ignoreMissing) continue;
      throw new ValuesFilesError(
        `valuesFiles: ${file} is not in ${source.describe}; fix the path (relative to ${source.describe}) or set ignoreMissingValuesFiles`,
      );
    }
    try {
      merged = mergeMaps(merged, readValues(text));
    } catch (error) {
      throw new ValuesFilesError(
        `valuesFiles: ${file} in ${source.describe} is not a values file: ${(error as Error).message.split("\n")[0]}`,
      );
    }
  }
  return merged;
}

/** Reads files of a folder, refusing paths (or symbolic links) that lead out of it. */
function folderReader(folder: string): (path: string) => Promise<string | undefined> {
  return async (path) => {
    const root = await realpath(folder);
    const lexical = join(root, path);
    if (!isInside(root, lexical)) throw new ValuesFilesError(`valuesFiles: ${path} leads out of its source`);
    const real = await realpath(lexical).catch(() => undefined);
    if (real === undefined) return undefined;
    if (!isInside(root, real)) throw new ValuesFilesError(`valuesFiles: ${path} links out of its source`);
    const info = await stat(real);
    if (!info.isFile()) return undefined;
    if (info.size > MAX_VALUES_FILE_BYTES)
      throw new ValuesFilesError(`valuesFiles: ${path} is larger than 5 MiB`);
    return readFile(real, "utf8");
  };
}

async function archiveReader(
  archive: string,
  describe: string,
): Promise<(path: string) => Promise<string | undefined>> {
  const { files } = await readChartArchive(archive, describe);
  return async (path) => files.get(path)?.toString("utf8");
}

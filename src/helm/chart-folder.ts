/** The regular files of a chart folder, by their `/`-separated path in it; links are not followed. */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** Charts are small; this only stops a runaway folder. */
const MAX_CHART_BYTES = 64 * 1024 * 1024;

export class ChartFolderError extends Error {
  override readonly name = "ChartFolderError";
}

/** The files of `dir`, or of its subfolders `only` (such as `crds` and `charts`) when given. */
export async function readChartFolder(dir: string, only?: readonly string[]): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  let total = 0;
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(dir, relative), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const data = await readFile(join(dir, path));
        total += data.length;
        if (total > MAX_CHART_BYTES) throw new ChartFolderError(`the chart ${dir} holds more than 64 MiB`);
        files.set(path, data);
      }
    }
  };
  for (const top of only ?? [""]) await walk(top);
  return files;
}

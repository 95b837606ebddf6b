/**
 * Reading a packaged chart (`helm package`'s `.tgz`: one top folder holding `Chart.yaml`) the way
 * Helm's archive loader does — regular files only, a limit on what it unpacks to — to learn the
 * chart's name and version, and writing it out as a chart folder with another version in Chart.yaml
 * (Flux's chart version with the OCI digest as build metadata).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import { parse, parseDocument } from "yaml";
import { ChartSourceError } from "./errors.js";

/** Helm's `MaxDecompressedChartSize`. */
const MAX_UNPACKED_BYTES = 100 * 1024 * 1024;
const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);

/** A chart archive's files, by their path below the top folder. */
export interface ChartArchive {
  name: string;
  version: string;
  files: Map<string, Buffer>;
}

/** Reads the archive at `path`; `what` names it in errors (`chart layer sha256:… of ghcr.io/acme/hello:1.0.0`). */
export async function readChartArchive(path: string, what: string): Promise<ChartArchive> {
  const fail = (problem: string, cause?: unknown) =>
    new ChartSourceError(
      `${what} is not a Helm chart archive: ${problem}`,
      "bad-chart",
      what,
      undefined,
      cause === undefined ? undefined : { cause },
    );
  let tar: Buffer;
  try {
    tar = gunzipSync(await readFile(path), { maxOutputLength: MAX_UNPACKED_BYTES });
  } catch (error) {
    const tooLarge = error instanceof RangeError;
    throw fail(
      tooLarge
        ? "it unpacks to more than 100 MB"
        : "it is not gzip-compressed (helm package makes .tgz files)",
      error,
    );
  }
  const files = await tarFiles(tar).catch((error: unknown) => {
    throw fail(`it is not a tar archive (${error instanceof Error ? error.message : String(error)})`, error);
  });
  const chartYaml = files.get("Chart.yaml");
  if (!chartYaml) throw fail("it has no Chart.yaml in its top folder");
  let metadata: unknown;
  try {
    metadata = parse(chartYaml.toString("utf8"), { logLevel: "error" });
  } catch (error) {
    throw fail("its Chart.yaml is not YAML", error);
  }
  const { name, version } = (metadata ?? {}) as Record<string, unknown>;
  if (typeof name !== "string" || name === "" || typeof version !== "string" || version === "") {
    throw fail("its Chart.yaml has no name or no version");
  }
  return { name, version, files };
}

/**
 * The chart as a folder `<cacheDir>/<key>/<name>` whose Chart.yaml says `version`, written once
 * (to a temporary folder, then renamed) and reused after that. `key` must name the content and version.
 */
export async function chartFolderWithVersion(
  chart: ChartArchive,
  version: string,
  cacheDir: string,
  key: string,
): Promise<string> {
  const folder = join(cacheDir, key);
  const chartDir = join(folder, chart.name);
  if (await exists(chartDir)) return chartDir;
  const temporary = `${folder}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    for (const [path, data] of chart.files) {
      const target = join(temporary, chart.name, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, path === "Chart.yaml" ? withVersion(data, version) : data);
    }
    await rename(temporary, folder).catch(async (error: NodeJS.ErrnoException) => {
      // Another run wrote the same folder first: it has the same content.
      if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
    });
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
  return chartDir;
}

/** Chart.yaml with its version replaced, the rest of the file as it was. */
function withVersion(chartYaml: Buffer, version: string): string {
  const document = parseDocument(chartYaml.toString("utf8"));
  document.set("version", version);
  return document.toString();
}

/**
 * The regular files of a tar, by path with the top folder removed (as Helm loads them). Paths that
 * are absolute or climb with `..` are refused; links, devices and other entries are skipped.
 */
function tarFiles(tar: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    let failure: Error | undefined;
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        const path = entry.path.replace(/\\/g, "/");
        const parts = path.split("/").filter((part) => part !== "" && part !== ".");
        if (path.startsWith("/") || parts.includes("..")) {
          failure ??= new Error(`the entry ${JSON.stringify(entry.path)} leaves the chart folder`);
        }
        if (!FILE_TYPES.has(entry.type) || parts.length < 2 || failure) {
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on("data", (chunk: Buffer) => chunks.push(chunk));
        entry.on("end", () => files.set(parts.slice(1).join("/"), Buffer.concat(chunks)));
      },
    });
    parser.on("error", reject);
    parser.on("end", () => (failure ? reject(failure) : resolve(files)));
    parser.end(tar);
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

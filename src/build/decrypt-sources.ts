/**
 * Flux's `DecryptSources` (kustomize-controller internal/decryptor/decryptor.go): before kustomize
 * runs, the SOPS-encrypted files a kustomization feeds to kustomize as they are (secretGenerator
 * sources, patch files) are decrypted in place, in every kustomization reachable from the path.
 * Ferry does it in its workspace copy only, and puts the encrypted files back after the build.
 *
 * What Flux visits, and so what this visits (decryptKustomizationSources, recurseKustomizationFiles):
 * - `secretGenerator[].files` (`key=path` or `path`), in the format of the key's extension;
 * - `secretGenerator[].envs`, in the format of the file's extension, dotenv when it names none;
 * - `patches[].path` (not a remote URL), in the format of the file's extension;
 * - the kustomizations of the local folders under `resources` and `components`.
 * Flux leaves `configMapGenerator` sources, the deprecated `env`, `patchesStrategicMerge` and `bases`
 * alone, and so does Ferry: a ConfigMap gets a decrypted value only from a file a secretGenerator
 * shares with it (objects still encrypted after the build are decrypted later, by `decryptObject`).
 */
import { chmod, readFile, realpath, stat, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { isMap, parseDocument } from "yaml";
import { formatForPath, isSopsDocument, type SopsFormat } from "../sops/index.js";
import { BuildError } from "./errors.js";
import { findKustomizationFile, isDirectory } from "./kustomization-file.js";
import { isInside, isRemoteReference, toRepoRelative } from "./paths.js";

/**
 * Decrypts one encrypted source file: its text, its path relative to the repository root (for
 * errors; never log what comes back) and the format Flux reads it in. Binary files may come back
 * as bytes.
 */
export type DecryptSource = (text: string, file: string, format: SopsFormat) => Promise<string | Uint8Array>;

/** The source files decrypted in a workspace copy, until they are restored. */
export interface DecryptedSources {
  /** The files decrypted, relative to the root, in the order they were found. */
  readonly files: readonly string[];
  /** Puts back each decrypted file's encrypted bytes and mode. */
  restore(): Promise<void>;
}

/** Flux's limit on a file it decrypts (maxEncryptedFileSize, 5 MiB). */
const MAX_FILE_SIZE = 5 * 1024 * 1024;

interface SourceFile {
  /** As the kustomization names it. */
  entry: string;
  /** The field naming it, for messages. */
  field: string;
  format: SopsFormat;
}

interface Saved {
  path: string;
  content: Buffer;
  mode: number;
}

/**
 * Decrypts, in place inside `workspaceRoot` (a workspace copy, absolute; never the user's
 * repository), the SOPS-encrypted generator sources and patch files of every kustomization
 * reachable from `path` (relative to `workspaceRoot`). Decrypted files are written with mode 0600;
 * `restore()` must be called once the build has read them. A file is decrypted once however many
 * kustomizations name it; files that are not SOPS documents of their format, missing files and
 * files outside the root are left for kustomize (and Ferry's reference checks) to judge.
 *
 * Throws what `decrypt` throws (the files decrypted so far are restored first), and a
 * `BuildError` for a source larger than 5 MiB, which Flux refuses to decrypt.
 */
export async function decryptSources(
  workspaceRoot: string,
  path: string,
  decrypt: DecryptSource,
): Promise<DecryptedSources> {
  const root = await realpath(workspaceRoot);
  const saved: Saved[] = [];
  const restore = async () => {
    let failure: unknown;
    for (const { path: file, content, mode } of saved.splice(0).reverse()) {
      try {
        await writeFile(file, content);
        await chmod(file, mode);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  };

  try {
    const seenDirs = new Set<string>();
    const queue = [resolve(root, path)];
    while (queue.length > 0) {
      const dir = await realpathOrUndefined(queue.shift() as string);
      if (!dir || seenDirs.has(dir) || !isInside(root, dir)) continue;
      seenDirs.add(dir);
      const kustomization = await readKustomization(dir);
      if (!kustomization) continue;

      for (const source of sourceFiles(kustomization)) {
        await decryptOne(root, dir, source, decrypt, saved);
      }
      for (const entry of [...stringList(kustomization.resources), ...stringList(kustomization.components)]) {
        if (isRemoteReference(entry)) continue;
        const target = resolve(dir, entry);
        if (isInside(root, target) && (await isDirectory(target))) queue.push(target);
      }
    }
  } catch (error) {
    await restore().catch(() => undefined);
    throw error;
  }
  return { files: saved.map((s) => toRepoRelative(root, s.path)), restore };
}

async function decryptOne(
  root: string,
  dir: string,
  source: SourceFile,
  decrypt: DecryptSource,
  saved: Saved[],
): Promise<void> {
  const path = await realpathOrUndefined(resolve(dir, source.entry));
  // Missing: kustomize says so. Outside: the reference checks refuse it; never decrypt there.
  // A file named again after it was decrypted is plain text by then, so it is decrypted once.
  if (!path || !isInside(root, path)) return;
  const info = await stat(path);
  if (!info.isFile()) return;
  const file = toRepoRelative(root, path);
  if (info.size > MAX_FILE_SIZE) {
    throw BuildError.at(
      { file },
      `${source.field} '${source.entry}' is ${info.size} bytes; Flux decrypts no source file larger than ` +
        `${MAX_FILE_SIZE} bytes (5 MiB)`,
    );
  }
  const content = await readFile(path);
  const text = content.toString("utf8");
  if (!isSopsDocument(text, source.format)) return;
  const plain = await decrypt(text, file, source.format);
  saved.push({ path, content, mode: info.mode & 0o7777 });
  // Narrow the mode before the plain text lands in the file.
  await chmod(path, 0o600);
  await writeFile(path, plain);
}

/** The kustomization in `dir` as plain data, or undefined when there is none or it does not parse. */
async function readKustomization(dir: string): Promise<Record<string, unknown> | undefined> {
  const file = await findKustomizationFile(dir);
  if (!file) return undefined;
  // The reference checks have reported invalid files already; kustomize reports the rest.
  const doc = parseDocument(await readFile(file, "utf8"));
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  return doc.toJS() as Record<string, unknown>;
}

/** The files Flux decrypts before a build, as one kustomization names them. */
function sourceFiles(kustomization: Record<string, unknown>): SourceFile[] {
  const found: SourceFile[] = [];
  for (const generator of records(kustomization.secretGenerator)) {
    for (const entry of stringList(generator.files)) {
      const equals = entry.indexOf("=");
      const key = equals === -1 ? entry : entry.slice(0, equals);
      const file = equals === -1 ? entry : entry.slice(equals + 1);
      found.push({ entry: file, field: "secretGenerator file", format: formatForPath(key) });
    }
    for (const entry of stringList(generator.envs)) {
      const format = formatForPath(entry);
      found.push({
        entry,
        field: "secretGenerator env file",
        format: format === "binary" ? "dotenv" : format,
      });
    }
  }
  for (const patch of records(kustomization.patches)) {
    const entry = patch.path;
    if (typeof entry !== "string" || entry === "" || isRemoteUrl(entry)) continue;
    found.push({ entry, field: "patches path", format: formatForPath(entry) });
  }
  return found.filter((source) => source.entry !== "");
}

/** Flux's isRemoteURL: a URL with a scheme and a host. */
function isRemoteUrl(path: string): boolean {
  try {
    const url = new URL(path);
    return url.protocol !== "" && url.host !== "";
  } catch {
    return false;
  }
}

function records(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is Record<string, unknown> =>
      typeof item === "object" && item !== null && !Array.isArray(item),
  );
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

async function realpathOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch {
    return undefined;
  }
}

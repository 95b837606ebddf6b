/**
 * Chart archives on disk, one file per content: `<cacheDir>/<sha256 hex>.tgz`. Files are written
 * to a temporary name in the same folder and renamed, so a reader never sees half an archive.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The archive's path in the cache. */
export function archivePath(cacheDir: string, sha256Hex: string): string {
  return join(cacheDir, `${sha256Hex}.tgz`);
}

/** The cached archive's path, or undefined when it is not there. */
export async function cachedArchive(cacheDir: string, sha256Hex: string): Promise<string | undefined> {
  const path = archivePath(cacheDir, sha256Hex);
  try {
    return (await stat(path)).isFile() ? path : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Stores the archive (whose sha256 the caller has checked) and returns its path. */
export async function storeArchive(cacheDir: string, sha256Hex: string, data: Uint8Array): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  const path = archivePath(cacheDir, sha256Hex);
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return path;
}

import type { Dirent } from "node:fs";
import { readdir, readFile, realpath, stat, writeFile } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import { isInside } from "../../build/paths.js";
import { compareStrings } from "../../model/object.js";
import type { Problem } from "../../model/result.js";
import { MARKER_TOKEN } from "./setter.js";
import type { FileUpdate, Policies, TreeUpdate } from "./types.js";
import { updateText } from "./update-text.js";

/** The files Flux looks at: by extension, or named `Kustomization`. */
const isCandidate = (name: string) =>
  name.endsWith(".yaml") || name.endsWith(".yml") || name === "Kustomization";

// ignoreBOM keeps a byte order mark in the text, so writing the text back keeps it too.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

async function realOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch {
    return undefined;
  }
}

/**
 * What Flux's Setters strategy would change under `updatePath` (relative to `root`), without writing:
 * `.yaml`, `.yml` and `Kustomization` files holding the marker token, in name order. `.git` is
 * skipped; symbolic links to directories are not followed, and links to files only when the file is
 * inside `root` (the file is then reported, once, under its real path). Marked files that are not
 * UTF-8 or not YAML are left alone and reported as problems.
 */
export async function updateTree(root: string, updatePath: string, policies: Policies): Promise<TreeUpdate> {
  const top = await realpath(root);
  const start = await realOrUndefined(resolve(top, updatePath));
  if (!isInside(top, resolve(top, updatePath)) || (start !== undefined && !isInside(top, start))) {
    throw new Error(`update path "${updatePath}" is outside the repository`);
  }
  if (start === undefined) throw new Error(`update path "${updatePath}" does not exist in the repository`);

  const files: FileUpdate[] = [];
  const problems: Problem[] = [];
  const seen = new Set<string>();

  const visitFile = async (real: string) => {
    const path = relative(top, real).split(sep).join("/");
    if (seen.has(path)) return;
    seen.add(path);
    const bytes = await readFile(real);
    if (!bytes.includes(MARKER_TOKEN)) return;
    let before: string;
    try {
      before = utf8.decode(bytes);
    } catch {
      problems.push({
        message: "not UTF-8 text, so its image policy markers were not applied",
        origin: { file: path },
      });
      return;
    }
    const update = updateText(path, before, policies);
    if (update.problem) problems.push(update.problem);
    if (update.changes.length > 0) files.push({ path, before, after: update.text, changes: update.changes });
  };

  const visitEntry = async (dir: string, entry: Dirent) => {
    const path = join(dir, entry.name);
    if (entry.name === ".git") return;
    if (entry.isDirectory()) return visitDir(path);
    if (!isCandidate(entry.name)) return;
    if (entry.isFile()) return visitFile(path);
    if (!entry.isSymbolicLink()) return;
    const target = await realOrUndefined(path);
    if (target !== undefined && isInside(top, target) && (await stat(target)).isFile())
      return visitFile(target);
  };

  const visitDir = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => compareStrings(a.name, b.name));
    for (const entry of entries) await visitEntry(dir, entry);
  };

  if ((await stat(start)).isDirectory()) await visitDir(start);
  else if (isCandidate(basename(start))) await visitFile(start);
  return { files, problems };
}

/** Writes the updated files of `update` under `root`. */
export async function writeUpdates(root: string, update: Pick<TreeUpdate, "files">): Promise<void> {
  for (const file of update.files) await writeFile(join(root, file.path), file.after);
}

/** Copies a repository into a build folder, so kustomize never sees or changes the user's files. */
import { copyFile, mkdir, readdir, readlink, realpath, symlink } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import type { Problem } from "../model/result.js";
import { BuildError } from "./errors.js";
import { isInside, toRepoRelative } from "./paths.js";

/**
 * Copies `source` into `target`, leaving out `.git`. Symbolic links stay links, re-pointed with a
 * relative target inside the copy; a link whose target resolves outside the repository is
 * refused with a `BuildError` naming it (following it would let a build read files the
 * repository does not hold). Special files (sockets, FIFOs) are skipped.
 */
export async function copyRepository(source: string, target: string): Promise<void> {
  const root = await realpath(source);
  const refused: Problem[] = [];
  await copyDir(root, root, target, refused);
  if (refused.length > 0) throw BuildError.of(refused);
}

async function copyDir(root: string, dir: string, target: string, refused: Problem[]): Promise<void> {
  await mkdir(target, { recursive: true });
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === ".git") continue;
    const from = join(dir, entry.name);
    const to = join(target, entry.name);
    if (entry.isSymbolicLink()) await copyLink(root, from, to, refused);
    else if (entry.isDirectory()) await copyDir(root, from, to, refused);
    else if (entry.isFile()) await copyFile(from, to);
  }
}

async function copyLink(root: string, link: string, to: string, refused: Problem[]): Promise<void> {
  const written = await readlink(link);
  let resolved: string;
  try {
    resolved = await realpath(link);
  } catch {
    // A dangling link: judge where it points on paper (it cannot be read either way).
    resolved = resolve(dirname(link), written);
  }
  const file = toRepoRelative(root, link);
  if (!isInside(root, resolved)) {
    const message =
      `symbolic link ${file} points outside the repository (to ${written}); ` +
      "Ferry builds only what the repository holds: replace the link with the file itself";
    refused.push({ message, origin: { file } });
    return;
  }
  // The copy mirrors the tree, so the same relative target lands on the copied file.
  await symlink(relative(dirname(link), resolved) || ".", to);
}

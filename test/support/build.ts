// Keeps dist/ (what `npm start` and bin/ferry.js run) in step with src/ for the tests that spawn them.
// `npm install` builds dist/ through the `prepare` script; this rebuilds only when a source file is newer.
import { execFile } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { packageRoot } from "../../src/package.js";

export const root = packageRoot();
/** Files every build writes; a build is current when they exist and are newer than every source file. */
const outputs = ["dist/index.js", "dist/cli/main.js"];

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? await newestSource(path) : (await stat(path)).mtimeMs;
    newest = Math.max(newest, time);
  }
  return newest;
}

async function oldestOutput(): Promise<number> {
  let oldest = Number.POSITIVE_INFINITY;
  for (const output of outputs) {
    try {
      oldest = Math.min(oldest, (await stat(join(root, output))).mtimeMs);
    } catch {
      return 0;
    }
  }
  return oldest;
}

export async function ensureBuilt(): Promise<void> {
  const sources = Math.max(
    await newestSource(join(root, "src")),
    ...(await Promise.all(
      ["tsconfig.build.json", "tsconfig.json"].map(async (file) => (await stat(join(root, file))).mtimeMs),
    )),
  );
  if ((await oldestOutput()) > sources) return;
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  try {
    await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`building dist/ (tsc -p tsconfig.build.json) failed:\n${stdout}${stderr}`);
  }
}

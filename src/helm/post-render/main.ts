/**
 * Ferry's helm post-renderer, run by helm with the current Node (Helm 3: `--post-renderer <node>`;
 * Helm 4: the `postrenderer/v1` plugin in plugin.ts). Reads the rendered manifest (hooks are not
 * in it) on stdin, applies the HelmRelease's post-renderers, writes the result on stdout. The one
 * argument after the script is the configuration file (config.ts). A failure goes to stderr and to
 * the configuration's `errorFile`, and the exit code is 1.
 */
import { writeFile } from "node:fs/promises";
import { text } from "node:stream/consumers";
import { readPostRenderConfig } from "./config.js";
import { postRender } from "./kustomize.js";

const configPath = process.argv[2];
if (!configPath) {
  process.stderr.write("usage: node post-render/main.js <configuration file> < manifest\n");
  process.exit(2);
}
const config = await readPostRenderConfig(configPath);
try {
  const manifest = await text(process.stdin);
  process.stdout.write(await postRender(manifest, config.renderers, config.metadata, config.kubectl));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  await writeFile(config.errorFile, message, { mode: 0o600 }).catch(() => undefined);
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

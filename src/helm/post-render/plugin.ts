/**
 * How helm runs Ferry's post-renderer (main.ts, built into `dist/`) with the current Node.
 * Helm 3 runs an executable: `--post-renderer <node> --post-renderer-args <script> …`. Helm 4 runs
 * only plugins of type `postrenderer/v1`, found by name in its plugins folder (`$HELM_DATA_HOME/plugins`),
 * given the manifest on stdin and the `--post-renderer-args` after the plugin's own command.
 */
import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { packageRoot, packageVersion } from "../../package.js";

export const POST_RENDER_PLUGIN = "ferry-post-render";

/** The Node and script helm runs; both reach Helm 4's plugin through its environment (see below). */
export interface PostRenderCommand {
  node: string;
  script: string;
}

/** The current Node and the built post-renderer script (which may be missing: see `checkPostRenderCommand`). */
export function postRenderCommand(): PostRenderCommand {
  return { node: process.execPath, script: join(packageRoot(), "dist", "helm", "post-render", "main.js") };
}

/** Fails, saying how to build it, when the post-renderer script is missing. */
export async function checkPostRenderCommand(command: PostRenderCommand): Promise<void> {
  try {
    await access(command.script);
  } catch {
    throw new Error(`Ferry's helm post-renderer ${command.script} is missing; run \`npm run build\``);
  }
}

/**
 * The environment helm needs for Helm 4's plugin: helm splits a plugin's command at spaces but expands
 * `${VARIABLES}` afterwards, so the paths travel as variables and may hold spaces.
 */
export function postRenderEnv(command: PostRenderCommand): Record<string, string> {
  return { FERRY_POST_RENDER_NODE: command.node, FERRY_POST_RENDER_SCRIPT: command.script };
}

/** Writes the Helm 4 plugin into `pluginsDir` (helm's `$HELM_DATA_HOME/plugins`). */
export async function writePostRenderPlugin(pluginsDir: string): Promise<void> {
  const dir = join(pluginsDir, POST_RENDER_PLUGIN);
  await mkdir(dir, { recursive: true });
  const plugin = {
    apiVersion: "v1",
    name: POST_RENDER_PLUGIN,
    type: "postrenderer/v1",
    runtime: "subprocess",
    version: packageVersion(),
    runtimeConfig: {
      platformCommand: [{ command: "$FERRY_POST_RENDER_NODE", args: ["$FERRY_POST_RENDER_SCRIPT"] }],
    },
  };
  await writeFile(join(dir, "plugin.yaml"), stringify(plugin));
}

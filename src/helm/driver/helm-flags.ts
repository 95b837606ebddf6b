/** The command-line flags that differ between helm 3 and helm 4. */
import type { HelmVersion } from "./helm-version.js";

/**
 * Waiting for the release's resources to be ready. Helm 3's `--wait` is a boolean; Helm 4's
 * takes a strategy, where a bare `--wait` means `watcher` (kstatus) and no flag means
 * `hookOnly` (wait for hooks only, Helm 3's behaviour without `--wait`).
 */
export function waitFlags(major: HelmVersion["major"], wait: boolean): string[] {
  if (!wait) return [];
  return major === 4 ? ["--wait=watcher"] : ["--wait"];
}

/** Replacing resources that cannot be patched: Helm 4 renamed `--force` to `--force-replace`. */
export function forceReplaceFlag(major: HelmVersion["major"]): string {
  return major === 4 ? "--force-replace" : "--force";
}

/** A Go duration for helm's `--timeout`: whole seconds when possible, otherwise milliseconds. */
export function timeoutFlag(timeoutMs: number): string[] {
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new Error(`a helm timeout must be a positive whole number of milliseconds, not ${timeoutMs}`);
  }
  return ["--timeout", timeoutMs % 1000 === 0 ? `${timeoutMs / 1000}s` : `${timeoutMs}ms`];
}

/**
 * Running Ferry's post-renderer with its configuration file: Helm 3 runs Node itself with the script
 * as an argument; Helm 4 runs the `postrenderer/v1` plugin (post-render/plugin.ts) by name.
 */
export function postRenderFlags(
  major: HelmVersion["major"],
  command: { node: string; script: string; plugin: string },
  configFile: string,
): string[] {
  return major === 4
    ? ["--post-renderer", command.plugin, "--post-renderer-args", configFile]
    : [
        "--post-renderer",
        command.node,
        "--post-renderer-args",
        command.script,
        "--post-renderer-args",
        configFile,
      ];
}

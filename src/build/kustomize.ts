/** Running kustomize (`kubectl kustomize`) and turning its failures into short messages. */
import { x } from "tinyexec";

export interface KustomizeRun {
  /** The kubectl binary (kustomize runs as `kubectl kustomize`). */
  kubectl: string;
  /** The folder to build (absolute). */
  dir: string;
  /** Stop kustomize after this long (default 5 minutes). */
  timeoutMs?: number;
}

export type KustomizeOutcome = { ok: true; yaml: string } | { ok: false; message: string };

/**
 * Runs `kubectl kustomize <dir> --load-restrictor LoadRestrictionsNone` (an argument list, no
 * shell). Files outside the kustomization folder may be loaded, as in Flux; the caller makes
 * sure nothing outside the repository can be reached. Plugins stay off (kubectl's default).
 */
export async function runKustomize(run: KustomizeRun): Promise<KustomizeOutcome> {
  const result = await x(run.kubectl, ["kustomize", run.dir, "--load-restrictor", "LoadRestrictionsNone"], {
    timeout: run.timeoutMs ?? 300_000,
    throwOnError: false,
  });
  if (result.exitCode === 0) return { ok: true, yaml: result.stdout };
  const message = result.stderr.trim() || (result.exitCode === undefined ? "kustomize timed out" : "");
  return { ok: false, message: message || `kubectl kustomize exited with code ${result.exitCode}` };
}

/**
 * Trims a kustomize error to what a person needs: no `Error:` prefix, no Go stack, paths
 * relative to the repository (`roots` are the absolute paths of the repository copy, each
 * mapped to ""), and kustomize's try-as-file-then-as-folder noise collapsed to the attempt that
 * mattered.
 */
export function cleanKustomizeError(stderr: string, roots: string[]): string {
  const lines: string[] = [];
  for (const line of stderr.split("\n")) {
    // A Go panic or stack: the first line said what failed; the rest is noise.
    if (/^goroutine \d+ \[/.test(line) || (/^\s*panic: /.test(line) && lines.length > 0)) break;
    if (/^\s+\S+\.go:\d+/.test(line) || /^\t/.test(line)) continue;
    if (/^\s*(Warning|# Warning):/i.test(line)) continue;
    if (line.trim() !== "") lines.push(line.trim());
  }
  let message = lines.join("\n").replace(/^(error|Error): /, "");
  for (const root of roots.filter(Boolean).sort((a, b) => b.length - a.length)) {
    message = message.replaceAll(`${root}/`, "").replaceAll(root, ".");
  }
  return simplifyAccumulation(message);
}

/**
 * kustomize tries each resource as a file, then as a folder, and reports both failures:
 * `accumulation err='<as a file>': <as a folder>`. Keep the one that applies.
 */
function simplifyAccumulation(message: string): string {
  const opener = "accumulation err='";
  let text = message;
  for (let guard = 0; guard < 50; guard++) {
    // It was a folder: what the folder attempt said is what matters.
    const folder = /': (?:recursed accumulation of path|couldn't make target for path) '[^']*': /.exec(text);
    if (folder) {
      const start = text.lastIndexOf(opener, folder.index);
      if (start >= 0) {
        const head =
          /^accumulating resources from '[^']*'/.exec(text.slice(start + opener.length))?.[0] ?? "";
        text = `${text.slice(0, start)}${head ? `${head}: ` : ""}${text.slice(folder.index + folder[0].length)}`;
        continue;
      }
    }
    // It was not a folder: the folder attempt ("must build at directory") is noise.
    const marker = text.lastIndexOf("': must build at directory:");
    if (marker >= 0) {
      const start = text.lastIndexOf(opener, marker);
      if (start >= 0) {
        text = text.slice(0, start) + text.slice(start + opener.length, marker);
        continue;
      }
    }
    break;
  }
  return text
    .replace(/accumulating resources: accumulating resources from/g, "accumulating resources from")
    .replace(/evalsymlink failure on '([^']*)' : lstat \1: /g, "$1: ")
    .replace(/open ([^:]+): no such file or directory/g, "$1: no such file or directory");
}

/** Path rules shared by the build: repository-relative paths, containment, remote references. */
import { isAbsolute, posix, relative, resolve, sep } from "node:path";

/**
 * Normalizes a path inside the repository (`./apps`, `apps/`, `/apps` → `apps`; the root is `.`).
 * Returns undefined when the path leaves the repository (`../x`, `apps/../../x`).
 * A leading `/` means the repository root, as in Flux's `spec.path`.
 */
export function normalizeRepoPath(path: string): string | undefined {
  const trimmed = path.trim().replaceAll("\\", "/");
  const normalized = posix.normalize(trimmed.replace(/^\/+/, "") || ".").replace(/\/+$/, "") || ".";
  if (normalized === ".." || normalized.startsWith("../")) return undefined;
  return normalized;
}

/** Whether `child` (absolute) is `root` or inside it. */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/** `child` relative to `root`, with `/` separators (`.` for the root itself). */
export function toRepoRelative(root: string, child: string): string {
  const rel = relative(root, resolve(child)).split(sep).join("/");
  return rel === "" ? "." : rel;
}

/** Joins repository-relative paths and normalizes (`apps` + `../base/x.yaml` → `base/x.yaml`). */
export function joinRepoPath(...parts: string[]): string {
  const joined = posix.normalize(posix.join(...parts));
  return joined === "" ? "." : joined.replace(/^\.\//, "");
}

/**
 * Prefixes kustomize treats as a remote (git or HTTP) reference, after Flux's
 * `IsLocalRelativePath` (fluxcd/pkg kustomize_generator.go, itself from kustomize's repospec.go).
 */
const remotePrefixes = [
  "git::",
  "gh:",
  "ssh://",
  "https://",
  "http://",
  "git@",
  "github.com:",
  "github.com/",
];

/** Whether a kustomization entry (resource, component, base) names something remote. */
export function isRemoteReference(entry: string): boolean {
  const lower = entry.trim().toLowerCase();
  return remotePrefixes.some((prefix) => lower.length > prefix.length && lower.startsWith(prefix));
}

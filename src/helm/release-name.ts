import { createHash } from "node:crypto";

/** Helm's limit on release names; Flux shortens longer names to fit. */
const MAX_RELEASE_NAME_LENGTH = 53;
const SHORT_HASH_LENGTH = 12;

/** The fields of a HelmRelease that decide where and under which name Helm installs it. */
export interface ReleaseIdentity {
  name: string;
  namespace: string;
  releaseName?: string;
  targetNamespace?: string;
  storageNamespace?: string;
}

/**
 * The Helm release name Flux uses: `spec.releaseName`, else `[<targetNamespace>-]<name>`, shortened
 * to 53 characters. Empty strings count as unset, as in Go.
 */
export function releaseName(release: ReleaseIdentity): string {
  if (release.releaseName) return shortenReleaseName(release.releaseName);
  const full = release.targetNamespace ? `${release.targetNamespace}-${release.name}` : release.name;
  return shortenReleaseName(full);
}

/**
 * A name over 53 bytes becomes its first 40 bytes, `-`, and the first 12 hex digits of the sha256
 * of the whole name. Flux measures and cuts bytes, not characters.
 */
export function shortenReleaseName(name: string): string {
  const bytes = Buffer.from(name, "utf8");
  if (bytes.length <= MAX_RELEASE_NAME_LENGTH) return name;
  const sum = createHash("sha256").update(bytes).digest("hex");
  const head = bytes.subarray(0, MAX_RELEASE_NAME_LENGTH - (SHORT_HASH_LENGTH + 1)).toString("utf8");
  return `${head}-${sum.slice(0, SHORT_HASH_LENGTH)}`;
}

/** The namespace the release's objects go to: `spec.targetNamespace`, else the HelmRelease's. */
export function releaseNamespace(release: ReleaseIdentity): string {
  return release.targetNamespace || release.namespace;
}

/** The namespace holding Helm's release Secrets: `spec.storageNamespace`, else the HelmRelease's. */
export function storageNamespace(release: ReleaseIdentity): string {
  return release.storageNamespace || release.namespace;
}

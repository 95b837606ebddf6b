import type { Constraint } from "./constraint.js";
import { compareVersions, parseVersion, type Version } from "./version.js";

/**
 * The item whose version is the highest one matching `constraint`, as Flux's semver image policy
 * chooses a tag (and Helm a chart version): texts that are not strict three-part versions are
 * skipped, and of equal versions (`1.0.0+a`, `1.0.0+b`) the first one wins. Undefined when none matches.
 */
export function highestMatching<T>(
  items: Iterable<T>,
  constraint: Constraint,
  versionText: (item: T) => string,
): T | undefined {
  let best: { item: T; version: Version } | undefined;
  for (const item of items) {
    const version = parseVersion(versionText(item));
    if (!version) continue;
    if (best && compareVersions(version, best.version) <= 0) continue;
    if (constraint.matches(version)) best = { item, version };
  }
  return best?.item;
}

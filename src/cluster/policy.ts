/**
 * Flux's per-object apply policy, read from labels or annotations (matched case-insensitively,
 * as Flux's `AnyInMetadata`), and Ferry's owner labels.
 */
import type { KubeObject } from "../model/object.js";

export const SSA_KEY = "kustomize.toolkit.fluxcd.io/ssa";
export const PRUNE_KEY = "kustomize.toolkit.fluxcd.io/prune";
export const RECONCILE_KEY = "kustomize.toolkit.fluxcd.io/reconcile";
export const FORCE_KEY = "kustomize.toolkit.fluxcd.io/force";

/** The labels that say which Ferry unit applied an object; prune deletes only objects carrying them. */
export const OWNER_NAME_LABEL = "ferry.dev/name";
export const OWNER_NAMESPACE_LABEL = "ferry.dev/namespace";

export type SsaMode = "Override" | "Merge" | "IfNotPresent" | "Ignore";

function metadataValue(object: KubeObject, key: string): string | undefined {
  return object.metadata.annotations?.[key] ?? object.metadata.labels?.[key];
}

const is = (object: KubeObject, key: string, value: string) =>
  metadataValue(object, key)?.toLowerCase() === value.toLowerCase();

export function ssaMode(object: KubeObject): SsaMode {
  const value = metadataValue(object, SSA_KEY)?.toLowerCase();
  if (value === "merge") return "Merge";
  if (value === "ifnotpresent") return "IfNotPresent";
  if (value === "ignore") return "Ignore";
  return "Override";
}

/** Objects Ferry leaves alone on apply: `ssa: Ignore` or `reconcile: disabled`. */
export function applyExcluded(object: KubeObject): string | undefined {
  if (is(object, RECONCILE_KEY, "disabled")) return `${RECONCILE_KEY}: disabled`;
  if (ssaMode(object) === "Ignore") return `${SSA_KEY}: Ignore`;
  return undefined;
}

/** Objects prune leaves alone: `prune: disabled`, plus the apply exclusions. */
export function pruneExcluded(object: KubeObject): string | undefined {
  if (is(object, PRUNE_KEY, "disabled")) return `${PRUNE_KEY}: disabled`;
  return applyExcluded(object);
}

export function forceEnabled(object: KubeObject): boolean {
  return is(object, FORCE_KEY, "enabled");
}

export interface UnitOwner {
  name: string;
  namespace: string;
}

/** The object with Ferry's owner labels added. */
export function withOwnerLabels(object: KubeObject, owner: UnitOwner): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: {
        ...object.metadata.labels,
        [OWNER_NAME_LABEL]: owner.name,
        [OWNER_NAMESPACE_LABEL]: owner.namespace,
      },
    },
  };
}

export function ownedBy(object: KubeObject, owner: UnitOwner): boolean {
  const labels = object.metadata.labels ?? {};
  return labels[OWNER_NAME_LABEL] === owner.name && labels[OWNER_NAMESPACE_LABEL] === owner.namespace;
}

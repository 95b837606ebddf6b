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

/** Flux's AnyInMetadata: the label or the annotation `key` has `value` (case-insensitive). */
function anyInMetadata(object: KubeObject | undefined, key: string, value: string): boolean {
  const wanted = value.toLowerCase();
  return [object?.metadata.annotations?.[key], object?.metadata.labels?.[key]].some(
    (v) => v?.toLowerCase() === wanted,
  );
}

export function ssaMode(object: KubeObject): SsaMode {
  if (anyInMetadata(object, SSA_KEY, "Ignore")) return "Ignore";
  if (anyInMetadata(object, SSA_KEY, "IfNotPresent")) return "IfNotPresent";
  if (anyInMetadata(object, SSA_KEY, "Merge")) return "Merge";
  return "Override";
}

/**
 * Why Ferry leaves an object alone on apply: `ssa: Ignore` or `reconcile: disabled`, on the object
 * in Git or on the one in the cluster (as Flux's shouldSkipApply checks both).
 */
export function applyExcluded(object: KubeObject, live?: KubeObject): string | undefined {
  for (const o of [object, live]) {
    if (anyInMetadata(o, RECONCILE_KEY, "disabled")) return `${RECONCILE_KEY}: disabled`;
    if (anyInMetadata(o, SSA_KEY, "Ignore")) return `${SSA_KEY}: Ignore`;
  }
  return undefined;
}

/** Objects prune leaves alone: `prune: disabled`, plus the apply exclusions. */
export function pruneExcluded(object: KubeObject): string | undefined {
  if (anyInMetadata(object, PRUNE_KEY, "disabled")) return `${PRUNE_KEY}: disabled`;
  return applyExcluded(object);
}

/** `force: enabled` on the object in Git or in the cluster: recreate on an immutable-field error. */
export function forceEnabled(object: KubeObject, live?: KubeObject): boolean {
  return anyInMetadata(object, FORCE_KEY, "enabled") || anyInMetadata(live, FORCE_KEY, "enabled");
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

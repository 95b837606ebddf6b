/**
 * The Flux objects a unit reconciles itself instead of applying — the HelmReleases and child
 * Kustomizations its build yields — as entries of its inventory (Flux's ids, as if the unit had
 * applied them), with what pruning them later needs once they are gone from Git: a HelmRelease's
 * release name, namespace and `spec.uninstall`, and why prune must leave one alone.
 */
import { parseDuration } from "../build/duration.js";
import type { ChildUnit } from "../build/flux.js";
import type { InventoryRecord, ReleaseRecord } from "../cluster/inventory.js";
import { pruneExcluded } from "../cluster/policy.js";
import { type HelmRelease, readHelmObject } from "../helm/release.js";
import { inventoryId, type Manifest, type ObjectRef } from "../model/object.js";
import { releaseTargetOf } from "./helm-release.js";

export const HELM_RELEASE_GROUP = "helm.toolkit.fluxcd.io";
export const KUSTOMIZATION_GROUP = "kustomize.toolkit.fluxcd.io";

export interface FluxInventory {
  refs: ObjectRef[];
  records: Map<string, InventoryRecord>;
}

/** A Flux object Ferry reconciles itself (by its inventory id), rather than an object it applies. */
export function isFluxEntry(id: string): boolean {
  return (
    id.endsWith(`_${HELM_RELEASE_GROUP}_HelmRelease`) || id.endsWith(`_${KUSTOMIZATION_GROUP}_Kustomization`)
  );
}

/**
 * The inventory entries of a build's HelmReleases and child Kustomizations. A HelmRelease that does
 * not read (its problems are reported elsewhere) keeps what was recorded of it before, so it is
 * neither pruned nor forgotten.
 */
export function fluxInventory(
  helmReleases: Manifest[],
  children: ChildUnit[],
  previous: ReadonlyMap<string, InventoryRecord>,
): FluxInventory {
  const refs: ObjectRef[] = [];
  const records = new Map<string, InventoryRecord>();
  const add = (ref: ObjectRef, record: InventoryRecord | undefined) => {
    refs.push(ref);
    if (record) records.set(inventoryId(ref), record);
  };
  for (const { object } of helmReleases) {
    const ref: ObjectRef = {
      group: HELM_RELEASE_GROUP,
      version: object.apiVersion.split("/")[1] ?? "v2",
      kind: "HelmRelease",
      namespace: object.metadata.namespace || "default",
      name: object.metadata.name,
    };
    let release: HelmRelease | undefined;
    try {
      release = readHelmObject(object) as HelmRelease;
    } catch {
      add(ref, previous.get(inventoryId(ref)));
      continue;
    }
    const keep = pruneExcluded(object) ?? (release.spec.suspend ? "spec.suspend is true" : undefined);
    add(ref, { release: releaseRecordOf(release), ...(keep ? { keep } : {}) });
  }
  for (const child of children) {
    const ref: ObjectRef = {
      group: KUSTOMIZATION_GROUP,
      version: child.object.apiVersion.split("/")[1] ?? "v1",
      kind: "Kustomization",
      namespace: child.namespace,
      name: child.name,
    };
    const keep = kustomizationKeepReason(child);
    add(ref, keep ? { keep } : {});
  }
  return { refs, records };
}

function releaseRecordOf(release: HelmRelease): ReleaseRecord {
  const { uninstall } = release.spec;
  const timeoutMs = parseDuration(uninstall.timeout ?? release.spec.timeout);
  return {
    ...releaseTargetOf(release),
    ...(uninstall.keepHistory ? { keepHistory: true } : {}),
    ...(uninstall.disableWait ? { disableWait: true } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
  };
}

/**
 * Why removing a Kustomization from Git leaves its objects in place, as kustomize-controller's
 * finalizer decides: suspended, `deletionPolicy: Orphan`, or `MirrorPrune` (the default) with
 * `prune: false`; or the Kustomization object itself excluded from prune.
 */
function kustomizationKeepReason(child: ChildUnit): string | undefined {
  const excluded = pruneExcluded(child.object);
  if (excluded) return excluded;
  if (child.spec.suspend) return "spec.suspend is true";
  if (child.spec.deletionPolicy === "Orphan") return "deletionPolicy is Orphan";
  if (child.spec.deletionPolicy === "MirrorPrune" && !child.spec.prune) return "spec.prune is false";
  return undefined;
}

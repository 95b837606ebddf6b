/**
 * Prune: objects the previous inventory had and this one lacks are deleted, in reverse apply
 * order (Namespaces and CRDs last), only while they still carry this unit's owner labels.
 */
import type { KubeObject, ObjectRef } from "../model/object.js";
import { subjectOf } from "../model/object.js";
import type { ChangeSetEntry, Problem } from "../model/result.js";
import { KubeApiError, type KubeClient } from "./client.js";
import { comparePruneOrder } from "./order.js";
import { ownedBy, pruneExcluded, type UnitOwner } from "./policy.js";

export interface PruneResult {
  entries: ChangeSetEntry[];
  /** Objects whose delete failed: they stay in the inventory. */
  survivors: ObjectRef[];
  problems: Problem[];
}

/** Why prune leaves a live object alone (not this unit's any more, or excluded), or undefined. */
export function keepReason(live: KubeObject, owner: UnitOwner): string | undefined {
  if (!ownedBy(live, owner)) return "no longer carries this unit's owner labels";
  return pruneExcluded(live);
}

/** The stale objects in the order prune deletes them: the reverse of the apply order. */
export function pruneOrder(stale: ObjectRef[]): ObjectRef[] {
  const asObject = (ref: ObjectRef): KubeObject => ({
    apiVersion: ref.group ? `${ref.group}/${ref.version}` : ref.version,
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
  });
  return [...stale].sort((a, b) => comparePruneOrder(asObject(a), asObject(b)));
}

export async function prune(client: KubeClient, stale: ObjectRef[], owner: UnitOwner): Promise<PruneResult> {
  const result: PruneResult = { entries: [], survivors: [], problems: [] };
  const ordered = pruneOrder(stale);
  for (const ref of ordered) {
    const subject = subjectOf(ref);
    try {
      const live = await client.get(ref);
      if (!live) {
        result.entries.push({ ref, subject, action: "deleted" });
        continue;
      }
      const kept = keepReason(live, owner);
      if (kept) {
        result.entries.push({ ref, subject, action: "skipped", reason: kept });
        continue;
      }
      await client.delete(ref, "Background");
      result.entries.push({ ref, subject, action: "deleted" });
    } catch (e) {
      if (e instanceof KubeApiError && e.code === 404) {
        // The kind itself is gone (its CRD was pruned first): nothing left to delete.
        result.entries.push({ ref, subject, action: "deleted" });
        continue;
      }
      result.survivors.push(ref);
      result.problems.push({
        message: `${subject} delete failed: ${e instanceof Error ? e.message : String(e)}`,
        subject,
      });
    }
  }
  return result;
}

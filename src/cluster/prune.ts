/**
 * Prune: objects the previous inventory had and this one lacks are deleted, in reverse apply
 * order (Namespaces and CRDs last), only while they still carry this unit's owner labels.
 */
import type { ObjectRef } from "../model/object.js";
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

export async function prune(client: KubeClient, stale: ObjectRef[], owner: UnitOwner): Promise<PruneResult> {
  const result: PruneResult = { entries: [], survivors: [], problems: [] };
  const asObject = (ref: ObjectRef) => ({
    apiVersion: ref.group ? `${ref.group}/${ref.version}` : ref.version,
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
  });
  const ordered = [...stale].sort((a, b) => comparePruneOrder(asObject(a), asObject(b)));
  for (const ref of ordered) {
    const subject = subjectOf(ref);
    try {
      const live = await client.get(ref);
      if (!live) {
        result.entries.push({ ref, subject, action: "deleted" });
        continue;
      }
      if (!ownedBy(live, owner)) {
        result.entries.push({
          ref,
          subject,
          action: "skipped",
          reason: "no longer carries this unit's owner labels",
        });
        continue;
      }
      const excluded = pruneExcluded(live);
      if (excluded) {
        result.entries.push({ ref, subject, action: "skipped", reason: excluded });
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

/**
 * What prune would remove, as `ferry diff` lists it: the objects it would delete, the releases it
 * would uninstall, and the objects and releases of a Kustomization removed from Git, by the same
 * rules as `prune` and `pruneFluxObjects`, reading only.
 */
import type { KubeClient } from "../cluster/client.js";
import { type InventoryEntry, readInventory } from "../cluster/inventory.js";
import type { UnitOwner } from "../cluster/policy.js";
import { keepReason, pruneOrder } from "../cluster/prune.js";
import { type ObjectRef, parseInventoryId, subjectOf } from "../model/object.js";
import { isFluxEntry } from "./flux-inventory.js";
import type { FluxPruneContext } from "./flux-prune.js";
import { type ObjectDiff, unified } from "./object-diff.js";
import { uninstallDiff } from "./release-diff.js";

/** The objects prune would delete: those still there and still carrying the unit's owner labels. */
export async function prunedObjectDiffs(
  client: KubeClient,
  stale: ObjectRef[],
  owner: UnitOwner,
): Promise<ObjectDiff[]> {
  const diffs: ObjectDiff[] = [];
  for (const ref of pruneOrder(stale)) {
    const live = await client.get(ref);
    if (live && !keepReason(live, owner))
      diffs.push({
        subject: subjectOf(ref),
        action: "deleted",
        diff: unified(subjectOf(ref), live, undefined),
      });
  }
  return diffs;
}

/** The HelmReleases and Kustomizations prune would remove, with what goes with them. */
export async function prunedFluxDiffs(ctx: FluxPruneContext, stale: InventoryEntry[]): Promise<ObjectDiff[]> {
  const diffs: ObjectDiff[] = [];
  for (const entry of stale) {
    const ref = parseInventoryId(entry.id, entry.v);
    const subject = subjectOf(ref);
    if (entry.keep || ctx.inTree(`${ref.namespace}/${ref.name}`)) continue;
    if (ref.kind === "HelmRelease") {
      if (!entry.release) continue;
      const helm = await ctx.helm();
      if ("unavailable" in helm) continue;
      const status = await helm.status(entry.release.name, entry.release.namespace);
      if (!status || status.status === "uninstalled") continue;
      const diff = (await uninstallDiff(ctx.client, helm, entry.release)) ?? "";
      const target = `${entry.release.namespace}/${entry.release.name}`;
      diffs.push({ subject, action: "deleted", reason: `release ${target} would be uninstalled`, diff });
      continue;
    }
    const owner = { name: ref.name, namespace: ref.namespace ?? "" };
    const inventory = await readInventory(ctx.client, owner);
    if (inventory) {
      diffs.push(
        ...(await prunedFluxDiffs(
          ctx,
          inventory.entries.filter((e) => isFluxEntry(e.id)),
        )),
      );
      const objects = inventory.entries
        .filter((e) => !isFluxEntry(e.id))
        .map((e) => parseInventoryId(e.id, e.v));
      diffs.push(...(await prunedObjectDiffs(ctx.client, objects, owner)));
    }
    diffs.push({
      subject,
      action: "deleted",
      reason: "removed from Git, with what its inventory lists",
      diff: "",
    });
  }
  return diffs;
}

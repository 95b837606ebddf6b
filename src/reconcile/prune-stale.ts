/**
 * Prune, once a run has reached every unit of the tree: what a unit's previous inventory had and its
 * build no longer yields. HelmReleases and Kustomizations gone from Git first (their releases
 * uninstalled, their inventories garbage-collected) — unless they moved to another unit of the tree —
 * then the objects, in reverse kind order, only while they still carry the unit's owner labels. What
 * is gone leaves the unit's inventory; what failed stays there for the next run, and fails the unit.
 */
import { type InventoryEntry, readInventory, writeInventory } from "../cluster/inventory.js";
import { prune } from "../cluster/prune.js";
import { inventoryId, parseInventoryId } from "../model/object.js";
import type { UnitResult } from "../model/result.js";
import { isFluxEntry } from "./flux-inventory.js";
import { type FluxPruneContext, pruneFluxObjects } from "./flux-prune.js";
import { type ReconcileContext, type UnitDefinition, unitClient } from "./unit.js";

export async function pruneStale(
  ctx: ReconcileContext,
  flux: FluxPruneContext,
  unit: UnitDefinition,
  stale: InventoryEntry[],
  result: UnitResult,
): Promise<void> {
  const started = performance.now();
  const owner = unit.owner;
  ctx.onProgress?.({ unit: result.name, phase: "prune" });
  // The unit's objects are deleted as its service account, when it names one; its inventory is Ferry's.
  const identity = unit.serviceAccountName ? unitClient(ctx, unit) : undefined;
  try {
    const client = identity ? await identity : ctx.client;
    // Releases are uninstalled before the Namespaces and CRDs they may use are pruned.
    const parts = [
      await pruneFluxObjects(
        flux,
        stale.filter((e) => isFluxEntry(e.id)),
      ),
      await prune(
        client,
        stale.filter((e) => !isFluxEntry(e.id)).map((e) => parseInventoryId(e.id, e.v)),
        owner,
      ),
    ];
    const survivors = new Set(parts.flatMap((part) => part.survivors.map(inventoryId)));
    for (const part of parts) {
      result.changes.push(...part.entries);
      result.problems.push(...part.problems);
    }
    if (parts.some((part) => part.problems.length > 0)) result.status = "failed";
    const gone = new Set(stale.map((e) => e.id).filter((id) => !survivors.has(id)));
    const inventory = await readInventory(ctx.client, owner);
    if (inventory && gone.size > 0) {
      const [latest, ...older] = inventory.history;
      await writeInventory(
        ctx.client,
        owner,
        // This run's history entry, with its final outcome.
        { ...inventory, history: older },
        inventory.entries.filter((e) => !gone.has(e.id)),
        {
          revision: latest?.revision ?? ctx.revision ?? "",
          time: latest?.time ?? new Date().toISOString(),
          status: result.status === "succeeded" ? "succeeded" : "failed",
          objects: inventory.entries.length - gone.size,
        },
      );
    }
  } catch (e) {
    result.status = "failed";
    result.problems.push({ message: e instanceof Error ? e.message : String(e) });
  } finally {
    (await identity?.catch(() => undefined))?.close();
  }
  const ms = Math.round(performance.now() - started);
  result.timings.push({ phase: "prune", ms });
  result.durationMs += ms;
}

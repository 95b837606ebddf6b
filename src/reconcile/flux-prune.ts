/**
 * Pruning the Flux objects a unit reconciles itself, once they are gone from Git: a HelmRelease's
 * release is uninstalled (what helm-controller does when a HelmRelease is deleted), and a
 * Kustomization's inventory is garbage-collected — its objects pruned, its own HelmReleases and
 * Kustomizations in turn — as kustomize-controller's finalizer does. What was recorded of each when it
 * was last in Git (`prune: disabled`, `suspend`, a Kustomization's `prune: false`) can keep it.
 */

import type { KubeClient } from "../cluster/client.js";
import {
  deleteInventory,
  entriesOf,
  type InventoryEntry,
  readInventory,
  recordsOf,
  writeInventory,
} from "../cluster/inventory.js";
import { type PruneResult, prune } from "../cluster/prune.js";
import type { HelmDriver } from "../helm/driver/helm-driver.js";
import { type ObjectRef, parseInventoryId, subjectOf } from "../model/object.js";
import type { ChangeSetEntry } from "../model/result.js";
import { isFluxEntry } from "./flux-inventory.js";

export interface FluxPruneContext {
  client: KubeClient;
  /** helm for this cluster, or why helm cannot run against it. */
  helm(): Promise<HelmDriver | { unavailable: string }>;
  /**
   * Whether a Kustomization or HelmRelease (`namespace/name`) is in this run's tree: then it moved to
   * another unit's build and is not removed.
   */
  inTree(unit: string): boolean;
}

/** Prunes stale HelmRelease and Kustomization entries; like `prune`, failures stay as survivors. */
export async function pruneFluxObjects(ctx: FluxPruneContext, stale: InventoryEntry[]): Promise<PruneResult> {
  const result: PruneResult = { entries: [], survivors: [], problems: [] };
  for (const entry of stale) {
    const ref = parseInventoryId(entry.id, entry.v);
    const subject = subjectOf(ref);
    const skip = (reason: string) => result.entries.push({ ref, subject, action: "skipped", reason });
    if (ctx.inTree(`${ref.namespace}/${ref.name}`)) {
      skip("moved to another unit's build");
      continue;
    }
    if (entry.keep) {
      skip(entry.keep);
      continue;
    }
    try {
      if (ref.kind === "HelmRelease") {
        const uninstalled = await uninstall(ctx, entry, ref);
        result.entries.push(uninstalled);
      } else {
        const collected = await garbageCollect(ctx, ref);
        result.entries.push(...collected.entries);
        result.survivors.push(...collected.survivors);
        result.problems.push(...collected.problems);
      }
    } catch (e) {
      result.survivors.push(ref);
      const verb = ref.kind === "HelmRelease" ? "uninstall" : "garbage collection";
      result.problems.push({
        message: `${subject} ${verb} failed: ${e instanceof Error ? e.message : String(e)}`,
        subject,
      });
    }
  }
  return result;
}

/** Uninstalls the release a HelmRelease installed, when it is still there. */
async function uninstall(
  ctx: FluxPruneContext,
  entry: InventoryEntry,
  ref: ObjectRef,
): Promise<ChangeSetEntry> {
  const subject = subjectOf(ref);
  const release = entry.release;
  // Never read (its spec was invalid whenever Ferry saw it), so never installed.
  if (!release) return { ref, subject, action: "deleted" };
  const target = `${release.namespace}/${release.name}`;
  const helm = await ctx.helm();
  if ("unavailable" in helm) {
    return {
      ref,
      subject,
      action: "skipped",
      reason: `release ${target} left installed: ${helm.unavailable}`,
    };
  }
  const status = await helm.status(release.name, release.namespace);
  if (!status || status.status === "uninstalled") {
    return { ref, subject, action: "deleted", reason: `release ${target} was already uninstalled` };
  }
  await helm.uninstall(release.name, release.namespace, {
    ...(release.timeoutMs ? { timeoutMs: release.timeoutMs } : {}),
    wait: !release.disableWait,
    keepHistory: release.keepHistory === true,
  });
  return { ref, subject, action: "deleted", reason: `release ${target} uninstalled` };
}

/**
 * A Kustomization gone from Git: everything its inventory lists is pruned (its HelmReleases and
 * Kustomizations first, then its objects, only while they carry its owner labels), then the
 * inventory itself. What fails stays in its inventory, and the Kustomization in its parent's.
 */
async function garbageCollect(ctx: FluxPruneContext, ref: ObjectRef): Promise<PruneResult> {
  const owner = { name: ref.name, namespace: ref.namespace ?? "" };
  const subject = subjectOf(ref);
  const inventory = await readInventory(ctx.client, owner);
  if (!inventory) return { entries: [{ ref, subject, action: "deleted" }], survivors: [], problems: [] };
  const flux = await pruneFluxObjects(
    ctx,
    inventory.entries.filter((e) => isFluxEntry(e.id)),
  );
  const objects = await prune(
    ctx.client,
    inventory.entries.filter((e) => !isFluxEntry(e.id)).map((e) => parseInventoryId(e.id, e.v)),
    owner,
  );
  const survivors = [...flux.survivors, ...objects.survivors];
  const entries = [...flux.entries, ...objects.entries];
  const problems = [...flux.problems, ...objects.problems];
  if (survivors.length === 0) {
    await deleteInventory(ctx.client, owner);
    return { entries: [...entries, { ref, subject, action: "deleted" }], survivors: [], problems };
  }
  const left = entriesOf(survivors, recordsOf(inventory));
  await writeInventory(ctx.client, owner, inventory, left, {
    revision: inventory.revision ?? "",
    time: new Date().toISOString(),
    status: "failed",
    objects: left.length,
  });
  return { entries, survivors: [ref], problems };
}

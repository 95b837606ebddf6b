/**
 * What a reconcile would change, without writing: each unit is built and dry-run against the
 * cluster; changed objects get a unified diff (Secret values masked); each HelmRelease that helm
 * would install or upgrade gets the diff of its rendered objects; what prune would delete or
 * uninstall is listed.
 */
import { hasDrifted, type PlannedObject, planApply } from "../cluster/apply.js";
import type { KubeClient } from "../cluster/client.js";
import {
  entriesOf,
  type InventoryEntry,
  readInventory,
  recordsOf,
  staleEntries,
} from "../cluster/inventory.js";
import { type HelmRelease, readHelmObject } from "../helm/release.js";
import { inventoryId, type KubeObject, type ObjectRef, parseInventoryId } from "../model/object.js";
import type { Problem } from "../model/result.js";
import { ReconcileError } from "../model/result.js";
import { fluxInventory, isFluxEntry } from "./flux-inventory.js";
import type { FluxPruneContext } from "./flux-prune.js";
import { helmForPrune, openHelmContext } from "./helm-context.js";
import { type ObjectDiff, unified } from "./object-diff.js";
import { prunedFluxDiffs, prunedObjectDiffs } from "./prune-diff.js";
import { releaseDiff } from "./release-diff.js";
import { prepareUnit, type ReconcileContext, type UnitDefinition, unitName, unitOfChild } from "./unit.js";

export interface UnitDiff {
  name: string;
  path: string;
  changes: ObjectDiff[];
  problems: Problem[];
}

export interface DiffResult {
  units: UnitDiff[];
  changed: boolean;
  ok: boolean;
}

export async function diffTree(ctx: ReconcileContext, root: UnitDefinition): Promise<DiffResult> {
  const units: UnitDiff[] = [];
  const queue = [root];
  const seen = new Set([unitName(root.owner)]);
  const releases: { release: HelmRelease; result: UnitDiff }[] = [];
  const staleFlux: { entries: InventoryEntry[]; result: UnitDiff }[] = [];
  // The ConfigMaps and Secrets the units would apply: what a HelmRelease's valuesFrom reads after them.
  const planned = new Map<string, KubeObject>();
  const helm = openHelmContext(ctx);
  const failed = (result: UnitDiff, e: unknown) => {
    if (e instanceof ReconcileError) result.problems.push(...e.problems);
    else result.problems.push({ message: e instanceof Error ? e.message : String(e) });
  };
  try {
    while (queue.length > 0) {
      const unit = queue.shift() as UnitDefinition;
      const result: UnitDiff = { name: unitName(unit.owner), path: unit.path, changes: [], problems: [] };
      units.push(result);
      try {
        const prepared = await prepareUnit(ctx, unit);
        result.problems.push(...prepared.foreign);
        for (const child of prepared.children) {
          const next = unitOfChild(child);
          if (seen.has(unitName(next.owner))) continue;
          seen.add(unitName(next.owner));
          queue.push(next);
        }
        for (const manifest of [...prepared.helmSources, ...prepared.helmReleases]) {
          try {
            const read = readHelmObject(manifest.object);
            const name = `${read.metadata.namespace}/${read.metadata.name}`;
            if (read.kind !== "HelmRelease") helm.sources.set(name, read);
            else if (!seen.has(name)) {
              seen.add(name);
              releases.push({
                release: read,
                result: { name, path: read.spec.chart?.spec.chart ?? "", changes: [], problems: [] },
              });
            }
          } catch (e) {
            failed(result, e);
          }
        }
        const plan = await planApply(ctx.client, prepared.apply, {
          owner: unit.owner,
          force: unit.force,
          ...(ctx.namespaces ? { namespaces: ctx.namespaces } : {}),
        });
        result.changes.push(...plan.flatMap((p) => objectDiff(p) ?? []));
        for (const p of plan) {
          if (p.ref.group === "" && (p.ref.kind === "ConfigMap" || p.ref.kind === "Secret"))
            planned.set(inventoryId(p.ref), p.dryRun ?? p.desired);
        }
        if (unit.prune) {
          const previous = await readInventory(ctx.client, unit.owner);
          const flux = fluxInventory(prepared.helmReleases, prepared.children, recordsOf(previous));
          const stale = previous
            ? staleEntries(previous.entries, entriesOf([...plan.map((p) => p.ref), ...flux.refs]))
            : [];
          const objects = stale.filter((e) => !isFluxEntry(e.id)).map((e) => parseInventoryId(e.id, e.v));
          result.changes.push(...(await prunedObjectDiffs(ctx.client, objects, unit.owner)));
          // Listed once every unit is known: one moved to another unit's build is not removed.
          staleFlux.push({ entries: stale.filter((e) => isFluxEntry(e.id)), result });
        }
      } catch (e) {
        failed(result, e);
      }
    }
    const releaseCtx = { ...ctx, client: withPlanned(ctx.client, planned) };
    for (const { release, result } of releases) {
      units.push(result);
      // Flux leaves a suspended HelmRelease alone.
      if (release.spec.suspend) continue;
      try {
        const change = await releaseDiff(releaseCtx, helm, release);
        if (change) result.changes.push(change);
      } catch (e) {
        failed(result, e);
      }
    }
    const flux: FluxPruneContext = {
      client: ctx.client,
      helm: helmForPrune(ctx, helm),
      inTree: (n) => seen.has(n),
    };
    for (const { entries, result } of staleFlux) {
      try {
        result.changes.push(...(await prunedFluxDiffs(flux, entries)));
      } catch (e) {
        failed(result, e);
      }
    }
  } finally {
    await helm.close();
  }
  return {
    units,
    changed: units.some((u) => u.changes.length > 0),
    ok: units.every((u) => u.problems.length === 0),
  };
}

/** The client as HelmReleases would find the cluster after the units applied: planned ConfigMaps and Secrets first. */
function withPlanned(client: KubeClient, planned: ReadonlyMap<string, KubeObject>): KubeClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== "get") return Reflect.get(target, property, receiver);
      return async (ref: ObjectRef) => planned.get(inventoryId(ref)) ?? target.get(ref);
    },
  });
}

function objectDiff(plan: PlannedObject): ObjectDiff | undefined {
  if (plan.skipReason) return undefined;
  if (plan.deferred || !plan.live) {
    return {
      subject: plan.subject,
      action: "created",
      diff: unified(plan.subject, undefined, plan.dryRun ?? plan.desired),
    };
  }
  if (plan.recreate)
    return {
      subject: plan.subject,
      action: "configured",
      diff: unified(plan.subject, plan.live, plan.desired),
    };
  if (!plan.dryRun || !hasDrifted(plan.live, plan.dryRun)) return undefined;
  return { subject: plan.subject, action: "configured", diff: unified(plan.subject, plan.live, plan.dryRun) };
}

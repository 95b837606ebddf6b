/**
 * Reconciles a path and every Flux Kustomization it yields, in `dependsOn` order: a unit runs
 * once each of its dependencies has succeeded; a failed dependency skips its dependents.
 */

import type { InventoryEntry } from "../cluster/inventory.js";
import { type HelmObject, type HelmRelease, readHelmObject } from "../helm/release.js";
import type { Manifest } from "../model/object.js";
import { ReconcileError, type ReconcileResult, type UnitResult } from "../model/result.js";
import type { FluxPruneContext } from "./flux-prune.js";
import { helmForPrune, openHelmContext } from "./helm-context.js";
import { reconcileHelmUnit, unitOfHelmRelease } from "./helm-release.js";
import { type ChildUnit, orderUnitsFor } from "./order.js";
import { pruneStale } from "./prune-stale.js";
import { type ReconcileContext, reconcileUnit, type UnitDefinition, unitName, unitOfChild } from "./unit.js";

export async function reconcileTree(ctx: ReconcileContext, root: UnitDefinition): Promise<ReconcileResult> {
  const started = performance.now();
  const results: UnitResult[] = [];
  const status = new Map<string, UnitResult["status"]>();
  const pending: UnitDefinition[] = [root];
  const known = new Set<string>([unitName(root.owner)]);
  const helm = openHelmContext(ctx);
  const flux: FluxPruneContext = {
    client: ctx.client,
    helm: helmForPrune(ctx, helm),
    inTree: (name) => known.has(name),
  };
  const toPrune: { unit: UnitDefinition; stale: InventoryEntry[]; result: UnitResult }[] = [];
  try {
    await reconcilePending();
    // Every unit of the tree is known now, so what moved between units is not pruned; children first.
    for (const { unit, stale, result } of toPrune.reverse()) {
      await pruneStale(ctx, flux, unit, stale, result);
    }
  } finally {
    await helm.close();
  }
  return {
    units: results,
    ok: results.every((r) => r.status === "succeeded"),
    durationMs: Math.round(performance.now() - started),
  };

  /** Runs the units in dependency order, adding the child units and HelmReleases their builds yield. */
  async function reconcilePending(): Promise<void> {
    while (pending.length > 0) {
      const { next, errors } = orderUnitsFor(pending, status);
      for (const { unit, message } of errors) {
        pending.splice(pending.indexOf(unit), 1);
        const result = skippedResult(unit, "failed", message);
        status.set(unitName(unit.owner), "failed");
        results.push(result);
      }
      if (!next) break;
      pending.splice(pending.indexOf(next.unit), 1);
      const name = unitName(next.unit.owner);
      if (next.blockedBy) {
        status.set(name, "skipped");
        results.push(skippedResult(next.unit, "skipped", `dependency ${next.blockedBy} did not succeed`));
        continue;
      }
      const unit = next.unit;
      if (unit.helm) {
        const result = await reconcileHelmUnit(ctx, helm, { ...unit, helm: unit.helm });
        status.set(name, result.status);
        results.push(result);
        continue;
      }
      const { result, prepared, stale } = await reconcileUnit(ctx, unit);
      status.set(name, result.status);
      results.push(result);
      if (stale) toPrune.push({ unit, stale, result });
      for (const problem of prepared?.foreign ?? []) {
        results.push({
          ...skippedResult(next.unit, "failed", problem.message),
          name: problem.subject ?? name,
          problems: [problem],
        });
      }
      for (const child of prepared?.children ?? []) addChild(child);
      for (const source of prepared?.helmSources ?? []) {
        const read = readOrReport(source, next.unit);
        if (read && read.kind !== "HelmRelease")
          helm.sources.set(`${read.metadata.namespace}/${read.metadata.name}`, read);
      }
      for (const manifest of prepared?.helmReleases ?? []) {
        const read = readOrReport(manifest, next.unit);
        if (read?.kind === "HelmRelease") addUnit(unitOfHelmRelease(read as HelmRelease, manifest.origin));
      }
    }
  }

  /** A Flux Helm object of a build, or its problems as a failed result of their own. */
  function readOrReport(manifest: Manifest, from: UnitDefinition): HelmObject | undefined {
    try {
      return readHelmObject(manifest.object);
    } catch (error) {
      const problems = error instanceof ReconcileError ? error.problems : [{ message: String(error) }];
      const subject = problems[0]?.subject ?? unitName(from.owner);
      results.push({
        ...skippedResult(from, "failed", problems[0]?.message ?? "invalid"),
        name: subject,
        problems: problems.map((p) => ({ ...p, ...(manifest.origin ? { origin: manifest.origin } : {}) })),
      });
      return undefined;
    }
  }

  function addChild(child: ChildUnit) {
    addUnit(unitOfChild(child));
  }

  function addUnit(unit: UnitDefinition) {
    const name = unitName(unit.owner);
    if (known.has(name)) return;
    known.add(name);
    pending.push(unit);
  }
}

function skippedResult(unit: UnitDefinition, status: UnitResult["status"], message: string): UnitResult {
  return {
    name: unitName(unit.owner),
    path: unit.path,
    status,
    changes: [],
    health: [],
    timings: [],
    problems: [{ message, ...(unit.origin ? { origin: unit.origin } : {}) }],
    notSupported: [],
    consumed: [],
    durationMs: 0,
  };
}

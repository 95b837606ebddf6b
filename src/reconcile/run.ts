/**
 * Reconciles a path and every Flux Kustomization it yields, in `dependsOn` order: a unit runs
 * once each of its dependencies has succeeded; a failed dependency skips its dependents.
 */

import type { ReconcileResult, UnitResult } from "../model/result.js";
import { type ChildUnit, orderUnitsFor } from "./order.js";
import { type ReconcileContext, reconcileUnit, type UnitDefinition, unitName, unitOfChild } from "./unit.js";

export async function reconcileTree(ctx: ReconcileContext, root: UnitDefinition): Promise<ReconcileResult> {
  const started = performance.now();
  const results: UnitResult[] = [];
  const status = new Map<string, UnitResult["status"]>();
  const pending: UnitDefinition[] = [root];
  const known = new Set<string>([unitName(root.owner)]);

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
    const { result, prepared } = await reconcileUnit(ctx, next.unit);
    status.set(name, result.status);
    results.push(result);
    for (const problem of prepared?.foreign ?? []) {
      results.push({
        ...skippedResult(next.unit, "failed", problem.message),
        name: problem.subject ?? name,
        problems: [problem],
      });
    }
    for (const child of prepared?.children ?? []) addChild(child);
  }

  function addChild(child: ChildUnit) {
    const unit = unitOfChild(child);
    const name = unitName(unit.owner);
    if (known.has(name)) return;
    known.add(name);
    pending.push(unit);
  }

  return {
    units: results,
    ok: results.every((r) => r.status === "succeeded"),
    durationMs: Math.round(performance.now() - started),
  };
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

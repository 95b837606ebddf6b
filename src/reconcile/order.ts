/** Which pending unit runs next, by `dependsOn` (cycles and missing dependencies are errors). */
import type { ChildUnit } from "../build/flux.js";
import { orderUnits } from "../build/graph.js";
import type { UnitResult } from "../model/result.js";
import type { UnitDefinition } from "./unit.js";

export type { ChildUnit };

export interface NextUnit {
  unit: UnitDefinition;
  /** A dependency that failed or was skipped: the unit is skipped. */
  blockedBy?: string;
}

/**
 * Picks the next unit whose dependencies have all finished (or that depends on nothing still
 * pending). Dependencies are looked up among pending and finished units; unknown ones (once no
 * other unit can run to yield them), and cycles, come back as errors.
 */
export function orderUnitsFor(
  pending: UnitDefinition[],
  finished: ReadonlyMap<string, UnitResult["status"]>,
): { next?: NextUnit; errors: { unit: UnitDefinition; message: string }[] } {
  // A dependency not found yet may come from a build still to run (a HelmRelease in another
  // Kustomization's path): units waiting for one, directly or through another, run last, and are
  // errors only once nothing else can run.
  const waiting = waitingForUnknown(pending, finished);
  const ready = pending.filter((unit) => !waiting.has(unit));
  return orderOf(ready.length > 0 ? ready : pending, finished);
}

const dependencyKeys = (unit: UnitDefinition) =>
  unit.dependsOn.map((d) => `${d.namespace ?? unit.owner.namespace}/${d.name}`);

/** The pending units that depend, directly or through other pending units, on a unit not known yet. */
function waitingForUnknown(
  pending: UnitDefinition[],
  finished: ReadonlyMap<string, UnitResult["status"]>,
): Set<UnitDefinition> {
  const byKey = new Map(pending.map((unit) => [`${unit.owner.namespace}/${unit.owner.name}`, unit]));
  const waiting = new Set<UnitDefinition>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const unit of pending) {
      if (waiting.has(unit)) continue;
      const blocked = dependencyKeys(unit).some((key) => {
        const dependency = byKey.get(key);
        return dependency ? waiting.has(dependency) : !finished.has(key);
      });
      if (blocked) {
        waiting.add(unit);
        grew = true;
      }
    }
  }
  return waiting;
}

function orderOf(
  pending: UnitDefinition[],
  finished: ReadonlyMap<string, UnitResult["status"]>,
): { next?: NextUnit; errors: { unit: UnitDefinition; message: string }[] } {
  const asGraph = pending.map((unit) => ({
    unit,
    name: unit.owner.name,
    namespace: unit.owner.namespace,
    spec: {
      // Finished dependencies are satisfied edges; only pending ones order the graph.
      dependsOn: unit.dependsOn.filter(
        (d) => !finished.has(`${d.namespace ?? unit.owner.namespace}/${d.name}`),
      ),
    },
  }));
  const { order, errors } = orderUnits(asGraph);
  const failed = errors.map((e) => ({ unit: e.unit.unit, message: e.message }));
  const first = order[0]?.unit;
  if (!first) return { errors: failed };
  const blocked = dependencyKeys(first).find((key) => finished.has(key) && finished.get(key) !== "succeeded");
  return { next: { unit: first, ...(blocked ? { blockedBy: blocked } : {}) }, errors: failed };
}

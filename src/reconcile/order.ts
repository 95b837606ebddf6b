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
 * pending). Dependencies are looked up among pending and finished units; unknown ones, and
 * cycles, come back as errors.
 */
export function orderUnitsFor(
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
  const blocked = first.dependsOn
    .map((d) => `${d.namespace ?? first.owner.namespace}/${d.name}`)
    .find((key) => finished.has(key) && finished.get(key) !== "succeeded");
  return { next: { unit: first, ...(blocked ? { blockedBy: blocked } : {}) }, errors: failed };
}

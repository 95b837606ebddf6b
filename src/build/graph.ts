/** Ordering units by `spec.dependsOn`, as Flux waits for dependencies before reconciling. */

export interface DependentUnit {
  name: string;
  namespace: string;
  spec: { dependsOn?: readonly { name: string; namespace?: string }[] };
}

export interface UnitError<T> {
  unit: T;
  message: string;
}

export interface UnitOrder<T> {
  /** Every unit not in `errors`, each after the units it depends on; input order otherwise. */
  order: T[];
  /** Units that cannot run: members of a dependency cycle, units depending on a unit that does not exist. */
  errors: UnitError<T>[];
}

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

/**
 * Orders units by `dependsOn` (a dependency's namespace defaults to the unit's). A cycle is an
 * error for each unit in it, naming the cycle (`ns/a -> ns/b -> ns/a`); a dependency on a unit
 * that does not exist is an error for the unit that names it. Units that depend on a failed unit
 * keep their place in the order: their dependency simply never becomes ready. Pure.
 */
export function orderUnits<T extends DependentUnit>(units: readonly T[]): UnitOrder<T> {
  const byKey = new Map<string, T>();
  for (const unit of units)
    if (!byKey.has(keyOf(unit.namespace, unit.name))) byKey.set(keyOf(unit.namespace, unit.name), unit);
  const errors = new Map<T, string>();

  // Edges to existing units; a missing one is this unit's error.
  const dependencies = new Map<T, T[]>();
  for (const unit of units) {
    const found: T[] = [];
    const missing: string[] = [];
    for (const dep of unit.spec.dependsOn ?? []) {
      const key = keyOf(dep.namespace || unit.namespace, dep.name);
      const target = byKey.get(key);
      if (target) {
        if (!found.includes(target)) found.push(target);
      } else if (!missing.includes(key)) missing.push(key);
    }
    dependencies.set(unit, found);
    if (missing.length > 0) {
      const list = missing.join(", ");
      errors.set(
        unit,
        `${keyOf(unit.namespace, unit.name)} depends on ${list}, which ${missing.length === 1 ? "is" : "are"} not a Kustomization or HelmRelease Ferry builds; fix spec.dependsOn`,
      );
    }
  }

  // Cycles: Tarjan's strongly connected components; a component of two or more (or a self-loop) is a cycle.
  for (const component of stronglyConnected(units, dependencies)) {
    component.sort((a, b) => units.indexOf(a) - units.indexOf(b));
    const first = component[0];
    const cyclic = component.length > 1 || (dependencies.get(first) ?? []).includes(first);
    if (!cyclic) continue;
    const cycle = describeCycle(first, component, dependencies);
    for (const unit of component) {
      const mine = errors.get(unit);
      const message = `dependency cycle: ${cycle}; remove one of these dependsOn entries`;
      errors.set(unit, mine ? `${mine}; ${message}` : message);
    }
  }

  // Kahn's algorithm, picking the earliest ready unit in input order; units in cycles stay out.
  const inCycle = (unit: T) => errors.get(unit)?.includes("dependency cycle") === true;
  const remaining = units.filter((unit, index) => !inCycle(unit) && units.indexOf(unit) === index);
  const placed = new Set<T>();
  const order: T[] = [];
  while (remaining.length > 0) {
    const index = remaining.findIndex((unit) =>
      (dependencies.get(unit) ?? []).every((dep) => placed.has(dep) || inCycle(dep) || dep === unit),
    );
    const [next] = remaining.splice(index === -1 ? 0 : index, 1);
    placed.add(next);
    order.push(next);
  }

  return {
    order: order.filter((unit) => !errors.has(unit)),
    errors: units
      .filter((unit) => errors.has(unit))
      .map((unit) => ({ unit, message: errors.get(unit) as string })),
  };
}

function stronglyConnected<T>(units: readonly T[], edges: Map<T, T[]>): T[][] {
  let counter = 0;
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const stack: T[] = [];
  const onStack = new Set<T>();
  const components: T[][] = [];

  const visit = (unit: T) => {
    index.set(unit, counter);
    low.set(unit, counter);
    counter++;
    stack.push(unit);
    onStack.add(unit);
    for (const dep of edges.get(unit) ?? []) {
      if (!index.has(dep)) {
        visit(dep);
        low.set(unit, Math.min(low.get(unit) as number, low.get(dep) as number));
      } else if (onStack.has(dep)) {
        low.set(unit, Math.min(low.get(unit) as number, index.get(dep) as number));
      }
    }
    if (low.get(unit) === index.get(unit)) {
      const component: T[] = [];
      let member: T;
      do {
        member = stack.pop() as T;
        onStack.delete(member);
        component.push(member);
      } while (member !== unit);
      components.push(component);
    }
  };
  for (const unit of units) if (!index.has(unit)) visit(unit);
  return components;
}

/** `ns/a -> ns/b -> ns/a`: a shortest way round the cycle from `start`, inside its component. */
function describeCycle<T extends DependentUnit>(start: T, component: T[], edges: Map<T, T[]>): string {
  const members = new Set(component);
  const previous = new Map<T, T>();
  const queue: T[] = [start];
  let closing: T | undefined;
  while (queue.length > 0 && !closing) {
    const unit = queue.shift() as T;
    for (const dep of edges.get(unit) ?? []) {
      if (!members.has(dep)) continue;
      if (dep === start) {
        closing = unit;
        break;
      }
      if (!previous.has(dep)) {
        previous.set(dep, unit);
        queue.push(dep);
      }
    }
  }
  const path: T[] = [];
  for (let unit: T | undefined = closing; unit && unit !== start; unit = previous.get(unit))
    path.unshift(unit);
  return [start, ...path, start].map((unit) => keyOf(unit.namespace, unit.name)).join(" -> ");
}

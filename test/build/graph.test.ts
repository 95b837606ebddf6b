import { describe, expect, it } from "vitest";
import { orderUnits } from "../../src/build/graph.js";

interface Unit {
  name: string;
  namespace: string;
  spec: { dependsOn: { name: string; namespace?: string }[] };
}
const unit = (name: string, ...deps: string[]): Unit => ({
  name,
  namespace: "flux-system",
  spec: {
    dependsOn: deps.map((d) =>
      d.includes("/") ? { namespace: d.split("/")[0], name: d.split("/")[1] } : { name: d },
    ),
  },
});
const names = (units: Unit[]) => units.map((u) => u.name);

describe("orderUnits", () => {
  it("puts a chain in dependency order whatever the input order", () => {
    const { order, errors } = orderUnits([unit("apps", "infra"), unit("infra", "crds"), unit("crds")]);
    expect(names(order)).toEqual(["crds", "infra", "apps"]);
    expect(errors).toEqual([]);
  });

  it("orders a diamond, keeping input order among independent units", () => {
    const { order, errors } = orderUnits([
      unit("top", "left", "right"),
      unit("right", "base"),
      unit("left", "base"),
      unit("base"),
    ]);
    expect(names(order)).toEqual(["base", "right", "left", "top"]);
    expect(errors).toEqual([]);
  });

  it("leaves units without dependencies in input order", () => {
    expect(names(orderUnits([unit("b"), unit("a"), unit("c")]).order)).toEqual(["b", "a", "c"]);
  });

  it("names a cycle and fails every unit in it, but not the units around it", () => {
    const { order, errors } = orderUnits([
      unit("a", "b"),
      unit("b", "c"),
      unit("c", "a"),
      unit("d", "a"),
      unit("e"),
    ]);
    expect(names(order)).toEqual(["d", "e"]);
    expect(errors.map((e) => e.unit.name)).toEqual(["a", "b", "c"]);
    for (const error of errors) {
      expect(error.message).toBe(
        "dependency cycle: flux-system/a -> flux-system/b -> flux-system/c -> flux-system/a; remove one of these dependsOn entries",
      );
    }
  });

  it("names a two-unit cycle and a unit that depends on itself", () => {
    const two = orderUnits([unit("a", "b"), unit("b", "a")]);
    expect(two.errors[0].message).toContain("flux-system/a -> flux-system/b -> flux-system/a");
    const self = orderUnits([unit("loop", "loop")]);
    expect(self.order).toEqual([]);
    expect(self.errors[0].message).toContain("flux-system/loop -> flux-system/loop");
  });

  it("makes a dependency on a unit that does not exist an error for that unit only", () => {
    const { order, errors } = orderUnits([unit("apps", "ghost"), unit("infra"), unit("web", "apps")]);
    expect(errors).toEqual([
      {
        unit: expect.objectContaining({ name: "apps" }),
        message:
          "flux-system/apps depends on flux-system/ghost, which is not a Kustomization or HelmRelease Ferry builds; fix spec.dependsOn",
      },
    ]);
    expect(names(order)).toEqual(["infra", "web"]);
  });

  it("defaults a dependency's namespace to the unit's, and honours an explicit one", () => {
    const other: Unit = { name: "db", namespace: "data", spec: { dependsOn: [] } };
    const { order, errors } = orderUnits([unit("apps", "data/db"), unit("web", "db"), other]);
    expect(names(order)).toEqual(["db", "apps"]);
    expect(errors.map((e) => e.message)).toEqual([
      "flux-system/web depends on flux-system/db, which is not a Kustomization or HelmRelease Ferry builds; fix spec.dependsOn",
    ]);
  });

  it("does not change its input", () => {
    const units = [unit("b", "a"), unit("a")];
    const copy = structuredClone(units);
    orderUnits(units);
    expect(units).toEqual(copy);
  });
});

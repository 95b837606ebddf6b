import { describe, expect, it } from "vitest";
import {
  type ApplyOutcome,
  applyConfiguration,
  type FieldConflict,
  fieldPathString,
  type ManagedFieldsEntry,
  type OwnershipContext,
  recordUpdate,
} from "./field-ownership.js";
import { builtInListType } from "./list-types.js";

type Obj = Record<string, unknown>;

/** A one-object store: applies and updates go through the module, each at a later `now`. */
class Harness {
  object: Obj | undefined;
  last: ApplyOutcome | undefined;
  private tick = 0;

  constructor(
    readonly kind: string,
    readonly apiVersion: string,
    private readonly resetPaths: readonly (readonly string[])[] = [],
  ) {}

  ctx(subresource?: string): OwnershipContext {
    this.tick++;
    return {
      listType: builtInListType(this.kind),
      apiVersion: this.apiVersion,
      now: at(this.tick),
      subresource,
      resetPaths: subresource === "status" ? [["spec"], ["metadata"]] : this.resetPaths,
    };
  }

  apply(manager: string, config: Obj, options: { force?: boolean; subresource?: string } = {}): ApplyOutcome {
    const outcome = applyConfiguration(
      this.object,
      structuredClone(config),
      manager,
      options.force ?? false,
      this.ctx(options.subresource),
    );
    this.last = outcome;
    if (outcome.ok) this.object = outcome.object;
    return outcome;
  }

  /** Like apply, but the test fails when the apply conflicts. */
  applyOk(manager: string, config: Obj, options: { force?: boolean; subresource?: string } = {}) {
    const outcome = this.apply(manager, config, options);
    if (!outcome.ok) throw new Error(`unexpected conflicts: ${JSON.stringify(outcome.conflicts)}`);
    return outcome;
  }

  /** A non-apply write (create when there is no object yet): `change` edits a copy of the object. */
  update(manager: string, change: (obj: Obj) => Obj | undefined, subresource?: string): ManagedFieldsEntry[] {
    const before = this.object;
    const after = change(structuredClone(before ?? {})) ?? structuredClone(before ?? {});
    const managedFields = recordUpdate(before, after, manager, this.ctx(subresource));
    (after.metadata as Obj).managedFields = managedFields;
    this.object = after;
    return managedFields;
  }

  get managedFields(): ManagedFieldsEntry[] {
    return ((this.object?.metadata as Obj | undefined)?.managedFields ?? []) as ManagedFieldsEntry[];
  }

  entry(manager: string, operation: "Apply" | "Update" = "Apply"): ManagedFieldsEntry | undefined {
    return this.managedFields.find((e) => e.manager === manager && e.operation === operation);
  }

  fields(manager: string, operation: "Apply" | "Update" = "Apply"): Obj | undefined {
    return this.entry(manager, operation)?.fieldsV1;
  }

  /** The object without managedFields. */
  get plain(): Obj {
    const copy = structuredClone(this.object ?? {});
    delete (copy.metadata as Obj | undefined)?.managedFields;
    return copy;
  }
}

function at(second: number): string {
  return new Date(Date.UTC(2024, 0, 1, 0, 0, second)).toISOString().replace(".000Z", "Z");
}

interface DeploymentShape {
  replicas?: number;
  labels?: Record<string, string>;
  finalizers?: string[];
  containers?: Obj[];
  status?: Obj;
}

function deployment(shape: DeploymentShape): Obj {
  const metadata: Obj = { name: "app", namespace: "default" };
  if (shape.labels) metadata.labels = shape.labels;
  if (shape.finalizers) metadata.finalizers = shape.finalizers;
  const spec: Obj = {};
  if (shape.replicas !== undefined) spec.replicas = shape.replicas;
  if (shape.containers) spec.template = { spec: { containers: shape.containers } };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata,
    ...(Object.keys(spec).length > 0 ? { spec } : {}),
    ...(shape.status ? { status: shape.status } : {}),
  };
}

function configMap(data: Record<string, string>, labels?: Record<string, string>): Obj {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "settings", namespace: "default", ...(labels ? { labels } : {}) },
    data,
  };
}

const newDeployment = () => new Harness("Deployment", "apps/v1", [["status"]]);
const newConfigMap = () => new Harness("ConfigMap", "v1");

const web = (image = "nginx:1.25"): Obj => ({ name: "web", image, ports: [{ containerPort: 80 }] });
const sidecar = (image = "envoy:1.30"): Obj => ({ name: "sidecar", image });

function conflictsOf(outcome: ApplyOutcome): FieldConflict[] {
  if (outcome.ok) throw new Error("expected conflicts, the apply succeeded");
  return outcome.conflicts;
}

function spec(h: Harness): Obj {
  return h.plain.spec as Obj;
}

function containers(h: Harness): Obj[] {
  return ((spec(h).template as Obj).spec as Obj).containers as Obj[];
}

interface Scenario {
  name: string;
  run: () => void;
}

const applyScenarios: Scenario[] = [
  {
    name: "first apply creates the object with one Apply entry and its FieldsV1",
    run: () => {
      const h = newDeployment();
      const config = deployment({ replicas: 2, labels: { app: "web" }, containers: [web()] });
      const outcome = h.applyOk("ferry", config);
      expect(outcome.changed).toBe(true);
      expect(h.plain).toEqual(config);
      expect(outcome.managedFields).toEqual([
        {
          manager: "ferry",
          operation: "Apply",
          apiVersion: "apps/v1",
          time: at(1),
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:metadata": { "f:labels": { "f:app": {} } },
            "f:spec": {
              "f:replicas": {},
              "f:template": {
                "f:spec": {
                  "f:containers": {
                    'k:{"name":"web"}': {
                      ".": {},
                      "f:image": {},
                      "f:name": {},
                      "f:ports": {
                        'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      ]);
      expect((outcome.object.metadata as Obj).managedFields).toEqual(outcome.managedFields);
    },
  },
  {
    name: "re-applying the same config changes nothing, managedFields byte-identical",
    run: () => {
      const h = newDeployment();
      const config = deployment({
        replicas: 2,
        labels: { app: "web" },
        containers: [web()],
        finalizers: ["a"],
      });
      h.applyOk("ferry", config);
      const before = structuredClone(h.object);
      const outcome = h.applyOk("ferry", config);
      expect(outcome.changed).toBe(false);
      expect(JSON.stringify(outcome.managedFields)).toBe(
        JSON.stringify((before?.metadata as Obj | undefined)?.managedFields),
      );
      expect(outcome.managedFields[0].time).toBe(at(1));
      expect(h.object).toEqual(before);
    },
  },
  {
    name: "a no-op apply keeps managedFields as they were even when the live order is unusual",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 2 }));
      h.update("kubectl-edit", (o) => {
        (o.metadata as Obj).labels = { team: "a" };
        return o;
      });
      const reordered = [...h.managedFields].reverse();
      (h.object?.metadata as Obj).managedFields = reordered;
      const outcome = h.applyOk("ferry", deployment({ replicas: 2 }));
      expect(outcome.changed).toBe(false);
      expect(outcome.managedFields).toEqual(reordered);
    },
  },
  {
    name: "a manager that stops applying a label removes it",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 1, labels: { app: "web", tier: "front" } }));
      const outcome = h.applyOk("ferry", deployment({ replicas: 1, labels: { app: "web" } }));
      expect(outcome.changed).toBe(true);
      expect((h.plain.metadata as Obj).labels).toEqual({ app: "web" });
      expect(h.fields("ferry")).toEqual({
        "f:metadata": { "f:labels": { "f:app": {} } },
        "f:spec": { "f:replicas": {} },
      });
      expect(h.entry("ferry")?.time).toBe(at(2));
    },
  },
  {
    name: "removing the last label drops the labels map but keeps metadata",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 1, labels: { app: "web" } }));
      h.applyOk("ferry", deployment({ replicas: 1 }));
      expect(h.plain.metadata).toEqual({ name: "app", namespace: "default" });
    },
  },
  {
    name: "a label another manager still owns is kept when the applier stops applying it",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ labels: { app: "web" } }));
      h.applyOk("helm", deployment({ labels: { app: "web" } }));
      h.applyOk("ferry", deployment({ replicas: 3 }));
      expect((h.plain.metadata as Obj).labels).toEqual({ app: "web" });
      expect(h.fields("ferry")).toEqual({ "f:spec": { "f:replicas": {} } });
      expect(h.fields("helm")).toEqual({ "f:metadata": { "f:labels": { "f:app": {} } } });
    },
  },
  {
    name: "a field set by an Update manager is kept when the applier stops applying it",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ labels: { app: "web" }, replicas: 1 }));
      h.update("kubectl-label", (o) => {
        (o.metadata as Obj).labels = { app: "web", team: "a" };
        return o;
      });
      h.applyOk("ferry", deployment({ replicas: 1 }));
      expect((h.plain.metadata as Obj).labels).toEqual({ team: "a" });
    },
  },
  {
    name: "two managers applying the same value share the field without conflict",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 2 }));
      const outcome = h.apply("helm", deployment({ replicas: 2 }));
      expect(outcome.ok).toBe(true);
      expect(outcome.ok && outcome.changed).toBe(true);
      expect(h.fields("ferry")).toEqual({ "f:spec": { "f:replicas": {} } });
      expect(h.fields("helm")).toEqual({ "f:spec": { "f:replicas": {} } });
      expect(h.managedFields.map((e) => e.manager)).toEqual(["ferry", "helm"]);
    },
  },
  {
    name: "a different value conflicts with the owning applier",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 2 }));
      const live = structuredClone(h.object);
      expect(conflictsOf(h.apply("helm", deployment({ replicas: 5 })))).toEqual([
        { manager: "ferry", operation: "Apply", apiVersion: "apps/v1", time: at(1), field: ".spec.replicas" },
      ]);
      expect(h.object).toEqual(live);
    },
  },
  {
    name: "force takes the field over and the other manager loses it",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 2, labels: { app: "web" } }));
      h.applyOk("helm", deployment({ replicas: 5 }), { force: true });
      expect(spec(h).replicas).toBe(5);
      expect(h.fields("ferry")).toEqual({ "f:metadata": { "f:labels": { "f:app": {} } } });
      expect(h.fields("helm")).toEqual({ "f:spec": { "f:replicas": {} } });
      expect(h.entry("ferry")?.time).toBe(at(1));
    },
  },
  {
    name: "force takes over the only field: the loser's entry disappears",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 2 }));
      h.applyOk("helm", deployment({ replicas: 5 }), { force: true });
      expect(h.managedFields.map((e) => e.manager)).toEqual(["helm"]);
    },
  },
  {
    name: "an Update of spec.replicas then an Apply of another value conflicts with the Update manager",
    run: () => {
      const h = newDeployment();
      h.update("kubectl-create", () => deployment({ replicas: 1 }));
      h.update("kubectl-edit", (o) => {
        (o.spec as Obj).replicas = 3;
        return o;
      });
      expect(conflictsOf(h.apply("ferry", deployment({ replicas: 4 })))).toEqual([
        {
          manager: "kubectl-edit",
          operation: "Update",
          apiVersion: "apps/v1",
          time: at(2),
          field: ".spec.replicas",
        },
      ]);
    },
  },
  {
    name: "the applier's own Update entry conflicts, its own Apply entry does not",
    run: () => {
      const h = newDeployment();
      h.update("ferry", () => deployment({ replicas: 1 }));
      expect(conflictsOf(h.apply("ferry", deployment({ replicas: 2 }))).map((c) => c.operation)).toEqual([
        "Update",
      ]);
      h.applyOk("ferry", deployment({ replicas: 2 }), { force: true });
      expect(h.applyOk("ferry", deployment({ replicas: 3 })).changed).toBe(true);
    },
  },
  {
    name: "all conflicts come back, one per manager and field",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 2, labels: { app: "web" } }));
      h.applyOk("helm", deployment({ replicas: 2, labels: { app: "web" } }));
      const conflicts = conflictsOf(h.apply("argo", deployment({ replicas: 3, labels: { app: "api" } })));
      expect(conflicts.map((c) => `${c.manager} ${c.field}`)).toEqual([
        "ferry .metadata.labels.app",
        "ferry .spec.replicas",
        "helm .metadata.labels.app",
        "helm .spec.replicas",
      ]);
    },
  },
  {
    name: "a conflict inside a container names the item by its key",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ containers: [web("nginx:1.25")] }));
      expect(conflictsOf(h.apply("helm", deployment({ containers: [web("nginx:1.27")] })))).toEqual([
        {
          manager: "ferry",
          operation: "Apply",
          apiVersion: "apps/v1",
          time: at(1),
          field: '.spec.template.spec.containers[name="web"].image',
        },
      ]);
    },
  },
  {
    name: "containers merge by name; removing one's container removes only that container",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ containers: [web()] }));
      h.applyOk("mesh", deployment({ containers: [sidecar()] }));
      expect(containers(h)).toEqual([web(), sidecar()]);
      expect(h.fields("mesh")).toEqual({
        "f:spec": {
          "f:template": {
            "f:spec": {
              "f:containers": { 'k:{"name":"sidecar"}': { ".": {}, "f:image": {}, "f:name": {} } },
            },
          },
        },
      });
      h.applyOk("mesh", deployment({ replicas: 1 }));
      expect(containers(h)).toEqual([web()]);
      expect(h.fields("ferry")).toEqual({
        "f:spec": {
          "f:template": {
            "f:spec": {
              "f:containers": {
                'k:{"name":"web"}': {
                  ".": {},
                  "f:image": {},
                  "f:name": {},
                  "f:ports": {
                    'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
                  },
                },
              },
            },
          },
        },
      });
    },
  },
  {
    name: "removing a field inside a shared container keeps the container and its name",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ containers: [{ name: "web", image: "nginx", args: ["-v"] }] }));
      h.applyOk("debug", deployment({ containers: [{ name: "web", tty: true }] }));
      h.applyOk("ferry", deployment({ replicas: 1 }));
      expect(containers(h)).toEqual([{ name: "web", tty: true }]);
    },
  },
  {
    name: "a container kept for an Update manager's field keeps its name",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 1, containers: [{ name: "web", image: "nginx:1.25" }] }));
      h.update("kubectl-set-image", (o) => {
        (((o.spec as Obj).template as Obj).spec as { containers: Obj[] }).containers[0].image = "nginx:1.27";
        return o;
      });
      h.applyOk("ferry", deployment({ replicas: 1 }));
      expect(containers(h)).toEqual([{ name: "web", image: "nginx:1.27" }]);
      expect(h.fields("ferry")).toEqual({ "f:spec": { "f:replicas": {} } });
    },
  },
  {
    name: "removing the last container drops the emptied template but keeps spec",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ containers: [web()] }));
      h.applyOk("ferry", deployment({ labels: { app: "web" } }));
      expect(h.plain.spec).toEqual({});
      expect(h.fields("ferry")).toEqual({ "f:metadata": { "f:labels": { "f:app": {} } } });
    },
  },
  {
    name: "container ports are keyed by containerPort and protocol, TCP by default",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ containers: [web()] }));
      h.applyOk(
        "ops",
        deployment({
          containers: [{ name: "web", ports: [{ containerPort: 80, protocol: "TCP", name: "http" }] }],
        }),
      );
      const ports = containers(h)[0].ports;
      expect(ports).toEqual([{ containerPort: 80, protocol: "TCP", name: "http" }]);
      const ops = h.fields("ops") as Obj;
      const item = JSON.stringify(ops).includes('k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}');
      expect(item).toBe(true);
      h.applyOk("ops", deployment({ replicas: 1 }));
      expect(containers(h)[0].ports).toEqual([{ containerPort: 80 }]);
    },
  },
  {
    name: "a UDP port on the same number is a different item",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ containers: [web()] }));
      h.applyOk(
        "dns",
        deployment({ containers: [{ name: "web", ports: [{ containerPort: 80, protocol: "UDP" }] }] }),
      );
      expect(containers(h)[0].ports).toEqual([{ containerPort: 80 }, { containerPort: 80, protocol: "UDP" }]);
    },
  },
  {
    name: "finalizers merge as a set and each manager removes only its own",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ finalizers: ["ferry.dev/cleanup"] }));
      h.applyOk("other", deployment({ finalizers: ["other.dev/hold"] }));
      expect((h.plain.metadata as Obj).finalizers).toEqual(["ferry.dev/cleanup", "other.dev/hold"]);
      expect(h.fields("ferry")).toEqual({
        "f:metadata": { "f:finalizers": { 'v:"ferry.dev/cleanup"': {} } },
      });
      h.applyOk("ferry", deployment({ replicas: 1 }));
      expect((h.plain.metadata as Obj).finalizers).toEqual(["other.dev/hold"]);
    },
  },
  {
    name: "the same finalizer from two managers is shared",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ finalizers: ["x"] }));
      h.applyOk("other", deployment({ finalizers: ["x"] }));
      h.applyOk("ferry", deployment({ replicas: 1 }));
      expect((h.plain.metadata as Obj).finalizers).toEqual(["x"]);
    },
  },
  {
    name: "an atomic list is replaced wholesale and owned as one field",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ containers: [{ name: "web", args: ["--a", "--b"] }] }));
      h.applyOk("ferry", deployment({ containers: [{ name: "web", args: ["--c"] }] }));
      expect(containers(h)[0].args).toEqual(["--c"]);
      const conflicts = conflictsOf(
        h.apply("ops", deployment({ containers: [{ name: "web", args: ["--d"] }] })),
      );
      expect(conflicts.map((c) => c.field)).toEqual(['.spec.template.spec.containers[name="web"].args']);
      h.applyOk("ops", deployment({ containers: [{ name: "web", args: ["--d"] }] }), { force: true });
      expect(containers(h)[0].args).toEqual(["--d"]);
      expect(h.fields("ferry")).toEqual({
        "f:spec": {
          "f:template": { "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:name": {} } } } },
        },
      });
    },
  },
  {
    name: "resetPaths [status]: status in the applied config is neither tracked nor changed",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 1, status: { replicas: 9 } }));
      expect(h.plain.status).toBeUndefined();
      expect(h.fields("ferry")).toEqual({ "f:spec": { "f:replicas": {} } });
      h.object = { ...(h.object as Obj), status: { replicas: 1 } };
      const outcome = h.applyOk("ferry", deployment({ replicas: 1, status: { replicas: 7 } }));
      expect(outcome.changed).toBe(false);
      expect(h.plain.status).toEqual({ replicas: 1 });
    },
  },
  {
    name: "apply to /status owns status with subresource and never conflicts with the main resource",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 1 }));
      h.applyOk(
        "controller",
        { ...deployment({ replicas: 7 }), status: { replicas: 1 } },
        { subresource: "status" },
      );
      expect(spec(h).replicas).toBe(1);
      expect(h.plain.status).toEqual({ replicas: 1 });
      expect(h.entry("controller")).toMatchObject({
        subresource: "status",
        fieldsV1: { "f:status": { "f:replicas": {} } },
      });
      const outcome = h.apply(
        "other",
        { ...deployment({}), status: { replicas: 2 } },
        { subresource: "status" },
      );
      expect(conflictsOf(outcome)).toEqual([
        {
          manager: "controller",
          operation: "Apply",
          apiVersion: "apps/v1",
          time: at(2),
          field: ".status.replicas",
        },
      ]);
    },
  },
  {
    name: "entries of another subresource never conflict",
    run: () => {
      const h = new Harness("Deployment", "apps/v1", []);
      h.applyOk("controller", { ...deployment({}), status: { replicas: 1 } }, { subresource: "status" });
      const outcome = h.applyOk("ferry", deployment({ replicas: 1, status: { replicas: 2 } }));
      expect(outcome.changed).toBe(true);
      expect(h.plain.status).toEqual({ replicas: 2 });
      expect(h.managedFields.map((e) => [e.manager, e.subresource, e.fieldsV1])).toEqual([
        ["controller", "status", { "f:status": { "f:replicas": {} } }],
        ["ferry", undefined, { "f:spec": { "f:replicas": {} }, "f:status": { "f:replicas": {} } }],
      ]);
    },
  },
  {
    name: "untracked metadata is neither owned nor taken from the applied config",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 1 }));
      (h.object?.metadata as Obj).uid = "u-1";
      (h.object?.metadata as Obj).resourceVersion = "5";
      const config = deployment({ replicas: 1 });
      (config.metadata as Obj).resourceVersion = "5";
      (config.metadata as Obj).creationTimestamp = null;
      expect(h.applyOk("ferry", config).changed).toBe(false);
      expect((h.plain.metadata as Obj).uid).toBe("u-1");
      expect(h.fields("ferry")).toEqual({ "f:spec": { "f:replicas": {} } });
    },
  },
  {
    name: "ConfigMap data keys are owned one by one",
    run: () => {
      const h = newConfigMap();
      h.applyOk("ferry", configMap({ a: "1", b: "2" }));
      h.applyOk("ops", configMap({ c: "3", b: "2" }));
      expect(conflictsOf(h.apply("ops", configMap({ a: "x" }))).map((c) => c.field)).toEqual([".data.a"]);
      h.applyOk("ferry", configMap({ a: "1" }));
      expect(h.plain.data).toEqual({ a: "1", b: "2", c: "3" });
      h.applyOk("ops", configMap({ c: "3" }));
      expect(h.plain.data).toEqual({ a: "1", c: "3" });
      expect(h.fields("ferry")).toEqual({ "f:data": { "f:a": {} } });
    },
  },
  {
    name: "ConfigMap: removing every data key keeps the top-level data map",
    run: () => {
      const h = newConfigMap();
      h.applyOk("ferry", configMap({ a: "1" }, { app: "x" }));
      const { data: _data, ...labelsOnly } = configMap({}, { app: "x" });
      h.applyOk("ferry", labelsOnly);
      expect(h.plain.data).toEqual({});
      expect(h.fields("ferry")).toEqual({ "f:metadata": { "f:labels": { "f:app": {} } } });
    },
  },
];

const updateScenarios: Scenario[] = [
  {
    name: "recordUpdate on create owns every tracked field",
    run: () => {
      const h = newConfigMap();
      const managedFields = h.update("kubectl-create", () => ({
        ...configMap({ a: "1" }, { app: "x" }),
        metadata: { name: "settings", namespace: "default", uid: "u", labels: { app: "x" }, annotations: {} },
      }));
      expect(managedFields).toEqual([
        {
          manager: "kubectl-create",
          operation: "Update",
          apiVersion: "v1",
          time: at(1),
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:data": { "f:a": {} },
            "f:metadata": { "f:annotations": {}, "f:labels": { "f:app": {} } },
          },
        },
      ]);
    },
  },
  {
    name: "recordUpdate on create of a Deployment keys containers and ports",
    run: () => {
      const h = newDeployment();
      const managedFields = h.update("helm", () =>
        deployment({ containers: [web()], status: { replicas: 0 } }),
      );
      expect(managedFields[0].fieldsV1).toEqual({
        "f:spec": {
          "f:template": {
            "f:spec": {
              "f:containers": {
                'k:{"name":"web"}': {
                  ".": {},
                  "f:image": {},
                  "f:name": {},
                  "f:ports": {
                    'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
                  },
                },
              },
            },
          },
        },
      });
    },
  },
  {
    name: "recordUpdate removal drops the field from the other managers",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 1, labels: { app: "web", tier: "front" } }));
      h.update("kubectl-edit", (o) => {
        delete ((o.metadata as Obj).labels as Obj).tier;
        return o;
      });
      expect(h.fields("ferry")).toEqual({
        "f:metadata": { "f:labels": { "f:app": {} } },
        "f:spec": { "f:replicas": {} },
      });
      expect(h.entry("kubectl-edit", "Update")).toBeUndefined();
      expect(h.entry("ferry")?.time).toBe(at(1));
    },
  },
  {
    name: "recordUpdate removing a manager's only field drops its entry",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 1 }));
      h.applyOk("helm", deployment({ labels: { app: "web" } }));
      h.update("kubectl-edit", (o) => {
        delete (o.metadata as Obj).labels;
        return o;
      });
      expect(h.managedFields.map((e) => e.manager)).toEqual(["ferry"]);
    },
  },
  {
    name: "recordUpdate of a changed value takes the field from the applier",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 1, labels: { app: "web" } }));
      h.update("hpa", (o) => {
        (o.spec as Obj).replicas = 4;
        return o;
      });
      expect(h.fields("ferry")).toEqual({ "f:metadata": { "f:labels": { "f:app": {} } } });
      expect(h.entry("hpa", "Update")).toEqual({
        manager: "hpa",
        operation: "Update",
        apiVersion: "apps/v1",
        time: at(2),
        fieldsType: "FieldsV1",
        fieldsV1: { "f:spec": { "f:replicas": {} } },
      });
    },
  },
  {
    name: "recordUpdate that changes nothing leaves managedFields as they were",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ replicas: 1 }));
      const before = structuredClone(h.managedFields);
      const after = h.update("kubectl-replace", (o) => o);
      expect(after).toEqual(before);
    },
  },
  {
    name: "recordUpdate adds to the manager's entry and stamps it only when its set changes",
    run: () => {
      const h = newConfigMap();
      h.update("editor", () => configMap({ a: "1" }));
      h.update("editor", (o) => ({ ...o, data: { a: "1", b: "2" } }));
      expect(h.entry("editor", "Update")).toMatchObject({
        time: at(2),
        fieldsV1: { "f:data": { "f:a": {}, "f:b": {} } },
      });
      h.update("editor", (o) => ({ ...o, data: { a: "1", b: "2" } }));
      expect(h.entry("editor", "Update")?.time).toBe(at(2));
      h.update("other", (o) => ({ ...o, data: { a: "1", b: "3" } }));
      expect(h.entry("editor", "Update")).toMatchObject({
        time: at(2),
        fieldsV1: { "f:data": { "f:a": {} } },
      });
    },
  },
  {
    name: "recordUpdate of a container image takes only that field",
    run: () => {
      const h = newDeployment();
      h.applyOk("ferry", deployment({ containers: [web("nginx:1.25")] }));
      h.update("kubectl-set-image", (o) => {
        (((o.spec as Obj).template as Obj).spec as { containers: Obj[] }).containers[0].image = "nginx:1.27";
        return o;
      });
      expect(h.fields("kubectl-set-image", "Update")).toEqual({
        "f:spec": {
          "f:template": { "f:spec": { "f:containers": { 'k:{"name":"web"}': { "f:image": {} } } } },
        },
      });
      const outcome = h.apply("ferry", deployment({ containers: [web("nginx:1.25")] }));
      expect(conflictsOf(outcome).map((c) => `${c.manager}/${c.operation} ${c.field}`)).toEqual([
        'kubectl-set-image/Update .spec.template.spec.containers[name="web"].image',
      ]);
    },
  },
];

describe("applyConfiguration", () => {
  it.each(applyScenarios)("$name", ({ run }) => run());
});

describe("recordUpdate", () => {
  it.each(updateScenarios)("$name", ({ run }) => run());
});

describe("fieldPathString", () => {
  it.each([
    { path: ["f:spec", "f:replicas"], field: ".spec.replicas" },
    { path: ["f:metadata", "f:labels", "f:app"], field: ".metadata.labels.app" },
    {
      path: ["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"web"}', "f:image"],
      field: '.spec.template.spec.containers[name="web"].image',
    },
    {
      path: ["f:ports", 'k:{"containerPort":80,"protocol":"TCP"}'],
      field: '.ports[containerPort=80,protocol="TCP"]',
    },
    { path: ["f:metadata", "f:finalizers", 'v:"a/b"'], field: '.metadata.finalizers[="a/b"]' },
  ])("$field", ({ path, field }) => {
    expect(fieldPathString(path)).toBe(field);
  });
});

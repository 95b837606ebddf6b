/**
 * Staged server-side apply (`planApply` + `applyPlanned`) against the test API server: what each
 * object ends as, what is written and what is not, Flux's policy annotations, Namespaces and CRDs
 * in the same set as what needs them, invalid objects and immutable fields.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApplyOptions,
  applyPlanned,
  FIELD_MANAGER,
  hasDrifted,
  isImmutableError,
  planApply,
} from "../../src/cluster/apply.js";
import { KubeApiError, KubeClient } from "../../src/cluster/client.js";
import type { AppliedRecord } from "../../src/cluster/record.js";
import { inventoryId, type KubeObject, type Manifest } from "../../src/model/object.js";
import { type ChangeSetEntry, ReconcileError } from "../../src/model/result.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { writesSince } from "../support/fleet.js";

const owner = { name: "apps", namespace: "flux-system" };

const configMap = (namespace: string, name: string, data: Record<string, string>, meta: object = {}) =>
  ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, ...meta }, data }) as KubeObject;

const deployment = (namespace: string, name: string, app: string, meta: object = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace, ...meta },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app } },
    template: {
      metadata: { labels: { app } },
      spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
    },
  },
});

const namespaceObject = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name },
});

/** Each object as a build gives it: from `file`, one document after another. */
const fromFile = (file: string, ...objects: KubeObject[]): Manifest[] =>
  objects.map((object, i) => ({ object, origin: { file, line: 1 + i * 10 } }));

const actions = (entries: ChangeSetEntry[]) => Object.fromEntries(entries.map((e) => [e.subject, e.action]));

describe("staged server-side apply against the test API server", () => {
  let server: KubeApiServer;
  let client: KubeClient;

  const apply = async (manifests: Manifest[], options: Partial<ApplyOptions> = {}) => {
    const planned = await planApply(client, manifests, { owner, ...options });
    return applyPlanned(client, planned, { owner, ...options });
  };
  const createNamespace = (name: string) =>
    server.objects.create(
      { type: server.type("v1", "Namespace") },
      { metadata: { name } },
      { dryRun: false, fieldManager: "test" },
    );
  /** Non-dry-run PATCHes since `from`, as `resource/name`. */
  const appliedSince = (from: number) =>
    server.requests
      .slice(from)
      .filter((r) => r.method === "PATCH" && r.query.dryRun !== "All")
      .map((r) => `${r.target?.resource}/${r.target?.name}`);

  beforeAll(async () => {
    server = await KubeApiServer.start();
    client = await KubeClient.connect({ kubeconfigText: server.kubeconfig() });
  });

  afterAll(async () => {
    client.close();
    await server.stop();
  });

  describe("created, configured, unchanged", () => {
    beforeAll(() => createNamespace("basics"));
    const set = (color: string) =>
      fromFile(
        "apps/settings.yaml",
        configMap("basics", "settings", { color }),
        configMap("basics", "limits", { cpu: "1" }),
      );

    it("creates what is missing", async () => {
      const entries = await apply(set("blue"));
      expect(actions(entries)).toEqual({
        "ConfigMap/basics/limits": "created",
        "ConfigMap/basics/settings": "created",
      });
      expect(entries.find((e) => e.subject === "ConfigMap/basics/settings")).toMatchObject({
        ref: { group: "", version: "v1", kind: "ConfigMap", namespace: "basics", name: "settings" },
        origin: { file: "apps/settings.yaml", line: 1 },
      });
      expect(server.get("v1", "ConfigMap", "basics", "settings")?.data).toEqual({ color: "blue" });
    });

    it("labels what it applies with the unit that owns it", async () => {
      expect(server.get("v1", "ConfigMap", "basics", "settings")?.metadata.labels).toEqual({
        "ferry.dev/name": "apps",
        "ferry.dev/namespace": "flux-system",
      });
      const managers = server.get("v1", "ConfigMap", "basics", "limits")?.metadata.managedFields;
      expect(managers.map((m: { manager: string; operation: string }) => [m.manager, m.operation])).toEqual([
        [FIELD_MANAGER, "Apply"],
      ]);
    });

    it("reports a second, identical apply unchanged and writes nothing", async () => {
      const before = server.requests.length;
      const entries = await apply(set("blue"));
      expect(actions(entries)).toEqual({
        "ConfigMap/basics/limits": "unchanged",
        "ConfigMap/basics/settings": "unchanged",
      });
      expect(writesSince(server, before)).toEqual([]);
      // It did ask: every object was dry-run.
      expect(server.requests.slice(before).filter((r) => r.query.dryRun === "All")).toHaveLength(2);
    });

    it("configures only the object that changed in Git", async () => {
      const before = server.requests.length;
      const entries = await apply(set("green"));
      expect(actions(entries)).toEqual({
        "ConfigMap/basics/limits": "unchanged",
        "ConfigMap/basics/settings": "configured",
      });
      expect(appliedSince(before)).toEqual(["configmaps/settings"]);
      expect(server.get("v1", "ConfigMap", "basics", "settings")?.data).toEqual({ color: "green" });
    });

    it("reverts a change another field manager made", async () => {
      server.objects.patch(
        { type: server.type("v1", "ConfigMap"), namespace: "basics", name: "settings" },
        "application/merge-patch+json",
        JSON.stringify({ data: { color: "red" }, metadata: { labels: { extra: "yes" } } }),
        { dryRun: false, fieldManager: "kubectl-edit" },
      );
      const entries = await apply(set("green"));
      expect(actions(entries)["ConfigMap/basics/settings"]).toBe("configured");
      expect(server.get("v1", "ConfigMap", "basics", "settings")?.data).toEqual({ color: "green" });
    });
  });

  describe("Flux's ssa and reconcile annotations", () => {
    beforeAll(() => createNamespace("policy"));

    it("ssa: IfNotPresent creates the object once, then leaves it alone even when Git changes", async () => {
      const ifNotPresent = { annotations: { "kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent" } };
      const first = await apply(fromFile("a.yaml", configMap("policy", "seed", { v: "1" }, ifNotPresent)));
      expect(actions(first)).toEqual({ "ConfigMap/policy/seed": "created" });

      const before = server.requests.length;
      const second = await apply(fromFile("a.yaml", configMap("policy", "seed", { v: "2" }, ifNotPresent)));
      expect(second).toEqual([
        expect.objectContaining({
          subject: "ConfigMap/policy/seed",
          action: "skipped",
          reason: expect.stringContaining("IfNotPresent"),
        }),
      ]);
      expect(writesSince(server, before)).toEqual([]);
      expect(server.get("v1", "ConfigMap", "policy", "seed")?.data).toEqual({ v: "1" });

      server.objects.delete(
        { type: server.type("v1", "ConfigMap"), namespace: "policy", name: "seed" },
        { dryRun: false },
      );
      const third = await apply(fromFile("a.yaml", configMap("policy", "seed", { v: "3" }, ifNotPresent)));
      expect(actions(third)).toEqual({ "ConfigMap/policy/seed": "created" });
      expect(server.get("v1", "ConfigMap", "policy", "seed")?.data).toEqual({ v: "3" });
    });

    it.each([
      [
        "ssa: Ignore as an annotation",
        { annotations: { "kustomize.toolkit.fluxcd.io/ssa": "Ignore" } },
        "ssa: Ignore",
      ],
      ["ssa: ignore as a label", { labels: { "kustomize.toolkit.fluxcd.io/ssa": "ignore" } }, "ssa: Ignore"],
      [
        "reconcile: disabled as an annotation",
        { annotations: { "kustomize.toolkit.fluxcd.io/reconcile": "disabled" } },
        "reconcile: disabled",
      ],
      [
        "reconcile: Disabled as a label",
        { labels: { "kustomize.toolkit.fluxcd.io/reconcile": "Disabled" } },
        "reconcile: disabled",
      ],
    ])("%s: skipped and never written, whether it exists or not", async (_, meta, reason) => {
      const name = `excluded-${server.requests.length}`;
      const before = server.requests.length;
      const entries = await apply(fromFile("x.yaml", configMap("policy", name, { v: "git" }, meta)));
      expect(entries).toEqual([
        expect.objectContaining({
          subject: `ConfigMap/policy/${name}`,
          action: "skipped",
          reason: `kustomize.toolkit.fluxcd.io/${reason}`,
        }),
      ]);
      expect(server.get("v1", "ConfigMap", "policy", name)).toBeUndefined();

      server.objects.create(
        { type: server.type("v1", "ConfigMap"), namespace: "policy" },
        { metadata: { name }, data: { v: "cluster" } },
        { dryRun: false, fieldManager: "someone-else" },
      );
      const again = await apply(fromFile("x.yaml", configMap("policy", name, { v: "git" }, meta)));
      expect(actions(again)).toEqual({ [`ConfigMap/policy/${name}`]: "skipped" });
      expect(server.get("v1", "ConfigMap", "policy", name)?.data).toEqual({ v: "cluster" });
      expect(writesSince(server, before).map((r) => r.method)).toEqual([]);
    });
    it.each([
      ["reconcile: disabled", "kustomize.toolkit.fluxcd.io/reconcile", "disabled"],
      ["ssa: Ignore", "kustomize.toolkit.fluxcd.io/ssa", "Ignore"],
    ])("leaves alone an object someone annotated %s in the cluster", async (_, key, value) => {
      const name = `paused-${value.toLowerCase()}`;
      await apply(fromFile("p.yaml", configMap("policy", name, { v: "git" })));
      // `kubectl annotate configmap … KEY=VALUE` and a hand edit: Flux skips objects whose in-cluster
      // metadata matches its exclusion selector (fluxcd/pkg ssa shouldSkipApply), not only Git's.
      server.objects.patch(
        { type: server.type("v1", "ConfigMap"), namespace: "policy", name },
        "application/merge-patch+json",
        JSON.stringify({ metadata: { annotations: { [key]: value } }, data: { v: "hotfix" } }),
        { dryRun: false, fieldManager: "kubectl-annotate" },
      );
      const before = server.requests.length;
      const entries = await apply(fromFile("p.yaml", configMap("policy", name, { v: "git" })));
      expect(actions(entries)).toEqual({ [`ConfigMap/policy/${name}`]: "skipped" });
      expect(writesSince(server, before)).toEqual([]);
      expect(server.get("v1", "ConfigMap", "policy", name)?.data).toEqual({ v: "hotfix" });
    });
  });

  describe("what a set needs, in the same set", () => {
    it("creates a Namespace in the definitions stage before the objects in it", async () => {
      const before = server.requests.length;
      const entries = await apply([
        ...fromFile("team/config.yaml", configMap("team", "settings", { a: "1" })),
        ...fromFile("team/namespace.yaml", namespaceObject("team")),
      ]);
      expect(entries.map((e) => [e.subject, e.action])).toEqual([
        ["Namespace/team", "created"],
        ["ConfigMap/team/settings", "created"],
      ]);
      expect(appliedSince(before)).toEqual(["namespaces/team", "configmaps/settings"]);
      expect(server.get("v1", "ConfigMap", "team", "settings")?.data).toEqual({ a: "1" });
    });

    it("applies a custom resource after its CRD, once the CRD is established", async () => {
      const crd: KubeObject = {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "widgets.example.com" },
        spec: {
          group: "example.com",
          names: { kind: "Widget", plural: "widgets", singular: "widget", listKind: "WidgetList" },
          scope: "Namespaced",
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
            },
          ],
        },
      };
      const widget: KubeObject = {
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name: "gear", namespace: "widgets" },
        spec: { size: 3 },
      };
      const before = server.requests.length;
      const entries = await apply([
        ...fromFile("widgets/gear.yaml", widget),
        ...fromFile("widgets/crd.yaml", crd),
        ...fromFile("widgets/namespace.yaml", namespaceObject("widgets")),
      ]);
      expect(entries.map((e) => [e.subject, e.action])).toEqual([
        ["CustomResourceDefinition/widgets.example.com", "created"],
        ["Namespace/widgets", "created"],
        ["Widget/widgets/gear", "created"],
      ]);
      const applied = appliedSince(before);
      expect(applied.indexOf("customresourcedefinitions/widgets.example.com")).toBeLessThan(
        applied.indexOf("widgets/gear"),
      );
      // The CRD was read back (to see it Established) before the custom resource was applied.
      const crdRead = server.requests.findIndex(
        (r, i) =>
          i > before &&
          r.method === "GET" &&
          r.target?.resource === "customresourcedefinitions" &&
          r.target.name === "widgets.example.com",
      );
      const widgetApplied = server.requests.findIndex(
        (r, i) =>
          i > before && r.method === "PATCH" && r.query.dryRun !== "All" && r.target?.resource === "widgets",
      );
      expect(crdRead).toBeGreaterThan(-1);
      expect(crdRead).toBeLessThan(widgetApplied);
      expect(server.get("example.com/v1", "Widget", "widgets", "gear")?.spec).toEqual({ size: 3 });

      const again = await apply([
        ...fromFile("widgets/gear.yaml", widget),
        ...fromFile("widgets/crd.yaml", crd),
        ...fromFile("widgets/namespace.yaml", namespaceObject("widgets")),
      ]);
      expect(new Set(again.map((e) => e.action))).toEqual(new Set(["unchanged"]));
    });

    it("drops the namespace kustomize set on a cluster-scoped object", async () => {
      const role: KubeObject = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "widget-viewer", namespace: "team" },
        rules: [{ apiGroups: ["example.com"], resources: ["widgets"], verbs: ["get"] }],
      };
      const entries = await apply(fromFile("rbac.yaml", role));
      expect(entries.map((e) => [e.subject, e.action, e.ref.namespace])).toEqual([
        ["ClusterRole/widget-viewer", "created", undefined],
      ]);
      expect(
        server.get("rbac.authorization.k8s.io/v1", "ClusterRole", undefined, "widget-viewer"),
      ).toBeDefined();
    });
  });

  describe("objects unchanged since the previous run (records in the inventory)", () => {
    beforeAll(() => createNamespace("records"));
    const settings = (color: string) => fromFile("records.yaml", configMap("records", "settings", { color }));
    /** Apply as the reconcile does: with what the previous run recorded, returning this run's records. */
    const applyRemembering = async (
      manifests: Manifest[],
      previous: Map<string, AppliedRecord>,
      unit: typeof owner = owner,
    ) => {
      const planned = await planApply(client, manifests, { owner: unit, previous });
      const entries = await applyPlanned(client, planned, { owner: unit, previous });
      const records = new Map(
        planned.flatMap((p) => (p.record ? [[inventoryId(p.ref), p.record] as const] : [])),
      );
      return { entries, records };
    };

    it("reports an object applied last time unchanged without asking the server", async () => {
      const first = await applyRemembering(settings("blue"), new Map());
      expect(actions(first.entries)).toEqual({ "ConfigMap/records/settings": "created" });
      const before = server.requests.length;
      const second = await applyRemembering(settings("blue"), first.records);
      expect(actions(second.entries)).toEqual({ "ConfigMap/records/settings": "unchanged" });
      expect(server.requests.slice(before).filter((r) => r.method === "PATCH")).toEqual([]);
    });

    it.each<[string, string, string]>([
      [
        "changed a value Ferry set",
        "application/merge-patch+json",
        JSON.stringify({ data: { color: "red" } }),
      ],
      [
        "removed a label Ferry set",
        "application/json-patch+json",
        JSON.stringify([{ op: "remove", path: "/metadata/labels/ferry.dev~1name" }]),
      ],
    ])("reverts an object someone %s since, despite the records", async (_, contentType, patch) => {
      const first = await applyRemembering(settings("blue"), new Map());
      server.objects.patch(
        { type: server.type("v1", "ConfigMap"), namespace: "records", name: "settings" },
        contentType,
        patch,
        { dryRun: false, fieldManager: "kubectl-patch" },
      );
      const second = await applyRemembering(settings("blue"), first.records);
      expect(actions(second.entries)).toEqual({ "ConfigMap/records/settings": "configured" });
      const live = server.get("v1", "ConfigMap", "records", "settings");
      expect(live?.data).toEqual({ color: "blue" });
      expect(live?.metadata.labels).toMatchObject({ "ferry.dev/name": "apps" });
    });

    it("re-applies an object another Ferry unit changed since (same field manager, other values)", async () => {
      const first = await applyRemembering(settings("blue"), new Map());
      // Another unit (or `ferry apply --name …` from a laptop) applies the same object differently.
      await applyRemembering(settings("red"), new Map(), { name: "other", namespace: "flux-system" });
      expect(server.get("v1", "ConfigMap", "records", "settings")?.data).toEqual({ color: "red" });

      const again = await applyRemembering(settings("blue"), first.records);
      expect(actions(again.entries)).toEqual({ "ConfigMap/records/settings": "configured" });
      expect(server.get("v1", "ConfigMap", "records", "settings")?.data).toEqual({ color: "blue" });
    });
  });

  describe("objects the cluster refuses", () => {
    beforeAll(() => createNamespace("invalid"));

    it("rejects the whole set when one object is invalid, naming it and its file, and writes nothing", async () => {
      const before = server.requests.length;
      const manifests = [
        ...fromFile("apps/good.yaml", configMap("invalid", "good", { a: "1" })),
        ...fromFile(
          "apps/bad.yaml",
          configMap("invalid", "fine", { b: "2" }),
          configMap("invalid", "Bad_Name", {}),
        ),
      ];
      const error = await planApply(client, manifests, { owner }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReconcileError);
      const { problems, message } = error as ReconcileError;
      expect(message).toBe("1 object failed validation; nothing was applied");
      expect(problems).toEqual([
        {
          subject: "ConfigMap/invalid/Bad_Name",
          origin: { file: "apps/bad.yaml", line: 11 },
          message: expect.stringMatching(
            /^ConfigMap\/invalid\/Bad_Name dry-run failed \(Invalid\): .*metadata\.name/,
          ),
        },
      ]);
      expect(writesSince(server, before)).toEqual([]);
      expect(server.get("v1", "ConfigMap", "invalid", "good")).toBeUndefined();
      expect(server.get("v1", "ConfigMap", "invalid", "fine")).toBeUndefined();
    });

    it("names every invalid object", async () => {
      const error = await planApply(
        client,
        [
          ...fromFile("a.yaml", configMap("invalid", "One_", {})),
          ...fromFile("b.yaml", deployment("invalid", "web", "web", {})),
          ...fromFile("c.yaml", { ...configMap("invalid", "x", {}), data: { "bad key!": "v" } }),
        ],
        { owner },
      ).catch((e: unknown) => e);
      expect((error as ReconcileError).problems.map((p) => [p.subject, p.origin?.file])).toEqual(
        expect.arrayContaining([
          ["ConfigMap/invalid/One_", "a.yaml"],
          ["ConfigMap/invalid/x", "c.yaml"],
        ]),
      );
      expect((error as ReconcileError).problems).toHaveLength(2);
    });

    it("names an invalid object in a Namespace the same set creates, and writes none of its stage", async () => {
      const manifests = [
        ...fromFile("fresh/namespace.yaml", namespaceObject("fresh")),
        ...fromFile(
          "fresh/config.yaml",
          configMap("fresh", "fine", { a: "1" }),
          configMap("fresh", "Not_Valid", {}),
        ),
      ];
      const error = await apply(manifests).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReconcileError);
      expect((error as ReconcileError).problems).toEqual([
        expect.objectContaining({
          subject: "ConfigMap/fresh/Not_Valid",
          origin: { file: "fresh/config.yaml", line: 11 },
          message: expect.stringContaining("dry-run failed (Invalid)"),
        }),
      ]);
      expect(server.get("v1", "ConfigMap", "fresh", "fine")).toBeUndefined();
      expect(server.get("v1", "ConfigMap", "fresh", "Not_Valid")).toBeUndefined();
    });

    it("refuses a namespaced object without a namespace", async () => {
      const { metadata, ...rest } = configMap("invalid", "nowhere", {});
      const object = { ...rest, metadata: { name: metadata.name } } as KubeObject;
      const error = await planApply(client, fromFile("n.yaml", object), { owner }).catch((e: unknown) => e);
      expect((error as ReconcileError).problems).toEqual([
        expect.objectContaining({
          subject: "ConfigMap/nowhere",
          message: expect.stringContaining("namespace not specified"),
        }),
      ]);
    });

    it("fails on a namespace that neither the cluster nor the set has", async () => {
      const error = await planApply(client, fromFile("m.yaml", configMap("missing", "lost", {})), {
        owner,
      }).catch((e: unknown) => e);
      expect((error as ReconcileError).problems).toEqual([
        expect.objectContaining({
          subject: "ConfigMap/missing/lost",
          message: expect.stringContaining('namespaces "missing" not found'),
        }),
      ]);
    });
  });

  describe("immutable fields", () => {
    beforeAll(() => createNamespace("immutable"));

    it.each<[string, Partial<ApplyOptions>, object]>([
      ["the unit's force", { force: true }, {}],
      [
        "the object's force: enabled annotation",
        {},
        { annotations: { "kustomize.toolkit.fluxcd.io/force": "enabled" } },
      ],
    ])(
      "fails a selector change without force and recreates the Deployment with %s",
      async (_, options, meta) => {
        const name = `web-${Object.keys(options).length}`;
        await apply(fromFile("web.yaml", deployment("immutable", name, "web-v1")));
        const original = server.get("apps/v1", "Deployment", "immutable", name);
        expect(original?.spec.selector).toEqual({ matchLabels: { app: "web-v1" } });

        const before = server.requests.length;
        const error = await apply(fromFile("web.yaml", deployment("immutable", name, "web-v2"))).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ReconcileError);
        expect((error as ReconcileError).problems).toEqual([
          expect.objectContaining({
            subject: `Deployment/immutable/${name}`,
            origin: { file: "web.yaml", line: 1 },
            message: expect.stringContaining("field is immutable"),
          }),
        ]);
        expect(writesSince(server, before)).toEqual([]);
        expect(server.get("apps/v1", "Deployment", "immutable", name)?.metadata.uid).toBe(
          original?.metadata.uid,
        );

        const entries = await apply(
          fromFile("web.yaml", deployment("immutable", name, "web-v2", meta)),
          options,
        );
        expect(entries).toEqual([
          expect.objectContaining({
            subject: `Deployment/immutable/${name}`,
            action: "configured",
            reason: expect.stringContaining("recreated"),
          }),
        ]);
        const recreated = server.get("apps/v1", "Deployment", "immutable", name);
        expect(recreated?.spec.selector).toEqual({ matchLabels: { app: "web-v2" } });
        expect(recreated?.metadata.uid).not.toBe(original?.metadata.uid);
        expect(recreated?.metadata.labels).toMatchObject({ "ferry.dev/name": "apps" });
      },
    );

    it("recreates a Deployment whose live object carries force: enabled", async () => {
      await apply(fromFile("api.yaml", deployment("immutable", "api", "api-v1")));
      server.objects.patch(
        { type: server.type("apps/v1", "Deployment"), namespace: "immutable", name: "api" },
        "application/merge-patch+json",
        JSON.stringify({ metadata: { annotations: { "kustomize.toolkit.fluxcd.io/force": "enabled" } } }),
        { dryRun: false, fieldManager: "kubectl-annotate" },
      );
      const uid = server.get("apps/v1", "Deployment", "immutable", "api")?.metadata.uid;
      const entries = await apply(fromFile("api.yaml", deployment("immutable", "api", "api-v2"))).catch(
        (e: unknown) => e,
      );
      expect(entries).toEqual([
        expect.objectContaining({ subject: "Deployment/immutable/api", action: "configured" }),
      ]);
      expect(server.get("apps/v1", "Deployment", "immutable", "api")?.metadata.uid).not.toBe(uid);
    });

    it("does not recreate an object whose change is allowed, even with force", async () => {
      await apply(fromFile("db.yaml", deployment("immutable", "db", "db")));
      const uid = server.get("apps/v1", "Deployment", "immutable", "db")?.metadata.uid;
      const changed = deployment("immutable", "db", "db");
      (changed.spec as { replicas: number }).replicas = 3;
      const entries = await apply(fromFile("db.yaml", changed), { force: true });
      expect(entries.map((e) => [e.action, e.reason])).toEqual([["configured", undefined]]);
      expect(server.get("apps/v1", "Deployment", "immutable", "db")?.metadata.uid).toBe(uid);
    });
  });
});

describe("hasDrifted", () => {
  const live: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "settings",
      namespace: "apps",
      labels: { app: "web" },
      annotations: { note: "a" },
      uid: "1",
      resourceVersion: "10",
      generation: 1,
      creationTimestamp: "2024-01-01T00:00:00Z",
      managedFields: [{ manager: "ferry", operation: "Apply" }],
    },
    data: { color: "blue", size: "m" },
  };
  const withMetadata = (metadata: object): KubeObject => ({
    ...live,
    metadata: { ...live.metadata, ...metadata },
  });

  it.each<[string, boolean, KubeObject]>([
    ["the same object", false, structuredClone(live)],
    ["data keys in another order", false, { ...live, data: { size: "m", color: "blue" } }],
    [
      "another resourceVersion, generation and managedFields",
      false,
      withMetadata({ resourceVersion: "11", generation: 2, managedFields: [] }),
    ],
    [
      "another uid and creationTimestamp",
      false,
      withMetadata({ uid: "2", creationTimestamp: "2025-01-01T00:00:00Z" }),
    ],
    ["a status", false, { ...live, status: { phase: "Whatever" } }],
    ["a label added", true, withMetadata({ labels: { app: "web", tier: "front" } })],
    ["a label removed", true, withMetadata({ labels: {} })],
    ["a label value changed", true, withMetadata({ labels: { app: "api" } })],
    ["an annotation changed", true, withMetadata({ annotations: { note: "b" } })],
    ["an annotation added", true, withMetadata({ annotations: { note: "a", other: "x" } })],
    ["a data value changed", true, { ...live, data: { color: "green", size: "m" } }],
    ["a data key removed", true, { ...live, data: { color: "blue" } }],
    ["a new top-level field", true, { ...live, immutable: true }],
  ])("%s → %s", (_, drifted, dryRun) => {
    expect(hasDrifted(live, dryRun)).toBe(drifted);
  });

  it("treats no labels and empty labels alike", () => {
    const bare = withMetadata({ labels: undefined, annotations: undefined });
    expect(hasDrifted(bare, withMetadata({ labels: {}, annotations: {} }))).toBe(false);
  });

  it("sees a Deployment's spec change and not its status", () => {
    const a = deployment("apps", "web", "web");
    const b = { ...deployment("apps", "web", "web"), status: { readyReplicas: 1 } };
    expect(hasDrifted(a, b)).toBe(false);
    const c = deployment("apps", "web", "web");
    (c.spec as { replicas: number }).replicas = 2;
    expect(hasDrifted(a, c)).toBe(true);
  });
});

describe("isImmutableError", () => {
  it.each<[string, boolean, unknown]>([
    [
      "422 Invalid",
      true,
      new KubeApiError(422, "Invalid", 'Deployment.apps "web" is invalid: spec.selector: field is immutable'),
    ],
    ["409 Conflict", true, new KubeApiError(409, "Conflict", "Operation cannot be fulfilled")],
    [
      "a webhook's 400 saying `is immutable`",
      true,
      new KubeApiError(400, "BadRequest", "admission webhook denied: spec.x is immutable"),
    ],
    [
      "a CEL rule's 403 saying `immutable field`",
      true,
      new KubeApiError(403, "Forbidden", "cannot change immutable field spec.x"),
    ],
    ["404 Not Found", false, new KubeApiError(404, "NotFound", 'configmaps "x" not found')],
    ["500 Internal Error", false, new KubeApiError(500, "InternalError", "etcd is down")],
    [
      "403 Forbidden for another reason",
      false,
      new KubeApiError(403, "Forbidden", "namespace is terminating"),
    ],
  ])("%s → %s", (_, immutable, error) => {
    expect(isImmutableError(error)).toBe(immutable);
  });
});

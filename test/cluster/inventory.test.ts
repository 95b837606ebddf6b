/**
 * The inventory: Flux's object ids (cli-utils `ObjMetadata`), which objects a new build no longer
 * has, and the ConfigMap in `ferry-system` that records them, against the test API server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeClient } from "../../src/cluster/client.js";
import {
  entriesOf,
  type HistoryEntry,
  INVENTORY_NAMESPACE,
  inventoryName,
  readInventory,
  staleRefs,
  writeInventory,
} from "../../src/cluster/inventory.js";
import type { UnitOwner } from "../../src/cluster/policy.js";
import { inventoryId, type ObjectRef, parseInventoryId } from "../../src/model/object.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { writesSince } from "../support/fleet.js";

const deployment: ObjectRef = {
  group: "apps",
  version: "v1",
  kind: "Deployment",
  namespace: "apps",
  name: "web",
};
const configMap: ObjectRef = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  namespace: "apps",
  name: "settings",
};
const namespace: ObjectRef = { group: "", version: "v1", kind: "Namespace", name: "apps" };
const clusterRole: ObjectRef = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  kind: "ClusterRole",
  name: "system:metrics:viewer",
};
const crd: ObjectRef = {
  group: "apiextensions.k8s.io",
  version: "v1",
  kind: "CustomResourceDefinition",
  name: "widgets.example.com",
};
const widget: ObjectRef = {
  group: "example.com",
  version: "v1alpha1",
  kind: "Widget",
  namespace: "apps",
  name: "w",
};

describe("inventory ids", () => {
  it.each<[string, string, ObjectRef]>([
    ["a namespaced object", "apps_web_apps_Deployment", deployment],
    ["a core-group object (empty group)", "apps_settings__ConfigMap", configMap],
    ["a cluster-scoped object (empty namespace)", "_apps__Namespace", namespace],
    [
      "an RBAC name with `:` written as `__`",
      "_system__metrics__viewer_rbac.authorization.k8s.io_ClusterRole",
      clusterRole,
    ],
    [
      "a CRD with dots in its name",
      "_widgets.example.com_apiextensions.k8s.io_CustomResourceDefinition",
      crd,
    ],
    ["a custom resource", "apps_w_example.com_Widget", widget],
  ])("%s ⇄ %s", (_, id, ref) => {
    expect(inventoryId(ref)).toBe(id);
    expect(parseInventoryId(id, ref.version)).toEqual(ref);
  });

  it("reads ids Flux's kustomize-controller wrote", () => {
    expect(parseInventoryId("podinfo_podinfo_apps_Deployment", "v1")).toEqual({
      group: "apps",
      version: "v1",
      kind: "Deployment",
      namespace: "podinfo",
      name: "podinfo",
    });
    expect(parseInventoryId("_flux-system__Namespace", "v1")).toEqual({
      group: "",
      version: "v1",
      kind: "Namespace",
      name: "flux-system",
    });
  });

  it.each(["", "nonsense", "apps_web", "apps__Deployment", "_apps_web_"])("rejects %j", (id) => {
    expect(() => parseInventoryId(id, "v1")).toThrow(/invalid inventory id/);
  });
});

describe("entriesOf and staleRefs", () => {
  it("lists each object once, sorted by id, with the version it was applied with", () => {
    const entries = entriesOf([
      deployment,
      configMap,
      namespace,
      { ...deployment, version: "v1beta2" },
      configMap,
    ]);
    expect(entries).toEqual([
      { id: "_apps__Namespace", v: "v1" },
      { id: "apps_settings__ConfigMap", v: "v1" },
      { id: "apps_web_apps_Deployment", v: "v1" },
    ]);
  });

  it("gives the same entries whatever order the objects come in", () => {
    const refs = [deployment, configMap, namespace, clusterRole, crd, widget];
    expect(entriesOf([...refs].reverse())).toEqual(entriesOf(refs));
  });

  it.each<[string, ObjectRef[], ObjectRef[], ObjectRef[]]>([
    ["nothing removed", [deployment, configMap], [configMap, deployment], []],
    ["one object removed", [deployment, configMap, namespace], [deployment, namespace], [configMap]],
    ["everything removed", [deployment, clusterRole], [], [deployment, clusterRole]],
    ["only additions", [deployment], [deployment, widget], []],
    ["an API version change is not a removal", [deployment], [{ ...deployment, version: "v1beta2" }], []],
  ])("staleRefs with %s", (_, previous, current, stale) => {
    const found = staleRefs(entriesOf(previous), entriesOf(current));
    const byId = (refs: ObjectRef[]) => refs.map(inventoryId).sort();
    expect(byId(found)).toEqual(byId(stale));
    for (const ref of found) expect(ref).toEqual(stale.find((s) => inventoryId(s) === inventoryId(ref)));
  });
});

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe("inventoryName", () => {
  it.each<[string, UnitOwner, string]>([
    ["a Flux Kustomization", { namespace: "flux-system", name: "apps" }, "ferry-inventory.flux-system.apps"],
    [
      "a root unit",
      { namespace: "ferry-system", name: "clusters-production" },
      "ferry-inventory.ferry-system.clusters-production",
    ],
    [
      "a name with dots",
      { namespace: "flux-system", name: "apps.v2" },
      "ferry-inventory.flux-system.apps.v2",
    ],
  ])("names the ConfigMap of %s", (_, owner, name) => {
    expect(inventoryName(owner)).toBe(name);
  });

  it.each<[string, UnitOwner]>([
    ["a 253-character unit name", { namespace: "flux-system", name: "a".repeat(253) }],
    ["a long dotted unit name", { namespace: "flux-system", name: `${"web.".repeat(60)}app` }],
    [
      "a long name with a dot where it is cut",
      { namespace: "flux-system", name: `${"a".repeat(211)}.${"b".repeat(30)}` },
    ],
    [
      "a long name with a dash where it is cut",
      { namespace: "flux-system", name: `${"a".repeat(211)}-${"b".repeat(30)}` },
    ],
  ])("shortens %s to a valid object name of at most 253 characters", (_, owner) => {
    const name = inventoryName(owner);
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name).toMatch(/^ferry-inventory\.flux-system\./);
    expect(name).toMatch(DNS1123_SUBDOMAIN);
  });

  it("keeps long names that share their first 240 characters apart", () => {
    const long = "x".repeat(250);
    const a = inventoryName({ namespace: "flux-system", name: `${long}-a` });
    const b = inventoryName({ namespace: "flux-system", name: `${long}-b` });
    expect(a).not.toBe(b);
    expect(a.slice(0, 240)).toBe(b.slice(0, 240));
  });

  it("gives distinct units distinct ConfigMaps", () => {
    const owners: UnitOwner[] = [
      { namespace: "team-a", name: "apps" },
      { namespace: "team", name: "a-apps" },
      { namespace: "flux-system", name: "apps" },
    ];
    expect(new Set(owners.map(inventoryName)).size).toBe(owners.length);
  });
});

describe("the inventory ConfigMap in the cluster", () => {
  let server: KubeApiServer;
  let client: KubeClient;
  const owner: UnitOwner = { name: "apps", namespace: "flux-system" };
  const run = (
    revision: string,
    status: HistoryEntry["status"] = "succeeded",
    objects = 2,
  ): HistoryEntry => ({
    revision,
    time: new Date().toISOString(),
    status,
    objects,
  });

  beforeAll(async () => {
    server = await KubeApiServer.start();
    client = await KubeClient.connect({ kubeconfigText: server.kubeconfig() });
  });

  afterAll(async () => {
    client.close();
    await server.stop();
  });

  it("reads nothing before the first run", async () => {
    expect(await readInventory(client, owner)).toBeUndefined();
  });

  it("creates ferry-system and stores entries, revision and history on the first run", async () => {
    expect(server.get("v1", "Namespace", undefined, INVENTORY_NAMESPACE)).toBeUndefined();
    const entries = entriesOf([deployment, configMap]);
    await writeInventory(client, owner, undefined, entries, run("rev-1"));

    expect(server.get("v1", "Namespace", undefined, "ferry-system")).toBeDefined();
    const stored = server.get("v1", "ConfigMap", "ferry-system", "ferry-inventory.flux-system.apps");
    expect(stored?.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "ferry" });
    expect(stored?.metadata.annotations).toMatchObject({ "ferry.dev/unit": "flux-system/apps" });
    expect(JSON.parse(stored?.data["inventory.json"])).toEqual([
      { id: "apps_settings__ConfigMap", v: "v1" },
      { id: "apps_web_apps_Deployment", v: "v1" },
    ]);

    const read = await readInventory(client, owner);
    expect(read?.entries).toEqual(entries);
    expect(read?.revision).toBe("rev-1");
    expect(read?.history.map((h) => [h.revision, h.status, h.objects])).toEqual([["rev-1", "succeeded", 2]]);
  });

  it("writes nothing for a run that changes nothing", async () => {
    const previous = await readInventory(client, owner);
    const before = server.requests.length;
    const kept = await writeInventory(
      client,
      owner,
      previous,
      entriesOf([configMap, deployment]),
      run("rev-1"),
    );
    expect(writesSince(server, before)).toEqual([]);
    expect(kept).toEqual(previous);
  });

  it("records a failed run without forgetting the last applied revision", async () => {
    const previous = await readInventory(client, owner);
    await writeInventory(client, owner, previous, entriesOf([configMap, deployment]), run("rev-2", "failed"));
    const read = await readInventory(client, owner);
    expect(read?.revision).toBe("rev-1");
    expect(read?.history.map((h) => [h.revision, h.status])).toEqual([
      ["rev-2", "failed"],
      ["rev-1", "succeeded"],
    ]);
  });

  it("keeps the ten newest runs, newest first", async () => {
    for (let i = 3; i <= 14; i++) {
      const previous = await readInventory(client, owner);
      await writeInventory(client, owner, previous, entriesOf([deployment]), run(`rev-${i}`, "succeeded", 1));
    }
    const read = await readInventory(client, owner);
    expect(read?.history.map((h) => h.revision)).toEqual(
      [14, 13, 12, 11, 10, 9, 8, 7, 6, 5].map((i) => `rev-${i}`),
    );
    expect(read?.revision).toBe("rev-14");
    expect(read?.entries).toEqual([{ id: "apps_web_apps_Deployment", v: "v1" }]);
  });

  it("keeps the inventories of two units apart", async () => {
    const teamA: UnitOwner = { namespace: "team-a", name: "apps" };
    const team: UnitOwner = { namespace: "team", name: "a-apps" };
    await writeInventory(client, teamA, undefined, entriesOf([deployment]), run("a"));
    await writeInventory(client, team, undefined, entriesOf([widget]), run("b"));
    expect((await readInventory(client, teamA))?.entries).toEqual(entriesOf([deployment]));
    expect((await readInventory(client, team))?.entries).toEqual(entriesOf([widget]));
  });
});

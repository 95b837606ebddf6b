/** The test server's wire behaviour, request by request, as a real API server answers. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { call, watch } from "./http-client.js";
import { KubeApiServer } from "./server.js";

let server: KubeApiServer;

beforeEach(async () => {
  server = await KubeApiServer.start({ namespaceDeletionDelayMs: 0 });
});

afterEach(() => server.stop());

const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, ...(labels ? { labels } : {}) },
  data,
});

const deployment = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, labels: { app: name }, ...extra },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
    },
  },
});

const CMS = "/api/v1/namespaces/default/configmaps";
const DEPLOYS = "/apis/apps/v1/namespaces/default/deployments";
const apply = (path: string, body: unknown, query = "fieldManager=test") =>
  call(server, "PATCH", `${path}?${query}`, { body, contentType: "application/apply-patch+yaml" });

describe("discovery", () => {
  it("answers /version, /api, /apis and group versions, and plain JSON to the aggregated Accept header", async () => {
    expect((await call(server, "GET", "/version")).body).toMatchObject({ major: "1", minor: "35" });
    const apis = await call(server, "GET", "/apis", {
      accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
    });
    expect(apis.headers["content-type"]).toBe("application/json");
    expect(apis.body.kind).toBe("APIGroupList");
    expect(apis.body.groups.map((g: { name: string }) => g.name)).toContain("apps");
    const core = await call(server, "GET", "/api/v1");
    const configmaps = core.body.resources.find((r: { name: string }) => r.name === "configmaps");
    expect(configmaps).toMatchObject({ kind: "ConfigMap", namespaced: true, shortNames: ["cm"] });
    expect(core.body.resources.map((r: { name: string }) => r.name)).toContain("pods/status");
    expect((await call(server, "GET", "/apis/nothing.example.com/v1")).status).toBe(404);
  });

  it("serves OpenAPI v3 whose PATCH operations take fieldValidation", async () => {
    const index = await call(server, "GET", "/openapi/v3");
    const url = index.body.paths["apis/apps/v1"].serverRelativeURL as string;
    const doc = await call(server, "GET", url);
    const patch = doc.body.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch;
    expect(patch["x-kubernetes-group-version-kind"]).toEqual({
      group: "apps",
      version: "v1",
      kind: "Deployment",
    });
    expect(patch.parameters.map((p: { name: string }) => p.name)).toContain("fieldValidation");
  });

  it("adds a CRD's kinds to discovery once it is created, and removes them when it is deleted", async () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "clusterthings.example.com" },
      spec: {
        group: "example.com",
        scope: "Cluster",
        names: { kind: "ClusterThing", plural: "clusterthings", singular: "clusterthing" },
        versions: [
          { name: "v1beta1", served: true, storage: false, schema: { openAPIV3Schema: { type: "object" } } },
          { name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } },
        ],
      },
    };
    const created = await call(server, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
      body: crd,
    });
    expect(created.status).toBe(201);
    expect(created.body.status.conditions).toContainEqual(
      expect.objectContaining({ type: "Established", status: "True" }),
    );
    const group = await call(server, "GET", "/apis/example.com");
    expect(group.body.versions.map((v: { version: string }) => v.version)).toEqual(["v1", "v1beta1"]);
    const thing = {
      apiVersion: "example.com/v1",
      kind: "ClusterThing",
      metadata: { name: "a" },
      spec: { x: 1 },
    };
    expect((await call(server, "POST", "/apis/example.com/v1/clusterthings", { body: thing })).status).toBe(
      201,
    );
    const asBeta = await call(server, "GET", "/apis/example.com/v1beta1/clusterthings/a");
    expect(asBeta.body.apiVersion).toBe("example.com/v1beta1");

    await call(
      server,
      "DELETE",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/clusterthings.example.com",
    );
    expect((await call(server, "GET", "/apis/example.com/v1/clusterthings")).status).toBe(404);
    expect((await call(server, "GET", "/apis/example.com/v1")).status).toBe(404);
  });
});

describe("reads and writes", () => {
  it("creates, refuses duplicates and missing namespaces, and answers Status errors", async () => {
    expect((await call(server, "POST", CMS, { body: cm("a") })).status).toBe(201);
    const again = await call(server, "POST", CMS, { body: cm("a") });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      kind: "Status",
      reason: "AlreadyExists",
      message: 'configmaps "a" already exists',
    });
    const missing = await call(server, "POST", "/api/v1/namespaces/nowhere/configmaps", { body: cm("b") });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('namespaces "nowhere" not found');
    const notFound = await call(server, "GET", `${CMS}/zzz`);
    expect(notFound.body).toMatchObject({
      reason: "NotFound",
      code: 404,
      message: 'configmaps "zzz" not found',
    });
  });

  it("rejects a stale resourceVersion on update with the real message", async () => {
    const created = (await call(server, "POST", CMS, { body: cm("a", { k: "1" }) })).body;
    const updated = await call(server, "PUT", `${CMS}/a`, { body: { ...created, data: { k: "2" } } });
    expect(updated.status).toBe(200);
    const stale = await call(server, "PUT", `${CMS}/a`, { body: { ...created, data: { k: "3" } } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toBe(
      'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it("validates names and workloads with 422 Invalid causes", async () => {
    const badName = await call(server, "POST", CMS, { body: cm("Bad_Name") });
    expect(badName.status).toBe(422);
    expect(badName.body.reason).toBe("Invalid");
    expect(badName.body.details.causes[0]).toMatchObject({
      reason: "FieldValueInvalid",
      field: "metadata.name",
    });

    const noContainers = deployment("web");
    noContainers.spec.template.spec.containers = [];
    const invalid = await call(server, "POST", DEPLOYS, { body: noContainers });
    expect(invalid.status).toBe(422);
    expect(invalid.body.message).toContain('Deployment.apps "web" is invalid');
    expect(invalid.body.details.causes).toContainEqual(
      expect.objectContaining({ reason: "FieldValueRequired", field: "spec.template.spec.containers" }),
    );
  });

  it("refuses changes to immutable fields", async () => {
    await call(server, "POST", DEPLOYS, { body: deployment("web") });
    const moved = deployment("web");
    moved.spec.selector = { matchLabels: { app: "other" } };
    moved.spec.template.metadata.labels = { app: "other" };
    const res = await apply(`${DEPLOYS}/web`, moved, "fieldManager=test&force=true");
    expect(res.status).toBe(422);
    expect(res.body.message).toContain("spec.selector");
    expect(res.body.message).toContain("field is immutable");
  });

  it("lists with label and field selectors, and pages with limit and continue", async () => {
    for (const [name, tier] of [
      ["a", "web"],
      ["b", "db"],
      ["c", "web"],
    ]) {
      await call(server, "POST", CMS, { body: cm(name, {}, { tier }) });
    }
    const names = async (query: string) =>
      (await call(server, "GET", `${CMS}?${query}`)).body.items.map(
        (i: { metadata: { name: string } }) => i.metadata.name,
      );
    expect(await names("labelSelector=tier%3Dweb")).toEqual(["a", "c"]);
    expect(await names("labelSelector=tier%20notin%20(web)")).toEqual(["b"]);
    expect(await names("labelSelector=tier,!missing")).toEqual(["a", "b", "c"]);
    expect(await names("labelSelector=missing")).toEqual([]);
    expect(await names("fieldSelector=metadata.name%3Db")).toEqual(["b"]);
    expect(await names("fieldSelector=metadata.namespace%3Dother")).toEqual([]);
    const first = await call(server, "GET", `${CMS}?limit=2`);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.metadata.remainingItemCount).toBe(1);
    const rest = await call(server, "GET", `${CMS}?limit=2&continue=${first.body.metadata.continue}`);
    expect(rest.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["c"]);
  });

  it("patches with merge, strategic merge and JSON patches", async () => {
    await call(server, "POST", DEPLOYS, { body: deployment("web") });
    const merge = await call(server, "PATCH", `${DEPLOYS}/web`, {
      body: { metadata: { labels: { extra: "yes" } } },
      contentType: "application/merge-patch+json",
    });
    expect(merge.body.metadata.labels).toEqual({ app: "web", extra: "yes" });
    const strategic = await call(server, "PATCH", `${DEPLOYS}/web`, {
      body: { spec: { template: { spec: { containers: [{ name: "sidecar", image: "busybox:1" }] } } } },
      contentType: "application/strategic-merge-patch+json",
    });
    expect(strategic.body.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual([
      "app",
      "sidecar",
    ]);
    const json = await call(server, "PATCH", `${DEPLOYS}/web`, {
      body: [{ op: "replace", path: "/spec/replicas", value: 4 }],
      contentType: "application/json-patch+json",
    });
    expect(json.body.spec.replicas).toBe(4);
    expect(json.body.metadata.generation).toBe(3);
  });
});

describe("server-side apply", () => {
  it("needs a fieldManager, creates with 201, and stores nothing for a no-op", async () => {
    const noManager = await apply(`${CMS}/a`, cm("a", { k: "1" }), "");
    expect(noManager.status).toBe(422);
    expect(noManager.body.message).toContain("fieldManager: Required value: is required for apply patch");
    const created = await apply(`${CMS}/a`, cm("a", { k: "1" }));
    expect(created.status).toBe(201);
    const rv = created.body.metadata.resourceVersion;
    const again = await apply(`${CMS}/a`, cm("a", { k: "1" }));
    expect(again.status).toBe(200);
    expect(again.body.metadata.resourceVersion).toBe(rv);
    expect(server.store.currentResourceVersion).toBe(Number(rv));
  });

  it("dry-runs without storing, with an empty resourceVersion for a create", async () => {
    const dry = await apply(`${CMS}/a`, cm("a", { k: "1" }), "fieldManager=test&dryRun=All");
    expect(dry.status).toBe(201);
    expect(dry.body.metadata.resourceVersion).toBe("");
    expect(server.get("v1", "ConfigMap", "default", "a")).toBeUndefined();
    await apply(`${CMS}/a`, cm("a", { k: "1" }));
    const dryChange = await apply(`${CMS}/a`, cm("a", { k: "2" }), "fieldManager=test&dryRun=All");
    expect(dryChange.body.data).toEqual({ k: "2" });
    expect(server.get("v1", "ConfigMap", "default", "a")?.data).toEqual({ k: "1" });
  });

  it("answers a conflict with FieldManagerConflict causes, and removes fields a manager stops applying", async () => {
    await apply(`${CMS}/a`, cm("a", { shared: "1", mine: "x" }), "fieldManager=one");
    const conflict = await apply(`${CMS}/a`, cm("a", { shared: "2" }), "fieldManager=two");
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toBe('Apply failed with 1 conflict: conflict with "one": .data.shared');
    expect(conflict.body.details.causes).toEqual([
      { reason: "FieldManagerConflict", message: 'conflict with "one"', field: ".data.shared" },
    ]);
    await apply(`${CMS}/a`, cm("a", { shared: "2" }), "fieldManager=two&force=true");
    const dropped = await apply(`${CMS}/a`, cm("a", {}), "fieldManager=one");
    expect(dropped.body.data).toEqual({ shared: "2" });
  });

  it("rejects force on a non-apply patch and managedFields in an apply body", async () => {
    await call(server, "POST", CMS, { body: cm("a") });
    const force = await call(server, "PATCH", `${CMS}/a?force=true`, {
      body: {},
      contentType: "application/merge-patch+json",
    });
    expect(force.status).toBe(422);
    const managed = await apply(`${CMS}/a`, { ...cm("a"), metadata: { name: "a", managedFields: [] } });
    expect(managed.status).toBe(400);
  });
});

describe("watch", () => {
  it("streams ADDED, MODIFIED and DELETED from a resourceVersion, filtered by selector", async () => {
    const start = (await call(server, "GET", CMS)).body.metadata.resourceVersion;
    const w = watch(server, `${CMS}?watch=true&resourceVersion=${start}&labelSelector=w%3Dyes`);
    await call(server, "POST", CMS, { body: cm("a", {}, { w: "yes" }) });
    await call(server, "POST", CMS, { body: cm("b", {}, { w: "no" }) });
    await call(server, "PATCH", `${CMS}/a`, {
      body: { data: { k: "v" } },
      contentType: "application/merge-patch+json",
    });
    await call(server, "DELETE", `${CMS}/a`);
    await expect
      .poll(() => w.events.map((e) => `${e.type} ${e.object.metadata.name}`))
      .toEqual(["ADDED a", "MODIFIED a", "DELETED a"]);
    w.stop();
  });

  it("replays history from an old resourceVersion and answers 410 Expired when it is too old", async () => {
    const small = await KubeApiServer.start();
    try {
      await call(small, "POST", CMS, { body: cm("a") });
      const replay = watch(small, `${CMS}?watch=1&resourceVersion=1`);
      await expect.poll(() => replay.events.map((e) => e.type)).toEqual(["ADDED"]);
      replay.stop();
    } finally {
      await small.stop();
    }
    const tiny = await KubeApiServer.start();
    (tiny.store as unknown as { logSize: number }).logSize = 2;
    try {
      for (const n of ["a", "b", "c", "d"]) await call(tiny, "POST", CMS, { body: cm(n) });
      const expired = watch(tiny, `${CMS}?watch=true&resourceVersion=2`);
      await expect
        .poll(() => expired.events[0]?.object)
        .toMatchObject({ kind: "Status", code: 410, reason: "Expired" });
      expired.stop();
    } finally {
      await tiny.stop();
    }
  });

  it("sends the initial state and a bookmark when asked for initial events", async () => {
    await call(server, "POST", CMS, { body: cm("a") });
    const w = watch(
      server,
      `${CMS}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan`,
    );
    await expect.poll(() => w.events.map((e) => e.type)).toEqual(["ADDED", "BOOKMARK"]);
    expect(w.events[1].object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
    w.stop();
  });
});

describe("deletion", () => {
  it("keeps an object with finalizers until they are removed", async () => {
    await call(server, "POST", CMS, {
      body: { ...cm("a"), metadata: { name: "a", finalizers: ["example.com/hold"] } },
    });
    const deleted = await call(server, "DELETE", `${CMS}/a`);
    expect(deleted.body.metadata.deletionTimestamp).toBeTruthy();
    expect(server.get("v1", "ConfigMap", "default", "a")).toBeDefined();
    await call(server, "PATCH", `${CMS}/a`, {
      body: { metadata: { finalizers: null } },
      contentType: "application/merge-patch+json",
    });
    expect(server.get("v1", "ConfigMap", "default", "a")).toBeUndefined();
  });

  it("deletes what a namespace holds with it", async () => {
    await call(server, "POST", "/api/v1/namespaces", {
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "tmp" } },
    });
    await call(server, "POST", "/api/v1/namespaces/tmp/configmaps", { body: cm("a") });
    const res = await call(server, "DELETE", "/api/v1/namespaces/tmp");
    expect(res.body.status.phase).toBe("Terminating");
    const refused = await call(server, "POST", "/api/v1/namespaces/tmp/configmaps", { body: cm("b") });
    expect(refused.status).toBe(403);
    await expect.poll(() => server.get("v1", "Namespace", undefined, "tmp")).toBeUndefined();
    expect(server.get("v1", "ConfigMap", "tmp", "a")).toBeUndefined();
  });

  it("garbage-collects a Deployment's ReplicaSets and Pods; Orphan leaves them", async () => {
    await call(server, "POST", DEPLOYS, { body: deployment("web") });
    const pods = () => server.objects.list(server.type("v1", "Pod"), "default");
    await expect.poll(() => pods().length).toBe(1);
    await call(server, "DELETE", `${DEPLOYS}/web`, { body: { propagationPolicy: "Background" } });
    await expect.poll(() => pods().length).toBe(0);

    await call(server, "POST", DEPLOYS, { body: deployment("api") });
    await expect.poll(() => pods().length).toBe(1);
    await call(server, "DELETE", `${DEPLOYS}/api`, { body: { propagationPolicy: "Orphan" } });
    await new Promise((r) => setTimeout(r, 50));
    expect(pods()).toHaveLength(1);
    expect(
      server.objects.list(server.type("apps/v1", "ReplicaSet"), "default")[0].metadata.ownerReferences,
    ).toEqual([]);
  });
});

describe("status simulator", () => {
  it("brings workloads to the status a healthy cluster reports, through the status subresource", async () => {
    await call(server, "POST", DEPLOYS, { body: deployment("web") });
    await expect
      .poll(() => server.get("apps/v1", "Deployment", "default", "web")?.status?.availableReplicas)
      .toBe(1);
    const d = server.get("apps/v1", "Deployment", "default", "web");
    expect(d?.status.observedGeneration).toBe(d?.metadata.generation);
    expect(d?.status.conditions).toContainEqual(
      expect.objectContaining({ type: "Available", status: "True" }),
    );
    expect(d?.metadata.managedFields).toContainEqual(
      expect.objectContaining({ manager: "kube-controller-manager", subresource: "status" }),
    );
    const job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "once" },
      spec: {
        template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1" }] } },
      },
    };
    await call(server, "POST", "/apis/batch/v1/namespaces/default/jobs", { body: job });
    await expect
      .poll(() =>
        server
          .get("batch/v1", "Job", "default", "once")
          ?.status?.conditions?.map((c: { type: string }) => c.type),
      )
      .toContain("Complete");
  });

  it("keeps an annotated Deployment unready, and fails one on request", async () => {
    await call(server, "POST", DEPLOYS, {
      body: deployment("stuck", { annotations: { "test.ferry.dev/health": "never-ready" } }),
    });
    await expect
      .poll(() => server.get("apps/v1", "Deployment", "default", "stuck")?.status?.observedGeneration)
      .toBe(1);
    const stuck = server.get("apps/v1", "Deployment", "default", "stuck");
    expect(stuck?.status.readyReplicas).toBe(0);
    expect(stuck?.status.conditions).toContainEqual(
      expect.objectContaining({ type: "Available", status: "False" }),
    );

    await call(server, "POST", DEPLOYS, { body: deployment("broken") });
    server.simulator.setHealth("Deployment", "default", "broken", "fail");
    await expect
      .poll(
        () =>
          server
            .get("apps/v1", "Deployment", "default", "broken")
            ?.status?.conditions?.find((c: { type: string }) => c.type === "Progressing")?.reason,
      )
      .toBe("ProgressDeadlineExceeded");
  });
});

describe("fault injection", () => {
  it("fails the nth matching request with the chosen status, and adds latency", async () => {
    server.faults.add({ verb: "create", resource: "configmaps", nth: 2, status: 503, message: "try later" });
    expect((await call(server, "POST", CMS, { body: cm("a") })).status).toBe(201);
    const failed = await call(server, "POST", CMS, { body: cm("b") });
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ kind: "Status", reason: "ServiceUnavailable", message: "try later" });
    expect((await call(server, "POST", CMS, { body: cm("b") })).status).toBe(201);

    server.faults.add({ verb: "get", resource: "configmaps", delayMs: 150 });
    const started = Date.now();
    await call(server, "GET", `${CMS}/a`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

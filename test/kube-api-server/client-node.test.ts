/** @kubernetes/client-node's KubernetesObjectApi against the test server. */
import {
  ApiException,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type V1ConfigMap,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeApiServer } from "./server.js";

describe("KubernetesObjectApi against the test server", () => {
  let server: KubeApiServer;
  let api: KubernetesObjectApi;

  beforeAll(async () => {
    server = await KubeApiServer.start();
    const config = new KubeConfig();
    config.loadFromString(server.kubeconfig());
    api = KubernetesObjectApi.makeApiClient(config);
  });

  afterAll(() => server.stop());

  const configMap = (
    name: string,
    data: Record<string, string>,
    labels: Record<string, string> = {},
  ): V1ConfigMap => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default", labels },
    data,
  });

  it("creates and reads an object", async () => {
    const created = await api.create(configMap("one", { a: "1" }, { tier: "web" }));
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    const read = await api.read<V1ConfigMap>({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "one", namespace: "default" },
    });
    expect(read.data).toEqual({ a: "1" });
    await expect(api.create(configMap("one", { a: "1" }))).rejects.toMatchObject({ code: 409 });
  });

  it("applies server-side: create, change, and a no-op that keeps the resourceVersion", async () => {
    const applied = await api.patch(
      configMap("two", { b: "2" }, { tier: "db" }),
      undefined,
      undefined,
      "ferry",
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(applied.data).toEqual({ b: "2" });
    expect(applied.metadata?.managedFields?.map((e) => [e.manager, e.operation])).toEqual([
      ["ferry", "Apply"],
    ]);

    const changed = await api.patch(
      configMap("two", { b: "3" }, { tier: "db" }),
      undefined,
      undefined,
      "ferry",
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(changed.data).toEqual({ b: "3" });
    expect(Number(changed.metadata?.resourceVersion)).toBeGreaterThan(
      Number(applied.metadata?.resourceVersion),
    );

    const again = await api.patch(
      configMap("two", { b: "3" }, { tier: "db" }),
      undefined,
      undefined,
      "ferry",
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(again.metadata?.resourceVersion).toBe(changed.metadata?.resourceVersion);
  });

  it("dry-runs an apply without storing anything; a dry-run create has an empty resourceVersion", async () => {
    const dry = await api.patch(
      configMap("three", { c: "3" }),
      undefined,
      "All",
      "ferry",
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(dry.metadata?.resourceVersion).toBe("");
    expect(server.get("v1", "ConfigMap", "default", "three")).toBeUndefined();
  });

  it("lists with a label selector", async () => {
    const list = await api.list<V1ConfigMap>(
      "v1",
      "ConfigMap",
      "default",
      undefined,
      undefined,
      undefined,
      undefined,
      "tier in (web,db)",
    );
    expect(list.items.map((c) => c.metadata?.name)).toEqual(["one", "two"]);
    const web = await api.list<V1ConfigMap>(
      "v1",
      "ConfigMap",
      "default",
      undefined,
      undefined,
      undefined,
      undefined,
      "tier=web",
    );
    expect(web.items.map((c) => c.metadata?.name)).toEqual(["one"]);
  });

  it("deletes, after which reads are 404", async () => {
    await api.delete({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "one", namespace: "default" },
    });
    const error = await api
      .read({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "one", namespace: "default" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<string>).code).toBe(404);
  });
});

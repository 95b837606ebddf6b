/** The real kubectl (from the devDependency) against the test server. */
import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ClusterCli } from "../support/cluster-cli.js";
import { KubeApiServer } from "./server.js";

const fixtures = join(import.meta.dirname, "..", "fixtures", "kubectl");
const fixture = (name: string) => join(fixtures, name);

describe("kubectl against the test server", () => {
  let server: KubeApiServer;
  let cli: ClusterCli;

  beforeAll(async () => {
    server = await KubeApiServer.start();
    cli = await ClusterCli.for(server);
  });

  afterAll(async () => {
    await server.stop();
    await cli.cleanup();
  });

  it("refuses a client without the token", async () => {
    const anonymous = await httpsGet(`${server.url}/api/v1/namespaces`, server.certificate);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
    const wrong = await httpsGet(`${server.url}/api/v1/namespaces`, server.certificate, "not-the-token");
    expect(wrong.status).toBe(401);
    const right = await httpsGet(`${server.url}/api/v1/namespaces`, server.certificate, server.token);
    expect(right.status).toBe(200);
  });

  it("applies a Namespace, a CRD, a ConfigMap and a Deployment server-side with default validation", async () => {
    const result = await cli.kubectl(["apply", "--server-side", "-f", fixture("stack.yaml")]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual([
      "namespace/demo serverside-applied",
      "customresourcedefinition.apiextensions.k8s.io/widgets.example.com serverside-applied",
      "configmap/settings serverside-applied",
      "deployment.apps/web serverside-applied",
    ]);
    const patches = server.requests.filter((r) => r.method === "PATCH");
    expect(patches.map((r) => r.query.fieldValidation)).toEqual(["Strict", "Strict", "Strict", "Strict"]);
    expect(patches.every((r) => r.contentType === "application/apply-patch+yaml")).toBe(true);
    expect(server.get("v1", "ConfigMap", "demo", "settings")?.data).toEqual({ greeting: "hello" });
  });

  it("applies a custom resource of the new CRD", async () => {
    const result = await cli.kubectl(["apply", "--server-side", "-f", fixture("widget.yaml")]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("widget.example.com/gadget serverside-applied");
    expect(server.get("example.com/v1", "Widget", "demo", "gadget")?.spec).toEqual({
      size: 3,
      colors: ["red", "blue"],
    });
    const list = await cli.kubectl(["get", "wd", "-n", "demo", "-o", "name"]);
    expect(list.stdout.trim()).toBe("widget.example.com/gadget");
  });

  it("gets objects as YAML, with the status the simulator wrote and without managedFields", async () => {
    await expect
      .poll(() => server.get("apps/v1", "Deployment", "demo", "web")?.status?.readyReplicas)
      .toBe(2);
    const result = await cli.kubectl(["get", "deployment", "web", "-n", "demo", "-o", "yaml"]);
    expect(result.code).toBe(0);
    const deployment = parseYaml(result.stdout);
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0].imagePullPolicy).toBe("IfNotPresent");
    expect(deployment.status).toMatchObject({
      observedGeneration: 1,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(deployment.metadata.managedFields).toBeUndefined();
    const pods = await cli.kubectl(["get", "pods", "-n", "demo", "-l", "app=web", "-o", "name"]);
    expect(pods.stdout.trim().split("\n")).toHaveLength(2);
  });

  it("diffs server-side: exit 0 without a change, 1 with the change shown", async () => {
    const same = await cli.kubectl(["diff", "--server-side", "-f", fixture("stack.yaml")]);
    expect(same.stderr).toBe("");
    expect(same.stdout).toBe("");
    expect(same.code).toBe(0);

    const changed = (await readFile(fixture("stack.yaml"), "utf8")).replace(
      "greeting: hello",
      "greeting: goodbye",
    );
    const path = await cli.file("changed.yaml", changed);
    const diff = await cli.kubectl(["diff", "--server-side", "-f", path]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain("-  greeting: hello");
    expect(diff.stdout).toContain("+  greeting: goodbye");
    expect(server.get("v1", "ConfigMap", "demo", "settings")?.data).toEqual({ greeting: "hello" });
  });

  it("refuses a second field manager's change to spec.replicas until it forces the conflict", async () => {
    const conflict = await cli.kubectl([
      "apply",
      "--server-side",
      "--field-manager=scaler",
      "-f",
      fixture("replicas.yaml"),
    ]);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas',
    );
    expect(server.get("apps/v1", "Deployment", "demo", "web")?.spec.replicas).toBe(2);

    const forced = await cli.kubectl([
      "apply",
      "--server-side",
      "--field-manager=scaler",
      "--force-conflicts",
      "-f",
      fixture("replicas.yaml"),
    ]);
    expect(forced.stderr).toBe("");
    expect(forced.code).toBe(0);
    const deployment = server.get("apps/v1", "Deployment", "demo", "web");
    expect(deployment?.spec.replicas).toBe(5);
    const owners = Object.fromEntries(
      deployment?.metadata.managedFields
        .filter((e: { operation: string }) => e.operation === "Apply")
        .map((e: { manager: string; fieldsV1: { "f:spec"?: object } }) => [
          e.manager,
          Object.keys(e.fieldsV1["f:spec"] ?? {}),
        ]),
    );
    expect(owners.scaler).toEqual(["f:replicas"]);
    expect(owners.kubectl).not.toContain("f:replicas");
  });

  it("deletes with -f and returns once the objects are gone", async () => {
    await cli.kubectl(["delete", "-f", fixture("widget.yaml")]);
    const result = await cli.kubectl(["delete", "-f", fixture("stack.yaml")]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(server.get("v1", "Namespace", undefined, "demo")).toBeUndefined();
    expect(server.get("v1", "ConfigMap", "demo", "settings")).toBeUndefined();
    expect(server.get("apps/v1", "Deployment", "demo", "web")).toBeUndefined();
    expect(server.registry.byKind("example.com/v1", "Widget")).toBeUndefined();
  });
});

function httpsGet(url: string, ca: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end();
  });
}

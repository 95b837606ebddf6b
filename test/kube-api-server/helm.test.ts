/** The real helm (from the devDependency) against the test server. */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterCli } from "../support/cluster-cli.js";
import { KubeApiServer } from "./server.js";

const chart = join(import.meta.dirname, "..", "fixtures", "charts", "hello");

describe("helm against the test server", () => {
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

  const releaseSecrets = () =>
    server.objects
      .list(server.type("v1", "Secret"), "apps")
      .filter((s) => s.metadata.labels?.owner === "helm")
      .map((s) => `${s.metadata.name} ${s.metadata.labels.status}`);

  const upgrade = (...extra: string[]) =>
    cli.helm([
      "upgrade",
      "--install",
      "hello",
      chart,
      "--namespace",
      "apps",
      "--wait",
      "--timeout",
      "60s",
      ...extra,
    ]);

  it("installs a chart with upgrade --install --wait, with OpenAPI validation on", async () => {
    const result = await upgrade("--create-namespace");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("STATUS: deployed");
    expect(result.stdout).toContain("REVISION: 1");
    expect(server.get("apps/v1", "Deployment", "apps", "hello")?.status?.readyReplicas).toBe(1);
    expect(server.get("v1", "ConfigMap", "apps", "hello-config")?.data).toEqual({ message: "hello" });
    expect(releaseSecrets()).toEqual(["sh.helm.release.v1.hello.v1 deployed"]);
  });

  it("lists the release as deployed", async () => {
    const result = await cli.helm(["list", "--namespace", "apps", "-o", "json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject([
      { name: "hello", namespace: "apps", revision: "1", status: "deployed", chart: "hello-0.1.0" },
    ]);
  });

  it("makes revision 2 on a second upgrade", async () => {
    const result = await upgrade("--set", "message=bonjour", "--set", "replicas=2");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("REVISION: 2");
    expect(server.get("v1", "ConfigMap", "apps", "hello-config")?.data).toEqual({ message: "bonjour" });
    expect(server.get("apps/v1", "Deployment", "apps", "hello")?.status?.readyReplicas).toBe(2);
    expect(releaseSecrets()).toEqual([
      "sh.helm.release.v1.hello.v1 superseded",
      "sh.helm.release.v1.hello.v2 deployed",
    ]);
    const history = await cli.helm(["history", "hello", "--namespace", "apps", "-o", "json"]);
    expect(JSON.parse(history.stdout).map((r: { revision: number }) => r.revision)).toEqual([1, 2]);
  });

  it("removes the release's objects on uninstall", async () => {
    const result = await cli.helm([
      "uninstall",
      "hello",
      "--namespace",
      "apps",
      "--wait",
      "--timeout",
      "60s",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(server.get("apps/v1", "Deployment", "apps", "hello")).toBeUndefined();
    expect(server.get("v1", "ConfigMap", "apps", "hello-config")).toBeUndefined();
    expect(server.get("v1", "Service", "apps", "hello")).toBeUndefined();
    expect(releaseSecrets()).toEqual([]);
    await expect.poll(() => server.objects.list(server.type("v1", "Pod"), "apps").length).toBe(0);
  });
});

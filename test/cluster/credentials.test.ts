/** Reaching a cluster from each kind of kubeconfig credentials, against the test API server. */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { KubeClient } from "../../src/cluster/client.js";
import { loadCredentials } from "../../src/cluster/credentials.js";
import { KubeApiServer } from "../kube-api-server/server.js";

describe("cluster credentials", () => {
  let server: KubeApiServer;
  let dir: string;
  let base: Record<string, unknown>;

  beforeAll(async () => {
    server = await KubeApiServer.start();
    dir = await mkdtemp(join(tmpdir(), "ferry-credentials-"));
    base = parseYaml(server.kubeconfig());
  });

  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const withUser = (user: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    stringify({ ...base, users: [{ name: "test", user }], ...extra });

  const namespaces = async (kubeconfigText: string) => {
    const client = await KubeClient.connect({ kubeconfigText });
    try {
      const list = await client.list({ group: "", version: "v1", kind: "Namespace" });
      return list.map((n) => n.metadata.name);
    } finally {
      client.close();
    }
  };

  it("uses a bearer token and the CA from the kubeconfig", async () => {
    expect(await namespaces(server.kubeconfig())).toContain("kube-system");
  });

  it("reads a token file relative to the kubeconfig", async () => {
    await writeFile(join(dir, "token"), `${server.token}\n`);
    const path = join(dir, "token-file.kubeconfig");
    await writeFile(path, withUser({ tokenFile: "token" }));
    const client = await KubeClient.connect({ kubeconfig: path });
    try {
      expect((await client.list({ group: "", version: "v1", kind: "Namespace" })).length).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  });

  it("runs an exec credential plugin through client-node", async () => {
    const plugin = join(dir, "plugin.mjs");
    await writeFile(
      plugin,
      `process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: ${JSON.stringify(server.token)} } }));\n`,
    );
    await chmod(plugin, 0o755);
    const exec = {
      apiVersion: "client.authentication.k8s.io/v1",
      command: process.execPath,
      args: [plugin],
      interactiveMode: "Never",
    };
    expect(await namespaces(withUser({ exec }))).toContain("default");
  });

  it("is refused without a valid token", async () => {
    await expect(namespaces(withUser({ token: "wrong" }))).rejects.toThrow(/Unauthorized/);
  });

  it("names the contexts when the one asked for is missing", async () => {
    await expect(loadCredentials({ kubeconfigText: server.kubeconfig(), context: "prod" })).rejects.toThrow(
      'context "prod" is not in the kubeconfig; pick one of: test',
    );
  });

  it("takes the context's namespace as the default namespace", async () => {
    const config = {
      ...base,
      contexts: [{ name: "test", context: { cluster: "test", user: "test", namespace: "apps" } }],
    };
    expect((await loadCredentials({ kubeconfigText: stringify(config) })).namespace).toBe("apps");
  });
});

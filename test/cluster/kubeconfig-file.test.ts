/**
 * The kubeconfig file Ferry hands to helm: the operator's own file untouched, or one Ferry writes
 * (in-cluster, or a kubeconfig given as text) private to this user, holding no token, and removed
 * after use. The test API server plays the cluster; a temporary folder plays the pod's service account.
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { KubeClient } from "../../src/cluster/client.js";
import { KubeconfigFile } from "../../src/cluster/kubeconfig-file.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { stubInCluster, writeServiceAccount } from "../support/in-cluster.js";

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe("KubeconfigFile", () => {
  let server: KubeApiServer;
  let dir: string;
  let serviceAccountDir: string;

  beforeAll(async () => {
    server = await KubeApiServer.start();
    dir = await mkdtemp(join(tmpdir(), "ferry-kubeconfig-file-test-"));
    serviceAccountDir = join(dir, "serviceaccount");
    await writeServiceAccount(server, serviceAccountDir);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the pod's service account as a private kubeconfig naming its token file, and removes it", async () => {
    stubInCluster(server);
    const file = await KubeconfigFile.open({ inCluster: true, serviceAccountDir });

    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(file.path))).mode & 0o777).toBe(0o700);
    const text = await readFile(file.path, "utf8");
    expect(text).not.toContain(server.token);
    expect(text).toContain(`tokenFile: ${join(serviceAccountDir, "token")}`);
    expect(file.context).toBeUndefined();
    // A working kubeconfig: Ferry's own client reaches the server through it, in the account's namespace.
    const client = await KubeClient.connect({ kubeconfig: file.path });
    try {
      expect(client.defaultNamespace).toBe("ferry-system");
      expect(
        await client.get({ group: "", version: "v1", kind: "Namespace", name: "default" }),
      ).toBeDefined();
    } finally {
      client.close();
    }

    await file.close();
    expect(await exists(dirname(file.path))).toBe(false);
  });

  it("says so when Ferry is not in a cluster", async () => {
    vi.stubEnv("KUBERNETES_SERVICE_HOST", "");
    await expect(KubeconfigFile.open({ inCluster: true, serviceAccountDir })).rejects.toThrow(
      "not running in a cluster: KUBERNETES_SERVICE_HOST is not set",
    );
  });

  it("hands over the operator's file and context as they are, and leaves the file in place", async () => {
    const path = join(dir, "operator.kubeconfig");
    await server.writeKubeconfig(path);
    const file = await KubeconfigFile.open({ kubeconfig: path, context: "test" });
    expect(file).toMatchObject({ path, context: "test" });
    await file.close();
    expect(await exists(path)).toBe(true);
  });

  it("writes a kubeconfig given as text to a private file, and removes it", async () => {
    const file = await KubeconfigFile.open({ kubeconfigText: server.kubeconfig(), context: "test" });
    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
    expect(await readFile(file.path, "utf8")).toBe(server.kubeconfig());
    expect(file.context).toBe("test");
    await file.close();
    expect(await exists(file.path)).toBe(false);
  });
});

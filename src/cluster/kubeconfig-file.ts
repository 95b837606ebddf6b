/**
 * A kubeconfig file reaching a cluster the way Ferry's own client does, for tools that take one
 * (helm): the operator's file as it is, or one Ferry writes — for the pod's service account, or
 * for a kubeconfig given as text — private to this user and removed on `close()`.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify as toYaml } from "yaml";
import {
  type ClusterConnection,
  defaultKubeconfigPath,
  inClusterAccount,
  inClusterNamespace,
} from "./credentials.js";

export class KubeconfigFile implements AsyncDisposable {
  private constructor(
    readonly path: string,
    /** The context to use; undefined: the file's current context. */
    readonly context: string | undefined,
    /** The folder Ferry wrote the file in, removed on close; undefined for the operator's own file. */
    private readonly written: string | undefined,
  ) {}

  static async open(connection: ClusterConnection): Promise<KubeconfigFile> {
    if (connection.inCluster) {
      return KubeconfigFile.write(await inClusterKubeconfig(connection.serviceAccountDir), undefined);
    }
    if (connection.kubeconfigText !== undefined) {
      return KubeconfigFile.write(connection.kubeconfigText, connection.context);
    }
    return new KubeconfigFile(
      resolve(connection.kubeconfig ?? defaultKubeconfigPath()),
      connection.context,
      undefined,
    );
  }

  private static async write(text: string, context: string | undefined): Promise<KubeconfigFile> {
    // mkdtemp makes the folder 0700; the file is 0600 and must not exist yet.
    const dir = await mkdtemp(join(tmpdir(), "ferry-kubeconfig-"));
    const path = join(dir, "kubeconfig");
    try {
      await writeFile(path, text, { mode: 0o600, flag: "wx" });
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
    return new KubeconfigFile(path, context, dir);
  }

  /** Removes the file if Ferry wrote it. */
  async close(): Promise<void> {
    if (this.written) await rm(this.written, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * The pod's service account as a kubeconfig. It names the token and CA files rather than copying
 * them, so it holds no secret, and the tool reads the token itself — the current one, as the
 * kubelet rotates it.
 */
async function inClusterKubeconfig(serviceAccountDir: string | undefined): Promise<string> {
  const account = inClusterAccount(serviceAccountDir);
  return toYaml({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: "in-cluster", cluster: { server: account.server, "certificate-authority": account.caFile } },
    ],
    users: [{ name: "service-account", user: { tokenFile: account.tokenFile } }],
    contexts: [
      {
        name: "in-cluster",
        context: {
          cluster: "in-cluster",
          user: "service-account",
          namespace: await inClusterNamespace(account),
        },
      },
    ],
    "current-context": "in-cluster",
  });
}

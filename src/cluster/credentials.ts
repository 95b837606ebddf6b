/**
 * Where a cluster is and how to authenticate to it, from a kubeconfig or the in-cluster service
 * account. Static credentials (bearer token or token file, client certificate, basic auth, CA,
 * TLS server name) are read here; anything else (exec plugins, auth providers) goes through
 * @kubernetes/client-node's KubeConfig, loaded only then: it costs ~90 MB and ~0.7 s to load.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";

export interface ClusterConnection {
  /** Path of a kubeconfig file; absent with `inCluster`, or for the default kubeconfig. */
  kubeconfig?: string;
  /** A kubeconfig as text (tests). */
  kubeconfigText?: string;
  context?: string;
  inCluster?: boolean;
  /** With `inCluster`: the folder of the pod's service-account token, CA and namespace (tests); default Kubernetes's. */
  serviceAccountDir?: string;
}

export interface Credentials {
  server: string;
  headers: Record<string, string>;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
  namespace: string;
}

interface Named<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

type Fields = Record<string, unknown>;

const SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

export async function loadCredentials(connection: ClusterConnection): Promise<Credentials> {
  if (connection.inCluster) return inCluster(inClusterAccount(connection.serviceAccountDir));
  const { text, dir } = await kubeconfigText(connection);
  const config = (parseYaml(text) ?? {}) as Fields;
  const contexts = (config.contexts ?? []) as Named<Fields>[];
  const contextName = connection.context ?? (config["current-context"] as string | undefined);
  const context = contexts.find((c) => c.name === contextName);
  if (!context) {
    const names = contexts.map((c) => c.name).join(", ") || "none";
    throw new Error(
      connection.context
        ? `context "${connection.context}" is not in the kubeconfig; pick one of: ${names}`
        : `the kubeconfig has no current context; pass --context (contexts: ${names})`,
    );
  }
  const cluster = ((config.clusters ?? []) as Named<Fields>[]).find(
    (c) => c.name === context.context?.cluster,
  )?.cluster;
  if (!cluster?.server)
    throw new Error(`cluster "${context.context?.cluster}" of context "${context.name}" has no server`);
  const user =
    ((config.users ?? []) as Named<Fields>[]).find((u) => u.name === context.context?.user)?.user ?? {};
  if (user.exec || user["auth-provider"]) return viaClientNode(text, context.name);

  const file = (path: unknown) =>
    readFile(isAbsolute(String(path)) ? String(path) : resolve(dir, String(path)));
  const data = (value: unknown) => Buffer.from(String(value), "base64");
  const headers: Record<string, string> = {};
  if (user.token) headers.authorization = `Bearer ${user.token}`;
  else if (user.tokenFile)
    headers.authorization = `Bearer ${(await file(user.tokenFile)).toString("utf8").trim()}`;
  else if (user.username && user.password) {
    headers.authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}`;
  }
  if (user.as) headers["Impersonate-User"] = String(user.as);
  return {
    server: String(cluster.server),
    headers,
    ...(cluster["certificate-authority-data"]
      ? { ca: data(cluster["certificate-authority-data"]) }
      : cluster["certificate-authority"]
        ? { ca: await file(cluster["certificate-authority"]) }
        : {}),
    ...(user["client-certificate-data"]
      ? { cert: data(user["client-certificate-data"]) }
      : user["client-certificate"]
        ? { cert: await file(user["client-certificate"]) }
        : {}),
    ...(user["client-key-data"]
      ? { key: data(user["client-key-data"]) }
      : user["client-key"]
        ? { key: await file(user["client-key"]) }
        : {}),
    rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true,
    ...(cluster["tls-server-name"] ? { servername: String(cluster["tls-server-name"]) } : {}),
    namespace: String(context.context?.namespace ?? "default"),
  };
}

/** The kubeconfig file used without one named: the first listed in `KUBECONFIG`, else `~/.kube/config`. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBECONFIG?.split(delimiter).find((p) => p) ?? join(env.HOME ?? homedir(), ".kube", "config");
}

/** The kubeconfig's text and the folder relative paths in it are resolved against. */
async function kubeconfigText(connection: ClusterConnection): Promise<{ text: string; dir: string }> {
  if (connection.kubeconfigText !== undefined) return { text: connection.kubeconfigText, dir: process.cwd() };
  const path = connection.kubeconfig ?? defaultKubeconfigPath();
  try {
    return { text: await readFile(path, "utf8"), dir: dirname(resolve(path)) };
  } catch {
    throw new Error(`cannot read the kubeconfig ${path}: pass --kubeconfig FILE or set KUBECONFIG`);
  }
}

/** Where a pod reaches its own cluster: the API server from the environment, the service account's files. */
export interface InClusterAccount {
  server: string;
  tokenFile: string;
  caFile: string;
  namespaceFile: string;
}

export function inClusterAccount(dir = SERVICE_ACCOUNT): InClusterAccount {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT ?? "443";
  if (!host) throw new Error("not running in a cluster: KUBERNETES_SERVICE_HOST is not set");
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    tokenFile: join(dir, "token"),
    caFile: join(dir, "ca.crt"),
    namespaceFile: join(dir, "namespace"),
  };
}

/** The service account's namespace, `default` when the pod has none mounted. */
export async function inClusterNamespace(account: InClusterAccount): Promise<string> {
  return (await readFile(account.namespaceFile, "utf8").catch(() => "default")).trim();
}

async function inCluster(account: InClusterAccount): Promise<Credentials> {
  return {
    server: account.server,
    headers: { authorization: `Bearer ${(await readFile(account.tokenFile, "utf8")).trim()}` },
    ca: await readFile(account.caFile, "utf8"),
    rejectUnauthorized: true,
    namespace: await inClusterNamespace(account),
  };
}

/** Exec plugins and auth providers: client-node's KubeConfig runs them and yields the headers. */
async function viaClientNode(text: string, context: string): Promise<Credentials> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const config = new KubeConfig();
  config.loadFromString(text);
  config.setCurrentContext(context);
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error(`context "${context}" has no cluster`);
  const options: {
    headers: Record<string, string>;
    ca?: Buffer;
    cert?: Buffer;
    key?: Buffer;
    rejectUnauthorized?: boolean;
    servername?: string;
  } = {
    headers: {},
  };
  await config.applyToHTTPSOptions(options as never);
  return {
    server: cluster.server,
    headers: options.headers,
    ...(options.ca ? { ca: options.ca } : {}),
    ...(options.cert ? { cert: options.cert } : {}),
    ...(options.key ? { key: options.key } : {}),
    rejectUnauthorized: options.rejectUnauthorized !== false,
    ...(options.servername ? { servername: options.servername } : {}),
    namespace: config.getContextObject(context)?.namespace ?? "default",
  };
}

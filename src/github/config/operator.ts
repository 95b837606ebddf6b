/**
 * The operator's file (path in `FERRY_CONFIG`): the clusters Ferry may write to, how to reach
 * each, which repositories may deploy there and which namespaces they may touch; SOPS key files,
 * registry credentials, remote bases, the tarball size limit. Without the file Ferry runs in
 * single-tenant mode: one cluster named `default` from the ambient kubeconfig or the in-cluster
 * service account, open to every repository of the installation.
 */
import { access, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { ConfigError, type ConfigResult, readYaml, validate } from "./problems.js";
import { byteSize, clusterNameHelp, clusterNamePattern, globMatches, text, textList } from "./values.js";

/** The namespace of a service account named without one (where Ferry's Leases live too). */
export const defaultServiceAccountNamespace = "ferry-system";

export interface ServiceAccountRef {
  namespace: string;
  name: string;
  /** The user Ferry impersonates: `system:serviceaccount:<namespace>:<name>`. */
  user: string;
}

export interface ClusterConfig {
  name: string;
  /** Absolute path of the kubeconfig file (with `inCluster: false`). */
  kubeconfig?: string;
  /** The kubeconfig's context; its current context when absent. */
  context?: string;
  /** Reach the cluster with the pod's service account. */
  inCluster: boolean;
  /** A service account to impersonate for every request to this cluster. */
  serviceAccount?: ServiceAccountRef;
  /** `owner/name` globs of the repositories that may deploy here. */
  repositories: string[];
  /** Globs of the namespaces they may touch (`*` for all). */
  namespaces: string[];
}

export interface RegistryCredentials {
  username: string;
  /** Absolute path of a file holding the password or token. */
  passwordFile: string;
}

export interface OperatorConfig {
  /** `file`: read from `file`; `single-tenant`: no operator file, one `default` cluster. */
  mode: "file" | "single-tenant";
  file?: string;
  clusters: Record<string, ClusterConfig>;
  sops: { ageKeyFiles: string[]; pgpKeyFiles: string[] };
  /** By registry host (`ghcr.io`, `registry.example.com:5000`). */
  registries: Record<string, RegistryCredentials>;
  allowRemoteBases: boolean;
  /** Bytes. */
  tarballSizeLimit: number;
}

const repositoryPattern = /^[A-Za-z0-9._*?-]+\/[A-Za-z0-9._*?-]+$/;
const namespacePattern = /^[a-z0-9*?]([-a-z0-9*?]{0,62})$/;
const serviceAccountPattern = /^(?:([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\/)?([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)$/;
const registryHostPattern = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?$/;

const quoted = (value: unknown) => (typeof value === "string" ? JSON.stringify(value) : String(value));

const repositoryGlob = text("an owner/name glob")
  .regex(repositoryPattern, {
    error: (issue) =>
      `${quoted(issue.input)} is not an owner/name glob; write one such as "acme/fleet" or "acme/apps-*" (every repository: "*/*")`,
  })
  .meta({
    description:
      'An `owner/name` glob, compared case-insensitively: `*` matches any characters but `/`, `?` one. "*/*" is every repository.',
    examples: ["acme/fleet", "acme/apps-*", "*/*"],
  });

const namespaceGlob = text("a namespace glob")
  .regex(namespacePattern, {
    error: (issue) =>
      `${quoted(issue.input)} is not a namespace glob; write a namespace name, where * matches any characters, such as team-a or "team-a-*" ("*" is every namespace)`,
  })
  .meta({
    description: "A namespace name glob: `*` matches any characters, `?` one.",
    examples: ["*", "team-a-*"],
  });

const serviceAccount = text("a service account as name or namespace/name")
  .regex(serviceAccountPattern, {
    error: (issue) =>
      `${quoted(issue.input)} is not a service account; write its name (in ${defaultServiceAccountNamespace}) or namespace/name, such as ferry-tenant or team-a/deployer`,
  })
  .transform((value): ServiceAccountRef => {
    const [, namespace = defaultServiceAccountNamespace, name] = serviceAccountPattern.exec(value) ?? [];
    return { namespace, name, user: `system:serviceaccount:${namespace}:${name}` };
  })
  .meta({
    description: `A service account to impersonate for every request to this cluster: \`name\` (in ${defaultServiceAccountNamespace}) or \`namespace/name\`. Ferry's own identity needs the \`impersonate\` verb on it.`,
    examples: ["ferry-tenant", "team-a/deployer"],
  });

const clusterObject = z
  .strictObject({
    kubeconfig: text("the path of a kubeconfig file").optional().meta({
      description:
        "Path of the kubeconfig file to reach this cluster with (relative to this file's folder). Exactly one of `kubeconfig` and `inCluster: true`.",
    }),
    context: text("a context name of the kubeconfig")
      .optional()
      .meta({ description: "The kubeconfig context to use; default: its current context." }),
    inCluster: z.boolean().optional().meta({
      description:
        "Reach the cluster Ferry runs in, with its pod's service account. Exactly one of `kubeconfig` and `inCluster: true`.",
    }),
    serviceAccount: serviceAccount.optional(),
    repositories: z
      .array(repositoryGlob, {
        error: (issue) =>
          issue.input === undefined
            ? 'is required; list the repositories that may deploy here, such as ["acme/fleet", "acme/apps-*"]'
            : undefined,
      })
      .min(1, { error: 'must list at least one repository glob, such as "acme/fleet" ("*/*" for every one)' })
      .meta({ description: "The repositories that may deploy to this cluster, as `owner/name` globs." }),
    namespaces: z
      .array(namespaceGlob)
      .min(1, { error: 'must list at least one namespace glob ("*" for every namespace)' })
      .default(["*"])
      .meta({
        description:
          'The namespaces objects may be written to, as globs. Default: every namespace (`["*"]`). Cluster-scoped objects need `*`.',
      }),
  })
  .superRefine((cluster, ctx) => {
    const inCluster = cluster.inCluster === true;
    if (inCluster && cluster.kubeconfig !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["inCluster"],
        input: cluster.inCluster,
        message:
          "is set together with kubeconfig; keep one: kubeconfig: FILE to reach the cluster from outside, or inCluster: true when Ferry runs inside it",
      });
    } else if (!inCluster && cluster.kubeconfig === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [],
        input: cluster,
        message:
          "needs kubeconfig: FILE (with an optional context) or inCluster: true to say how to reach it",
      });
    }
    if (inCluster && cluster.context !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["context"],
        input: cluster.context,
        message: "is only read from a kubeconfig; remove it (inCluster: true uses the pod's service account)",
      });
    }
  })
  .meta({ description: "How to reach one cluster and who may deploy to it." });

const keyFiles = (what: string) => textList(`${what} file path`).default([]);

export const operatorConfigSchema = z
  .strictObject({
    clusters: z
      .record(
        z.string().regex(clusterNamePattern, {
          error: (issue) => `${quoted(issue.input)} is not a cluster name; ${clusterNameHelp}`,
        }),
        clusterObject,
        {
          error: (issue) =>
            issue.input === undefined
              ? "is required; name each cluster and say how to reach it, such as production: {kubeconfig: /etc/ferry/production.kubeconfig, repositories: [acme/fleet]}"
              : undefined,
        },
      )
      .refine((clusters) => Object.keys(clusters).length > 0, {
        error: "must name at least one cluster (or remove FERRY_CONFIG for single-tenant mode)",
      })
      .meta({
        description:
          "The clusters Ferry may write to, by name. `.github/ferry.yml` names them in `sync[].cluster`; check runs are named `Ferry / <name>`.",
      }),
    sops: z
      .strictObject({
        ageKeyFiles: keyFiles("an age key").meta({
          description:
            "age identity files (as `age-keygen` writes them). SOPS_AGE_KEY and SOPS_AGE_KEY_FILE are read too.",
        }),
        pgpKeyFiles: keyFiles("an OpenPGP private key").meta({
          description: "OpenPGP private key files (armored or binary), without a passphrase.",
        }),
      })
      .prefault({})
      .meta({ description: "Keys to decrypt SOPS-encrypted files in the synced paths." }),
    registries: z
      .record(
        z.string().regex(registryHostPattern, {
          error: (issue) =>
            `${quoted(issue.input)} is not a registry host; write the host alone, such as ghcr.io or registry.example.com:5000 (no https://, no path)`,
        }),
        z
          .strictObject({
            username: text("the user name").meta({ description: "The user name to log in with." }),
            passwordFile: text("the path of a file holding the password or token").meta({
              description: "A file holding the password or token (relative to this file's folder).",
            }),
          })
          .meta({ description: "Credentials for one registry." }),
      )
      .default({})
      .meta({
        description:
          "Credentials by host, for container registries (image automation, OCI charts) and Helm chart repositories.",
      }),
    allowRemoteBases: z
      .boolean()
      .default(false)
      .meta({ description: "Whether kustomizations may load remote (git or HTTP) bases. Default: false." }),
    tarballSizeLimit: byteSize.prefault("200MB").meta({
      description: "The largest repository tarball Ferry downloads. Default: 200MB (200,000,000 bytes).",
    }),
  })
  .meta({ description: "Ferry's operator configuration (the file FERRY_CONFIG names)." });

type ParsedOperatorConfig = z.output<typeof operatorConfigSchema>;

/** The operator file, validated; relative paths resolved against the file's folder. */
export function parseOperatorConfig(text: string, file = "ferry.config.yaml"): ConfigResult<OperatorConfig> {
  const read = readYaml(text, file);
  if (!read.ok) return read;
  const result = validate(operatorConfigSchema, read.value, file, read.lineOf);
  if (!result.ok) return result;
  return { ok: true, config: toOperatorConfig(result.config, file) };
}

function toOperatorConfig(parsed: ParsedOperatorConfig, file: string): OperatorConfig {
  const base = dirname(resolve(file));
  const path = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const clusters = Object.fromEntries(
    Object.entries(parsed.clusters).map(([name, c]): [string, ClusterConfig] => [
      name,
      {
        name,
        ...(c.kubeconfig !== undefined ? { kubeconfig: path(c.kubeconfig) } : {}),
        ...(c.context !== undefined ? { context: c.context } : {}),
        inCluster: c.inCluster === true,
        ...(c.serviceAccount ? { serviceAccount: c.serviceAccount } : {}),
        repositories: c.repositories,
        namespaces: c.namespaces,
      },
    ]),
  );
  const registries = Object.fromEntries(
    Object.entries(parsed.registries).map(([host, r]) => [
      host,
      { username: r.username, passwordFile: path(r.passwordFile) },
    ]),
  );
  return {
    mode: "file",
    file,
    clusters,
    sops: { ageKeyFiles: parsed.sops.ageKeyFiles.map(path), pgpKeyFiles: parsed.sops.pgpKeyFiles.map(path) },
    registries,
    allowRemoteBases: parsed.allowRemoteBases,
    tarballSizeLimit: parsed.tarballSizeLimit,
  };
}

/** The default tarball size limit: 200 MB. */
export const defaultTarballSizeLimit = 200_000_000;

/**
 * The operator configuration: the file `FERRY_CONFIG` names, or single-tenant mode without it.
 * Throws a ConfigError (naming file, line and key of each problem) when the file is not valid.
 */
export async function loadOperatorConfig(env: NodeJS.ProcessEnv = process.env): Promise<OperatorConfig> {
  const file = env.FERRY_CONFIG?.trim();
  if (!file) return singleTenantConfig(env);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(file, [
      {
        message: `the file FERRY_CONFIG names cannot be read (${reason}); fix the path, or unset FERRY_CONFIG for single-tenant mode`,
        key: "",
        file,
      },
    ]);
  }
  const result = parseOperatorConfig(text, file);
  if (!result.ok) throw new ConfigError(file, result.problems);
  return result.config;
}

/**
 * Single-tenant mode: one cluster `default`, reached as kubectl would: the first file in
 * KUBECONFIG, else ~/.kube/config when it exists, else the in-cluster service account when
 * KUBERNETES_SERVICE_HOST is set, else ~/.kube/config (reported missing when Ferry connects).
 * Every repository of the installation may deploy to every namespace.
 */
export async function singleTenantConfig(env: NodeJS.ProcessEnv = process.env): Promise<OperatorConfig> {
  const fromEnv = env.KUBECONFIG?.split(delimiter).find((p) => p.trim());
  const home = env.HOME ?? (env === process.env ? homedir() : undefined);
  const homeConfig = home ? join(home, ".kube", "config") : undefined;
  const homeExists = homeConfig
    ? await access(homeConfig).then(
        () => true,
        () => false,
      )
    : false;
  const reach: Pick<ClusterConfig, "kubeconfig" | "inCluster"> = fromEnv
    ? { kubeconfig: resolve(fromEnv), inCluster: false }
    : !homeExists && env.KUBERNETES_SERVICE_HOST
      ? { inCluster: true }
      : homeConfig
        ? { kubeconfig: homeConfig, inCluster: false }
        : { inCluster: false };
  return {
    mode: "single-tenant",
    clusters: {
      default: { name: "default", ...reach, repositories: ["*/*"], namespaces: ["*"] },
    },
    sops: { ageKeyFiles: [], pgpKeyFiles: [] },
    registries: {},
    allowRemoteBases: false,
    tarballSizeLimit: defaultTarballSizeLimit,
  };
}

/** Whether the repository `owner/name` may deploy to the cluster (globs compared case-insensitively). */
export function clusterAllows(cluster: Pick<ClusterConfig, "repositories">, repository: string): boolean {
  return cluster.repositories.some((pattern) => globMatches(pattern, repository, true));
}

/** Whether objects may be written to namespace `namespace` of the cluster. */
export function namespaceAllowed(cluster: Pick<ClusterConfig, "namespaces">, namespace: string): boolean {
  return cluster.namespaces.some((pattern) => globMatches(pattern, namespace));
}

/** Whether every namespace is allowed (and so cluster-scoped objects are). */
export function allowsAllNamespaces(cluster: Pick<ClusterConfig, "namespaces">): boolean {
  return cluster.namespaces.includes("*");
}

/**
 * The cluster a sync target names, if the repository may deploy to it; otherwise the reason
 * (for the target's check run).
 */
export function clusterFor(
  config: Pick<OperatorConfig, "clusters" | "mode">,
  name: string,
  repository: string,
): { ok: true; cluster: ClusterConfig } | { ok: false; reason: string } {
  const cluster = Object.hasOwn(config.clusters, name) ? config.clusters[name] : undefined;
  if (!cluster) {
    const known = Object.keys(config.clusters).join(", ");
    return {
      ok: false,
      reason:
        config.mode === "single-tenant"
          ? `cluster "${name}" is unknown: Ferry runs without an operator file (single-tenant mode), so the only cluster is "default"`
          : `cluster "${name}" is not one of the operator's clusters (${known})`,
    };
  }
  if (!clusterAllows(cluster, repository)) {
    return { ok: false, reason: `the operator does not allow ${repository} to deploy to cluster "${name}"` };
  }
  return { ok: true, cluster };
}

/**
 * Logins for registries and chart repositories from the operator file, by host: the password is read
 * from its file when asked (so a rotated file is picked up).
 */
export function operatorRegistryLogins(operator: OperatorConfig) {
  return async (registry: string) => {
    const entry = operator.registries[registry];
    if (!entry) return undefined;
    return { username: entry.username, password: (await readFile(entry.passwordFile, "utf8")).trim() };
  };
}

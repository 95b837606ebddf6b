/** What `ferry apply` and `ferry diff` share: the path, the repository, the cluster and the keys. */
import { stat } from "node:fs/promises";
import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { parseDuration } from "../build/duration.js";
import { isInside } from "../build/paths.js";
import { Workspace } from "../build/workspace.js";
import { type ClusterConnection, KubeClient } from "../cluster/client.js";
import { defaultKubeconfigPath } from "../cluster/credentials.js";
import { type ReconcileContext, type UnitDefinition, unitNameOf } from "../reconcile/unit.js";
import { loadKeys } from "../sops/index.js";
import { repositoryRootOf } from "./build.js";
import { dockerLogins } from "./docker-logins.js";
import type { CliIO } from "./io.js";

export interface TargetOptions {
  kubeconfig?: string;
  context?: string;
  repo?: string;
  prune?: boolean;
  wait?: boolean;
  timeout: string;
  name?: string;
  namespace: string;
  ageKeyFile: string[];
  pgpKeyFile: string[];
  allowRemoteBases?: boolean;
}

export function addTargetOptions(command: Command): Command {
  return command
    .argument("<path>", "the folder to reconcile, relative to the repository (e.g. clusters/production)")
    .option("--kubeconfig <file>", "the kubeconfig of the cluster (default: KUBECONFIG or ~/.kube/config)")
    .option("--context <name>", "the kubeconfig context to use")
    .option("--repo <dir>", "the repository root (default: the nearest folder above PATH holding .git)")
    .option("--prune", "delete what the previous run of this path applied and this one does not")
    .option("--wait", "wait until every applied object is ready (kstatus)")
    .option("--timeout <duration>", "how long --wait waits", "5m")
    .option("--name <name>", "the unit name recorded in owner labels and the inventory (default: from PATH)")
    .option("--namespace <namespace>", "the unit namespace recorded in owner labels", "ferry-system")
    .option(
      "--age-key-file <file>",
      "an age identity file for SOPS (repeatable; SOPS_AGE_KEY and SOPS_AGE_KEY_FILE are read too)",
      collect,
      [],
    )
    .option("--pgp-key-file <file>", "an armored PGP private key for SOPS (repeatable)", collect, [])
    .option("--allow-remote-bases", "let kustomize fetch remote bases instead of refusing them");
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export interface Target {
  ctx: ReconcileContext;
  root: UnitDefinition;
  close(): Promise<void>;
}

export async function openTarget(io: CliIO, path: string, options: TargetOptions): Promise<Target> {
  const folder = resolve(path);
  if (!(await stat(folder).catch(() => undefined))?.isDirectory()) throw new Error(`${path}: no such folder`);
  const repo = options.repo ? resolve(options.repo) : repositoryRootOf(folder);
  if (!isInside(repo, folder)) throw new Error(`${path} is not inside the repository ${repo}`);
  const timeoutMs = parseDuration(options.timeout);
  if (timeoutMs === undefined)
    throw new Error(`--timeout ${options.timeout}: write a duration such as 90s, 5m or 1h`);
  const relativePath = relative(repo, folder) || ".";
  const sopsKeys = await loadKeys({
    ageKeyFiles: options.ageKeyFile,
    pgpKeyFiles: options.pgpKeyFile,
    env: io.env,
  });
  // The same file for Ferry's client and for helm: --kubeconfig, else KUBECONFIG, else ~/.kube/config.
  const connection: ClusterConnection = {
    kubeconfig: resolve(options.kubeconfig ?? defaultKubeconfigPath(io.env)),
    ...(options.context ? { context: options.context } : {}),
  };
  const client = await KubeClient.connect(connection);
  const workspace = await Workspace.create(repo, { allowRemoteBases: options.allowRemoteBases === true });
  const root: UnitDefinition = {
    owner: { name: options.name ?? unitNameOf(relativePath), namespace: options.namespace },
    path: relativePath,
    overlay: {},
    prune: options.prune === true,
    wait: options.wait === true,
    timeoutMs,
    force: false,
    suspend: false,
    dependsOn: [],
    healthChecks: [],
  };
  // Charts from private registries and repositories: the user's docker logins, as helm would use them.
  const registryCredentials = await dockerLogins(io);
  return {
    ctx: { client, workspace, sopsKeys, connection, ...(registryCredentials ? { registryCredentials } : {}) },
    root,
    close: async () => {
      client.close();
      await workspace.dispose();
    },
  };
}

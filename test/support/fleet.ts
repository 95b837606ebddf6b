/** A Flux fleet repository copied to a scratch folder, reconciled against a test API server. */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Workspace } from "../../src/build/workspace.js";
import { KubeClient } from "../../src/cluster/client.js";
import type { ReconcileResult } from "../../src/model/result.js";
import { reconcileTree } from "../../src/reconcile/run.js";
import { type ReconcileContext, type UnitDefinition, unitNameOf } from "../../src/reconcile/unit.js";
import type { SopsKeys } from "../../src/sops/index.js";
import { KubeApiServer } from "../kube-api-server/server.js";

export const fixtures = join(import.meta.dirname, "..", "fixtures");

/** A copy of a fixture repository that tests may edit. */
export class ScratchRepo {
  private constructor(readonly dir: string) {}

  static async of(fixture: string): Promise<ScratchRepo> {
    const dir = await mkdtemp(join(tmpdir(), "ferry-repo-"));
    await cp(join(fixtures, fixture), dir, { recursive: true });
    return new ScratchRepo(dir);
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  read(file: string): Promise<string> {
    return readFile(this.path(file), "utf8");
  }

  write(file: string, text: string): Promise<void> {
    return writeFile(this.path(file), text);
  }

  remove(file: string): Promise<void> {
    return rm(this.path(file));
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The root unit the GitHub App or `ferry apply` would make for a path. */
export function rootUnit(path: string, overrides: Partial<UnitDefinition> = {}): UnitDefinition {
  return {
    owner: { name: unitNameOf(path), namespace: "ferry-system" },
    path,
    overlay: {},
    prune: true,
    wait: true,
    timeoutMs: 30_000,
    force: false,
    suspend: false,
    dependsOn: [],
    healthChecks: [],
    ...overrides,
  };
}

const WRITES = new Set(["POST", "PUT", "DELETE"]);

/** Requests since `from` that changed something: creates, updates, deletes and non-dry-run patches. */
export function writesSince(server: KubeApiServer, from: number) {
  return server.requests
    .slice(from)
    .filter((r) => WRITES.has(r.method) || (r.method === "PATCH" && r.query.dryRun !== "All"));
}

/**
 * Reconciles `root` of `repo` once, with a fresh workspace (so edits to the repo are seen); `more`
 * adds to the context (a `connection` for helm).
 */
export async function reconcileOnce(
  server: KubeApiServer,
  repo: ScratchRepo,
  root: UnitDefinition,
  sopsKeys: SopsKeys = { age: [], pgp: [] },
  more: Partial<ReconcileContext> = {},
): Promise<ReconcileResult> {
  const client = await KubeClient.connect({ kubeconfigText: server.kubeconfig() });
  const workspace = await Workspace.create(repo.dir);
  try {
    return await reconcileTree({ client, workspace, sopsKeys, revision: "test", ...more }, root);
  } finally {
    client.close();
    await workspace.dispose();
  }
}

/** A test API server and a scratch copy of the `helm-fleet` fixture, with a kubeconfig file for helm. */
export interface HelmFleet {
  server: KubeApiServer;
  repo: ScratchRepo;
  /** The server's kubeconfig, written next to the repository. */
  kubeconfig: string;
  close(): Promise<void>;
}

/**
 * The `helm-fleet` fixture's charts without its own releases (`clusters/production/web.yaml`), and
 * empty `folders` for the test's files, against a fresh test API server.
 */
export async function openHelmFleet(...folders: string[]): Promise<HelmFleet> {
  const server = await KubeApiServer.start();
  const repo = await ScratchRepo.of("helm-fleet");
  const kubeconfig = `${repo.dir}.kubeconfig`;
  await server.writeKubeconfig(kubeconfig);
  await repo.remove("clusters/production/web.yaml");
  for (const folder of folders) await mkdir(repo.path(folder));
  return {
    server,
    repo,
    kubeconfig,
    close: async () => {
      await server.stop();
      await repo.cleanup();
      await rm(kubeconfig, { force: true });
    },
  };
}

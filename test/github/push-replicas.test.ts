/**
 * Two replicas of Ferry (two sync services with their own replica ids, queues and caches, as two
 * pods would have) each handle a push, of a different repository, to the same cluster at the same
 * moment. The cluster's Lease serialises them: every object a run writes is written while that
 * run's replica holds the Lease, one replica takes it only after the other released it, and both
 * runs finish with a successful check run.
 *
 * The replicas are driven through `SyncService.push` (the app's push handler calls it with the
 * delivery's Octokit): Probot apps loaded in one process would share one replica id.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { OperatorConfig } from "../../src/github/config/operator.js";
import { parseRepositoryConfig, type RepositoryConfig } from "../../src/github/config/repository.js";
import { createMetrics, type FerryMetrics } from "../../src/github/metrics.js";
import { SyncService } from "../../src/github/sync.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import {
  checkRunUrl,
  mockGitHub,
  OWNER,
  operatorConfig,
  type Repo,
  repositoryConfig,
  restoreNetwork,
  sha,
  tarball,
  tarballDownload,
  updatesOf,
} from "../support/github.js";

interface Replica {
  name: string;
  service: SyncService;
  metrics: FerryMetrics;
  errors: unknown[];
  /** The repository whose push this replica handles, its commit, and its check run. */
  repository: Repo;
  commit: string;
  checkRun: number;
  config: RepositoryConfig;
}

describe("two replicas syncing one cluster at once", () => {
  let server: KubeApiServer;
  let dir: string;
  let operator: OperatorConfig;

  beforeAll(async () => {
    server = await KubeApiServer.start();
    dir = await mkdtemp(join(tmpdir(), "ferry-push-replicas-"));
    const kubeconfig = join(dir, "production.kubeconfig");
    await server.writeKubeconfig(kubeconfig);
    operator = operatorConfig(
      `clusters:\n  production:\n    kubeconfig: ${kubeconfig}\n    repositories: ["${OWNER}/*"]\n`,
    );
  });

  afterEach(() => {
    restoreNetwork();
  });

  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function replica(name: string, repo: string, commit: string, checkRun: number): Promise<Replica> {
    const metrics = createMetrics();
    const errors: unknown[] = [];
    const service = new SyncService({
      operator,
      metrics,
      log: { info: () => {}, error: (obj) => errors.push(obj) },
      replica: name,
      cacheDir: join(dir, name),
    });
    const parsed = parseRepositoryConfig(await repositoryConfig(`replicas/${repo}`));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    return {
      name,
      service,
      metrics,
      errors,
      repository: { owner: OWNER, repo },
      commit,
      checkRun,
      config: parsed.config,
    };
  }

  /** Seconds a replica waited for the cluster's Lease, over its runs. */
  async function leaseWait(r: Replica): Promise<number> {
    const { values } = await r.metrics.leaseWaitSeconds.get();
    return values.find((v) => v.metricName === "ferry_lease_wait_seconds_sum")?.value ?? 0;
  }

  it("never overlaps their writes, and both finish", async () => {
    const replicas = [
      await replica("replica-a", "alpha", sha("a"), 201),
      await replica("replica-b", "beta", sha("b"), 202),
    ];
    const github = mockGitHub();
    // Both downloads are held until both pushes are in, so both runs reach the Lease together.
    let letGo!: () => void;
    const bothPushed = new Promise<void>((resolve) => (letGo = resolve));
    for (const r of replicas) {
      const { owner, repo } = r.repository;
      const reply = { id: r.checkRun, html_url: checkRunUrl(r.checkRun, r.repository) };
      github.api
        .post(`/repos/${owner}/${repo}/check-runs`)
        .reply(201, reply)
        .patch(`/repos/${owner}/${repo}/check-runs/${r.checkRun}`)
        .reply(200, reply);
      const archive = await tarball(`replicas/${repo}`, r.commit, r.repository);
      tarballDownload(github, r.commit, archive, { hold: bothPushed, repository: r.repository });
    }
    // Slow writes (dry runs included) make each run outlast several of the Lease's polls: a replica
    // that took a Lease it should not have would write while the other is still writing.
    const slowWrites = server.faults.add({
      verb: "patch",
      resource: "configmaps",
      namespace: "default",
      delayMs: 400,
    });
    const history = server.store.currentResourceVersion;

    const octokit = new Octokit({ auth: "test-token" });
    await Promise.all(
      replicas.map((r) =>
        r.service.push(
          octokit,
          r.repository,
          { branch: "master", defaultBranch: "master", sha: r.commit, deliveryId: `delivery-${r.name}` },
          r.config,
        ),
      ),
    );
    letGo();
    await Promise.all(replicas.map((r) => r.service.idle()));
    slowWrites();

    expect(nock.pendingMocks()).toEqual([]);
    expect(github.unmatched).toEqual([]);
    for (const r of replicas) {
      expect(r.errors).toEqual([]);
      expect(updatesOf(github.calls, r.checkRun).at(-1)?.body).toMatchObject({
        status: "completed",
        conclusion: "success",
      });
      expect(server.get("v1", "ConfigMap", "default", r.repository.repo)?.data).toEqual({
        repository: r.repository.repo,
      });
    }

    // Replay the cluster's change log: who held the Lease when each object was written.
    const ownerOf = (name: string) => replicas.find((r) => name.includes(r.repository.repo))?.name ?? "?";
    let holder = "";
    const holders: string[] = [];
    const writes: { object: string; by: string; leaseHolder: string }[] = [];
    for (const event of server.store.eventsSince(history) ?? []) {
      const { kind, metadata } = event.object;
      if (kind === "Lease") {
        holder = event.object.spec.holderIdentity ?? "";
        if (holders.at(-1) !== holder) holders.push(holder); // renewals repeat the holder
        continue;
      }
      // The namespace that holds the Lease is made before the Lease can be taken.
      if (kind === "Namespace" && metadata.name === "ferry-system") continue;
      const object = `${kind} ${metadata.namespace}/${metadata.name}`;
      writes.push({ object, by: ownerOf(metadata.name), leaseHolder: holder });
    }

    // Each replica's objects (and its inventory) were written, each while it held the Lease.
    for (const r of replicas) {
      const own = writes.filter((w) => w.by === r.name).map((w) => w.object);
      expect(own).toEqual(
        expect.arrayContaining([
          `ConfigMap default/${r.repository.repo}`,
          `ConfigMap default/${r.repository.repo}-more`,
          expect.stringMatching(new RegExp(`^ConfigMap ferry-system/.*${r.repository.repo}`)),
        ]),
      );
    }
    expect(writes.filter((w) => w.by !== w.leaseHolder)).toEqual([]);

    // One replica took the Lease, released it; only then did the other take it, and release it.
    expect(holders).toHaveLength(4);
    const [first, firstReleased, second, secondReleased] = holders;
    expect([first, second].sort()).toEqual(["replica-a", "replica-b"]);
    expect([firstReleased, secondReleased]).toEqual(["", ""]);
    // And the second did wait for it: the two runs really met at the Lease.
    const [firstReplica, secondReplica] = [first, second].map((n) => replicas.find((r) => r.name === n));
    if (!firstReplica || !secondReplica) throw new Error("a Lease holder that is not a replica");
    expect(await leaseWait(secondReplica)).toBeGreaterThan(await leaseWait(firstReplica));
  });
});

/**
 * The push flow: a push to a branch some targets follow gets one check run per target at once,
 * then each target is reconciled (one run at a time per cluster, newest commit wins, a Lease per
 * cluster across replicas) and its check run completed with the result; a commit comment follows
 * per the repository's `comments` setting. Functions take an Octokit and plain parameters, so the
 * interval and start-up paths can reuse them without a webhook context.
 */
import { join } from "node:path";
import type { Octokit } from "@octokit/rest";
import { Workspace } from "../build/workspace.js";
import type { NamespacePolicy } from "../cluster/apply.js";
import { type ClusterConnection, KubeClient } from "../cluster/client.js";
import { acquireLease } from "../cluster/lease.js";
import type { ReconcileResult } from "../model/result.js";
import { SyncQueue, type SyncRequest } from "../reconcile/queue.js";
import { reconcileTree } from "../reconcile/run.js";
import { type UnitDefinition, unitNameOf } from "../reconcile/unit.js";
import { checkRunOutput } from "../report/check-run.js";
import { commentMarker, commitComment, shouldComment } from "../report/comment.js";
import { loadKeys, type SopsKeys } from "../sops/index.js";
import { fetchRevision } from "../source/index.js";
import {
  allowsAllNamespaces,
  type ClusterConfig,
  clusterFor,
  namespaceAllowed,
  type OperatorConfig,
  operatorRegistryLogins,
} from "./config/operator.js";
import type { CommentPolicy, RepositoryConfig, SyncTarget } from "./config/repository.js";
import { targetsForBranch } from "./config/repository.js";
import type { FerryMetrics } from "./metrics.js";

/** The GitHub calls the flow makes (any Octokit with the REST methods, ProbotOctokit included). */
export type GitHub = Pick<Octokit, "request">;

export interface Repository {
  owner: string;
  repo: string;
}

export interface SyncJob extends SyncRequest {
  /** The webhook delivery that asked for this run, on every log line of the run. */
  deliveryId?: string;
  github: GitHub;
  repository: Repository;
  spec: SyncTarget;
  cluster: string;
  clusterConfig: ClusterConfig;
  /** The check run opened for this run; absent for interval (drift) runs, which report only when they matter. */
  checkRunId?: number;
  comments: CommentPolicy;
}

export interface SyncServiceOptions {
  operator: OperatorConfig;
  metrics: FerryMetrics;
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Identifies this replica in cluster Leases. */
  replica: string;
  /** Where fetched revisions go; default the OS temp folder. */
  cacheDir?: string;
  /** Told of every finished run (after its report), e.g. to update images the run found policies for. */
  onSynced?: (job: SyncJob, result: ReconcileResult) => void;
}

const checkRunName = (cluster: string) => `Ferry / ${cluster}`;
const REMEMBERED_DELIVERIES = 10_000;
/**
 * How many of a branch's newest commits the start-up run searches for check runs a stopped instance
 * left in progress: the queue holds at most a running and a waiting commit per target, both recent.
 */
const STALE_SEARCH_DEPTH = 5;
const COMMENTS_PAGE = 100;
const logFields = (job: SyncJob) => ({
  ...(job.deliveryId ? { id: job.deliveryId } : {}),
  repository: fullName(job.repository),
  cluster: job.cluster,
  path: job.spec.path,
  sha: job.sha,
});
/** The action identifier of the Re-sync button on completed check runs. */
export const RESYNC = "resync";
/** A target's identity in its check runs' `external_id`. */
export const targetId = (spec: Pick<SyncTarget, "cluster" | "path">) => `${spec.cluster}:${spec.path}`;
const fullName = (r: Repository) => `${r.owner}/${r.repo}`;
/** What a newer run of the same target replaces in the queue, and how interval timers are keyed. */
const queueKey = (r: Repository, spec: Pick<SyncTarget, "cluster" | "path">) =>
  `${fullName(r)}:${targetId(spec)}`;

export class SyncService {
  readonly queue: SyncQueue<SyncJob>;
  private keys?: Promise<SopsKeys>;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** `<delivery id>:<cluster>:<path>` of every target a push delivery was handled for. */
  private readonly deliveries = new Set<string>();
  /** Accepted deliveries still being handled, chained per repository so they keep their order. */
  private readonly accepted = new Map<string, Promise<void>>();
  private readonly handling = new Set<Promise<void>>();

  constructor(private readonly options: SyncServiceOptions) {
    this.queue = new SyncQueue<SyncJob>({
      run: (job) => this.run(job),
      superseded: (older, newer) => this.supersede(older, newer),
      failed: (job, error) => {
        options.metrics.errors.inc({ kind: "sync" });
        options.log.error({ err: error, ...logFields(job) }, "sync run failed");
      },
    });
  }

  /**
   * Takes a delivery's work off the webhook: Probot answers GitHub as soon as the delivery is
   * verified, and the work (reading the config, opening check runs, queueing runs) follows in the
   * background, one delivery at a time per repository so a newer push is never queued before an
   * older one. A failure is logged and counted; the interval and start-up runs heal what it missed.
   */
  accept(repository: Repository, deliveryId: string | undefined, work: () => Promise<void>): void {
    const key = fullName(repository);
    const handled = (this.accepted.get(key) ?? Promise.resolve()).then(work).catch((error: unknown) => {
      this.options.metrics.errors.inc({ kind: "delivery" });
      this.options.log.error(
        { err: error, ...(deliveryId ? { id: deliveryId } : {}), repository: key },
        "handling the delivery failed",
      );
    });
    this.accepted.set(key, handled);
    this.handling.add(handled);
    void handled.finally(() => {
      this.handling.delete(handled);
      if (this.accepted.get(key) === handled) this.accepted.delete(key);
    });
  }

  /** Resolves when every accepted delivery has been handled and every queued run has finished. */
  async idle(): Promise<void> {
    do {
      await Promise.all([...this.handling]);
      await this.queue.idle();
    } while (this.handling.size > 0);
  }

  /** A push: check runs for the targets following `branch`, then their runs queued. Returns the check run ids. */
  async push(
    github: GitHub,
    repository: Repository,
    push: { branch: string; defaultBranch: string; sha: string; deliveryId?: string },
    config: RepositoryConfig,
  ): Promise<number[]> {
    const targets = targetsForBranch(config, push.branch, push.defaultBranch);
    const ids: number[] = [];
    for (const spec of targets) {
      const delivery = push.deliveryId ? `${push.deliveryId}:${targetId(spec)}` : undefined;
      // A redelivery (same delivery id) is a no-op, checked before a check run is created. GitHub
      // redelivers within hours, so the most recent deliveries are enough to remember.
      if (delivery) {
        if (this.deliveries.has(delivery)) continue;
        this.deliveries.add(delivery);
        if (this.deliveries.size > REMEMBERED_DELIVERIES) {
          this.deliveries.delete(this.deliveries.values().next().value as string);
        }
      }
      let id: number;
      try {
        const { data: created } = await github.request("POST /repos/{owner}/{repo}/check-runs", {
          ...repository,
          name: checkRunName(spec.cluster),
          head_sha: push.sha,
          // Which target this check run is for, so a re-run request can find it again.
          external_id: targetId(spec),
          status: "in_progress",
          started_at: new Date().toISOString(),
          output: {
            title: `Syncing ${spec.path} to ${spec.cluster}`,
            summary: `Reconciling \`${spec.path}\` at ${push.sha.slice(0, 7)}.`,
          },
        });
        id = Number(created.id);
      } catch (error) {
        // Nothing was done for this target: GitHub's redelivery of this delivery may try again.
        if (delivery) this.deliveries.delete(delivery);
        throw error;
      }
      ids.push(id);
      const allowed = clusterFor(this.options.operator, spec.cluster, fullName(repository));
      if (!allowed.ok) {
        await this.complete(
          { github, repository, checkRunId: id, cluster: spec.cluster, sha: push.sha },
          "failure",
          `Not synced: ${allowed.reason}`,
          allowed.reason,
        );
        continue;
      }
      this.queue.submit({
        cluster: spec.cluster,
        target: queueKey(repository, spec),
        sha: push.sha,
        github,
        repository,
        spec,
        clusterConfig: allowed.cluster,
        checkRunId: id,
        ...(push.deliveryId ? { deliveryId: push.deliveryId } : {}),
        comments: config.comments,
      });
      this.options.metrics.queueDepth.set(this.queue.depth());
    }
    return ids;
  }

  /**
   * `check_run.rerequested` or the Re-sync button: the target of that check run (its `external_id`)
   * runs again for its commit if the commit is still the branch head; otherwise a check run says which
   * commit superseded it.
   */
  async rerun(
    github: GitHub,
    repository: Repository,
    request: { externalId: string; sha: string; branch: string; defaultBranch: string },
    config: RepositoryConfig,
  ): Promise<void> {
    const spec = config.sync.find((t) => targetId(t) === request.externalId);
    if (!spec) return;
    const { data: branch } = await github.request("GET /repos/{owner}/{repo}/branches/{branch}", {
      ...repository,
      branch: request.branch,
    });
    if (branch.commit.sha !== request.sha) {
      await github.request("POST /repos/{owner}/{repo}/check-runs", {
        ...repository,
        name: checkRunName(spec.cluster),
        head_sha: request.sha,
        external_id: targetId(spec),
        status: "completed",
        conclusion: "skipped",
        completed_at: new Date().toISOString(),
        output: {
          title: `Superseded by ${branch.commit.sha.slice(0, 7)}`,
          summary: `${request.branch} is now at ${branch.commit.sha}; Ferry syncs the head of the branch, not older commits.`,
        },
      });
      return;
    }
    await this.push(
      github,
      repository,
      { branch: request.branch, defaultBranch: request.defaultBranch, sha: request.sha },
      {
        ...config,
        sync: [{ ...spec, branch: request.branch }],
      },
    );
  }

  /**
   * An interval run: the target is reconciled again at the head of its branch, to find and correct
   * drift. It reports a check run on the head commit only when it corrected something or failed.
   */
  async drift(
    github: GitHub,
    repository: Repository,
    spec: SyncTarget,
    comments: CommentPolicy,
    defaultBranch: string,
  ): Promise<void> {
    const allowed = clusterFor(this.options.operator, spec.cluster, fullName(repository));
    if (!allowed.ok) return;
    const { data: branch } = await github.request("GET /repos/{owner}/{repo}/branches/{branch}", {
      ...repository,
      branch: spec.branch ?? defaultBranch,
    });
    this.queue.submit({
      cluster: spec.cluster,
      target: queueKey(repository, spec),
      sha: branch.commit.sha,
      github,
      repository,
      spec,
      clusterConfig: allowed.cluster,
      comments,
    });
  }

  /**
   * The start-up run of one repository: each target is reconciled once at the head of its branch,
   * reporting like an interval run. A check run a stopped instance left `in_progress` is completed:
   * on the head commit this run takes it over, on an older one it ends as superseded.
   */
  async resume(
    github: GitHub,
    repository: Repository,
    config: RepositoryConfig,
    defaultBranch: string,
  ): Promise<void> {
    for (const spec of config.sync) {
      const allowed = clusterFor(this.options.operator, spec.cluster, fullName(repository));
      if (!allowed.ok) continue;
      const branch = spec.branch ?? defaultBranch;
      const { data: commits } = await github.request("GET /repos/{owner}/{repo}/commits", {
        ...repository,
        sha: branch,
        per_page: STALE_SEARCH_DEPTH,
      });
      const head = commits[0]?.sha;
      if (!head) continue;
      let adopted: number | undefined;
      for (const { sha } of commits) {
        const { data } = await github.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
          ...repository,
          ref: sha,
          check_name: checkRunName(spec.cluster),
          status: "in_progress",
        });
        for (const stale of data.check_runs.filter((run) => run.external_id === targetId(spec))) {
          if (sha === head && adopted === undefined) {
            adopted = Number(stale.id);
            continue;
          }
          await this.complete(
            { github, repository, checkRunId: Number(stale.id), cluster: spec.cluster, sha },
            "skipped",
            sha === head ? "Taken over by another check run" : `Superseded by ${head.slice(0, 7)}`,
            `Ferry stopped before finishing this run; it synced ${branch} again at ${head} when it started.`,
          );
        }
      }
      this.queue.submit({
        cluster: spec.cluster,
        target: queueKey(repository, spec),
        sha: head,
        github,
        repository,
        spec,
        clusterConfig: allowed.cluster,
        ...(adopted === undefined ? {} : { checkRunId: adopted }),
        comments: config.comments,
      });
      this.options.metrics.queueDepth.set(this.queue.depth());
    }
  }

  /**
   * Keeps the targets of a repository reconciled every `interval` (targets with 0 are left alone);
   * watching again replaces the repository's timers, so a changed `.github/ferry.yml` takes effect.
   */
  watch(
    github: () => Promise<GitHub>,
    repository: Repository,
    config: RepositoryConfig,
    defaultBranch: string,
  ): void {
    this.unwatch(repository);
    for (const spec of config.sync.filter((t) => t.interval > 0)) {
      const timer = setInterval(() => {
        github()
          .then((client) => this.drift(client, repository, spec, config.comments, defaultBranch))
          .catch((error: unknown) => {
            this.options.metrics.errors.inc({ kind: "interval" });
            this.options.log.error(
              { err: error, repository: fullName(repository), cluster: spec.cluster },
              "interval run failed",
            );
          });
      }, spec.interval);
      timer.unref();
      this.timers.set(queueKey(repository, spec), timer);
    }
  }

  /** Stops a repository's interval timers (it was uninstalled, or its config has no targets left). */
  unwatch(repository: Repository): void {
    for (const [key, timer] of this.timers) {
      if (key.startsWith(`${fullName(repository)}:`)) {
        clearInterval(timer);
        this.timers.delete(key);
      }
    }
  }

  /** Stops every interval timer. */
  stop(): void {
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
  }

  private async run(job: SyncJob): Promise<void> {
    this.options.metrics.queueDepth.set(this.queue.depth());
    try {
      await this.sync(job);
    } catch (error) {
      // Whatever went wrong, the check run must not stay in progress (an interval run opens one to say so).
      await this.complete(
        job,
        "failure",
        "Ferry could not finish the sync",
        error instanceof Error ? error.message : String(error),
      );
      throw error;
    }
  }

  private async sync(job: SyncJob): Promise<void> {
    const { operator } = this.options;
    const checkout = await fetchRevision(
      job.github,
      { ...job.repository, sha: job.sha },
      {
        ...(this.options.cacheDir ? { cacheDir: this.options.cacheDir } : {}),
        sizeLimitBytes: operator.tarballSizeLimit,
        sizeLimitSetting: "`tarballSizeLimit` in the operator file (FERRY_CONFIG)",
      },
    ).catch(async (error: unknown) => {
      await this.complete(
        job,
        "failure",
        "Could not fetch the commit",
        String(error instanceof Error ? error.message : error),
      );
      return undefined;
    });
    if (!checkout) return;
    const { clusterConfig: cluster } = job;
    const connection: ClusterConnection = {
      ...(cluster.kubeconfig ? { kubeconfig: cluster.kubeconfig } : {}),
      ...(cluster.context ? { context: cluster.context } : {}),
      inCluster: cluster.inCluster,
      ...(cluster.serviceAccount ? { impersonate: cluster.serviceAccount.user } : {}),
    };
    const client = await KubeClient.connect(connection);
    let workspace: Workspace | undefined;
    try {
      const lease = await acquireLease(client, {
        name: `ferry-${job.cluster}`,
        holder: this.options.replica,
      });
      this.options.metrics.leaseWaitSeconds.observe(lease.waitedMs / 1000);
      try {
        workspace = await Workspace.create(checkout.dir, { allowRemoteBases: operator.allowRemoteBases });
        this.keys ??= loadKeys({
          ageKeyFiles: operator.sops.ageKeyFiles,
          pgpKeyFiles: operator.sops.pgpKeyFiles,
          env: {},
        });
        const result = await reconcileTree(
          {
            client,
            workspace,
            revision: job.sha,
            sopsKeys: await this.keys,
            namespaces: namespacePolicy(cluster, fullName(job.repository)),
            connection,
            ...(this.options.cacheDir ? { chartCacheDir: join(this.options.cacheDir, "charts") } : {}),
            registryCredentials: operatorRegistryLogins(operator),
          },
          rootUnit(job),
        );
        this.observe(result);
        this.options.log.info(
          { ...logFields(job), ok: result.ok, durationMs: result.durationMs },
          `synced ${job.spec.path} to ${job.cluster}: ${result.ok ? "succeeded" : "failed"}`,
        );
        await this.report(job, result);
        this.options.onSynced?.(job, result);
      } finally {
        await lease.release();
      }
    } finally {
      client.close();
      await workspace?.dispose();
      await checkout.release();
    }
  }

  private observe(result: ReconcileResult): void {
    const outcome = result.ok ? "success" : "failure";
    for (const unit of result.units) {
      for (const t of unit.timings)
        this.options.metrics.reconcileSeconds.observe({ phase: t.phase, outcome }, t.ms / 1000);
    }
  }

  /**
   * Completes the check run with the result (annotations 50 per request) and comments as configured.
   * An interval run has no check run: it opens one only when it corrected drift or failed; a quiet
   * run is only logged.
   */
  private async report(job: SyncJob, result: ReconcileResult): Promise<void> {
    const target = { cluster: job.cluster, path: job.spec.path, sha: job.sha };
    const changed = result.units.some((u) =>
      u.changes.some((c) => c.action !== "unchanged" && c.action !== "skipped"),
    );
    if (job.checkRunId === undefined && result.ok && !changed) return;
    const { conclusion, output, annotations } = checkRunOutput(result, target);
    const [first = [], ...rest] = annotations;
    const completion = {
      status: "completed" as const,
      conclusion,
      completed_at: new Date().toISOString(),
      output: { ...output, annotations: first },
      actions: [
        { label: "Re-sync", description: "Sync this commit to the cluster again", identifier: RESYNC },
      ],
    };
    const { data } =
      job.checkRunId === undefined
        ? await job.github.request("POST /repos/{owner}/{repo}/check-runs", {
            ...job.repository,
            name: checkRunName(job.cluster),
            head_sha: job.sha,
            external_id: targetId(job.spec),
            ...completion,
          })
        : await job.github.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
            ...job.repository,
            check_run_id: job.checkRunId,
            ...completion,
          });
    const checkRunId = Number(data.id);
    for (const chunk of rest) {
      await job.github.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
        ...job.repository,
        check_run_id: checkRunId,
        output: { title: output.title, summary: output.summary, annotations: chunk },
      });
    }
    if (!shouldComment(job.comments, result)) return;
    const body = commitComment(result, target, data.html_url ?? "");
    const earlier = await findComment(job, commentMarker(target));
    if (earlier) {
      await job.github.request("PATCH /repos/{owner}/{repo}/comments/{comment_id}", {
        ...job.repository,
        comment_id: earlier.id,
        body,
      });
    } else {
      await job.github.request("POST /repos/{owner}/{repo}/commits/{commit_sha}/comments", {
        ...job.repository,
        commit_sha: job.sha,
        body,
      });
    }
  }

  private async supersede(older: SyncJob, newer: SyncJob): Promise<void> {
    if (older.checkRunId === undefined) return;
    await this.complete(
      older,
      "skipped",
      `Superseded by ${newer.sha.slice(0, 7)}`,
      `A newer commit, ${newer.sha}, was pushed before this one was synced; Ferry syncs the newest.`,
    );
  }

  /** Completes the run's check run, or, for an interval run that has none, opens one already completed. */
  private async complete(
    run: { github: GitHub; repository: Repository; checkRunId?: number; cluster: string; sha: string },
    conclusion: "failure" | "skipped",
    title: string,
    summary: string,
  ): Promise<void> {
    const fields = {
      status: "completed" as const,
      conclusion,
      completed_at: new Date().toISOString(),
      output: { title, summary },
    };
    if (run.checkRunId === undefined) {
      await run.github.request("POST /repos/{owner}/{repo}/check-runs", {
        ...run.repository,
        name: checkRunName(run.cluster),
        head_sha: run.sha,
        ...fields,
      });
      return;
    }
    await run.github.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...run.repository,
      check_run_id: run.checkRunId,
      ...fields,
    });
  }
}

/** Ferry's earlier comment for this target on the commit (the one starting with `marker`), page by page. */
async function findComment(job: SyncJob, marker: string): Promise<{ id: number } | undefined> {
  for (let page = 1; ; page++) {
    const { data: comments } = await job.github.request(
      "GET /repos/{owner}/{repo}/commits/{commit_sha}/comments",
      { ...job.repository, commit_sha: job.sha, per_page: COMMENTS_PAGE, page },
    );
    const earlier = comments.find((c) => c.body.startsWith(marker));
    if (earlier || comments.length < COMMENTS_PAGE) return earlier;
  }
}

/** The root unit of a target: named after the repository and path, so repositories never share one. */
export function rootUnit(job: Pick<SyncJob, "repository" | "spec">): UnitDefinition {
  return {
    owner: {
      name: unitNameOf(`${job.repository.owner}-${job.repository.repo}-${job.spec.path}`),
      namespace: "ferry-system",
    },
    path: job.spec.path,
    overlay: {},
    prune: job.spec.prune,
    wait: job.spec.wait,
    timeoutMs: job.spec.timeout,
    force: false,
    suspend: false,
    dependsOn: [],
    healthChecks: [],
  };
}

function namespacePolicy(cluster: ClusterConfig, repository: string): NamespacePolicy | undefined {
  if (allowsAllNamespaces(cluster)) return undefined;
  return {
    allows: (namespace) => namespaceAllowed(cluster, namespace),
    clusterScoped: false,
    describe: `cluster "${cluster.name}" for ${repository}`,
  };
}

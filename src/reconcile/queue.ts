/**
 * The per-cluster queue of sync runs: one run at a time per cluster; while a run goes on, newer
 * requests for the same target coalesce into one follow-up run of the newest commit, and the older
 * request that never started is reported superseded. (Redelivered webhooks are caught before a
 * request is made: src/github/sync.ts.)
 */

export interface SyncRequest {
  /** Serialises runs: one at a time per cluster. */
  cluster: string;
  /** What a newer request replaces: the repository and target (e.g. `acme/fleet:production:clusters/prod`). */
  target: string;
  /** The commit to reconcile. */
  sha: string;
}

export interface QueueHooks<R extends SyncRequest> {
  run(request: R): Promise<void>;
  /** `older` will not run: `newer` (for the same target) replaced it before it started. */
  superseded(older: R, newer: R): Promise<void> | void;
  /** A run threw; the queue goes on with the next request. */
  failed?(request: R, error: unknown): void;
}

interface ClusterLane<R> {
  running?: R;
  pending: Map<string, R>;
  done: Promise<void>;
}

export class SyncQueue<R extends SyncRequest> {
  private readonly lanes = new Map<string, ClusterLane<R>>();
  /** Superseded reports still being sent. */
  private readonly reporting = new Set<Promise<void>>();

  constructor(private readonly hooks: QueueHooks<R>) {}

  submit(request: R): void {
    const lane = this.lanes.get(request.cluster) ?? {
      pending: new Map<string, R>(),
      done: Promise.resolve(),
    };
    this.lanes.set(request.cluster, lane);
    const older = lane.pending.get(request.target);
    if (older) {
      lane.pending.delete(request.target);
      const report = Promise.resolve()
        .then(() => this.hooks.superseded(older, request))
        .catch((e) => this.hooks.failed?.(older, e));
      this.reporting.add(report);
      void report.finally(() => this.reporting.delete(report));
    }
    lane.pending.set(request.target, request);
    if (!lane.running) lane.done = this.drain(lane);
  }

  /** Requests waiting for each cluster (for the queue-depth metric). */
  depth(): number {
    return [...this.lanes.values()].reduce((n, lane) => n + lane.pending.size, 0);
  }

  /** Resolves once every cluster's lane is empty and every superseded request has been reported. */
  async idle(): Promise<void> {
    while (this.reporting.size > 0 || [...this.lanes.values()].some((l) => l.running || l.pending.size > 0)) {
      await Promise.all([...this.lanes.values()].map((l) => l.done));
      await Promise.all([...this.reporting]);
    }
  }

  private async drain(lane: ClusterLane<R>): Promise<void> {
    for (;;) {
      const next = lane.pending.values().next();
      if (next.done) break;
      const request = next.value;
      lane.pending.delete(request.target);
      lane.running = request;
      try {
        await this.hooks.run(request);
      } catch (e) {
        this.hooks.failed?.(request, e);
      } finally {
        lane.running = undefined;
      }
    }
  }
}

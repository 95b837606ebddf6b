/** The per-cluster queue: one run at a time, newest commit wins. */
import { describe, expect, it } from "vitest";
import { SyncQueue, type SyncRequest } from "../../src/reconcile/queue.js";

type Request = SyncRequest;

/** A queue whose runs finish only when the test says so. */
function harness() {
  const log: string[] = [];
  const gates = new Map<string, () => void>();
  const queue = new SyncQueue<Request>({
    run: (r) =>
      new Promise<void>((resolve) => {
        log.push(`start ${r.cluster} ${r.sha}`);
        gates.set(r.sha, () => {
          log.push(`end ${r.cluster} ${r.sha}`);
          resolve();
        });
      }),
    superseded: (older, newer) => {
      log.push(`superseded ${older.sha} by ${newer.sha}`);
    },
    failed: (r, e) => log.push(`failed ${r.sha}: ${String(e)}`),
  });
  const finish = async (sha: string) => {
    await new Promise((r) => setImmediate(r));
    gates.get(sha)?.();
    await new Promise((r) => setImmediate(r));
  };
  return { queue, log, finish };
}

const push = (sha: string, cluster = "prod", target = "acme/fleet:prod"): Request => ({
  cluster,
  target,
  sha,
});

describe("SyncQueue", () => {
  it("runs one request at a time per cluster and coalesces the ones that arrive meanwhile into the newest", async () => {
    const { queue, log, finish } = harness();
    queue.submit(push("a1"));
    queue.submit(push("a2"));
    queue.submit(push("a3"));
    expect(queue.depth()).toBe(1);
    await finish("a1");
    await finish("a3");
    await queue.idle();
    expect(log).toEqual([
      "start prod a1",
      "superseded a2 by a3",
      "end prod a1",
      "start prod a3",
      "end prod a3",
    ]);
  });

  it("keeps targets of different repositories apart on one cluster, and clusters independent", async () => {
    const { queue, log, finish } = harness();
    queue.submit(push("x1", "prod", "acme/one:prod"));
    queue.submit(push("y1", "prod", "acme/two:prod"));
    queue.submit(push("z1", "staging", "acme/one:staging"));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(["start prod x1", "start staging z1"]);
    await finish("x1");
    await finish("y1");
    await finish("z1");
    await queue.idle();
    expect(log).not.toContain("superseded");
    expect(log.filter((l) => l.startsWith("end"))).toEqual(["end prod x1", "end prod y1", "end staging z1"]);
  });

  it("goes on with the next request after a run fails", async () => {
    const log: string[] = [];
    const queue = new SyncQueue<Request>({
      run: async (r) => {
        log.push(`run ${r.sha}`);
        if (r.sha === "bad") throw new Error("boom");
      },
      superseded: () => {},
      failed: (r, e) => log.push(`failed ${r.sha}: ${(e as Error).message}`),
    });
    queue.submit(push("bad"));
    queue.submit(push("good", "prod", "acme/other:prod"));
    await queue.idle();
    expect(log).toEqual(["run bad", "failed bad: boom", "run good"]);
  });
});

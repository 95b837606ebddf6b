/**
 * Webhook deliveries as GitHub sends them: a JSON body signed with the webhook secret
 * (`X-Hub-Signature-256`), POSTed with its event name and delivery id. `sendAll` sends many over
 * keep-alive connections from a worker thread, so the sender's work does not share the app's event loop.
 */
import { createHmac } from "node:crypto";
import { Agent, request } from "node:http";
import { Worker } from "node:worker_threads";
import { threadCpuMs } from "./thread-cpu.js";

export interface Delivery {
  id: string;
  event: string;
  body: string;
  signature: string;
}

export interface LoadResult {
  seconds: number;
  /** Answers by HTTP status. */
  statuses: Record<number, number>;
  /** Milliseconds from sending a delivery to its answer: median, 90th percentile, max. */
  latency: { p50: number; p90: number; max: number };
  /** CPU milliseconds the receiving (main) thread spent meanwhile, where the OS tells. */
  receiverCpuMs?: number;
}

export function delivery(id: string, event: string, payload: unknown, secret: string): Delivery {
  const body = JSON.stringify(payload);
  return { id, event, body, signature: `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` };
}

/** Sends one delivery; resolves with the HTTP status once the answer has been read. */
export function send(url: string, { id, event, body, signature }: Delivery, agent?: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "user-agent": "GitHub-Hookshot/bench",
          "x-github-event": event,
          "x-github-delivery": id,
          "x-hub-signature-256": signature,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends every delivery, `concurrency` in flight over as many keep-alive connections, timed. */
export async function sendConcurrently(
  url: string,
  deliveries: Delivery[],
  concurrency: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses: Record<number, number> = {};
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < deliveries.length) {
      const one = deliveries[next++];
      const sent = performance.now();
      const status = await send(url, one, agent);
      latencies.push(performance.now() - sent);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { seconds, statuses, latency: { p50: at(0.5), p90: at(0.9), max: at(1) } };
}

/**
 * sendConcurrently in a worker thread (delivery-worker.ts). The worker says when it is ready, so
 * the CPU time of this thread is counted from the first delivery to the last answer.
 */
export function sendAll(url: string, deliveries: Delivery[], concurrency: number): Promise<LoadResult> {
  const worker = new Worker(new URL("./delivery-worker.ts", import.meta.url), {
    workerData: { url, deliveries, concurrency },
  });
  let started: number | undefined;
  return new Promise((resolve, reject) => {
    worker.on("message", (message: "ready" | LoadResult) => {
      if (message === "ready") {
        started = threadCpuMs();
        worker.postMessage("go");
        return;
      }
      const ended = threadCpuMs();
      resolve({
        ...message,
        ...(started !== undefined && ended !== undefined ? { receiverCpuMs: ended - started } : {}),
      });
    });
    worker.once("error", reject);
    worker.once("exit", (code) =>
      reject(new Error(`the delivery worker exited with ${code} before answering`)),
    );
  });
}

/** The worker thread of `sendAll`: sends the deliveries it is given once told to, and posts the LoadResult back. */
import { once } from "node:events";
import { parentPort, workerData } from "node:worker_threads";
import { type Delivery, sendConcurrently } from "./deliveries.js";

const { url, deliveries, concurrency } = workerData as {
  url: string;
  deliveries: Delivery[];
  concurrency: number;
};
if (!parentPort) throw new Error("delivery-worker.ts runs as a worker thread");
parentPort.postMessage("ready");
await once(parentPort, "message");
parentPort.postMessage(await sendConcurrently(url, deliveries, concurrency));

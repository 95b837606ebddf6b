/**
 * Wait: poll the objects' kstatus until all are Current, one has Failed, or the unit's timeout
 * passes. The polling interval backs off from 250 ms to 2 s.
 */
import type { ObjectRef } from "../model/object.js";
import { subjectOf } from "../model/object.js";
import type { HealthEntry } from "../model/result.js";
import type { KubeClient } from "./client.js";
import { KubeApiError } from "./client.js";
import { computeStatus } from "./health.js";

export interface WaitOutcome {
  ok: boolean;
  timedOut: boolean;
  health: HealthEntry[];
}

export async function checkHealth(client: KubeClient, refs: ObjectRef[]): Promise<HealthEntry[]> {
  return Promise.all(
    refs.map(async (ref): Promise<HealthEntry> => {
      const subject = subjectOf(ref);
      try {
        const live = await client.get(ref);
        if (!live) return { ref, subject, status: "NotFound", message: "Resource not found" };
        const { status, message } = computeStatus(live);
        return { ref, subject, status, message };
      } catch (e) {
        const message = e instanceof KubeApiError || e instanceof Error ? e.message : String(e);
        return { ref, subject, status: "Unknown", message };
      }
    }),
  );
}

export async function waitForHealth(
  client: KubeClient,
  refs: ObjectRef[],
  options: { timeoutMs: number; minIntervalMs?: number; maxIntervalMs?: number },
): Promise<WaitOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  let interval = options.minIntervalMs ?? 250;
  for (;;) {
    const health = await checkHealth(client, refs);
    if (health.every((h) => h.status === "Current")) return { ok: true, timedOut: false, health };
    if (health.some((h) => h.status === "Failed")) return { ok: false, timedOut: false, health };
    const left = deadline - Date.now();
    if (left <= 0) return { ok: false, timedOut: true, health };
    await new Promise((r) => setTimeout(r, Math.min(interval, left)));
    interval = Math.min(interval * 2, options.maxIntervalMs ?? 2000);
  }
}

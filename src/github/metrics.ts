/**
 * Ferry's Prometheus metrics (prom-client), one registry per app instance (no module state), and the
 * HTTP endpoints `/healthz` and `/metrics` served beside Probot's webhook route.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface FerryMetrics {
  registry: Registry;
  deliveries: Counter<"event">;
  reconcileSeconds: Histogram<"phase" | "outcome">;
  queueDepth: Gauge;
  leaseWaitSeconds: Histogram;
  errors: Counter<"kind">;
}

export function createMetrics(): FerryMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "ferry_process_" });
  return {
    registry,
    deliveries: new Counter({
      name: "ferry_webhook_deliveries_total",
      help: "Webhook deliveries received, by event",
      labelNames: ["event"],
      registers: [registry],
    }),
    reconcileSeconds: new Histogram({
      name: "ferry_reconcile_phase_seconds",
      help: "Time spent in each reconcile phase, by outcome",
      labelNames: ["phase", "outcome"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "ferry_sync_queue_depth",
      help: "Sync requests waiting for their cluster",
      registers: [registry],
    }),
    leaseWaitSeconds: new Histogram({
      name: "ferry_lease_wait_seconds",
      help: "Time spent waiting for a cluster's lease",
      buckets: [0.01, 0.1, 1, 5, 30, 120, 600],
      registers: [registry],
    }),
    errors: new Counter({
      name: "ferry_errors_total",
      help: "Errors, by kind",
      labelNames: ["kind"],
      registers: [registry],
    }),
  };
}

/** Answers `GET /healthz` and `GET /metrics`; returns false for every other request (Probot's turn). */
export function operationsHandler(metrics: FerryMetrics) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || (path !== "/healthz" && path !== "/metrics")) return false;
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      res.end("ok\n");
      return true;
    }
    res.writeHead(200, { "content-type": metrics.registry.contentType });
    res.end(await metrics.registry.metrics());
    return true;
  };
}

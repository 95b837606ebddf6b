/** Server-side printing: `kubectl get` asks for a `Table`, and gets Name and Age columns. */
import type { IncomingMessage } from "node:http";
import type { KubeObject } from "./store.js";

export function wantsTable(req: IncomingMessage): boolean {
  return /as=Table/.test(req.headers.accept ?? "");
}

/** `5s`, `3m`, `2h`, `4d`, as kubectl prints ages. */
export function age(timestamp: string | undefined, now = Date.now()): string {
  if (!timestamp) return "<unknown>";
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 120 * 60) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

export function toTable(items: KubeObject[], resourceVersion: string) {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion },
    columnDefinitions: [
      { name: "Name", type: "string", format: "name", description: "Name of the object", priority: 0 },
      {
        name: "Age",
        type: "string",
        format: "",
        description: "Time since the object was created",
        priority: 0,
      },
    ],
    rows: items.map((o) => ({
      cells: [o.metadata.name, age(o.metadata.creationTimestamp)],
      object: {
        kind: "PartialObjectMetadata",
        apiVersion: "meta.k8s.io/v1",
        metadata: o.metadata,
      },
    })),
  };
}

/** Watches: newline-delimited JSON events over a chunked response, from a resourceVersion. */
import type { ServerResponse } from "node:http";
import { ApiError } from "./errors.js";
import type { ObjectService } from "./objects.js";
import { storageKey } from "./objects.js";
import type { ResourceType } from "./resources.js";
import type { Selector } from "./selectors.js";
import type { KubeObject, ObjectStore, StoredEvent } from "./store.js";

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  selector: Selector;
  resourceVersion?: string;
  timeoutSeconds?: number;
  sendInitialEvents: boolean;
  allowWatchBookmarks: boolean;
}

export function serveWatch(
  res: ServerResponse,
  store: ObjectStore,
  objects: ObjectService,
  request: WatchRequest,
  onClose: (close: () => void) => void,
): void {
  const { type, namespace, selector } = request;
  const key = storageKey(type);
  const send = (eventType: string, object: unknown) =>
    res.write(`${JSON.stringify({ type: eventType, object })}\n`);
  const inScope = (o: KubeObject | undefined) =>
    o !== undefined && (namespace === undefined || o.metadata.namespace === namespace) && selector(o);

  const deliver = (event: StoredEvent) => {
    if (event.resource !== key) return;
    const now = inScope(event.object);
    const before = inScope(event.previous);
    const object = objects.asVersion(event.object, type);
    if (event.type === "DELETED") {
      if (now || before) send("DELETED", object);
    } else if (now) {
      send(event.type === "MODIFIED" && !before ? "ADDED" : event.type, object);
    } else if (before) {
      send("DELETED", object);
    }
  };

  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
  const rv = request.resourceVersion;
  if (request.sendInitialEvents || rv === undefined || rv === "" || rv === "0") {
    for (const o of objects.list(type, namespace)) if (selector(o)) send("ADDED", o);
    if (request.sendInitialEvents) {
      send("BOOKMARK", {
        kind: type.kind,
        apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
        metadata: {
          resourceVersion: String(store.currentResourceVersion),
          annotations: { "k8s.io/initial-events-end": "true" },
        },
      });
    }
  } else {
    const events = store.eventsSince(Number(rv));
    if (!events) {
      const expired = new ApiError(
        410,
        "Expired",
        `too old resource version: ${rv} (${store.oldestWatchableVersion})`,
      ).toStatus();
      send("ERROR", expired);
      res.end();
      return;
    }
    for (const event of events) deliver(event);
  }

  const unsubscribe = store.subscribe(deliver);
  let timer: NodeJS.Timeout | undefined;
  const close = () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  if (request.timeoutSeconds) timer = setTimeout(close, request.timeoutSeconds * 1000);
  res.on("close", close);
  onClose(close);
}

/**
 * The server's storage: objects by resource, one resourceVersion counter for everything (as
 * etcd's revision), and a bounded log of changes that watches replay from.
 */

export type KubeObject = Record<string, any>;
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoredEvent {
  type: WatchEventType;
  /** `group/plural`: one storage for every served version of a resource. */
  resource: string;
  object: KubeObject;
  /** The object before this change, so a selector that stops matching can send DELETED. */
  previous?: KubeObject;
  resourceVersion: number;
}

export type EventListener = (event: StoredEvent) => void;

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ""}/${name}`;

export class ObjectStore {
  private revision = 1;
  private readonly resources = new Map<string, Map<string, KubeObject>>();
  private readonly log: StoredEvent[] = [];
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly logSize = 10_000) {}

  get currentResourceVersion(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch can still start from. */
  get oldestWatchableVersion(): number {
    return this.log.length === 0 ? this.revision : this.log[0].resourceVersion - 1;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.resources.get(resource)?.get(keyOf(namespace, name));
  }

  /** Objects of a resource, in one namespace or all, sorted by namespace and name as etcd keys are. */
  list(resource: string, namespace?: string): KubeObject[] {
    const all = [...(this.resources.get(resource)?.entries() ?? [])];
    return all
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o);
  }

  /** Resources that hold at least one object (for namespace and CRD clean-up). */
  resourceNames(): string[] {
    return [...this.resources.keys()].filter((r) => (this.resources.get(r)?.size ?? 0) > 0);
  }

  /** Stores `object` with a new resourceVersion and tells watchers. Returns the stored object. */
  put(resource: string, object: KubeObject): KubeObject {
    const objects = this.resources.get(resource) ?? new Map<string, KubeObject>();
    this.resources.set(resource, objects);
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    const previous = objects.get(key);
    const resourceVersion = ++this.revision;
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(resourceVersion) } };
    objects.set(key, stored);
    this.emit({ type: previous ? "MODIFIED" : "ADDED", resource, object: stored, previous, resourceVersion });
    return stored;
  }

  remove(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const objects = this.resources.get(resource);
    const key = keyOf(namespace, name);
    const previous = objects?.get(key);
    if (!objects || !previous) return undefined;
    objects.delete(key);
    const resourceVersion = ++this.revision;
    const removed = {
      ...previous,
      metadata: { ...previous.metadata, resourceVersion: String(resourceVersion) },
    };
    this.emit({ type: "DELETED", resource, object: removed, previous, resourceVersion });
    return removed;
  }

  /** Events after `resourceVersion`, or undefined when the log no longer reaches back that far. */
  eventsSince(resourceVersion: number): StoredEvent[] | undefined {
    if (resourceVersion < this.oldestWatchableVersion) return undefined;
    return this.log.filter((e) => e.resourceVersion > resourceVersion);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoredEvent): void {
    this.log.push(event);
    if (this.log.length > this.logSize) this.log.splice(0, this.log.length - this.logSize);
    for (const listener of this.listeners) listener(event);
  }
}

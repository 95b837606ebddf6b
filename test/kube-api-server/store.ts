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
  /** uid → where the object is stored, and owner uid → its dependents: for garbage collection. */
  private readonly byUid = new Map<string, { resource: string; key: string }>();
  private readonly dependents = new Map<string, Set<string>>();

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
    this.index(resource, key, previous, stored);
    this.emit({ type: previous ? "MODIFIED" : "ADDED", resource, object: stored, previous, resourceVersion });
    return stored;
  }

  remove(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const objects = this.resources.get(resource);
    const key = keyOf(namespace, name);
    const previous = objects?.get(key);
    if (!objects || !previous) return undefined;
    objects.delete(key);
    this.index(resource, key, previous, undefined);
    const resourceVersion = ++this.revision;
    const removed = {
      ...previous,
      metadata: { ...previous.metadata, resourceVersion: String(resourceVersion) },
    };
    this.emit({ type: "DELETED", resource, object: removed, previous, resourceVersion });
    return removed;
  }

  /** The object with this uid, if it exists. */
  byUidOf(uid: string): KubeObject | undefined {
    const at = this.byUid.get(uid);
    return at && this.resources.get(at.resource)?.get(at.key);
  }

  /** Objects whose ownerReferences name `uid`, with the resource they are stored under. */
  dependentsOf(uid: string): { resource: string; object: KubeObject }[] {
    return [...(this.dependents.get(uid) ?? [])].flatMap((entry) => {
      const [resource, key] = entry.split("\u0000");
      const object = this.resources.get(resource)?.get(key);
      return object ? [{ resource, object }] : [];
    });
  }

  private index(
    resource: string,
    key: string,
    previous: KubeObject | undefined,
    next: KubeObject | undefined,
  ): void {
    const entry = `${resource}\u0000${key}`;
    const owners = (o: KubeObject | undefined): string[] =>
      (o?.metadata.ownerReferences ?? []).map((r: { uid: string }) => r.uid);
    for (const uid of owners(previous)) this.dependents.get(uid)?.delete(entry);
    for (const uid of owners(next)) {
      const set = this.dependents.get(uid) ?? new Set<string>();
      set.add(entry);
      this.dependents.set(uid, set);
    }
    // A removed owner keeps its dependents' entries: the garbage collector reads them afterwards.
    if (previous?.metadata.uid && previous.metadata.uid !== next?.metadata.uid)
      this.byUid.delete(previous.metadata.uid);
    if (next?.metadata.uid) this.byUid.set(next.metadata.uid, { resource, key });
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

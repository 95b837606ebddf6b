/**
 * Server-side apply field ownership: the structured-merge-diff logic of the kube-apiserver
 * (k8s.io/apimachinery managedfields + sigs.k8s.io/structured-merge-diff), reduced to JSON objects.
 *
 * A field set is a set of paths. A path is a list of FieldsV1 elements: `f:<field>` for a map field,
 * `k:<json of the key fields>` for an item of a `map` list, `v:<json value>` for an item of a `set` list.
 * Members of a set are the leaves of an object (scalars, atomic lists, empty maps and lists) and the items
 * of `map` lists. Pure functions, no I/O.
 */

import { cloneJson } from "./json.js";
import type { ListType, ListTypeResolver } from "./list-types.js";

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface FieldConflict {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  /** e.g. `.spec.replicas`, `.spec.template.spec.containers[name="web"].image`, `.metadata.labels.app` */
  field: string;
}

export interface OwnershipContext {
  listType: ListTypeResolver;
  apiVersion: string;
  /** RFC3339 */
  now: string;
  /** "status" or undefined */
  subresource?: string;
  /**
   * Top-level paths this endpoint ignores, e.g. [["status"]] for the main resource of a kind with a
   * status subresource, or [["spec"], ["metadata"]] for /status.
   */
  resetPaths: readonly (readonly string[])[];
}

export type ApplyOutcome =
  | { ok: true; object: Record<string, unknown>; managedFields: ManagedFieldsEntry[]; changed: boolean }
  | { ok: false; conflicts: FieldConflict[] };

type JsonObject = Record<string, unknown>;
/** One FieldsV1 path element: `f:name`, `k:{"name":"web"}` or `v:"value"`. */
type PathElement = string;
type Path = readonly PathElement[];

/** Metadata the server sets; never owned, and dropped from an applied configuration. */
const SERVER_METADATA = [
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "selfLink",
  "managedFields",
];

/** Fields that are never tracked in a field set. */
const UNTRACKED: readonly (readonly string[])[] = [
  ["apiVersion"],
  ["kind"],
  ["metadata", "name"],
  ["metadata", "namespace"],
  ...SERVER_METADATA.map((field) => ["metadata", field]),
];

// ---------------------------------------------------------------------------------------------------------
// Public API

/**
 * Server-side apply of `applied` by `manager` onto `live` (undefined when the object does not exist yet).
 * The returned object carries the new managedFields in its metadata.
 */
export function applyConfiguration(
  live: Record<string, unknown> | undefined,
  applied: Record<string, unknown>,
  manager: string,
  force: boolean,
  ctx: OwnershipContext,
): ApplyOutcome {
  const resolve = ctx.listType;
  const subresource = ctx.subresource || undefined;
  const entries = readEntries(live, ctx);
  const config = sanitizeApplied(applied, ctx);
  const appliedSet = fieldSetOf(config, ctx);
  const base = live ? withoutManagedFields(live) : {};
  const merged = live ? (mergeValue(base, config, [], resolve) as JsonObject) : config;

  // Conflicts: fields of the configuration whose value changes and that someone else owns.
  const conflicts: FieldConflict[] = [];
  const lost: { entry: Entry; path: Path }[] = [];
  const seen = new Set<string>();
  for (const path of appliedSet) {
    if (!valueChanged(base, merged, path, resolve)) continue;
    entries.forEach((entry, index) => {
      if (entry.subresource !== subresource) return;
      if (entry.manager === manager && entry.operation === "Apply") return;
      if (!entry.set.covers(path)) return;
      for (const owned of entry.set) {
        if (!isPrefix(path, owned)) continue;
        const id = `${index}|${pathKey(owned)}`;
        if (seen.has(id)) continue;
        seen.add(id);
        lost.push({ entry, path: owned });
        conflicts.push({
          manager: entry.manager,
          operation: entry.operation,
          apiVersion: entry.apiVersion,
          ...(entry.time === undefined ? {} : { time: entry.time }),
          field: fieldPathString(owned),
        });
      }
    });
  }
  if (conflicts.length > 0 && !force) {
    conflicts.sort((a, b) => compareStrings(a.manager, b.manager) || compareStrings(a.field, b.field));
    return { ok: false, conflicts };
  }
  for (const { entry, path } of lost) entry.set.delete(path);

  // Fields the manager applied before and no longer applies, that nobody else owns, are removed.
  let mine = entries.find(
    (e) => e.manager === manager && e.operation === "Apply" && e.subresource === subresource,
  );
  const others = entries.filter((e) => e !== mine);
  const ownedElsewhere = (path: Path) => appliedSet.covers(path) || others.some((e) => e.set.covers(path));
  const ownedAsMember = (path: Path) => appliedSet.has(path) || others.some((e) => e.set.has(path));
  const stale = [...(mine?.set ?? [])]
    .filter((path) => !appliedSet.has(path) && !ownedElsewhere(path) && !isItemKeyField(path, resolve))
    .sort((a, b) => a.length - b.length);
  for (const path of stale) removePath(merged, path, resolve, ownedAsMember);

  if (!mine) {
    mine = { manager, operation: "Apply", apiVersion: ctx.apiVersion, subresource, set: new FieldSet() };
    entries.push(mine);
  }
  mine.set = appliedSet;
  mine.apiVersion = ctx.apiVersion;

  const managedFields = finishEntries(entries, merged, mine, live, ctx);
  const metadata = isObject(merged.metadata) ? merged.metadata : {};
  merged.metadata = metadata;
  if (managedFields.length > 0) metadata.managedFields = managedFields;
  else delete metadata.managedFields;
  return { ok: true, object: merged, managedFields, changed: !live || !deepEqual(merged, live) };
}

/**
 * Any non-apply write (create, PUT, merge/strategic/JSON patch): the fields that changed between `before`
 * (undefined on create) and `after` go to `manager`'s Update entry. Returns the managedFields for `after`.
 */
export function recordUpdate(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
  manager: string,
  ctx: OwnershipContext,
): ManagedFieldsEntry[] {
  const resolve = ctx.listType;
  const subresource = ctx.subresource || undefined;
  const entries = readEntries(before, ctx);
  const changed = [...fieldSetOf(after, ctx)].filter(
    (path) => !before || valueChanged(before, after, path, resolve),
  );
  let mine = entries.find(
    (e) => e.manager === manager && e.operation === "Update" && e.subresource === subresource,
  );
  if (changed.length > 0) {
    for (const entry of entries) {
      if (entry === mine) continue;
      for (const path of changed) entry.set.delete(path);
    }
    if (!mine) {
      mine = { manager, operation: "Update", apiVersion: ctx.apiVersion, subresource, set: new FieldSet() };
      entries.push(mine);
    }
    for (const path of changed) mine.set.add(path);
    mine.apiVersion = ctx.apiVersion;
  }
  return finishEntries(entries, after, mine, before, ctx);
}

/** `.spec.template.spec.containers[name="web"].image` for a FieldsV1 path. */
export function fieldPathString(path: Path): string {
  return path
    .map((element) => {
      const body = element.slice(2);
      if (element.startsWith("f:")) return `.${body}`;
      if (element.startsWith("v:")) return `[=${body}]`;
      if (element.startsWith("i:")) return `[${body}]`;
      if (element.startsWith("k:")) {
        const key = parseJson(body);
        if (!isObject(key)) return `[${body}]`;
        return `[${Object.entries(key)
          .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
          .join(",")}]`;
      }
      return element;
    })
    .join("");
}

// ---------------------------------------------------------------------------------------------------------
// Field sets

/** A set of paths, with a lazily built index of every prefix ("is this path or one below it owned?"). */
class FieldSet implements Iterable<Path> {
  readonly #paths = new Map<string, Path>();
  #prefixes: Set<string> | undefined;

  get size(): number {
    return this.#paths.size;
  }

  has(path: Path): boolean {
    return this.#paths.has(pathKey(path));
  }

  add(path: Path): void {
    this.#paths.set(pathKey(path), path);
    this.#prefixes = undefined;
  }

  delete(path: Path): void {
    if (this.#paths.delete(pathKey(path))) this.#prefixes = undefined;
  }

  /** True when the set holds `path` or a path below it. */
  covers(path: Path): boolean {
    if (!this.#prefixes) {
      this.#prefixes = new Set();
      for (const p of this.#paths.values()) {
        for (let i = 1; i <= p.length; i++) this.#prefixes.add(pathKey(p.slice(0, i)));
      }
    }
    return this.#prefixes.has(pathKey(path));
  }

  equals(other: FieldSet): boolean {
    if (other.size !== this.size) return false;
    for (const key of this.#paths.keys()) if (!other.#paths.has(key)) return false;
    return true;
  }

  clone(): FieldSet {
    const copy = new FieldSet();
    for (const p of this) copy.add(p);
    return copy;
  }

  [Symbol.iterator](): Iterator<Path> {
    return this.#paths.values();
  }
}

function pathKey(path: Path): string {
  return JSON.stringify(path);
}

function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((element, i) => path[i] === element);
}

/** The field set of an object, leaving out the untracked fields and the endpoint's reset paths. */
function fieldSetOf(object: JsonObject, ctx: OwnershipContext): FieldSet {
  const set = new FieldSet();
  const ignored = [...UNTRACKED, ...ctx.resetPaths];
  // `root` holds the field names from the object root while no list was crossed (for the ignore check).
  const walkMap = (map: JsonObject, path: Path, fields: readonly string[], root: string[] | undefined) => {
    for (const [name, value] of Object.entries(map)) {
      if (value === undefined) continue;
      const childRoot = root && [...root, name];
      if (childRoot && ignored.some((prefix) => sameStrings(prefix, childRoot))) continue;
      walkValue(value, [...path, `f:${name}`], [...fields, name], childRoot);
    }
  };
  const walkValue = (value: unknown, path: Path, fields: readonly string[], root: string[] | undefined) => {
    if (isObject(value)) {
      if (Object.keys(value).length === 0) set.add(path);
      else walkMap(value, path, fields, root);
      return;
    }
    if (!Array.isArray(value) || value.length === 0) {
      set.add(path);
      return;
    }
    const listType = ctx.listType(fields);
    if (listType.type === "set") {
      for (const item of value) set.add([...path, `v:${canonicalJson(item)}`]);
    } else if (listType.type === "map" && value.every(isObject)) {
      for (const item of value) {
        const itemPath = [...path, itemKey(item, listType)];
        set.add(itemPath);
        walkMap(item, itemPath, fields, undefined);
      }
    } else {
      set.add(path);
    }
  };
  walkMap(object, [], [], []);
  return set;
}

/** Reads a FieldsV1 trie, normalizing `k:`/`v:` elements to the spelling `fieldSetOf` produces. */
function fromFieldsV1(trie: unknown, resolve: ListTypeResolver): FieldSet {
  const set = new FieldSet();
  const visit = (node: JsonObject, path: Path, fields: readonly string[]) => {
    for (const [element, child] of Object.entries(node)) {
      if (element === ".") {
        if (path.length > 0) set.add(path);
        continue;
      }
      if (!isObject(child)) continue;
      let normalized = element;
      let childFields = fields;
      if (element.startsWith("f:")) childFields = [...fields, element.slice(2)];
      else if (element.startsWith("k:")) normalized = normalizeKeyElement(element, resolve(fields));
      else if (element.startsWith("v:")) normalized = normalizeValueElement(element);
      const childPath = [...path, normalized];
      if (Object.keys(child).length === 0) set.add(childPath);
      else visit(child, childPath, childFields);
    }
  };
  if (isObject(trie)) visit(trie, [], []);
  return set;
}

/** Writes a field set as a FieldsV1 trie (`"."` marks a member that has children), children sorted. */
function toFieldsV1(set: FieldSet): Record<string, unknown> {
  interface Node {
    member: boolean;
    children: Map<string, Node>;
  }
  const root: Node = { member: false, children: new Map() };
  for (const path of set) {
    let node = root;
    for (const element of path) {
      let child = node.children.get(element);
      if (!child) {
        child = { member: false, children: new Map() };
        node.children.set(element, child);
      }
      node = child;
    }
    node.member = true;
  }
  const emit = (node: Node): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (node.member && node.children.size > 0) out["."] = {};
    for (const element of [...node.children.keys()].sort(compareStrings)) {
      out[element] = emit(node.children.get(element) as Node);
    }
    return out;
  };
  return emit(root);
}

/** `k:{"containerPort":80,"protocol":"TCP"}`: the key fields in list-type order, defaults filled in. */
function itemKey(item: JsonObject, listType: Extract<ListType, { type: "map" }>): PathElement {
  const key: JsonObject = {};
  for (const { name, default: fallback } of listType.keys) {
    const value = item[name] ?? fallback;
    if (value !== undefined) key[name] = canonicalValue(value);
  }
  return `k:${JSON.stringify(key)}`;
}

function normalizeKeyElement(element: PathElement, listType: ListType): PathElement {
  const key = parseJson(element.slice(2));
  if (!isObject(key)) return element;
  if (listType.type !== "map") return `k:${canonicalJson(key)}`;
  const ordered: JsonObject = {};
  for (const { name, default: fallback } of listType.keys) {
    const value = key[name] ?? fallback;
    if (value !== undefined) ordered[name] = canonicalValue(value);
  }
  for (const name of Object.keys(key).sort(compareStrings)) {
    if (!Object.hasOwn(ordered, name)) ordered[name] = canonicalValue(key[name]);
  }
  return `k:${JSON.stringify(ordered)}`;
}

function normalizeValueElement(element: PathElement): PathElement {
  const body = element.slice(2);
  const value = parseJson(body);
  return value === undefined ? element : `v:${canonicalJson(value)}`;
}

/**
 * True for a key field of a `map` list item without a default (`f:name` directly inside
 * `k:{"name":…}`): it goes only with the item, or the item would lose its identity.
 */
function isItemKeyField(path: Path, resolve: ListTypeResolver): boolean {
  if (path.length < 2) return false;
  const last = path[path.length - 1];
  if (!last.startsWith("f:") || !path[path.length - 2].startsWith("k:")) return false;
  const fields = path.slice(0, -2).flatMap((element) => (element.startsWith("f:") ? [element.slice(2)] : []));
  const listType = resolve(fields);
  return (
    listType.type === "map" && listType.keys.some((k) => k.name === last.slice(2) && k.default === undefined)
  );
}

// ---------------------------------------------------------------------------------------------------------
// Objects

/** The values from the root down to `path` and the key or index of each step; undefined when absent. */
function trail(
  root: unknown,
  path: Path,
  resolve: ListTypeResolver,
): { values: unknown[]; keys: (string | number)[] } | undefined {
  const values: unknown[] = [root];
  const keys: (string | number)[] = [];
  const fields: string[] = [];
  let current = root;
  for (const element of path) {
    const at = childKey(current, element, fields, resolve);
    if (at === undefined) return undefined;
    current = typeof at === "number" ? (current as unknown[])[at] : (current as JsonObject)[at];
    values.push(current);
    keys.push(at);
    if (element.startsWith("f:")) fields.push(element.slice(2));
  }
  return { values, keys };
}

function childKey(
  container: unknown,
  element: PathElement,
  fields: readonly string[],
  resolve: ListTypeResolver,
): string | number | undefined {
  if (element.startsWith("f:")) {
    const name = element.slice(2);
    return isObject(container) && Object.hasOwn(container, name) ? name : undefined;
  }
  if (!Array.isArray(container)) return undefined;
  let index = -1;
  if (element.startsWith("k:")) {
    const listType = resolve(fields);
    if (listType.type !== "map") return undefined;
    index = container.findIndex((item) => isObject(item) && itemKey(item, listType) === element);
  } else if (element.startsWith("v:")) {
    index = container.findIndex((item) => `v:${canonicalJson(item)}` === element);
  }
  return index < 0 ? undefined : index;
}

/**
 * True when the field at `path` differs between `a` and `b`. Items of `map` and `set` lists only
 * change by appearing or disappearing (changes inside an item are changes of its fields).
 */
function valueChanged(a: unknown, b: unknown, path: Path, resolve: ListTypeResolver): boolean {
  const left = trail(a, path, resolve);
  const right = trail(b, path, resolve);
  if (!left || !right) return !left !== !right;
  if (!path[path.length - 1]?.startsWith("f:")) return false;
  return !deepEqual(left.values[left.values.length - 1], right.values[right.values.length - 1]);
}

/**
 * Removes the field at `path`, then each parent map or list that the removal left empty, unless someone
 * owns it as a member. Top-level fields (`metadata`, `spec`, `data`) are never dropped that way.
 */
function removePath(root: JsonObject, path: Path, resolve: ListTypeResolver, owned: (p: Path) => boolean) {
  const found = trail(root, path, resolve);
  if (!found) return;
  for (let depth = path.length; depth >= 1; depth--) {
    if (depth < path.length) {
      const value = found.values[depth];
      if (depth < 2 || !isEmptyContainer(value) || owned(path.slice(0, depth))) break;
    }
    const container = found.values[depth - 1];
    const at = found.keys[depth - 1];
    if (typeof at === "number") (container as unknown[]).splice(at, 1);
    else delete (container as JsonObject)[at];
  }
}

/** Deep merge: maps key by key, `map` lists item by item, `set` lists as a union, anything else replaced. */
function mergeValue(
  live: unknown,
  applied: unknown,
  fields: readonly string[],
  resolve: ListTypeResolver,
): unknown {
  if (isObject(live) && isObject(applied)) {
    const out: JsonObject = { ...live };
    for (const [name, value] of Object.entries(applied)) {
      if (value === undefined) continue;
      out[name] = Object.hasOwn(live, name)
        ? mergeValue(live[name], value, [...fields, name], resolve)
        : value;
    }
    return out;
  }
  if (Array.isArray(live) && Array.isArray(applied)) {
    const listType = resolve(fields);
    if (listType.type === "set") return mergeList(live, applied, canonicalJson, (l, r) => r ?? l);
    if (listType.type === "map" && live.every(isObject) && applied.every(isObject)) {
      return mergeList(
        live,
        applied,
        (item) => itemKey(item as JsonObject, listType),
        (l, r) => (l === undefined ? r : r === undefined ? l : mergeValue(l, r, fields, resolve)),
      );
    }
  }
  return applied;
}

/**
 * Merges two keyed lists the way structured-merge-diff does: items in both are merged and keep the
 * applied order among themselves, live-only items keep their place, new items follow their applied
 * predecessor.
 */
function mergeList(
  live: unknown[],
  applied: unknown[],
  keyOf: (item: unknown) => string,
  mergeItem: (live: unknown, applied: unknown) => unknown,
): unknown[] {
  const liveKeys = live.map(keyOf);
  const appliedKeys = applied.map(keyOf);
  const liveByKey = firstByKey(live, liveKeys);
  const appliedByKey = firstByKey(applied, appliedKeys);
  const shared = appliedKeys.filter((key) => liveByKey.has(key));
  let sharedIndex = 0;
  let nextShared: string | undefined = shared[sharedIndex++];
  const merged = new Set<string>();
  const out: unknown[] = [];
  let l = 0;
  let r = 0;
  while (l < live.length || r < applied.length) {
    if (l < live.length && r < applied.length) {
      const key = liveKeys[l];
      if (key === appliedKeys[r]) {
        merged.add(key);
        out.push(mergeItem(liveByKey.get(key), appliedByKey.get(key)));
        l++;
        r++;
        nextShared = shared[sharedIndex++];
        continue;
      }
      if (appliedByKey.has(key) && nextShared !== undefined && nextShared !== key) {
        l++; // a shared item, merged when the applied list reaches it
        continue;
      }
    }
    if (l < live.length) {
      const key = liveKeys[l];
      if (!appliedByKey.has(key)) {
        out.push(live[l]);
        l++;
        continue;
      }
      if (merged.has(key)) {
        l++;
        continue;
      }
    }
    if (r < applied.length) {
      const key = appliedKeys[r];
      merged.add(key);
      out.push(mergeItem(liveByKey.get(key), appliedByKey.get(key)));
      r++;
      if (nextShared === key) nextShared = shared[sharedIndex++];
    }
  }
  return out;
}

/** The items by key; of duplicates, the first. */
function firstByKey(items: unknown[], keys: string[]): Map<string, unknown> {
  const byKey = new Map<string, unknown>();
  items.forEach((item, i) => {
    if (!byKey.has(keys[i])) byKey.set(keys[i], item);
  });
  return byKey;
}

/** A copy of the configuration without server-set metadata and without the endpoint's reset paths. */
function sanitizeApplied(applied: JsonObject, ctx: OwnershipContext): JsonObject {
  const config = cloneJson(applied);
  if (isObject(config.metadata)) for (const field of SERVER_METADATA) delete config.metadata[field];
  for (const path of ctx.resetPaths) {
    let node: unknown = config;
    for (const name of path.slice(0, -1)) node = isObject(node) ? node[name] : undefined;
    if (isObject(node) && path.length > 0) delete node[path[path.length - 1]];
  }
  return config;
}

function withoutManagedFields(object: JsonObject): JsonObject {
  const copy = cloneJson(object);
  if (isObject(copy.metadata)) delete copy.metadata.managedFields;
  return copy;
}

// ---------------------------------------------------------------------------------------------------------
// managedFields entries

interface Entry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
  /** The entry as read, and its set then: an entry that did not change is written back untouched. */
  original?: { entry: ManagedFieldsEntry; set: FieldSet };
}

function readEntries(object: JsonObject | undefined, ctx: OwnershipContext): Entry[] {
  const metadata = object?.metadata;
  const raw = isObject(metadata) && Array.isArray(metadata.managedFields) ? metadata.managedFields : [];
  const entries: Entry[] = [];
  for (const item of raw) {
    if (!isObject(item) || typeof item.manager !== "string") continue;
    const operation = item.operation === "Apply" ? "Apply" : "Update";
    const subresource =
      typeof item.subresource === "string" && item.subresource ? item.subresource : undefined;
    const set = fromFieldsV1(item.fieldsV1, ctx.listType);
    const existing = entries.find(
      (e) => e.manager === item.manager && e.operation === operation && e.subresource === subresource,
    );
    if (existing) {
      // Two entries for one manager: merge them (and write the result anew).
      for (const path of set) existing.set.add(path);
      existing.original = undefined;
      continue;
    }
    entries.push({
      manager: item.manager,
      operation,
      apiVersion: typeof item.apiVersion === "string" ? item.apiVersion : "",
      ...(typeof item.time === "string" ? { time: item.time } : {}),
      subresource,
      set,
      original: { entry: cloneJson(item) as unknown as ManagedFieldsEntry, set: set.clone() },
    });
  }
  return entries;
}

/**
 * Drops the paths that no longer exist in `result` and the entries left empty, stamps the acting
 * manager's entry with `now` when its set changed, and writes the entries. When no entry changed, the
 * previous managedFields come back as they were (same order, same bytes).
 */
function finishEntries(
  entries: Entry[],
  result: JsonObject,
  actor: Entry | undefined,
  previous: JsonObject | undefined,
  ctx: OwnershipContext,
): ManagedFieldsEntry[] {
  const exists = new Map<string, boolean>();
  for (const entry of entries) {
    for (const path of [...entry.set]) {
      const key = pathKey(path);
      let found = exists.get(key);
      if (found === undefined) {
        found = trail(result, path, ctx.listType) !== undefined;
        exists.set(key, found);
      }
      if (!found) entry.set.delete(path);
    }
  }
  if (actor && (!actor.original || !actor.set.equals(actor.original.set))) actor.time = ctx.now;
  const kept = entries.filter((e) => e.set.size > 0);
  const unchanged = (e: Entry) =>
    e.original !== undefined &&
    e.set.equals(e.original.set) &&
    e.apiVersion === e.original.entry.apiVersion &&
    e.time === e.original.entry.time;
  const before = previous && isObject(previous.metadata) ? previous.metadata.managedFields : undefined;
  if (Array.isArray(before) && kept.length === entries.length && kept.every(unchanged)) {
    if (kept.length === before.length) return cloneJson(before) as ManagedFieldsEntry[];
  }
  return kept
    .map((e): ManagedFieldsEntry => {
      if (unchanged(e) && e.original) return e.original.entry;
      return {
        manager: e.manager,
        operation: e.operation,
        apiVersion: e.apiVersion,
        ...(e.time === undefined ? {} : { time: e.time }),
        fieldsType: "FieldsV1",
        fieldsV1: toFieldsV1(e.set),
        ...(e.subresource === undefined ? {} : { subresource: e.subresource }),
      };
    })
    .sort(compareEntries);
}

/** The order the kube-apiserver writes managedFields in: operation, time, manager, apiVersion, subresource. */
function compareEntries(a: ManagedFieldsEntry, b: ManagedFieldsEntry): number {
  const seconds = (time: string | undefined) => {
    const ms = time === undefined ? Number.NaN : Date.parse(time);
    return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
  };
  return (
    compareStrings(a.operation, b.operation) ||
    seconds(a.time) - seconds(b.time) ||
    compareStrings(a.manager, b.manager) ||
    compareStrings(a.apiVersion, b.apiVersion) ||
    compareStrings(a.subresource ?? "", b.subresource ?? "")
  );
}

// ---------------------------------------------------------------------------------------------------------
// JSON helpers

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isEmptyContainer(value: unknown): boolean {
  return Array.isArray(value) ? value.length === 0 : isObject(value) && Object.keys(value).length === 0;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The value with the keys of every object sorted, so equal values serialize alike. */
function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort(compareStrings)
      .map((key) => [key, canonicalValue(value[key])]),
  );
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalValue(value)) ?? "null";
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

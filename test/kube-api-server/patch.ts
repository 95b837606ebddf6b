/**
 * The three patch types of `PATCH` requests: JSON merge patch (RFC 7386), JSON patch (RFC 6902)
 * and Kubernetes' strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch).
 *
 * All functions are pure: they work on copies and never mutate (or alias) their inputs.
 */

import jsonpatch from "fast-json-patch";
import { cloneJson } from "./json.js";
import type { FieldPath, ListType, ListTypeResolver } from "./list-types.js";

/** A patch that cannot be applied; the caller turns it into a 400/422 Status. */
export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchError";
  }
}

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function copy<T>(value: T): T {
  return value === undefined ? value : cloneJson(value);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((key) => key in b && jsonEqual(a[key], b[key]))
    );
  }
  return false;
}

function describe(path: FieldPath): string {
  return path.length === 0 ? "the object root" : `"${path.join(".")}"`;
}

// ---------------------------------------------------------------------------------------------
// JSON merge patch (application/merge-patch+json)

/** RFC 7386: objects merge recursively, `null` removes a key, everything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  return mergePatch(copy(target), patch);
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return copy(patch);
  const result: JsonObject = isObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// JSON patch (application/json-patch+json)

const JSON_PATCH_OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

/** RFC 6902. Invalid operations and a failed `test` throw a PatchError. */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new PatchError("json patch must be a JSON array of operations");
  operations.forEach((operation, index) => {
    if (!isObject(operation)) throw new PatchError(`json patch operation ${index} is not an object`);
    if (typeof operation.op !== "string" || !JSON_PATCH_OPS.has(operation.op)) {
      throw new PatchError(
        `json patch operation ${index} has an unknown op ${JSON.stringify(operation.op)} ` +
          "(want add, remove, replace, move, copy or test)",
      );
    }
  });
  const ops = copy(operations) as jsonpatch.Operation[];
  try {
    return jsonpatch.applyPatch(copy(target), ops, true, true).newDocument;
  } catch (error) {
    throw new PatchError(describeJsonPatchError(error, ops));
  }
}

function describeJsonPatchError(error: unknown, ops: jsonpatch.Operation[]): string {
  if (!(error instanceof jsonpatch.JsonPatchError)) {
    return `json patch failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  const index = error.index ?? -1;
  const operation = ops[index] as (jsonpatch.Operation & { value?: unknown; from?: string }) | undefined;
  // fast-json-patch appends the operation and the whole document to the message; keep the first line.
  const reason = error.message.split("\n")[0];
  if (!operation) return `json patch failed: ${reason}`;
  const at = `json patch operation ${index} (${operation.op} ${JSON.stringify(operation.path)})`;
  if (error.name === "TEST_OPERATION_FAILED") {
    return `${at} failed: the value at the path is not ${JSON.stringify(operation.value)}`;
  }
  return `${at} failed: ${reason}`;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch (application/strategic-merge-patch+json)

const PATCH_DIRECTIVE = "$patch";
const RETAIN_KEYS = "$retainKeys";
const SET_ELEMENT_ORDER = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";
/**
 * `$`-keys that are real fields, not directives: the JSON Schema keywords of a CRD's
 * `openAPIV3Schema` (Kubernetes treats every unknown `$`-key as a field).
 */
const DOLLAR_FIELDS = new Set(["$ref", "$schema", "$id", "$comment", "$defs"]);

/**
 * Kubernetes' strategic merge patch. `listType` tells per list whether it is replaced
 * (`atomic`), a primitive union (`set`) or merged by key (`map`, first key = patchMergeKey).
 */
export function applyStrategicMergePatch(
  target: unknown,
  patch: unknown,
  listType: ListTypeResolver,
): unknown {
  if (!isObject(patch)) throw new PatchError("strategic merge patch must be a JSON object");
  const original = isObject(target) ? copy(target) : {};
  return mergeMap(original, copy(patch), [], listType);
}

/** Merges `patch` into `original`; both are private copies and may be changed. */
function mergeMap(
  original: JsonObject,
  patch: JsonObject,
  path: FieldPath,
  listType: ListTypeResolver,
): JsonObject {
  if (PATCH_DIRECTIVE in patch) {
    const directive = patch[PATCH_DIRECTIVE];
    delete patch[PATCH_DIRECTIVE];
    if (directive === "replace") return mergeMap({}, patch, path, listType);
    if (directive === "delete") return {};
    if (directive !== "merge") {
      throw new PatchError(`unknown $patch directive ${JSON.stringify(directive)} at ${describe(path)}`);
    }
  }
  if (RETAIN_KEYS in patch) {
    applyRetainKeys(original, patch, path);
    delete patch[RETAIN_KEYS];
  }

  const order = new Map<string, unknown[]>();
  const removals = new Map<string, unknown[]>();
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith("$") || DOLLAR_FIELDS.has(key)) continue;
    delete patch[key];
    const into = key.startsWith(SET_ELEMENT_ORDER)
      ? order
      : key.startsWith(DELETE_FROM_PRIMITIVE_LIST)
        ? removals
        : undefined;
    if (!into) throw new PatchError(`unknown strategic merge patch directive "${key}" at ${describe(path)}`);
    if (!Array.isArray(value)) throw new PatchError(`"${key}" at ${describe(path)} must be a list`);
    into.set(key.slice(key.indexOf("/") + 1), value);
  }

  for (const [field, values] of removals) {
    const list = original[field];
    if (Array.isArray(list)) original[field] = list.filter((item) => !values.some((v) => jsonEqual(v, item)));
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete original[key];
    else original[key] = mergeValue(original[key], value, [...path, key], listType);
  }
  for (const [field, names] of order) {
    const list = original[field];
    if (Array.isArray(list)) original[field] = sortByElementOrder(list, names, listType([...path, field]));
  }
  return original;
}

function mergeValue(original: unknown, patch: unknown, path: FieldPath, listType: ListTypeResolver): unknown {
  if (isObject(patch)) return mergeMap(isObject(original) ? original : {}, patch, path, listType);
  if (Array.isArray(patch)) return mergeList(Array.isArray(original) ? original : [], patch, path, listType);
  return patch;
}

/** `$retainKeys`: the keys of the map that survive; the patch may only set keys named there. */
function applyRetainKeys(original: JsonObject, patch: JsonObject, path: FieldPath): void {
  const retain = patch[RETAIN_KEYS];
  if (!Array.isArray(retain) || !retain.every((key) => typeof key === "string")) {
    throw new PatchError(`$retainKeys at ${describe(path)} must be a list of field names`);
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith("$")) continue;
    if (!retain.includes(key)) {
      throw new PatchError(`$retainKeys at ${describe(path)} does not name "${key}", which the patch sets`);
    }
  }
  for (const key of Object.keys(original)) {
    if (!retain.includes(key)) delete original[key];
  }
}

/** The merge key (Kubernetes' patchMergeKey) of a list, if its items are merged by key. */
function mergeKeyOf(type: ListType): { name: string; default?: string | number } | undefined {
  return type.type === "map" ? type.keys[0] : undefined;
}

function mergeList(
  original: unknown[],
  patch: unknown[],
  path: FieldPath,
  listType: ListTypeResolver,
): unknown[] {
  const type = listType(path);
  const mergeKey = mergeKeyOf(type);
  const keyOf = (item: JsonObject): unknown => item[mergeKey?.name ?? ""] ?? mergeKey?.default;

  let replace = false;
  const deleted: unknown[] = [];
  const items: unknown[] = [];
  for (const item of patch) {
    if (!isObject(item) || !(PATCH_DIRECTIVE in item)) {
      items.push(item);
      continue;
    }
    const directive = item[PATCH_DIRECTIVE];
    if (directive === "replace") {
      replace = true;
    } else if (directive === "delete") {
      if (!mergeKey) throw new PatchError(`$patch: delete in ${describe(path)}, a list without a merge key`);
      const key = keyOf(item);
      if (key === undefined) {
        throw new PatchError(
          `$patch: delete in ${describe(path)} does not name its merge key "${mergeKey.name}"`,
        );
      }
      deleted.push(key);
    } else if (directive === "merge") {
      delete item[PATCH_DIRECTIVE];
      items.push(item);
    } else {
      throw new PatchError(`unknown $patch directive ${JSON.stringify(directive)} in ${describe(path)}`);
    }
  }

  if (type.type === "atomic" || (type.type === "map" && !mergeKey)) return items;

  const result = replace ? [] : original;
  if (type.type === "set") {
    const union: unknown[] = [];
    for (const value of [...result, ...items]) {
      if (!union.some((v) => jsonEqual(v, value))) union.push(value);
    }
    return union;
  }

  const merged = result.filter(
    (item) => !isObject(item) || !deleted.some((key) => jsonEqual(key, keyOf(item))),
  );
  for (const item of items) {
    if (!isObject(item)) {
      throw new PatchError(
        `${describe(path)} is merged by "${mergeKey?.name}" but the patch has a non-object item`,
      );
    }
    const key = keyOf(item);
    if (key === undefined) {
      throw new PatchError(
        `an item of ${describe(path)} in the patch does not have its merge key "${mergeKey?.name}"`,
      );
    }
    const index = merged.findIndex((live) => isObject(live) && jsonEqual(keyOf(live), key));
    if (index >= 0) merged[index] = mergeMap(merged[index] as JsonObject, item, path, listType);
    else merged.push(mergeMap({}, item, path, listType));
  }
  return merged;
}

/**
 * `$setElementOrder/<field>`: the named items first, in that order (items are named by their
 * merge key, either bare or as `{key: value}`); the others keep their relative order after them.
 */
function sortByElementOrder(list: unknown[], names: unknown[], type: ListType): unknown[] {
  if (type.type === "atomic") return list;
  const mergeKey = mergeKeyOf(type);
  const keyOf = (item: unknown): unknown =>
    mergeKey && isObject(item) ? (item[mergeKey.name] ?? mergeKey.default) : item;
  const rest = [...list];
  const sorted: unknown[] = [];
  for (const name of names) {
    const key = mergeKey && isObject(name) ? keyOf(name) : name;
    for (let i = 0; i < rest.length; ) {
      if (jsonEqual(keyOf(rest[i]), key)) sorted.push(...rest.splice(i, 1));
      else i++;
    }
  }
  return [...sorted, ...rest];
}

/**
 * Field access and result helpers for the kstatus port (cli-utils `pkg/kstatus/status/util.go`),
 * with apimachinery's `unstructured.Nested*` semantics: a missing or null parent means "not found",
 * a parent of the wrong type or a leaf of the wrong type is an error.
 */
import type { ComputedStatus } from "../health.js";

export type Obj = Record<string, unknown>;

/** What kstatus' `Compute` returns as an error; `computeStatus` turns it into Unknown. */
export class StatusError extends Error {}

export function isMap(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Go's `%T` for a value decoded from JSON. */
export function goType(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int64" : "float64";
  if (Array.isArray(value)) return "[]interface {}";
  return "map[string]interface {}";
}

/** Go's `%v`, close enough for messages. */
function goValue(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

const jsonPath = (fields: readonly string[]) => `.${fields.join(".")}`;

/** apimachinery `NestedFieldNoCopy`. */
export function nestedField(obj: Obj, ...fields: string[]): { found: boolean; value?: unknown } {
  let value: unknown = obj;
  for (const [i, field] of fields.entries()) {
    if (value === null || value === undefined) return { found: false };
    if (!isMap(value)) {
      throw new StatusError(
        `${jsonPath(fields.slice(0, i + 1))} accessor error: ${goValue(value)} is of the type ${goType(value)}, expected map[string]interface{}`,
      );
    }
    // JSON has no undefined: a key holding it is as absent as a missing one.
    if (!Object.hasOwn(value, field) || value[field] === undefined) return { found: false };
    value = value[field];
  }
  return { found: true, value };
}

function accessorError(fields: readonly string[], value: unknown, expected: string): StatusError {
  return new StatusError(
    `${jsonPath(fields)} accessor error: ${goValue(value)} is of the type ${goType(value)}, expected ${expected}`,
  );
}

/** apimachinery `NestedString`: undefined when absent, an error when not a string. */
export function nestedString(obj: Obj, ...fields: string[]): string | undefined {
  const { found, value } = nestedField(obj, ...fields);
  if (!found) return undefined;
  if (typeof value !== "string") throw accessorError(fields, value, "string");
  return value;
}

/** apimachinery `NestedInt64`: undefined when absent, an error when not an integer. */
export function nestedInt64(obj: Obj, ...fields: string[]): number | undefined {
  const { found, value } = nestedField(obj, ...fields);
  if (!found) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw accessorError(fields, value, "int64");
  return value;
}

/** apimachinery `NestedSlice`. */
export function nestedSlice(obj: Obj, ...fields: string[]): unknown[] | undefined {
  const { found, value } = nestedField(obj, ...fields);
  if (!found) return undefined;
  if (!Array.isArray(value)) throw accessorError(fields, value, "[]interface{}");
  return value;
}

/** kstatus `GetStringField` etc.: the default on anything but a value of the right type. */
function lenient(obj: Obj, fieldPath: string): unknown {
  try {
    const { found, value } = nestedField(obj, ...fieldPath.replace(/^\./, "").split("."));
    return found ? value : undefined;
  } catch {
    return undefined;
  }
}

export function getStringField(obj: Obj, fieldPath: string, defaultValue: string): string {
  const value = lenient(obj, fieldPath);
  return typeof value === "string" ? value : defaultValue;
}

/** Integers only: like Go, a fractional number is not an int and gives the default. */
export function getIntField(obj: Obj, fieldPath: string, defaultValue: number): number {
  const value = lenient(obj, fieldPath);
  return typeof value === "number" && Number.isInteger(value) ? value : defaultValue;
}

export function getBoolField(obj: Obj, fieldPath: string, defaultValue: boolean): boolean {
  const value = lenient(obj, fieldPath);
  return typeof value === "boolean" ? value : defaultValue;
}

/** kstatus `BasicCondition`. */
export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

function conditionField(condition: Obj, name: keyof Condition): string {
  const value = condition[name];
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") throw new StatusError(`cannot convert ${goType(value)} to string`);
  return value;
}

/**
 * `status.conditions` as kstatus' `GetObjectWithConditions` reads them (the runtime converter into
 * typed structs): absent or null is no conditions, the wrong shape is an error.
 */
export function conditionsOf(obj: Obj): Condition[] {
  const status = obj.status;
  if (status === null || status === undefined) return [];
  if (!isMap(status)) throw new StatusError(`cannot restore struct from: ${goKind(status)}`);
  const conditions = status.conditions;
  if (conditions === null || conditions === undefined) return [];
  if (!Array.isArray(conditions)) throw new StatusError(`cannot restore slice from ${goKind(conditions)}`);
  return conditions.map((condition: unknown) => {
    if (condition === null || condition === undefined)
      return { type: "", status: "", reason: "", message: "" };
    if (!isMap(condition)) throw new StatusError(`cannot restore struct from: ${goKind(condition)}`);
    return {
      type: conditionField(condition, "type"),
      status: conditionField(condition, "status"),
      reason: conditionField(condition, "reason"),
      message: conditionField(condition, "message"),
    };
  });
}

/** Go's `reflect.Kind` name, for the converter's messages. */
function goKind(value: unknown): string {
  if (Array.isArray(value)) return "slice";
  if (isMap(value)) return "map";
  return goType(value);
}

export function findCondition(
  conditions: readonly Condition[],
  type: string,
  status: string,
): Condition | undefined {
  return conditions.find((c) => c.type === type && c.status === status);
}

/** A result with the Reconciling condition kstatus would add (its reason is ours). */
export function inProgress(reason: string, message: string): ComputedStatus {
  return { status: "InProgress", ...(reason ? { reason } : {}), message };
}

/** A result with the Stalled condition kstatus would add. */
export function failed(reason: string, message: string): ComputedStatus {
  return { status: "Failed", ...(reason ? { reason } : {}), message };
}

export function current(message: string): ComputedStatus {
  return { status: "Current", message };
}

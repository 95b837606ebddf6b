import { compareStrings } from "./object.js";

/**
 * JSON with object keys sorted and no whitespace, so a digest of it does not depend on key order.
 * Big integers (from Helm's `--set` parsing) are written as JSON numbers; `undefined` as `null`.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort(compareStrings);
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`;
}

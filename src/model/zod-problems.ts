/**
 * zod issues as messages a user can act on, naming the key (`spec.interval`,
 * `registries["ghcr.io"]`), what it must be and what it is. Shared by the Flux object readers and the
 * configuration files, so every file Ferry reads words its problems the same way.
 */
import type { z } from "zod";

/** A path of keys into a document: `["spec", "patches", 0, "target"]`. */
export type KeyPath = readonly (string | number)[];

/** `sync[0].timeout`; keys that are not plain words are quoted: `registries["ghcr.io"]`. */
export function formatKey(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === "number") return `${text}[${part}]`;
    const name = String(part);
    if (!/^[A-Za-z_$][\w$-]*$/.test(name)) return `${text}[${JSON.stringify(name)}]`;
    return text ? `${text}.${name}` : name;
  }, "");
}

/** What each zod type is called in messages. */
export function expectedText(expected: string): string {
  switch (expected) {
    case "boolean":
      return "true or false";
    case "string":
      return "a string";
    case "array":
      return "a list";
    case "object":
    case "record":
    case "map":
      return "a mapping";
    case "number":
    case "int":
      return "a number";
    default:
      return expected;
  }
}

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return JSON.stringify(value);
}

/**
 * One issue as a sentence about `key`; `what` names the kind of object for unknown fields
 * (`a Flux Kustomization`).
 */
export function describeIssue(issue: z.core.$ZodIssue, key: string, what = "this object"): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return `${key} is required; add it (${expectedText(issue.expected)})`;
      return `${key} must be ${expectedText(issue.expected)}, not ${describeValue(issue.input)}`;
    case "unrecognized_keys":
      return `${key} is not a field of ${what}; check its spelling and place, or remove it`;
    case "invalid_value":
      return `${key} must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}, not ${describeValue(issue.input)}`;
    case "too_small":
      if (issue.origin === "string" && issue.minimum === 1) return `${key} must not be empty`;
      if (issue.origin === "array") return `${key} must have at least ${issue.minimum}`;
      return `${key} must be at least ${issue.minimum}${issue.origin === "string" ? " characters long" : ""}`;
    case "too_big":
      if (issue.origin === "array") return `${key} may list at most ${issue.maximum} entries`;
      return `${key} must be at most ${issue.maximum}${issue.origin === "string" ? " characters long" : ""}`;
    default:
      return /^(is|must) /.test(issue.message) ? `${key} ${issue.message}` : `${key}: ${issue.message}`;
  }
}

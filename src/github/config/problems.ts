/**
 * Reading Ferry's YAML configuration files and reporting what is wrong with them: every problem
 * names the file, the key (`sync[0].timeout`) and its line, and says what to write. Lines come
 * from the `yaml` package's document and LineCounter; zod's issue paths are looked up in it.
 */

import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { expectedText, formatKey, type KeyPath } from "../../model/zod-problems.js";

/** One thing wrong with a configuration file. */
export interface ConfigProblem {
  /** What is wrong and what to write instead; starts with the key. */
  message: string;
  /** The key, as `sync[0].timeout` or `registries["ghcr.io"].passwordFile`; `""` for the whole file. */
  key: string;
  file: string;
  /** 1-based; absent when unknown (values Probot already parsed, keys missing from the file). */
  line?: number;
}

export type ConfigResult<T> = { ok: true; config: T } | { ok: false; problems: ConfigProblem[] };

/** `file:line: message`, as a log line or a check-run summary line. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}${problem.line ? `:${problem.line}` : ""}: ${problem.message}`;
}

/** A configuration that cannot be used; the message lists every problem. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${file} is not valid:\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export type YamlRead =
  | { ok: true; value: unknown; lineOf: (path: KeyPath) => number | undefined }
  | { ok: false; problems: ConfigProblem[] };

/**
 * Parses one YAML document (an empty file is an empty mapping). Syntax errors, duplicate keys and
 * several documents are problems with their line.
 */
export function readYaml(text: string, file: string): YamlRead {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false });
  const lineAt = (offset: number | undefined) =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => ({
        message: `the file is not valid YAML: ${yamlErrorText(error.code, error.message)}`,
        key: "",
        file,
        line: lineAt(error.pos[0]),
      })),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    return {
      ok: false,
      problems: [{ message: `the file cannot be read: ${(error as Error).message}`, key: "", file }],
    };
  }
  const lineOf = (path: KeyPath): number | undefined => {
    let node: unknown = doc.contents;
    let line = lineAt((doc.contents as Node | null)?.range?.[0]) ?? 1;
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(part));
        if (!pair) break;
        line = lineAt((pair.key as Node | null)?.range?.[0]) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof part === "number") {
        const item = node.items[part] as Node | undefined;
        if (!item) break;
        line = lineAt(item.range?.[0]) ?? line;
        node = item;
      } else break;
    }
    return line;
  };
  return { ok: true, value: value ?? {}, lineOf };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function yamlErrorText(code: string, message: string): string {
  if (code === "DUPLICATE_KEY") return "a key appears twice in one mapping; keep one";
  if (code === "MULTIPLE_DOCS") return "it holds more than one document (---); keep one";
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return JSON.stringify(value);
}

/**
 * The generic part of a message, for issues whose schema gives none: a phrase that follows the
 * key (`must be true or false, not "yes"`).
 */
function genericMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return `is required; add it (${expectedText(issue.expected)})`;
      return `must be ${expectedText(issue.expected)}, not ${describeValue(issue.input)}`;
    case "invalid_value":
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}, not ${describeValue(issue.input)}`;
    case "too_small":
      if (issue.origin === "string" && Number(issue.minimum) === 1) return "must not be empty";
      if (issue.origin === "array" && Number(issue.minimum) === 1) return "must list at least one entry";
      if (issue.origin === "string") return `must be at least ${issue.minimum} characters long`;
      return `must be at least ${issue.minimum}`;
    case "too_big":
      return `must be at most ${issue.maximum}${issue.origin === "string" ? " characters long" : ""}`;
    case "invalid_format":
      return `${describeValue(issue.input)} is not in the expected form${issue.pattern ? ` (${issue.pattern})` : ""}`;
    default:
      return issue.message ?? "is not valid";
  }
}

/** `key phrase` when the phrase continues the key, `key: statement` otherwise; `the file` at the root. */
function withKey(key: string, text: string): string {
  const subject = key || "the file";
  return /^(is|must|needs|has|names|repeats) /.test(text) ? `${subject} ${text}` : `${subject}: ${text}`;
}

/**
 * Validates `value` with `schema`; every issue becomes a problem naming its key and line. Unknown
 * keys get the closest known key as a suggestion, and the list of keys allowed there.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  file: string,
  lineOf?: (path: KeyPath) => number | undefined,
): ConfigResult<z.output<S>> {
  const parsed = schema.safeParse(value, { reportInput: true, error: genericMessage });
  if (parsed.success) return { ok: true, config: parsed.data };
  const problems = parsed.error.issues.flatMap((issue): ConfigProblem[] => {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const problem = (at: KeyPath, text: string): ConfigProblem => {
      const key = formatKey(at);
      const line = lineOf?.(at);
      return { message: withKey(key, text), key, file, ...(line ? { line } : {}) };
    };
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(schema, path) ?? [];
      return issue.keys.map((name) => problem([...path, name], unknownKeyText(name, known)));
    }
    if (issue.code === "invalid_key") {
      const inner = issue.issues.find((i) => i.message)?.message ?? "is not a valid name";
      return [problem(path, inner)];
    }
    return [problem(path, issue.message)];
  });
  problems.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  return { ok: false, problems };
}

function unknownKeyText(name: string, known: readonly string[]): string {
  const list = known.length > 0 ? known.join(", ") : undefined;
  const guess = closest(name, known);
  if (guess) return `is not a known key; did you mean ${guess}? (keys here: ${list})`;
  return list ? `is not a known key; remove it, or use one of: ${list}` : "is not a known key; remove it";
}

/** The known key nearest to a typo: same letters in another case, or at most a third of them changed. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = key.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, key);
    if (distance <= Math.max(2, Math.floor(key.length / 3)) && (!best || distance < best.distance)) {
      best = { key, distance };
    }
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  valueType?: unknown;
  innerType?: unknown;
  in?: unknown;
  options?: unknown[];
}

const defOf = (schema: unknown): SchemaDef | undefined =>
  (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;

/** The keys an object schema at `path` allows (for suggestions), following lists, maps and wrappers. */
function knownKeys(schema: unknown, path: KeyPath): string[] | undefined {
  let def = defOf(schema);
  let rest = [...path];
  for (let guard = 0; def && guard < 100; guard++) {
    if (["optional", "nullable", "default", "prefault", "readonly", "catch"].includes(def.type)) {
      def = defOf(def.innerType);
    } else if (def.type === "pipe") {
      def = defOf(def.in);
    } else if (def.type === "union") {
      const options = (def.options ?? []).map((o) => knownKeys(o, rest)).filter((k) => k !== undefined);
      return options.length > 0 ? [...new Set(options.flat())] : undefined;
    } else if (rest.length === 0) {
      return def.type === "object" && def.shape ? Object.keys(def.shape) : undefined;
    } else if (def.type === "object" && def.shape) {
      def = defOf(def.shape[String(rest[0])]);
      rest = rest.slice(1);
    } else if (def.type === "array") {
      def = defOf(def.element);
      rest = rest.slice(1);
    } else if (def.type === "record") {
      def = defOf(def.valueType);
      rest = rest.slice(1);
    } else return undefined;
  }
  return undefined;
}

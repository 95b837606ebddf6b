/**
 * Sprig's hermetic functions (`sprig.HermeticTxtFuncMap`, which Flux gives commit message
 * templates), the ones useful in a commit message. Sprig puts the value a pipeline passes last:
 * `{{ .Name | trimSuffix "-x" }}` is `trimSuffix "-x" .Name`.
 *
 * Where Go leaves an order to chance (`keys`, `values` of a map), the keys are sorted here.
 */
import { createHash } from "node:crypto";
import { quote, sprintf, sprintValue } from "./format.js";
import { type FunctionMap, type GoFunction, goFunction } from "./functions.js";
import {
  basePath,
  cleanPath,
  deleteSpace,
  dirPath,
  extPath,
  split,
  title,
  toLower,
  toUpper,
  trimCutset,
  trimSpace,
} from "./go-text.js";
import { fromJson, type JsonOptions, toJson } from "./json.js";
import { parseNumber } from "./literals.js";
import {
  deepEqual,
  GoMap,
  GoSlice,
  GoStruct,
  isTrue,
  kindOf,
  sortedEntries,
  stringMap,
  type Value,
} from "./values.js";

const any = "interface {}";
const dict = "map[string]interface {}";

/** Sprig's `strval`: strings as they are, Stringers by their method, anything else as `%v`. */
function strval(value: Value): string {
  if (typeof value === "string") return value;
  if (value instanceof GoStruct && value.stringer) return value.stringer();
  return sprintValue(value ?? null);
}

/** The items of a slice, or undefined for anything else. */
const itemsOf = (value: Value) => (value instanceof GoSlice ? value.items : undefined);

/** Sprig's `strslice`: a slice's non-nil items as strings; any other value as a one-string list. */
function toStrings(value: Value): string[] {
  const items = itemsOf(value);
  if (items) return items.filter((item) => item !== null && item !== undefined).map(strval);
  return value === null || value === undefined ? [] : [strval(value)];
}

const list = (items: readonly Value[], type = "[]interface {}") => new GoSlice(type, items);
const strings = (items: readonly string[]) => new GoSlice("[]string", items);
const ints = (items: readonly bigint[]) => new GoSlice("[]int", items);

/** spf13/cast's `ToInt64`, which Sprig's arithmetic uses: strings are parsed, anything unknown is 0. */
function toInt(value: Value): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return Number.isFinite(value) ? BigInt(Math.trunc(value)) : 0n;
  if (typeof value === "boolean") return value ? 1n : 0n;
  if (typeof value === "string") {
    const number = parseNumber(value.replace(/\.0*$/, ""));
    return typeof number === "object" && !number.floatSyntax && number.int !== undefined ? number.int : 0n;
  }
  return 0n;
}

function toFloat(value: Value): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const number = parseNumber(value);
    return typeof number === "object" && number.float !== undefined ? number.float : 0;
  }
  return 0;
}

/** A list operation that Sprig allows on slices only. */
function onList(name: string, fn: (items: readonly Value[]) => Value): GoFunction {
  return goFunction([any], ([value]) => {
    const items = itemsOf(value);
    if (!items) throw new Error(`Cannot ${name} on type ${kindOf(value ?? null)}`);
    return fn(items);
  });
}

/** Go's 64-bit integer arithmetic wraps around. */
const int64 = (value: bigint) => BigInt.asIntN(64, value);

/** Go's byte slicing of a string, `text[start:end]`, with its bounds checks. */
function sliceBytes(text: string, start: number, end?: number): string {
  const bytes = Buffer.from(text);
  const stop = end ?? bytes.length;
  if (start < 0 || stop > bytes.length || start > stop) {
    throw new Error(
      `runtime error: slice bounds out of range [${start}:${stop}] with length ${bytes.length}`,
    );
  }
  return bytes.subarray(start, stop).toString("utf8");
}

function adler32(text: string): number {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(text)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Sprig's `untilStep`: from start towards stop (excluded) by step. */
function untilStep(start: bigint, stop: bigint, step: bigint): GoSlice {
  const out: bigint[] = [];
  if (stop < start ? step >= 0n : step <= 0n) return ints(out);
  for (let i = start; stop < start ? i > stop : i < stop; i += step) {
    out.push(i);
    if (out.length > 1_000_000) throw new Error("untilStep: more than 1000000 numbers");
  }
  return ints(out);
}

const dictOf = (value: Value) => (value as GoMap).entries;

/** The largest (sign 1) or smallest (sign -1) of the arguments as integers. */
function extreme(args: Value[], sign: bigint): bigint {
  return args.map(toInt).reduce((best, v) => ((v - best) * sign > 0n ? v : best));
}

const mathFunctions: Array<[string, GoFunction]> = [
  ["add1", goFunction([any], ([a]) => int64(toInt(a) + 1n))],
  ["add", goFunction([any], (args) => int64(args.reduce<bigint>((sum, a) => sum + toInt(a), 0n)), true)],
  ["sub", goFunction([any, any], ([a, b]) => int64(toInt(a) - toInt(b)))],
  [
    "div",
    goFunction([any, any], ([a, b]) => {
      if (toInt(b) === 0n) throw new Error("runtime error: integer divide by zero");
      return int64(toInt(a) / toInt(b));
    }),
  ],
  [
    "mod",
    goFunction([any, any], ([a, b]) => {
      if (toInt(b) === 0n) throw new Error("runtime error: integer divide by zero");
      return toInt(a) % toInt(b);
    }),
  ],
  [
    "mul",
    goFunction(
      [any, any],
      ([a, ...rest]) => rest.reduce<bigint>((p, b) => int64(p * toInt(b)), toInt(a)),
      true,
    ),
  ],
  ["max", goFunction([any, any], (args) => extreme(args, 1n), true)],
  ["biggest", goFunction([any, any], (args) => extreme(args, 1n), true)],
  ["min", goFunction([any, any], (args) => extreme(args, -1n), true)],
  [
    "atoi",
    goFunction(["string"], ([s]) => {
      const value = /^[+-]?[0-9]+$/.test(s as string) ? BigInt(s as string) : 0n;
      return BigInt.asIntN(64, value) === value ? value : 0n;
    }),
  ],
  ["int", goFunction([any], ([a]) => toInt(a))],
  ["int64", goFunction([any], ([a]) => toInt(a))],
  ["float64", goFunction([any], ([a]) => toFloat(a))],
  ["until", goFunction(["int"], ([n]) => untilStep(0n, n as bigint, (n as bigint) < 0n ? -1n : 1n))],
  [
    "untilStep",
    goFunction(["int", "int", "int"], ([a, b, c]) => untilStep(a as bigint, b as bigint, c as bigint)),
  ],
];

const stringFunctions: Array<[string, GoFunction]> = [
  ["hello", goFunction([], () => "Hello!")],
  ["upper", goFunction(["string"], ([s]) => toUpper(s as string))],
  ["lower", goFunction(["string"], ([s]) => toLower(s as string))],
  ["title", goFunction(["string"], ([s]) => title(s as string))],
  [
    "untitle",
    goFunction(["string"], ([s]) => {
      const [first = "", ...rest] = s as string;
      return toLower(first) + rest.join("");
    }),
  ],
  ["trim", goFunction(["string"], ([s]) => trimSpace(s as string))],
  ["trimAll", goFunction(["string", "string"], ([cut, s]) => trimCutset(s as string, cut as string))],
  ["trimall", goFunction(["string", "string"], ([cut, s]) => trimCutset(s as string, cut as string))],
  [
    "trimSuffix",
    goFunction(["string", "string"], ([suffix, s]) => {
      const text = s as string;
      return suffix !== "" && text.endsWith(suffix as string)
        ? text.slice(0, -(suffix as string).length)
        : text;
    }),
  ],
  [
    "trimPrefix",
    goFunction(["string", "string"], ([prefix, s]) =>
      (s as string).startsWith(prefix as string) ? (s as string).slice((prefix as string).length) : s,
    ),
  ],
  ["nospace", goFunction(["string"], ([s]) => deleteSpace(s as string))],
  [
    "trunc",
    goFunction(["int", "string"], ([c, s]) => {
      const count = Number(c);
      const length = Buffer.byteLength(s as string);
      if (count < 0 && length + count > 0) return sliceBytes(s as string, length + count);
      if (count >= 0 && length > count) return sliceBytes(s as string, 0, count);
      return s;
    }),
  ],
  [
    "abbrev",
    goFunction(["int", "string"], ([w, s]) => {
      const width = Number(w);
      if (width < 4 || Buffer.byteLength(s as string) <= width) return s;
      return `${sliceBytes(s as string, 0, width - 3)}...`;
    }),
  ],
  [
    "substr",
    goFunction(["int", "int", "string"], ([a, b, s]) => {
      const [start, end, length] = [Number(a), Number(b), Buffer.byteLength(s as string)];
      if (start < 0) return sliceBytes(s as string, 0, end);
      if (end < 0 || end > length) return sliceBytes(s as string, start);
      return sliceBytes(s as string, start, end);
    }),
  ],
  [
    "repeat",
    goFunction(["int", "string"], ([n, s]) => {
      const count = Number(n);
      if (count < 0) throw new Error("strings: negative Repeat count");
      if (count * (s as string).length > 1_000_000)
        throw new Error("repeat: result longer than 1000000 characters");
      return (s as string).repeat(count);
    }),
  ],
  ["contains", goFunction(["string", "string"], ([sub, s]) => (s as string).includes(sub as string))],
  ["hasPrefix", goFunction(["string", "string"], ([p, s]) => (s as string).startsWith(p as string))],
  ["hasSuffix", goFunction(["string", "string"], ([p, s]) => (s as string).endsWith(p as string))],
  [
    "quote",
    goFunction(
      [any],
      (args) =>
        args
          .filter((a) => a !== null)
          .map((a) => quote(strval(a)))
          .join(" "),
      true,
    ),
  ],
  [
    "squote",
    goFunction(
      [any],
      (args) =>
        args
          .filter((a) => a !== null)
          .map((a) => `'${sprintValue(a)}'`)
          .join(" "),
      true,
    ),
  ],
  [
    "cat",
    goFunction(
      [any],
      (args) =>
        args
          .filter((a) => a !== null)
          .map(sprintValue)
          .join(" "),
      true,
    ),
  ],
  [
    "indent",
    goFunction(["int", "string"], ([n, s]) => {
      const pad = " ".repeat(Math.max(Number(n), 0));
      return pad + (s as string).replaceAll("\n", `\n${pad}`);
    }),
  ],
  [
    "nindent",
    goFunction(["int", "string"], ([n, s]) => {
      const pad = " ".repeat(Math.max(Number(n), 0));
      return `\n${pad}${(s as string).replaceAll("\n", `\n${pad}`)}`;
    }),
  ],
  [
    "replace",
    goFunction(["string", "string", "string"], ([old, replacement, s]) => {
      const text = s as string;
      // An empty old string matches before each character and at the end, as in Go.
      if (old === "") return `${replacement}${[...text].map((c) => c + replacement).join("")}`;
      return text.split(old as string).join(replacement as string);
    }),
  ],
  ["plural", goFunction(["string", "string", "int"], ([one, many, n]) => (n === 1n ? one : many))],
  [
    "sha1sum",
    goFunction(["string"], ([s]) =>
      createHash("sha1")
        .update(s as string)
        .digest("hex"),
    ),
  ],
  [
    "sha256sum",
    goFunction(["string"], ([s]) =>
      createHash("sha256")
        .update(s as string)
        .digest("hex"),
    ),
  ],
  ["adler32sum", goFunction(["string"], ([s]) => String(adler32(s as string)))],
  ["toString", goFunction([any], ([a]) => strval(a))],
  ["toStrings", goFunction([any], ([a]) => strings(toStrings(a)))],
  [
    "split",
    goFunction(["string", "string"], ([sep, s]) =>
      stringMap(
        split(s as string, sep as string).map((part, i) => [`_${i}`, part]),
        "map[string]string",
        "",
      ),
    ),
  ],
  [
    "splitn",
    goFunction(["string", "int", "string"], ([sep, n, s]) =>
      stringMap(
        split(s as string, sep as string, Number(n)).map((part, i) => [`_${i}`, part]),
        "map[string]string",
        "",
      ),
    ),
  ],
  ["splitList", goFunction(["string", "string"], ([sep, s]) => strings(split(s as string, sep as string)))],
  ["join", goFunction(["string", any], ([sep, v]) => toStrings(v).join(sep as string))],
  [
    "sortAlpha",
    goFunction([any], ([v]) => {
      if (!itemsOf(v)) return strings([strval(v ?? null)]);
      return strings(toStrings(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    }),
  ],
  ["b64enc", goFunction(["string"], ([s]) => Buffer.from(s as string).toString("base64"))],
  [
    "b64dec",
    goFunction(["string"], ([s]) => {
      const text = s as string;
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
        return "illegal base64 data at input byte 0";
      }
      return Buffer.from(text, "base64").toString("utf8");
    }),
  ],
  ["base", goFunction(["string"], ([s]) => basePath(s as string))],
  ["dir", goFunction(["string"], ([s]) => dirPath(s as string))],
  ["clean", goFunction(["string"], ([s]) => cleanPath(s as string))],
  ["ext", goFunction(["string"], ([s]) => extPath(s as string))],
  ["isAbs", goFunction(["string"], ([s]) => (s as string).startsWith("/"))],
  [
    "fail",
    goFunction(["string"], ([message]) => {
      throw new Error(message as string);
    }),
  ],
];

const jsonFunctions: Array<[string, GoFunction]> = (
  [
    ["toJson", { escapeHTML: true }],
    ["toPrettyJson", { escapeHTML: true, indent: "  " }],
    ["toRawJson", { escapeHTML: false }],
  ] satisfies Array<[string, JsonOptions]>
).flatMap(
  ([name, options]): Array<[string, GoFunction]> => [
    // Sprig's plain forms give "" when the value has no JSON; the must forms fail.
    [
      name,
      goFunction([any], ([value]) => {
        try {
          return toJson(value ?? null, options);
        } catch {
          return "";
        }
      }),
    ],
    [
      `must${name[0].toUpperCase()}${name.slice(1)}`,
      goFunction([any], ([value]) => toJson(value ?? null, options)),
    ],
  ],
);

const defaultFunctions: Array<[string, GoFunction]> = [
  [
    "default",
    goFunction([any, any], ([d, ...given]) => (given.length === 0 || !isTrue(given[0]) ? d : given[0]), true),
  ],
  ["empty", goFunction([any], ([a]) => !isTrue(a))],
  ["coalesce", goFunction([any], (args) => args.find(isTrue) ?? null, true)],
  ["all", goFunction([any], (args) => args.every(isTrue), true)],
  ["any", goFunction([any], (args) => args.some(isTrue), true)],
  ["ternary", goFunction([any, any, "bool"], ([t, f, v]) => (v ? t : f))],
  [
    "fromJson",
    goFunction(["string"], ([s]) => {
      try {
        return fromJson(s as string);
      } catch {
        return null;
      }
    }),
  ],
  ["mustFromJson", goFunction(["string"], ([s]) => fromJson(s as string))],
  ["typeOf", goFunction([any], ([a]) => sprintf("%T", [a]))],
  ["typeIs", goFunction(["string", any], ([t, a]) => t === sprintf("%T", [a]))],
  ["kindOf", goFunction([any], ([a]) => (a === null ? "invalid" : kindOf(a)))],
  ["kindIs", goFunction(["string", any], ([k, a]) => k === (a === null ? "invalid" : kindOf(a)))],
  ["deepEqual", goFunction([any, any], ([a, b]) => deepEqual(a, b))],
];

const collectionFunctions: Array<[string, GoFunction]> = [
  ["list", goFunction([any], (args) => list(args), true)],
  ["tuple", goFunction([any], (args) => list(args), true)],
  [
    "dict",
    goFunction(
      [any],
      (args) => {
        const entries = new Map<Value, Value>();
        for (let i = 0; i < args.length; i += 2)
          entries.set(strval(args[i]), i + 1 < args.length ? args[i + 1] : "");
        return new GoMap(dict, "string", entries);
      },
      true,
    ),
  ],
  ["get", goFunction([dict, "string"], ([d, key]) => (dictOf(d).has(key) ? dictOf(d).get(key) : ""))],
  ["hasKey", goFunction([dict, "string"], ([d, key]) => dictOf(d).has(key))],
  [
    "set",
    goFunction([dict, "string", any], ([d, key, value]) => {
      // Sprig changes the dict in place; only dicts the template made can reach here.
      (dictOf(d) as Map<Value, Value>).set(key, value);
      return d;
    }),
  ],
  [
    "unset",
    goFunction([dict, "string"], ([d, key]) => {
      (dictOf(d) as Map<Value, Value>).delete(key);
      return d;
    }),
  ],
  [
    "keys",
    goFunction(
      [dict],
      (dicts) => strings(dicts.flatMap((d) => sortedEntries(d as GoMap).map(([key]) => key as string))),
      true,
    ),
  ],
  ["values", goFunction([dict], ([d]) => list(sortedEntries(d as GoMap).map(([, value]) => value)))],
  [
    "pluck",
    goFunction(
      [`string`, dict],
      ([key, ...dicts]) => list(dicts.filter((d) => dictOf(d).has(key)).map((d) => dictOf(d).get(key))),
      true,
    ),
  ],
  [
    "pick",
    goFunction(
      [dict, "string"],
      ([d, ...keys]) =>
        stringMap(keys.filter((k) => dictOf(d).has(k)).map((k) => [k as string, dictOf(d).get(k)])),
      true,
    ),
  ],
  [
    "omit",
    goFunction(
      [dict, "string"],
      ([d, ...keys]) =>
        stringMap(sortedEntries(d as GoMap).filter(([k]) => !keys.includes(k)) as Array<[string, Value]>),
      true,
    ),
  ],
  ["first", onList("find first", (items) => items[0] ?? null)],
  ["last", onList("find last", (items) => items[items.length - 1] ?? null)],
  ["rest", onList("find rest", (items) => list(items.slice(1)))],
  ["initial", onList("find initial", (items) => list(items.slice(0, -1)))],
  ["reverse", onList("find reverse", (items) => list([...items].reverse()))],
  ["compact", onList("compact", (items) => list(items.filter(isTrue)))],
  [
    "uniq",
    onList("find uniq", (items) =>
      list(items.filter((item, i) => items.findIndex((other) => deepEqual(item, other)) === i)),
    ),
  ],
  [
    "append",
    goFunction([any, any], ([l, v]) => {
      const items = itemsOf(l);
      if (!items) throw new Error(`Cannot push on type ${kindOf(l ?? null)}`);
      return list([...items, v]);
    }),
  ],
  [
    "push",
    goFunction([any, any], ([l, v]) => {
      const items = itemsOf(l);
      if (!items) throw new Error(`Cannot push on type ${kindOf(l ?? null)}`);
      return list([...items, v]);
    }),
  ],
  [
    "prepend",
    goFunction([any, any], ([l, v]) => {
      const items = itemsOf(l);
      if (!items) throw new Error(`Cannot prepend on type ${kindOf(l ?? null)}`);
      return list([v, ...items]);
    }),
  ],
  [
    "without",
    goFunction(
      [any, any],
      ([l, ...omit]) => {
        const items = itemsOf(l);
        if (!items) throw new Error(`Cannot find without on type ${kindOf(l ?? null)}`);
        return list(items.filter((item) => !omit.some((o) => deepEqual(item, o))));
      },
      true,
    ),
  ],
  [
    "has",
    goFunction([any, any], ([needle, haystack]) => {
      const items = itemsOf(haystack);
      if (!items) throw new Error(`Cannot find has on type ${kindOf(haystack ?? null)}`);
      return items.some((item) => deepEqual(needle, item));
    }),
  ],
  [
    "slice",
    goFunction(
      [any, any],
      ([l, ...indices]) => {
        const items = itemsOf(l);
        if (!items) throw new Error(`list should be type of slice or array but ${kindOf(l ?? null)}`);
        if (items.length === 0) return null;
        const start = indices.length > 0 ? Number(toInt(indices[0])) : 0;
        const end = indices.length > 1 ? Number(toInt(indices[1])) : items.length;
        if (start < 0 || end > items.length || start > end) {
          throw new Error(`reflect: slice index out of range`);
        }
        return new GoSlice((l as GoSlice).type, items.slice(start, end));
      },
      true,
    ),
  ],
  [
    "concat",
    goFunction(
      [any],
      (lists) =>
        list(
          lists.flatMap((l) => {
            const items = itemsOf(l);
            if (!items) throw new Error(`Cannot concat type ${kindOf(l ?? null)} as list`);
            return items;
          }),
        ),
      true,
    ),
  ],
  [
    "chunk",
    goFunction(["int", any], ([n, l]) => {
      const items = itemsOf(l);
      if (!items) throw new Error(`Cannot chunk type ${kindOf(l ?? null)}`);
      const size = Number(n);
      if (size <= 0) throw new Error("runtime error: integer divide by zero");
      const chunks: GoSlice[] = [];
      for (let i = 0; i < items.length; i += size) chunks.push(list(items.slice(i, i + size)));
      return list(chunks, "[][]interface {}");
    }),
  ],
];

export const sprig: FunctionMap = new Map<string, GoFunction>([
  ...stringFunctions,
  ...mathFunctions,
  ...jsonFunctions,
  ...defaultFunctions,
  ...collectionFunctions,
]);

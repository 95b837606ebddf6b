/**
 * The functions Go's text/template defines itself: `and or not len index print printf println eq
 * ne lt le gt ge html js urlquery`. (`slice` is Sprig's in Flux, which replaces Go's; `call` has
 * nothing to call here.)
 */
import { sprint, sprintf, sprintln } from "./format.js";
import { type FunctionMap, type GoFunction, goFunction } from "./functions.js";
import {
  compareStrings,
  deepEqual,
  GoMap,
  GoSlice,
  GoStruct,
  isTrue,
  lengthOf,
  mapLookup,
  typeName,
  type Value,
} from "./values.js";

const any = "interface {}";
const reflectValue = "reflect.Value";

type BasicKind = "bool" | "int" | "float" | "string" | "invalid";

function basicKind(value: Value): BasicKind {
  switch (typeof value) {
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "float";
    case "string":
      return "string";
  }
  return "invalid";
}

const isNil = (value: Value) => value === undefined || value === null;

function eq(first: Value, others: Value[]): boolean {
  if (others.length === 0) throw new Error("missing argument for comparison");
  const k1 = basicKind(first);
  for (const other of others) {
    const k2 = basicKind(other);
    let truth: boolean;
    if (k1 !== k2) {
      if (!isNil(first) && !isNil(other)) {
        throw new Error(`incompatible types for comparison: ${typeName(first)} and ${typeName(other)}`);
      }
      truth = false;
    } else if (k1 !== "invalid") {
      truth = first === other;
    } else if (isNil(first) || isNil(other)) {
      truth = isNil(first) === isNil(other);
    } else if (other instanceof GoSlice || other instanceof GoMap) {
      throw new Error(`non-comparable type ${sprint([other])}: ${typeName(other)}`);
    } else {
      truth = first instanceof GoStruct && other instanceof GoStruct && deepEqual(first, other);
    }
    if (truth) return true;
  }
  return false;
}

function lt(a: Value, b: Value): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "invalid" || k2 === "invalid") throw new Error("invalid type for comparison");
  if (k1 !== k2) throw new Error(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  if (k1 === "bool") throw new Error("invalid type for comparison");
  if (k1 === "string") return compareStrings(a as string, b as string) < 0;
  return (a as number | bigint) < (b as number | bigint);
}

function index(item: Value, indexes: Value[]): Value {
  if (isNil(item)) throw new Error("index of untyped nil");
  let current: Value = item;
  for (const key of indexes) {
    if (current instanceof GoMap) {
      if (current.keyType !== any && isNil(key))
        throw new Error(`value is nil; should be of type ${current.keyType}`);
      if (current.keyType !== any && typeName(key) !== current.keyType) {
        throw new Error(`value has type ${typeName(key)}; should be ${current.keyType}`);
      }
      const entry = mapLookup(current, key ?? null);
      current = entry.found ? entry.value : current.zero;
    } else if (current instanceof GoSlice || typeof current === "string") {
      if (key === undefined || key === null) throw new Error("cannot index slice/array with nil");
      if (typeof key !== "bigint") throw new Error(`cannot index slice/array with type ${typeName(key)}`);
      const length = lengthOf(current) ?? 0;
      if (key < 0n || key >= BigInt(length)) throw new Error(`index out of range: ${key}`);
      current =
        typeof current === "string" ? BigInt(Buffer.from(current)[Number(key)]) : current.items[Number(key)];
    } else if (isNil(current)) {
      throw new Error("index of nil pointer");
    } else {
      throw new Error(`can't index item of type ${typeName(current)}`);
    }
  }
  return current;
}

/** The text of `html`, `js` and `urlquery` arguments: Sprint's, with a missing value as `<no value>`. */
function evalArgs(args: Value[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((arg) => (isNil(arg) ? "<no value>" : arg)));
}

const htmlEscapes: Readonly<Record<string, string>> = {
  "\0": "\uFFFD",
  '"': "&#34;",
  "'": "&#39;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
};

const jsEscapes: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "'": "\\'",
  '"': '\\"',
  "<": "\\u003C",
  ">": "\\u003E",
  "&": "\\u0026",
  "=": "\\u003D",
};

function jsEscape(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (jsEscapes[char]) out += jsEscapes[char];
    else if (code < 0x20) out += `\\u00${code.toString(16).toUpperCase().padStart(2, "0")}`;
    else if (code >= 0x80 && !/^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(char)) {
      out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    } else out += char;
  }
  return out;
}

/** Go's `url.QueryEscape`. */
function queryEscape(text: string): string {
  return [...Buffer.from(text)]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      if (/^[A-Za-z0-9\-_.~]$/.test(char)) return char;
      return byte === 0x20 ? "+" : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
}

const compare = (test: (a: Value, b: Value) => boolean): GoFunction =>
  goFunction([reflectValue, reflectValue], ([a, b]) => test(a, b));

export const builtins: FunctionMap = new Map<string, GoFunction>([
  [
    "and",
    { params: [reflectValue, reflectValue], variadic: true, shortCircuit: "and", call: () => undefined },
  ],
  ["or", { params: [reflectValue, reflectValue], variadic: true, shortCircuit: "or", call: () => undefined }],
  ["not", goFunction([reflectValue], ([value]) => !isTrue(value))],
  [
    "len",
    goFunction([reflectValue], ([value]) => {
      const length = lengthOf(value);
      if (length === undefined)
        throw new Error(isNil(value) ? "len of nil pointer" : `len of type ${typeName(value)}`);
      return BigInt(length);
    }),
  ],
  ["index", goFunction([reflectValue, reflectValue], ([item, ...keys]) => index(item, keys), true)],
  ["print", goFunction([any], (args) => sprint(args), true)],
  ["printf", goFunction(["string", any], ([format, ...args]) => sprintf(format as string, args), true)],
  ["println", goFunction([any], (args) => sprintln(args), true)],
  ["eq", goFunction([reflectValue, reflectValue], ([first, ...others]) => eq(first, others), true)],
  ["ne", compare((a, b) => !eq(a, [b]))],
  ["lt", compare(lt)],
  ["le", compare((a, b) => lt(a, b) || eq(a, [b]))],
  ["gt", compare((a, b) => !(lt(a, b) || eq(a, [b])))],
  ["ge", compare((a, b) => !lt(a, b))],
  ["html", goFunction([any], (args) => evalArgs(args).replace(/[\0"'&<>]/g, (c) => htmlEscapes[c]), true)],
  ["js", goFunction([any], (args) => jsEscape(evalArgs(args)), true)],
  ["urlquery", goFunction([any], (args) => queryEscape(evalArgs(args)), true)],
]);

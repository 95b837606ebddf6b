/**
 * Go's `encoding/json` for template values, as Sprig's `toJson`, `toPrettyJson` and `toRawJson`
 * use it, and the reverse for `fromJson`: objects become `map[string]interface {}`, arrays
 * `[]interface {}` and numbers float64.
 */
import { formatFloat } from "./format.js";
import {
  type GoField,
  GoMap,
  GoSlice,
  GoStruct,
  isTrue,
  sortedEntries,
  stringMap,
  type Value,
} from "./values.js";

export interface JsonOptions {
  /** Escape `<`, `>` and `&` as `\u003c`…, as `json.Marshal` does. */
  readonly escapeHTML: boolean;
  /** Indent nested values by this (`json.MarshalIndent`). */
  readonly indent?: string;
}

function encodeString(text: string, escapeHTML: boolean): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const short = {
      '"': '\\"',
      "\\": "\\\\",
      "\b": "\\b",
      "\f": "\\f",
      "\n": "\\n",
      "\r": "\\r",
      "\t": "\\t",
    }[char];
    if (short) out += short;
    else if (code < 0x20 || code === 0x2028 || code === 0x2029 || (escapeHTML && "<>&".includes(char))) {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    } else out += char;
  }
  return `${out}"`;
}

function encodeNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`json: unsupported value: ${formatFloat(value, "g", -1)}`);
  const abs = Math.abs(value);
  if (abs === 0 || (abs >= 1e-6 && abs < 1e21)) return formatFloat(value, "f", -1);
  // e-07 becomes e-7.
  return formatFloat(value, "e", -1).replace(/e-0(\d)$/, "e-$1");
}

/** A struct's fields as JSON sees them: embedded structs' fields promoted, `omitempty` applied. */
function jsonFields(struct: GoStruct): Array<[string, Value]> {
  const fields: Array<[string, Value]> = [];
  const add = (field: GoField) => {
    if (field.embedded && field.json === undefined && field.value instanceof GoStruct) {
      for (const promoted of jsonFields(field.value)) {
        if (!fields.some(([name]) => name === promoted[0])) fields.push(promoted);
      }
    } else if (!(field.omitEmpty && !(field.value instanceof GoStruct) && !isTrue(field.value))) {
      fields.push([field.json ?? field.name, field.value]);
    }
  };
  struct.fields.forEach(add);
  return fields;
}

function encode(value: Value, options: JsonOptions, depth: number): string {
  if (value === undefined || value === null) return "null";
  if (typeof value === "string") return encodeString(value, options.escapeHTML);
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "number") return encodeNumber(value);
  const indent = options.indent;
  const wrap = (open: string, parts: string[], close: string) => {
    if (parts.length === 0) return open + close;
    if (indent === undefined) return open + parts.join(",") + close;
    const inner = `\n${indent.repeat(depth + 1)}`;
    return `${open}${inner}${parts.join(`,${inner}`)}\n${indent.repeat(depth)}${close}`;
  };
  const member = (key: string, item: Value) =>
    `${encodeString(key, options.escapeHTML)}:${indent === undefined ? "" : " "}${encode(item, options, depth + 1)}`;
  if (value instanceof GoSlice)
    return wrap(
      "[",
      value.items.map((item) => encode(item, options, depth + 1)),
      "]",
    );
  if (value instanceof GoMap) {
    if (value.keyType !== "string" && value.keyType !== "int")
      throw new Error(`json: unsupported type: ${value.type}`);
    const members = sortedEntries(value).map(([key, item]) => [String(key), item] as const);
    members.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return wrap(
      "{",
      members.map(([key, item]) => member(key, item)),
      "}",
    );
  }
  return wrap(
    "{",
    jsonFields(value).map(([key, item]) => member(key, item)),
    "}",
  );
}

/** A value as JSON; throws Go's error for what JSON cannot hold (maps with struct keys, NaN). */
export function toJson(value: Value, options: JsonOptions): string {
  return encode(value, options, 0);
}

function fromParsed(parsed: unknown): Value {
  if (parsed === null) return null;
  if (typeof parsed === "string" || typeof parsed === "boolean" || typeof parsed === "number") return parsed;
  if (Array.isArray(parsed)) return new GoSlice("[]interface {}", parsed.map(fromParsed));
  return stringMap(Object.entries(parsed as object).map(([key, item]) => [key, fromParsed(item)]));
}

/** JSON text as Go's `json.Unmarshal` into `interface{}` gives it; throws on bad JSON. */
export function fromJson(text: string): Value {
  return fromParsed(JSON.parse(text));
}

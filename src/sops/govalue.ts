/**
 * Leaf values as SOPS (a Go program) sees them. The MAC is a hash over each value's bytes in Go's
 * formatting (`sops.ToBytes`), so the type a value had when SOPS loaded it matters: YAML `1.0` is a
 * float64 hashed as "1", `true` a bool hashed as "True". This module holds that model and the Go
 * parsing/formatting rules it needs (strconv, time, go-yaml v3's scalar resolution).
 */

export type GoValue =
  | { kind: "null" }
  /** `bytes` is set when the exact bytes are known and may not survive a UTF-8 round trip. */
  | { kind: "str"; value: string; bytes?: Uint8Array }
  | { kind: "int"; value: bigint }
  | { kind: "float"; value: number }
  | { kind: "bool"; value: boolean }
  /** A time.Time, kept as its RFC 3339 (nano) text, which is what Go hashes and prints. */
  | { kind: "time"; value: string }
  | { kind: "bytes"; value: Uint8Array };

const utf8 = new TextEncoder();

export const goNull: GoValue = { kind: "null" };
export const goStr = (value: string): GoValue => ({ kind: "str", value });

/** `sops.ToBytes`: the bytes a value contributes to the MAC. */
export function macBytes(value: GoValue): Uint8Array {
  switch (value.kind) {
    case "str":
      return value.bytes ?? utf8.encode(value.value);
    case "int":
      return utf8.encode(value.value.toString());
    case "float":
      return utf8.encode(formatFloatF(value.value));
    case "bool":
      return utf8.encode(value.value ? "True" : "False");
    case "time":
      return utf8.encode(value.value);
    case "bytes":
      return value.value;
    case "null":
      return new Uint8Array();
  }
}

/** The value as a plain JavaScript value (strings, numbers, booleans, null). */
export function toPlain(value: GoValue): string | number | boolean | null {
  switch (value.kind) {
    case "str":
    case "time":
      return value.value;
    case "int":
      return Number(value.value);
    case "float":
      return value.value;
    case "bool":
      return value.value;
    case "bytes":
      return new TextDecoder().decode(value.value);
    case "null":
      return null;
  }
}

/** The shortest digits and decimal exponent of a finite, non-zero |n|: n = 0.d1d2… × 10^point. */
function shortestDigits(n: number): { digits: string; point: number } {
  const [mantissa = "", exponent = "0"] = Math.abs(n).toExponential().split("e");
  return { digits: mantissa.replace(".", ""), point: Number(exponent) + 1 };
}

/** strconv.FormatFloat(n, 'f', -1, 64): shortest digits that round-trip, never an exponent. */
export function formatFloatF(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "+Inf";
  if (n === Number.NEGATIVE_INFINITY) return "-Inf";
  const sign = n < 0 || Object.is(n, -0) ? "-" : "";
  if (n === 0) return `${sign}0`;
  const { digits, point } = shortestDigits(n);
  let text: string;
  if (point <= 0) text = `0.${"0".repeat(-point)}${digits}`;
  else if (digits.length <= point) text = digits + "0".repeat(point - digits.length);
  else text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign + text;
}

/** strconv.FormatFloat(n, 'G', -1, 64). */
export function formatFloatG(n: number): string {
  if (!Number.isFinite(n) || n === 0) return formatFloatF(n);
  const sign = n < 0 ? "-" : "";
  const { digits, point } = shortestDigits(n);
  const exp = point - 1;
  if (exp < -4 || exp >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expText = String(Math.abs(exp)).padStart(2, "0");
    return `${sign}${mantissa}E${exp < 0 ? "-" : "+"}${expText}`;
  }
  return formatFloatF(n);
}

/** stores.ValToString: how SOPS prints a non-string value into a dotenv file. */
export function valueToText(value: GoValue): string {
  switch (value.kind) {
    case "float": {
      const text = formatFloatG(value.value);
      return text.includes(".") || text.includes("E") || !Number.isFinite(value.value) ? text : `${text}.0`;
    }
    case "bool":
      return value.value ? "true" : "false";
    case "int":
      return value.value.toString();
    case "null":
      return "<nil>";
    default:
      return String(toPlain(value));
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.Atoi on 64-bit: decimal with an optional sign, within int64. */
export function parseGoInt(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value >= INT64_MIN && value <= INT64_MAX ? value : undefined;
}

/** strconv.ParseFloat(text, 64) for decimal text and the inf/nan spellings; undefined when Go errs. */
export function parseGoFloat(text: string): number | undefined {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) {
    if (special[2]?.toLowerCase() === "nan") return Number.NaN;
    return special[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** strconv.ParseBool. */
export function parseGoBool(text: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
  return undefined;
}

/** strconv.ParseInt(text, 0, 64), falling back to ParseUint(text, 0, 64) as go-yaml does. */
function parseIntBase0(text: string): bigint | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match) return undefined;
  const [, sign = "", body = ""] = match;
  const magnitude = BigInt(/^0[0-7]+$/.test(body) ? `0o${body.slice(1)}` : body);
  const value = sign === "-" ? -magnitude : magnitude;
  if (value >= INT64_MIN && value <= INT64_MAX) return value;
  return sign === "" && value <= UINT64_MAX ? value : undefined;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * go-yaml v3's timestamp resolution (RFC 3339 with short fields, "2006-1-2 15:4:5", or a date), returned
 * as Go's MarshalText (RFC 3339 nano) text; undefined when Go would not read a timestamp.
 */
export function parseYamlTimestamp(text: string): string | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [, y = "", mo = "", d = "", sep, h = "0", mi = "0", s = "0", frac, zone] = m;
  if (sep === " " ? zone !== undefined : sep !== undefined && zone === undefined) return undefined;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  let offset = "Z";
  if (zone && zone !== "Z") {
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(4, 6));
    if (hours > 24 || minutes > 60) return undefined;
    if (hours !== 0 || minutes !== 0) offset = zone;
  }
  const two = (v: string) => v.padStart(2, "0");
  const nanos = (frac ?? "").slice(0, 9).replace(/0+$/, "");
  return `${y}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}${nanos ? `.${nanos}` : ""}${offset}`;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

const RESOLVE_MAP = new Map<string, GoValue>([
  ...["true", "True", "TRUE"].map((s): [string, GoValue] => [s, { kind: "bool", value: true }]),
  ...["false", "False", "FALSE"].map((s): [string, GoValue] => [s, { kind: "bool", value: false }]),
  ...["", "~", "null", "Null", "NULL"].map((s): [string, GoValue] => [s, goNull]),
  ...[".nan", ".NaN", ".NAN"].map((s): [string, GoValue] => [s, { kind: "float", value: Number.NaN }]),
  ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((s): [string, GoValue] => [
    s,
    { kind: "float", value: Number.POSITIVE_INFINITY },
  ]),
  ...["-.inf", "-.Inf", "-.INF"].map((s): [string, GoValue] => [
    s,
    { kind: "float", value: Number.NEGATIVE_INFINITY },
  ]),
]);

/** What go-yaml v3 decodes an untagged plain scalar into (its `resolve`), as SOPS then sees it. */
export function resolveYamlPlain(text: string): GoValue {
  const first = text[0];
  const hint =
    first === undefined
      ? "N"
      : first === "+" || first === "-"
        ? "S"
        : first >= "0" && first <= "9"
          ? "D"
          : "yYnNtTfFoO~".includes(first)
            ? "M"
            : first === "."
              ? "."
              : undefined;
  if (hint === undefined) return goStr(text);
  const mapped = RESOLVE_MAP.get(text);
  if (mapped) return mapped;
  if (hint === ".") {
    if (/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text)) return { kind: "float", value: Number(text) };
  } else if (hint === "D" || hint === "S") {
    const time = parseYamlTimestamp(text);
    if (time !== undefined) return { kind: "time", value: time };
    const plain = text.replaceAll("_", "");
    const int = parseIntBase0(plain);
    if (int !== undefined) return { kind: "int", value: int };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const value = Number(plain);
      if (Number.isFinite(value)) return { kind: "float", value };
    }
  }
  return goStr(text);
}

const OLD_BOOLS = new Set(
  "y Y yes Yes YES on On ON n N no No NO off Off OFF".split(" "), // YAML 1.1 booleans
);

/** Whether a string must be quoted so that YAML readers (go-yaml v3, YAML 1.1 ones) keep it a string. */
export function yamlStringNeedsQuotes(text: string): boolean {
  return (
    resolveYamlPlain(text).kind !== "str" ||
    OLD_BOOLS.has(text) ||
    /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(text)
  );
}

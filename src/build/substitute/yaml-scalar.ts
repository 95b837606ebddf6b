// How Flux's YAML library (go-yaml v2, under sigs.k8s.io/yaml) reads an untagged plain scalar, and
// how Go prints a float. Used both ways: to decide which strings must be quoted when the object is
// written out, and to type the scalars when the substituted text is read back. YAML 1.1 flavoured:
// yes/no/on/off/y/n are booleans, 0777 is octal, 1_000 is 1000; timestamps stay strings; base 60
// numbers are not numbers (but are quoted on the way out).

export type Resolved =
  | { tag: "null" }
  | { tag: "bool"; value: boolean }
  | { tag: "int"; value: bigint }
  | { tag: "uint"; value: bigint }
  | { tag: "float"; value: number }
  | { tag: "str"; value: string }
  | { tag: "timestamp"; value: string }
  | { tag: "merge"; value: string };

const SPECIAL = new Map<string, Resolved>();
for (const word of ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]) {
  SPECIAL.set(word, { tag: "bool", value: true });
}
for (const word of ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]) {
  SPECIAL.set(word, { tag: "bool", value: false });
}
for (const word of ["", "~", "null", "Null", "NULL"]) SPECIAL.set(word, { tag: "null" });
for (const word of [".nan", ".NaN", ".NAN"]) SPECIAL.set(word, { tag: "float", value: Number.NaN });
for (const word of [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]) {
  SPECIAL.set(word, { tag: "float", value: Number.POSITIVE_INFINITY });
}
for (const word of ["-.inf", "-.Inf", "-.INF"])
  SPECIAL.set(word, { tag: "float", value: Number.NEGATIVE_INFINITY });
SPECIAL.set("<<", { tag: "merge", value: "<<" });

/** go-yaml's hint from the first byte: S(ign), D(igit), M(ap only), '.', or none. */
function hint(text: string): string | undefined {
  if (text === "") return "N";
  const c = text[0];
  if (c === "+" || c === "-") return "S";
  if (c >= "0" && c <= "9") return "D";
  if ("yYnNtTfFoO~".includes(c)) return "M";
  if (c === ".") return ".";
  return undefined;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const UINT64_MAX = 2n ** 64n - 1n;
const INT64_MAX = 2n ** 63n - 1n;

function digitValue(c: string): number | undefined {
  const code = c.charCodeAt(0);
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x7a) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x5a) return code - 0x41 + 10;
  return undefined;
}

/** Go's strconv.ParseUint(s, base, 64); base 0 reads a 0x/0o/0b/0 prefix. */
export function parseGoUint(text: string, base = 0): bigint | undefined {
  if (text === "") return undefined;
  let radix = base;
  let body = text;
  if (radix === 0) {
    radix = 10;
    if (body[0] === "0") {
      const marker = body.length >= 3 ? body[1].toLowerCase() : "";
      if (marker === "b") [radix, body] = [2, body.slice(2)];
      else if (marker === "o") [radix, body] = [8, body.slice(2)];
      else if (marker === "x") [radix, body] = [16, body.slice(2)];
      else [radix, body] = [8, body.slice(1)];
    }
  }
  let value = 0n;
  for (const c of body) {
    const digit = digitValue(c);
    if (digit === undefined || digit >= radix) return undefined;
    value = value * BigInt(radix) + BigInt(digit);
    if (value > UINT64_MAX) return undefined;
  }
  return value;
}

/** Go's strconv.ParseInt(s, base, 64). */
export function parseGoInt(text: string, base = 0): bigint | undefined {
  let body = text;
  let negative = false;
  if (body[0] === "+" || body[0] === "-") {
    negative = body[0] === "-";
    body = body.slice(1);
  }
  const magnitude = parseGoUint(body, base);
  if (magnitude === undefined) return undefined;
  if (negative ? magnitude > INT64_MAX + 1n : magnitude > INT64_MAX) return undefined;
  return negative ? -magnitude : magnitude;
}

/** Go's strconv.ParseFloat(s, 64) for decimal text; undefined when malformed or out of range. */
function parseGoFloat(text: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])|( ))(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** The timestamps go-yaml recognises (YYYY-M-D, with an optional time). */
export function isTimestamp(text: string): boolean {
  const m = TIMESTAMP.exec(text);
  if (!m) return false;
  const [, year, month, day, tee, space, hour, minute, second, zone] = m;
  // With a T the zone is required; with a space it is not allowed.
  if (tee && !zone) return false;
  if (space && zone) return false;
  const mo = Number(month);
  const d = Number(day);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, Number(year))) return false;
  if (hour !== undefined && (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59)) return false;
  return true;
}

const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** YAML 1.1 base 60 numbers (1:20): go-yaml does not read them as numbers but quotes them when writing. */
export function isBase60Float(text: string): boolean {
  return text !== "" && /^[-+0-9]/.test(text) && text.includes(":") && BASE60_FLOAT.test(text);
}

/**
 * What an untagged plain scalar means to go-yaml v2 (its `resolve`). With `tag`, a scalar tagged
 * !!bool, !!int, !!float, !!null or !!timestamp: the same rules, except that only a timestamp tag
 * (or none) tries timestamps.
 */
export function resolvePlain(text: string, tag?: "bool" | "int" | "float" | "null" | "timestamp"): Resolved {
  const kind = hint(text);
  if (kind !== undefined) {
    const special = SPECIAL.get(text);
    if (special) return special;
    if (kind === ".") {
      const value = parseGoFloat(text);
      if (value !== undefined) return { tag: "float", value };
    } else if (kind === "D" || kind === "S") {
      if ((tag === undefined || tag === "timestamp") && isTimestamp(text))
        return { tag: "timestamp", value: text };
      const plain = text.replaceAll("_", "");
      const int = parseGoInt(plain);
      if (int !== undefined) return { tag: "int", value: int };
      const uint = parseGoUint(plain);
      if (uint !== undefined) return { tag: "uint", value: uint };
      if (YAML_STYLE_FLOAT.test(plain)) {
        const value = parseGoFloat(plain);
        if (value !== undefined) return { tag: "float", value };
      }
      if (plain.startsWith("0b")) {
        const binary = parseGoInt(plain.slice(2), 2);
        if (binary !== undefined) return { tag: "int", value: binary };
        const ubinary = parseGoUint(plain.slice(2), 2);
        if (ubinary !== undefined) return { tag: "uint", value: ubinary };
      } else if (plain.startsWith("-0b")) {
        const binary = parseGoInt(`-${plain.slice(3)}`, 2);
        if (binary !== undefined) return { tag: "int", value: binary };
      }
    }
  }
  return { tag: "str", value: text };
}

/** Whether go-yaml writes this string unquoted: it must read back as a string and not look base 60. */
export function plainIsString(text: string): boolean {
  return resolvePlain(text).tag === "str" && !isBase60Float(text);
}

/** The shortest decimal digits of `value` (positive, finite) and the decimal point position. */
function shortestDigits(value: number, bits: 32 | 64): { digits: string; point: number } {
  let text = value.toExponential();
  if (bits === 32) {
    const target = Math.fround(value);
    for (let precision = 1; precision <= 9; precision++) {
      const candidate = value.toExponential(precision - 1);
      if (Math.fround(Number(candidate)) === target) {
        text = candidate;
        break;
      }
    }
  }
  const [mantissa, exponent] = text.split("e");
  const digits = mantissa.replace(".", "").replace(/0+$/, "") || "0";
  return { digits, point: Number(exponent) + 1 };
}

/** Go's strconv.FormatFloat(value, 'g', -1, bits), with YAML's names for infinities and NaN. */
export function formatGoFloat(value: number, bits: 32 | 64 = 64): string {
  if (Number.isNaN(value)) return ".nan";
  if (value === Number.POSITIVE_INFINITY) return ".inf";
  if (value === Number.NEGATIVE_INFINITY) return "-.inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const sign = value < 0 ? "-" : "";
  const { digits, point } = shortestDigits(Math.abs(value), bits);
  const exponent = point - 1;
  if (exponent < -4 || exponent >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const magnitude = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${mantissa}e${exponent < 0 ? "-" : "+"}${magnitude}`;
  }
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

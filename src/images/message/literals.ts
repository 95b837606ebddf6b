/** Go's literal syntax for the constants a template may hold: strings, characters and numbers. */

const simpleEscapes: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  "\\": 0x5c,
};

/**
 * The bytes (or, for `\u`, the character) of one character or escape at `at` in a quoted literal,
 * as Go's `strconv.UnquoteChar`; undefined when the escape is not valid inside `quote` quotes.
 */
function readChar(body: string, at: number, quote: string): { bytes: number[]; next: number } | undefined {
  const c = body[at];
  if (c !== "\\") {
    const char = String.fromCodePoint(body.codePointAt(at) ?? 0);
    return { bytes: [...Buffer.from(char)], next: at + char.length };
  }
  const e = body[at + 1];
  if (e === undefined) return undefined;
  if (e in simpleEscapes) return { bytes: [simpleEscapes[e]], next: at + 2 };
  if (e === "'" || e === '"') return e === quote ? { bytes: [e.charCodeAt(0)], next: at + 2 } : undefined;
  const hexLength = { x: 2, u: 4, U: 8 }[e];
  if (hexLength !== undefined) {
    const digits = body.slice(at + 2, at + 2 + hexLength);
    if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hexLength) return undefined;
    const code = Number.parseInt(digits, 16);
    if (e === "x") return { bytes: [code], next: at + 2 + hexLength };
    if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) return undefined;
    return { bytes: [...Buffer.from(String.fromCodePoint(code))], next: at + 2 + hexLength };
  }
  const octal = body.slice(at + 1, at + 4);
  if (/^[0-7]{3}$/.test(octal) && Number.parseInt(octal, 8) <= 0xff) {
    return { bytes: [Number.parseInt(octal, 8)], next: at + 4 };
  }
  return undefined;
}

/** A Go string literal's value (`"a\tb"` or `` `raw` ``), or undefined when it is not valid Go. */
export function unquoteString(literal: string): string | undefined {
  // Raw strings lose their carriage returns, as in Go source.
  if (literal.startsWith("`")) return literal.slice(1, -1).replaceAll("\r", "");
  const body = literal.slice(1, -1);
  const bytes: number[] = [];
  for (let at = 0; at < body.length; ) {
    const char = readChar(body, at, '"');
    if (!char) return undefined;
    bytes.push(...char.bytes);
    at = char.next;
  }
  return Buffer.from(bytes).toString("utf8");
}

/** The code point of a Go character literal (`'a'`, `'\n'`), or undefined when it is not valid Go. */
export function unquoteChar(literal: string): number | undefined {
  const body = literal.slice(1, -1);
  const char = body ? readChar(body, 0, "'") : undefined;
  if (!char || char.next !== body.length) return undefined;
  // A single escape byte (\x, octal) is the code point itself; otherwise decode the UTF-8.
  return body.startsWith("\\") && char.bytes.length === 1
    ? char.bytes[0]
    : Buffer.from(char.bytes).toString("utf8").codePointAt(0);
}

export interface GoNumber {
  /** The value when it is a whole number that fits int64. */
  readonly int?: bigint;
  readonly float?: number;
  /** Written with a fraction or exponent. */
  readonly floatSyntax: boolean;
}

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const uint64Max = 2n ** 64n - 1n;

/** An integer in Go's syntax (`42`, `0x2a`, `0o52`, `052`, `0b101010`, `1_000`), or undefined. */
function parseInteger(text: string): bigint | undefined {
  const sign = text[0] === "-" || text[0] === "+" ? text[0] : "";
  const digits = text.slice(sign.length);
  let value: bigint;
  if (
    /^0[xX](_?[0-9a-fA-F])+$/.test(digits) ||
    /^0[oO](_?[0-7])+$/.test(digits) ||
    /^0[bB](_?[01])+$/.test(digits)
  ) {
    value = BigInt(digits.replaceAll("_", "").toLowerCase());
  } else if (/^0(_?[0-7])+$/.test(digits)) {
    value = BigInt(`0o${digits.slice(1).replaceAll("_", "")}`);
  } else if (/^(0|[1-9](_?[0-9])*)$/.test(digits)) {
    value = BigInt(digits.replaceAll("_", ""));
  } else {
    return undefined;
  }
  return sign === "-" ? -value : value;
}

/** A float in Go's syntax (`1.5`, `1e3`, `.5`, `0x1p-2`), or undefined. */
function parseGoFloat(text: string): number | undefined {
  const decimal = /^[+-]?(?=\.?[0-9])[0-9]*(_[0-9]+)*(\.([0-9]+(_[0-9]+)*)?)?([eE][+-]?[0-9]+(_[0-9]+)*)?$/;
  if (decimal.test(text)) return Number(text.replaceAll("_", ""));
  const hex = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9_]+)$/.exec(text);
  if (!hex || !/[0-9a-fA-F]/.test(hex[2] + (hex[3] ?? ""))) return undefined;
  const fraction = (hex[3] ?? "").replaceAll("_", "");
  const mantissa = Number(BigInt(`0x${hex[2].replaceAll("_", "")}${fraction}` || "0x0"));
  const value = mantissa * 2 ** (Number(hex[4].replaceAll("_", "")) - 4 * fraction.length);
  return hex[1] === "-" ? -value : value;
}

/** A number constant as Go's template parser reads it; a string says why it is not one. */
export function parseNumber(text: string): GoNumber | string {
  if (text.endsWith("i")) return `complex numbers are not supported: ${JSON.stringify(text)}`;
  const int = parseInteger(text);
  if (int !== undefined) {
    if (int >= int64Min && int <= int64Max) return { int, float: Number(int), floatSyntax: false };
    if (int >= 0n && int <= uint64Max) return { float: Number(int), floatSyntax: false };
  }
  const float = parseGoFloat(text);
  if (float === undefined) return `illegal number syntax: ${JSON.stringify(text)}`;
  const floatSyntax = /[.eEpP]/.test(text) && !/^[+-]?0[xX][^pP]*$/.test(text);
  if (!floatSyntax) return `integer overflow: ${JSON.stringify(text)}`;
  const whole = Number.isInteger(float) && float >= -(2 ** 63) && float < 2 ** 63;
  return { int: whole ? BigInt(float) : undefined, float, floatSyntax };
}

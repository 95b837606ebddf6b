/**
 * Go's `fmt` for template values: `Sprint`, `Sprintln` and `Sprintf` with the verbs, flags, width
 * and precision of `fmt`, and its way of writing slices (`[a b]`), maps (`map[k:v]`, keys sorted)
 * and structs (`{a b}`, `%+v`: `{Name:a}`). Mistakes print as in Go (`%!d(string=x)`,
 * `%!s(MISSING)`, `%!(EXTRA int=1)`).
 */
import { GoMap, GoSlice, GoStruct, sortedEntries, typeName, type Value } from "./values.js";

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  /** `%+v` and `%#v`, which fmt tracks apart from `+` and `#`. */
  plusV: boolean;
  sharpV: boolean;
  width?: number;
  precision?: number;
}

const noFlags = (): Flags => ({
  plus: false,
  minus: false,
  sharp: false,
  space: false,
  zero: false,
  plusV: false,
  sharpV: false,
});

const isPrint = (char: string) => char === " " || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(char);

/** Go's `strconv.Quote` (or `QuoteToASCII`), or `QuoteRune` with `'`. */
export function quote(text: string, quoteChar = '"', asciiOnly = false): string {
  let out = quoteChar;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === quoteChar || char === "\\") out += `\\${char}`;
    else if (isPrint(char) && (!asciiOnly || code < 0x80)) out += char;
    else {
      const shortEscape = {
        "\x07": "\\a",
        "\b": "\\b",
        "\f": "\\f",
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
        "\v": "\\v",
      }[char];
      const hex = code.toString(16).padStart(2, "0");
      if (shortEscape) out += shortEscape;
      else if (code < 0x20 || code === 0x7f) out += `\\x${hex}`;
      else if (code < 0x10000) out += `\\u${hex.padStart(4, "0")}`;
      else out += `\\U${hex.padStart(8, "0")}`;
    }
  }
  return out + quoteChar;
}

/** Pads to the width, with spaces (or zeros with `0`) on the left, or on the right with `-`. */
function pad(text: string, flags: Flags): string {
  const length = [...text].length;
  if (flags.width === undefined || length >= flags.width) return text;
  const fill = flags.width - length;
  if (flags.minus) return text + " ".repeat(fill);
  return (flags.zero ? "0" : " ").repeat(fill) + text;
}

/** Pads a number, putting zero padding between its sign and digits. */
function padNumber(text: string, flags: Flags): string {
  if (!flags.zero || flags.minus || flags.width === undefined || !/^[+\- ]/.test(text))
    return pad(text, flags);
  return text[0] + pad(text.slice(1), { ...flags, width: flags.width - 1 });
}

function sign(negative: boolean, flags: Flags): string {
  return negative ? "-" : flags.plus ? "+" : flags.space ? " " : "";
}

function formatInteger(value: bigint, verb: string, flags: Flags): string | undefined {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const char = () => String.fromCodePoint(Number(magnitude));
  if (verb === "c") return pad(char(), flags);
  if (verb === "q") return pad(quote(char(), "'", flags.plus), flags);
  if (verb === "U") {
    const hex = `U+${magnitude.toString(16).toUpperCase().padStart(4, "0")}`;
    return pad(flags.sharp ? `${hex} '${char()}'` : hex, flags);
  }
  const base = { b: 2, o: 8, O: 8, x: 16, X: 16, d: 10 }[verb];
  if (base === undefined) return undefined;
  const unpadded = { ...flags, zero: false };
  // %.3d and %03d both ask for leading zeros; zero padding leaves room for a sign, not a prefix.
  let precision = flags.precision;
  if (precision === 0 && magnitude === 0n) return pad("", unpadded);
  if (precision === undefined && flags.zero && !flags.minus && flags.width !== undefined) {
    precision = flags.width - (negative || flags.plus || flags.space ? 1 : 0);
  }
  let digits = magnitude.toString(base).padStart(precision ?? 0, "0");
  if (verb === "X") digits = digits.toUpperCase();
  let prefix = verb === "O" ? "0o" : "";
  if (flags.sharp) prefix = { b: "0b", o: digits.startsWith("0") ? "" : "0", x: "0x", X: "0X" }[verb] ?? "";
  return pad(sign(negative, flags) + prefix + digits, unpadded);
}

/** Decimal digits of |x| without trailing zeros, and where the point goes: 0.0125 is "125", -1. */
function decimalDigits(x: number, significant?: number): { digits: string; point: number } {
  if (x === 0) return { digits: "", point: 0 };
  const [mantissa, exponent] = Math.abs(x)
    .toExponential(significant === undefined ? undefined : significant - 1)
    .split("e");
  const digits = mantissa.replace(".", "").replace(/0+$/, "");
  return { digits, point: Number(exponent) + 1 };
}

function formatE(digits: string, point: number, precision: number, e: string): string {
  let out = digits[0] ?? "0";
  if (precision > 0) out += `.${digits.slice(1, precision + 1).padEnd(precision, "0")}`;
  const exponent = digits === "" ? 0 : point - 1;
  return `${out}${e}${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

function formatF(digits: string, point: number, precision: number): string {
  const whole = point > 0 ? digits.slice(0, point).padEnd(point, "0") : "0";
  if (precision <= 0) return whole;
  let fraction = "";
  for (let i = 0; i < precision; i++) fraction += digits[point + i] ?? "0";
  return `${whole}.${fraction}`;
}

/** Go's `strconv.FormatFloat` for the `e`, `f` and `g` formats; precision -1 is the shortest. */
export function formatFloat(x: number, format: "e" | "E" | "f" | "F" | "g" | "G", precision: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  const negative = x < 0 || Object.is(x, -0) ? "-" : "";
  const shortest = precision < 0;
  const lower = format.toLowerCase();
  if (lower === "f" && !shortest) return negative + Math.abs(x).toFixed(precision);
  const significant = shortest ? undefined : lower === "e" ? precision + 1 : Math.max(precision, 1);
  const { digits, point } = decimalDigits(x, significant);
  const e = format === "E" || format === "G" ? "E" : "e";
  if (lower === "e") return negative + formatE(digits, point, shortest ? digits.length - 1 : precision, e);
  if (lower === "f") return negative + formatF(digits, point, Math.max(digits.length - point, 0));
  let prec = shortest ? digits.length : Math.max(precision, 1);
  let eprec = prec;
  if (eprec > digits.length && digits.length >= point) eprec = digits.length;
  if (shortest) eprec = 6;
  const exponent = point - 1;
  if (exponent < -4 || exponent >= eprec) {
    prec = Math.min(prec, digits.length);
    return negative + formatE(digits, point, prec - 1, e);
  }
  if (prec > point) prec = digits.length;
  return negative + formatF(digits, point, Math.max(prec - point, 0));
}

function formatFloatVerb(value: number, verb: string, flags: Flags): string | undefined {
  const format = verb === "v" ? "g" : verb;
  if (format.length !== 1 || !"eEfFgG".includes(format)) return undefined;
  const precision = flags.precision ?? ("eEfF".includes(format) ? 6 : -1);
  const text = formatFloat(value, format as "e" | "f" | "g", precision);
  let signed = /^[+-]/.test(text) ? text : `+${text}`;
  if (flags.space && signed[0] === "+" && !flags.plus) signed = ` ${signed.slice(1)}`;
  // Infinities and NaN are not padded with zeros; NaN shows a sign only when asked for.
  if (/^.(Inf|NaN)/.test(signed)) {
    if (signed[1] === "N" && !flags.space && !flags.plus) signed = signed.slice(1);
    return pad(signed, { ...flags, zero: false });
  }
  return padNumber(flags.plus || signed[0] !== "+" ? signed : signed.slice(1), flags);
}

function formatString(text: string, verb: string, flags: Flags): string | undefined {
  const runes = [...text];
  const cut = flags.precision !== undefined ? runes.slice(0, flags.precision).join("") : text;
  switch (verb) {
    case "v":
      return pad(flags.sharpV ? quote(cut) : cut, flags);
    case "s":
      return pad(cut, flags);
    case "q":
      if (flags.sharp && !/[`\p{C}]/u.test(cut)) return pad(`\`${cut}\``, flags);
      return pad(quote(cut, '"', flags.plus), flags);
    case "x":
    case "X": {
      const bytes = [...Buffer.from(cut)].map((b) => {
        const hex = b.toString(16).padStart(2, "0");
        return verb === "X" ? hex.toUpperCase() : hex;
      });
      const prefix = flags.sharp ? (verb === "X" ? "0X" : "0x") : "";
      return pad(flags.space ? bytes.map((b) => prefix + b).join(" ") : prefix + bytes.join(""), flags);
    }
  }
  return undefined;
}

function badVerb(verb: string, value: Value): string {
  if (value === undefined || value === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(value)}=${formatValue(value, "v", noFlags(), 0)})`;
}

/** One value for one verb, as fmt's `printValue` writes it at a nesting depth. */
function formatValue(value: Value, verb: string, flags: Flags, depth: number): string {
  if (value === undefined || value === null) {
    // A nil inside a slice, map or struct prints as <nil> whatever the verb.
    if (depth > 0) return flags.sharpV ? "interface {}(nil)" : pad("<nil>", flags);
    return verb === "v" || verb === "T" ? pad("<nil>", flags) : badVerb(verb, value);
  }
  if (verb === "T") return pad(typeName(value), flags);
  if (value instanceof GoStruct && value.stringer && !flags.sharpV && "vsxXq".includes(verb)) {
    return formatString(value.stringer(), verb, flags) ?? badVerb(verb, value);
  }
  const inner = (item: Value) => formatValue(item, verb, flags, depth + 1);
  if (value instanceof GoSlice) {
    const items = value.items.map(inner);
    return flags.sharpV ? `${value.type}{${items.join(", ")}}` : `[${items.join(" ")}]`;
  }
  if (value instanceof GoMap) {
    const entries = sortedEntries(value).map(([k, v]) => `${inner(k)}:${inner(v)}`);
    return flags.sharpV ? `${value.type}{${entries.join(", ")}}` : `map[${entries.join(" ")}]`;
  }
  if (value instanceof GoStruct) {
    const fields = value.fields.map(
      (f) => (flags.plusV || flags.sharpV ? `${f.name}:` : "") + inner(f.value),
    );
    return flags.sharpV ? `${value.type}{${fields.join(", ")}}` : `{${fields.join(" ")}}`;
  }
  let text: string | undefined;
  if (typeof value === "boolean") text = verb === "v" || verb === "t" ? pad(String(value), flags) : undefined;
  else if (typeof value === "bigint") text = formatInteger(value, verb === "v" ? "d" : verb, flags);
  else if (typeof value === "number") text = formatFloatVerb(value, verb, flags);
  else text = formatString(value, verb, flags);
  return text ?? badVerb(verb, value);
}

/** A value as `%v` writes it (Go's `fmt.Sprint` of one value). */
export function sprintValue(value: Value): string {
  return formatValue(value, "v", noFlags(), 0);
}

/** Go's `fmt.Sprint`: spaces between operands when neither side is a string. */
export function sprint(args: readonly Value[]): string {
  let out = "";
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += sprintValue(arg);
  });
  return out;
}

/** Go's `fmt.Sprintln`: spaces between all operands, and a newline. */
export function sprintln(args: readonly Value[]): string {
  return `${args.map(sprintValue).join(" ")}\n`;
}

/** Go's `fmt.Sprintf`. */
export function sprintf(format: string, args: readonly Value[]): string {
  let out = "";
  let argNum = 0;
  let reordered = false;
  let i = 0;
  /** `[n]` before a width, precision or verb picks the argument (from 1). */
  const argIndex = (): boolean | undefined => {
    if (format[i] !== "[") return undefined;
    reordered = true;
    const close = format.indexOf("]", i);
    const n = close < 0 ? Number.NaN : Number(format.slice(i + 1, close));
    if (!Number.isInteger(n) || n < 1 || n > args.length) {
      i = close < 0 ? format.length : close + 1;
      return false;
    }
    argNum = n - 1;
    i = close + 1;
    return true;
  };
  const number = (): number | undefined => {
    const match = /^[0-9]+/.exec(format.slice(i));
    if (!match) return undefined;
    i += match[0].length;
    return Number(match[0]);
  };
  /** A `*` width or precision, from an int argument. */
  const star = (): number | undefined => {
    const arg = args[argNum++];
    return typeof arg === "bigint" ? Number(arg) : undefined;
  };

  while (i < format.length) {
    const percent = format.indexOf("%", i);
    if (percent < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    i = percent + 1;
    const flags = noFlags();
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === "#") flags.sharp = true;
      else if (c === "0") flags.zero = !flags.minus;
      else if (c === "+") flags.plus = true;
      else if (c === "-") {
        flags.minus = true;
        flags.zero = false;
      } else if (c === " ") flags.space = true;
      else break;
    }
    let goodIndex = argIndex() ?? true;
    if (format[i] === "*") {
      i++;
      flags.width = star();
      if (flags.width === undefined) out += "%!(BADWIDTH)";
      else if (flags.width < 0) {
        flags.minus = true;
        flags.zero = false;
        flags.width = -flags.width;
      }
    } else flags.width = number();
    if (format[i] === ".") {
      i++;
      goodIndex = (argIndex() ?? true) && goodIndex;
      if (format[i] === "*") {
        i++;
        flags.precision = star();
        if (flags.precision === undefined || flags.precision < 0) {
          flags.precision = undefined;
          out += "%!(BADPREC)";
        }
      } else flags.precision = number() ?? 0;
    }
    goodIndex = (argIndex() ?? true) && goodIndex;
    if (i >= format.length) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === "%") out += "%";
    else if (!goodIndex) out += `%!${verb}(BADINDEX)`;
    else if (argNum >= args.length) out += `%!${verb}(MISSING)`;
    else {
      if (verb === "v") {
        flags.sharpV = flags.sharp;
        flags.sharp = false;
        flags.plusV = flags.plus;
        flags.plus = false;
      }
      out += formatValue(args[argNum++], verb, flags, 0);
    }
  }
  if (!reordered && argNum < args.length) {
    const extra = args
      .slice(argNum)
      .map((arg) => (arg == null ? "<nil>" : `${typeName(arg)}=${sprintValue(arg)}`));
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}

// The envsubst Flux runs on the built YAML (github.com/fluxcd/pkg/envsubst, a fork of
// drone/envsubst), reimplemented so that its results match byte for byte, quirks included:
//
// - Only `${…}` is an expression; `$var` stays as it is. `$$` in plain text is one `$` (so
//   `$${var}` gives `${var}`), and inside the pattern and replacement of `${var/…/…}` `$$`, `\/`
//   and `\\` escape too. Elsewhere (defaults, offsets, trim patterns) nothing is escaped.
// - `${var=d}`, `${var:=d}`, `${var:-d}`, `${var:+d}` and `${var:?d}` all give `d` when the value is
//   empty or unset (nothing is assigned, `:+` is not bash's "alternative", `:?` does not fail);
//   `${var-d}` is not supported and fails with "missing closing brace".
// - Lengths, offsets and substrings count bytes of UTF-8; trims use shell patterns (`*` and `?`
//   match `/` too), replacements are literal text; `${var/#x/}` with an empty replacement leaves
//   the value alone.
// - In strict mode a variable that is not defined fails unless the operator supplies a fallback;
//   the arguments (a default with nested `${…}`) are evaluated first, even when not used.

import {
  concat,
  decodeRune,
  EMPTY,
  equal,
  fromBytes,
  hasPrefix,
  hasSuffix,
  indexOf,
  isDigit,
  isLetter,
  runeBytes,
  runesOf,
  runesToBytes,
  toBytes,
} from "./bytes.js";
import { SubstitutionError } from "./errors.js";
import { BadPatternError, globMatch } from "./glob.js";

const DOLLAR = 0x24;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const COLON = 0x3a;
const HASH = 0x23;
const PERCENT = 0x25;
const EQUAL = 0x3d;
const COMMA = 0x2c;
const CARET = 0x5e;
const MINUS = 0x2d;
const QUESTION = 0x3f;
const PLUS = 0x2b;
const UNDERSCORE = 0x5f;

/** The scanner reports a NUL byte like the end of the text, as envsubst's does. */
const EOF = 0;

// Tokens.
const ILLEGAL = 0;
const END = 1;
const IDENT = 2;
const LBRACK = 3;
const RBRACK = 4;

// Scanner modes.
const SCAN_IDENT = 1;
const SCAN_LBRACK = 2;
const SCAN_RBRACK = 4;
const SCAN_ESCAPE = 8;

// Escapes the scanner honours in SCAN_ESCAPE mode.
const ESCAPE_DOLLAR = 1;
const ESCAPE_BACKSLASH = 2;
const ESCAPE_ALL = ESCAPE_DOLLAR | ESCAPE_BACKSLASH;

/** Decides whether a rune belongs to the token; `i` is the byte offset just past it. */
type Accept = (rune: number, i: number) => boolean;

const anyRune: Accept = () => true;
const identRune: Accept = (r) => isLetter(r) || isDigit(r) || r === UNDERSCORE;
const colonRune: Accept = (r) => r === COLON;
const oneHash: Accept = (r, i) => r === HASH && i === 1;
const notClosing: Accept = (r) => r !== RBRACE;
const hashOperator: Accept = (r, i) => r === HASH && i < 3;
const percentOperator: Accept = (r, i) => r === PERCENT && i < 3;
const defaultOperator: Accept = (r, i) =>
  (i === 1 && r === COLON) || (i === 2 && (r === EQUAL || r === MINUS || r === QUESTION || r === PLUS));
const replaceOperator: Accept = (r, i) =>
  (i === 1 && r === SLASH) || (i === 2 && (r === SLASH || r === HASH || r === PERCENT));
const oneEqual: Accept = (r, i) => i === 1 && r === EQUAL;
const oneColon: Accept = (r, i) => i === 1 && r === COLON;
const notColonOrClosing: Accept = (r) => r !== COLON && r !== RBRACE;
const slashRune: Accept = (r) => r === SLASH;
const notSlash: Accept = (r) => r !== SLASH;
const casingOperator: Accept = (r, i) => (r === COMMA || r === CARET) && i < 3;

/**
 * envsubst's scanner. Its quirks are part of the behaviour: an escape removes the escaping byte
 * from the buffer and takes the escaped one into the token unchecked, and `unread` steps back by
 * the width of the last rune read, whichever it was.
 */
class Scanner {
  pos = 0;
  start = 0;
  width = 0;
  mode = 0;
  escapes = 0;
  accept: Accept = anyRune;

  constructor(public buf: Uint8Array) {}

  read(): number {
    if (this.pos >= this.buf.length) {
      this.width = 0;
      return EOF;
    }
    const [rune, width] = decodeRune(this.buf, this.pos);
    this.width = width;
    this.pos += width;
    return rune;
  }

  unread(): void {
    this.pos -= this.width;
  }

  /** Drops the byte just read from the buffer, without moving the position. */
  skip(): void {
    const next = new Uint8Array(this.buf.length - 1);
    next.set(this.buf.subarray(0, this.pos - 1));
    next.set(this.buf.subarray(this.pos), this.pos - 1);
    this.buf = next;
  }

  peek(): number {
    const rune = this.read();
    this.unread();
    return rune;
  }

  token(): Uint8Array {
    return this.buf.slice(this.start, this.pos);
  }

  scan(): number {
    this.start = this.pos;
    const rune = this.read();
    if (rune === EOF) return END;
    if (this.scanLbrack(rune)) return LBRACK;
    if (this.scanRbrack(rune)) return RBRACK;
    if (this.scanIdent(rune)) return IDENT;
    return ILLEGAL;
  }

  private scanIdent(first: number): boolean {
    if ((this.mode & SCAN_IDENT) === 0) return false;
    if (this.scanEscaped(first)) this.skip();
    else if (!this.accept(first, this.pos - this.start)) return false;
    for (;;) {
      const rune = this.read();
      if (rune === EOF) {
        this.unread();
        break;
      }
      if (this.scanLbrack(rune)) {
        this.unread();
        this.unread();
        break;
      }
      if (this.scanEscaped(rune)) {
        this.skip();
        continue;
      }
      if (!this.accept(rune, this.pos - this.start)) {
        this.unread();
        break;
      }
    }
    return true;
  }

  private scanLbrack(rune: number): boolean {
    if ((this.mode & SCAN_LBRACK) === 0) return false;
    if (rune === DOLLAR) {
      if (this.read() === LBRACE) return true;
      this.unread();
    }
    return false;
  }

  private scanRbrack(rune: number): boolean {
    return (this.mode & SCAN_RBRACK) !== 0 && rune === RBRACE;
  }

  private scanEscaped(rune: number): boolean {
    if ((this.mode & SCAN_ESCAPE) === 0) return false;
    if (rune === DOLLAR && (this.escapes & ESCAPE_DOLLAR) !== 0 && this.peek() === DOLLAR) return true;
    if (rune === BACKSLASH && (this.escapes & ESCAPE_BACKSLASH) !== 0) {
      const next = this.peek();
      return next === SLASH || next === BACKSLASH;
    }
    return false;
  }
}

interface TextNode {
  kind: "text";
  value: Uint8Array;
}

interface FuncNode {
  kind: "func";
  /** The variable name. */
  param: string;
  /** The operator: "" for `${var}`, ":-", "//", "^^", … */
  name: string;
  args: Node[];
}

type Node = TextNode | FuncNode;

// envsubst's parse errors, by its words.
const BAD_SUBSTITUTION = "bad substitution";
const MISSING_CLOSING_BRACE = "missing closing brace";
const BAD_VARIABLE_NAME = "unable to parse variable name";
const BAD_FUNCTION_ARGUMENT = "unable to parse substitution within function";
const BAD_DEFAULT_FUNCTION = "unable to parse default function";

class ParseError extends Error {
  constructor(
    readonly reason: string,
    readonly at: number,
    readonly near: string,
  ) {
    super(reason);
  }
}

class Parser {
  private readonly s: Scanner;

  constructor(text: Uint8Array) {
    this.s = new Scanner(text);
  }

  private fail(reason: string): never {
    const { buf, start } = this.s;
    const near = fromBytes(buf.subarray(Math.max(0, start - 40), Math.min(buf.length, start + 40)));
    throw new ParseError(reason, start, near);
  }

  parse(): Node[] {
    const s = this.s;
    const nodes: Node[] = [];
    for (;;) {
      s.accept = anyRune;
      s.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
      s.escapes = ESCAPE_DOLLAR;
      const token = s.scan();
      if (token === IDENT) nodes.push({ kind: "text", value: s.token() });
      else if (token === END) return nodes;
      else if (token === LBRACK) nodes.push(this.parseFunc());
      else this.fail(BAD_SUBSTITUTION);
    }
  }

  private parseFunc(): FuncNode {
    const s = this.s;
    s.escapes = ESCAPE_ALL;
    if (s.peek() === HASH) return this.parseLength();

    s.accept = identRune;
    s.mode = SCAN_IDENT;
    if (s.scan() !== IDENT) this.fail(BAD_VARIABLE_NAME);
    const param = fromBytes(s.token());

    switch (s.peek()) {
      case COLON:
        return this.parseDefaultOrSubstring(param);
      case EQUAL:
        return this.parseDefault(param);
      case COMMA:
      case CARET:
        return this.parseCasing(param);
      case SLASH:
        return this.parseReplace(param);
      case HASH:
        return this.parseRemove(param, hashOperator);
      case PERCENT:
        return this.parseRemove(param, percentOperator);
    }

    s.accept = identRune;
    s.mode = SCAN_RBRACK;
    if (s.scan() !== RBRACK) this.fail(MISSING_CLOSING_BRACE);
    return { kind: "func", param, name: "", args: [] };
  }

  /** One argument: a run of accepted runes, or a nested `${…}`. */
  private parseArgument(accept: Accept, mode: number): Node {
    const s = this.s;
    s.accept = accept;
    s.mode = mode | SCAN_LBRACK;
    const token = s.scan();
    if (token === LBRACK) return this.parseFunc();
    if (token === IDENT || token === RBRACK) return { kind: "text", value: s.token() };
    return this.fail(BAD_FUNCTION_ARGUMENT);
  }

  private operator(accept: Accept, reason = BAD_SUBSTITUTION): string {
    const s = this.s;
    s.accept = accept;
    s.mode = SCAN_IDENT;
    if (s.scan() !== IDENT) this.fail(reason);
    return fromBytes(s.token());
  }

  private closeBrace(): void {
    const s = this.s;
    s.mode = SCAN_RBRACK;
    if (s.scan() !== RBRACK) this.fail(BAD_SUBSTITUTION);
  }

  private parseDefaultOrSubstring(param: string): FuncNode {
    const s = this.s;
    s.read();
    const next = s.peek();
    s.unread();
    if (next === EQUAL || next === MINUS || next === QUESTION || next === PLUS)
      return this.parseDefault(param);
    return this.parseSubstring(param);
  }

  // ${param:offset} and ${param:offset:length}
  private parseSubstring(param: string): FuncNode {
    const s = this.s;
    const node: FuncNode = { kind: "func", param, name: this.operator(oneColon), args: [] };
    node.args.push(this.parseArgument(notColonOrClosing, SCAN_IDENT));
    s.accept = colonRune;
    s.mode = SCAN_IDENT | SCAN_RBRACK;
    const token = s.scan();
    if (token === RBRACK) return node;
    if (token !== IDENT) this.fail(BAD_SUBSTITUTION);
    node.args.push(this.parseArgument(notClosing, SCAN_IDENT));
    this.closeBrace();
    return node;
  }

  // ${param#word}, ${param##word}, ${param%word}, ${param%%word}
  private parseRemove(param: string, accept: Accept): FuncNode {
    const node: FuncNode = { kind: "func", param, name: this.operator(accept), args: [] };
    node.args.push(this.parseArgument(notClosing, SCAN_IDENT));
    this.closeBrace();
    return node;
  }

  // ${param/pattern/string}, ${param//pattern/string}, ${param/#pattern/string}, ${param/%pattern/string}
  private parseReplace(param: string): FuncNode {
    const s = this.s;
    const node: FuncNode = { kind: "func", param, name: this.operator(replaceOperator), args: [] };
    node.args.push(this.parseArgument(notSlash, SCAN_IDENT | SCAN_ESCAPE));
    this.operator(slashRune);
    if (s.peek() === RBRACE) {
      this.closeBrace();
      return node;
    }
    node.args.push(this.parseArgument(notClosing, SCAN_IDENT | SCAN_ESCAPE));
    this.closeBrace();
    return node;
  }

  // ${param=word}, ${param:=word}, ${param:-word}, ${param:?word}, ${param:+word}
  private parseDefault(param: string): FuncNode {
    const s = this.s;
    const accept = s.peek() === EQUAL ? oneEqual : defaultOperator;
    const node: FuncNode = {
      kind: "func",
      param,
      name: this.operator(accept, BAD_DEFAULT_FUNCTION),
      args: [],
    };
    for (;;) {
      if (s.peek() === RBRACE) {
        this.closeBrace();
        return node;
      }
      node.args.push(this.parseArgument(notClosing, SCAN_IDENT));
    }
  }

  // ${param,}, ${param,,}, ${param^}, ${param^^}
  private parseCasing(param: string): FuncNode {
    const node: FuncNode = { kind: "func", param, name: this.operator(casingOperator), args: [] };
    this.closeBrace();
    return node;
  }

  // ${#param}
  private parseLength(): FuncNode {
    const name = this.operator(oneHash);
    const param = this.operator(identRune);
    this.closeBrace();
    return { kind: "func", param, name, args: [] };
  }
}

// String functions, on bytes as Go's envsubst runs them.

type Func = (value: Uint8Array, args: Uint8Array[]) => Uint8Array;

/** Go's unicode.ToUpper/ToLower: one rune to one rune, or the rune itself. */
function simpleCase(rune: number, upper: boolean): number {
  if (!upper && rune === 0x130) return 0x69; // İ → i, where the full mapping adds a combining dot
  const char = String.fromCodePoint(rune);
  const mapped = upper ? char.toUpperCase() : char.toLowerCase();
  const first = mapped.codePointAt(0) ?? rune;
  return mapped.length === String.fromCodePoint(first).length ? first : rune;
}

function mapRunes(value: Uint8Array, upper: boolean): Uint8Array {
  return runesToBytes(runesOf(value).map((rune) => simpleCase(rune, upper)));
}

function mapFirstRune(value: Uint8Array, upper: boolean): Uint8Array {
  if (value.length === 0) return value;
  const [rune, width] = decodeRune(value, 0);
  return concat([runeBytes(simpleCase(rune, upper)), value.subarray(width)]);
}

const toLength: Func = (value) => toBytes(String(value.length));
const toLower: Func = (value) => mapRunes(value, false);
const toUpper: Func = (value) => mapRunes(value, true);
const toLowerFirst: Func = (value) => mapFirstRune(value, false);
const toUpperFirst: Func = (value) => mapFirstRune(value, true);

const toDefault: Func = (value, args) => (value.length === 0 && args.length > 0 ? concat(args) : value);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.Atoi on a 64-bit machine. */
function atoi(bytes: Uint8Array): bigint | undefined {
  const text = fromBytes(bytes);
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

const toSubstring: Func = (value, args) => {
  if (args.length === 0) return value;
  let pos = atoi(args[0]);
  // bash gives the value back when the offset or length is not a number, and so does envsubst.
  if (pos === undefined) return value;
  const length = BigInt(value.length);
  if (pos < 0n) {
    pos += length;
    if (pos < 0n) pos = 0n;
  }
  const rest = () => (pos < length ? value.subarray(Number(pos)) : EMPTY);
  if (args.length === 1) return rest();
  const count = atoi(args[1]);
  if (count === undefined) return value;
  const end = BigInt.asIntN(64, pos + count);
  if (end >= length) return rest();
  if (end < pos || end < 0n) {
    throw new SubstitutionError(
      `substring length ${count} is negative: Flux's envsubst fails on it (a Go slice out of range); ` +
        "use a length of 0 or more",
    );
  }
  return value.subarray(Number(pos), Number(end));
};

function count(value: Uint8Array, old: Uint8Array): number {
  if (old.length === 0) return runesOf(value).length + 1;
  let n = 0;
  for (let at = indexOf(value, old); at >= 0; at = indexOf(value, old, at + old.length)) n++;
  return n;
}

/** Go's strings.Replace: the first `limit` (all when negative) occurrences of `old`. */
function replace(value: Uint8Array, old: Uint8Array, replacement: Uint8Array, limit: number): Uint8Array {
  if (equal(old, replacement) || limit === 0) return value;
  const found = count(value, old);
  if (found === 0) return value;
  const n = limit < 0 || found < limit ? found : limit;
  const parts: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    let j = start;
    if (old.length === 0) {
      if (i > 0) j += decodeRune(value, start)[1];
    } else {
      j = indexOf(value, old, start);
    }
    parts.push(value.subarray(start, j), replacement);
    start = j + old.length;
  }
  parts.push(value.subarray(start));
  return concat(parts);
}

const replaceAll: Func = (value, args) =>
  args.length === 0 ? value : replace(value, args[0], args.length === 1 ? EMPTY : args[1], -1);

const replaceFirst: Func = (value, args) =>
  args.length === 0 ? value : replace(value, args[0], args.length === 1 ? EMPTY : args[1], 1);

const replacePrefix: Func = (value, args) =>
  args.length === 2 && hasPrefix(value, args[0]) ? replace(value, args[0], args[1], 1) : value;

const replaceSuffix: Func = (value, args) =>
  args.length === 2 && hasSuffix(value, args[0])
    ? concat([value.subarray(0, value.length - args[0].length), args[1]])
    : value;

/** Whether `pattern` matches `name`; undefined for a malformed pattern. */
function matches(pattern: Uint8Array, name: Uint8Array): boolean | undefined {
  try {
    return globMatch(pattern, name);
  } catch (error) {
    if (error instanceof BadPatternError) return undefined;
    throw error;
  }
}

// envsubst tries the prefixes from the whole value down to one byte, never the empty one.
function trimShortest(value: Uint8Array, pattern: Uint8Array): Uint8Array {
  let shortest = 0;
  for (let i = 0; i < value.length; i++) {
    const prefix = value.subarray(0, value.length - i);
    const matched = matches(pattern, prefix);
    if (matched === undefined) return value;
    if (matched) shortest = prefix.length;
  }
  return value.subarray(shortest);
}

function trimLongest(value: Uint8Array, pattern: Uint8Array): Uint8Array {
  for (let i = 0; i < value.length; i++) {
    const prefix = value.subarray(0, value.length - i);
    const matched = matches(pattern, prefix);
    if (matched === undefined) return value;
    if (matched) return value.subarray(prefix.length);
  }
  return value;
}

/** Reverses by runes, as envsubst does for suffixes; the pattern is reversed too, classes and all. */
function reverse(value: Uint8Array): Uint8Array {
  return runesToBytes(runesOf(value).reverse());
}

const trimShortestPrefix: Func = (value, args) => (args.length === 0 ? value : trimShortest(value, args[0]));
const trimLongestPrefix: Func = (value, args) => (args.length === 0 ? value : trimLongest(value, args[0]));
const trimShortestSuffix: Func = (value, args) =>
  args.length === 0 ? value : reverse(trimShortest(reverse(value), reverse(args[0])));
const trimLongestSuffix: Func = (value, args) =>
  args.length === 0 ? value : reverse(trimLongest(reverse(value), reverse(args[0])));

function lookupFunc(name: string, args: number): Func {
  switch (name) {
    case ",":
      return toLowerFirst;
    case ",,":
      return toLower;
    case "^":
      return toUpperFirst;
    case "^^":
      return toUpper;
    case "#":
      return args === 0 ? toLength : trimShortestPrefix;
    case "##":
      return trimLongestPrefix;
    case "%":
      return trimShortestSuffix;
    case "%%":
      return trimLongestSuffix;
    case ":":
      return toSubstring;
    case "/#":
      return replacePrefix;
    case "/%":
      return replaceSuffix;
    case "/":
      return replaceFirst;
    case "//":
      return replaceAll;
    default:
      // "", "=", ":=", ":-", ":+", ":?" and anything else the scanner let through, like ",^".
      return toDefault;
  }
}

/** Operators that supply their own fallback, so strict mode lets their variable be undefined. */
function isDefaultOperator(name: string): boolean {
  return ["-", "+", "=", "?", ":-", ":+", ":=", ":?"].includes(name);
}

/** Looks a variable up: its value, or undefined when it is not defined. */
export type Lookup = (name: string) => string | undefined;

export interface EnvsubstOptions {
  /** Undefined variables fail, unless the expression gives a default (Flux's strict mode). */
  strict?: boolean;
  /** Said in error messages: what the text is, e.g. "ConfigMap/app". */
  subject?: string;
}

/** Runs envsubst over UTF-8 bytes. Throws SubstitutionError for a parse error or, when strict, an undefined variable. */
export function envsubstBytes(text: Uint8Array, lookup: Lookup, options: EnvsubstOptions = {}): Uint8Array {
  const where = options.subject ? ` in ${options.subject}` : "";
  let nodes: Node[];
  try {
    nodes = new Parser(text).parse();
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    throw new SubstitutionError(
      `variable substitution failed${where}: ${error.reason} near ${JSON.stringify(error.near)}; ` +
        "fix the expression, or double its dollar ($$) to keep it as literal text",
    );
  }
  const cache = new Map<string, Uint8Array | undefined>();
  const variable = (name: string): Uint8Array | undefined => {
    if (!cache.has(name)) {
      const value = lookup(name);
      cache.set(name, value === undefined ? undefined : toBytes(value));
    }
    return cache.get(name);
  };
  const evaluate = (node: FuncNode): Uint8Array => {
    const args = node.args.map((arg) => (arg.kind === "text" ? arg.value : evaluate(arg)));
    const value = variable(node.param);
    if (value === undefined) {
      if (options.strict && !isDefaultOperator(node.name)) {
        throw new SubstitutionError(
          `variable not set (strict mode): ${JSON.stringify(node.param)}${where}; define ${node.param} in ` +
            `postBuild.substitute or in a substituteFrom ConfigMap or Secret, or give it a default: \${${node.param}:=default}`,
        );
      }
    }
    return lookupFunc(node.name, args.length)(value ?? EMPTY, args);
  };
  return concat(nodes.map((node) => (node.kind === "text" ? node.value : evaluate(node))));
}

/** envsubst on a string; bytes that a substring cut out of a character come back as U+FFFD. */
export function envsubst(text: string, lookup: Lookup, options: EnvsubstOptions = {}): string {
  return fromBytes(envsubstBytes(toBytes(text), lookup, options));
}

// Writes an object as YAML the way Flux does before substituting (kustomize's AsYAML: JSON through
// sigs.k8s.io/yaml into go-yaml v2's emitter). envsubst then works on this text, so what matters
// is that every string lands in the same context as in Flux: unquoted where go-yaml leaves it
// plain, in '…' or "…" (with its escapes) where go-yaml quotes it, in a | block when it has line
// breaks, with the same line folding past 80 columns. Keys are sorted as go-yaml sorts them.

import { isDigit, isLetter } from "./bytes.js";
import { formatGoFloat, plainIsString } from "./yaml-scalar.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const BEST_INDENT = 2;
const BEST_WIDTH = 80;
/** Longer keys (in bytes) are written as complex `? key` entries. */
const SIMPLE_KEY_LIMIT = 128;

const PLAIN = 1;
const SINGLE_QUOTED = 2;
const DOUBLE_QUOTED = 3;
const LITERAL = 4;

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

function isBreak(rune: number): boolean {
  return rune === LF || rune === CR || rune === 0x85 || rune === 0x2028 || rune === 0x2029;
}

/** go-yaml's is_printable, on runes: what it may write unescaped. Astral characters are not. */
function isPrintable(rune: number): boolean {
  return (
    rune === LF ||
    (rune >= 0x20 && rune <= 0x7e) ||
    (rune >= 0xa0 && rune <= 0xd7ff) ||
    (rune >= 0xe000 && rune <= 0xfffd && rune !== 0xfeff)
  );
}

interface Analysis {
  multiline: boolean;
  flowPlainAllowed: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

/** go-yaml's yaml_emitter_analyze_scalar: which styles can carry this text. */
function analyze(runes: number[]): Analysis {
  const n = runes.length;
  if (n === 0) {
    return {
      multiline: false,
      flowPlainAllowed: false,
      blockPlainAllowed: true,
      singleQuotedAllowed: true,
      blockAllowed: false,
    };
  }
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;

  const starts = String.fromCodePoint(...runes.slice(0, 3));
  if (starts === "---" || starts === "...") {
    blockIndicators = true;
    flowIndicators = true;
  }
  for (let i = 0; i < n; i++) {
    const rune = runes[i];
    const next = runes[i + 1];
    const followedByWhitespace = i + 1 >= n || next === SPACE || next === TAB;
    const c = String.fromCodePoint(rune);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(c)) {
        flowIndicators = true;
        blockIndicators = true;
      } else if (c === "?" || c === ":") {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (c === "-" && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else if (",?[]{}".includes(c)) {
      flowIndicators = true;
    } else if (c === ":") {
      flowIndicators = true;
      if (followedByWhitespace) blockIndicators = true;
    } else if (c === "#" && precededByWhitespace) {
      flowIndicators = true;
      blockIndicators = true;
    }

    if (!isPrintable(rune)) specialCharacters = true;
    if (rune === SPACE) {
      if (i === 0) leadingSpace = true;
      if (i === n - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(rune)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === n - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = rune === SPACE || rune === TAB || isBreak(rune) || rune === 0;
  }

  const result: Analysis = {
    multiline: lineBreaks,
    flowPlainAllowed: true,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: true,
  };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
  }
  if (trailingSpace) result.blockAllowed = false;
  if (breakSpace) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
    result.singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
    result.singleQuotedAllowed = false;
    result.blockAllowed = false;
  }
  if (lineBreaks) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
  }
  if (flowIndicators) result.flowPlainAllowed = false;
  if (blockIndicators) result.blockPlainAllowed = false;
  return result;
}

/** go-yaml's key order: letters before other characters, runs of digits compared as numbers. */
function keyLess(a: string, b: string): boolean {
  const ar = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const br = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return ar[i] < br[i];
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === 0x30 || br[i] === 0x30) {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== 0x30) {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = BigInt.asIntN(64, an * 10n + BigInt(ar[ai] - 0x30));
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = BigInt.asIntN(64, bn * 10n + BigInt(br[bi] - 0x30));
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i] < br[i];
  }
  return ar.length < br.length;
}

export function sortKeys(keys: string[]): string[] {
  return [...keys].sort((a, b) => (keyLess(a, b) ? -1 : keyLess(b, a) ? 1 : 0));
}

function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 2 ** 64) return BigInt(value).toString();
  return formatGoFloat(value, 64);
}

interface Context {
  mapping?: boolean;
  simpleKey?: boolean;
}

class Emitter {
  private readonly out: string[] = [];
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent = -1;
  private readonly indents: number[] = [];
  private flowLevel = 0;

  text(): string {
    return this.out.join("");
  }

  private put(char: string): void {
    this.out.push(char);
    this.column++;
  }

  private putRune(rune: number): void {
    this.out.push(String.fromCodePoint(rune));
    this.column++;
  }

  private putBreak(): void {
    this.out.push("\n");
    this.column = 0;
  }

  private writeBreak(rune: number): void {
    if (rune === LF) {
      this.putBreak();
    } else {
      this.putRune(rune);
      this.column = 0;
    }
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() ?? -1;
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.putBreak();
    while (this.column < indent) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ) {
    if (needWhitespace && !this.whitespace) this.put(" ");
    this.out.push(indicator);
    this.column += indicator.length;
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  node(value: Json, context: Context = {}): void {
    if (value === null) this.scalar("null", PLAIN, context);
    else if (typeof value === "boolean") this.scalar(String(value), PLAIN, context);
    else if (typeof value === "number") this.scalar(formatNumber(value), PLAIN, context);
    else if (typeof value === "string") {
      const style = value.includes("\n") ? LITERAL : plainIsString(value) ? PLAIN : DOUBLE_QUOTED;
      this.scalar(value, style, context);
    } else if (Array.isArray(value)) this.sequence(value, context);
    else this.mapping(value);
  }

  private emptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true, false);
    this.increaseIndent(true, false);
    this.flowLevel++;
    this.flowLevel--;
    this.popIndent();
    this.writeIndicator(close, false, false, false);
  }

  private sequence(items: Json[], context: Context): void {
    if (items.length === 0) {
      this.emptyFlow("[", "]");
      return;
    }
    // A sequence that is a mapping value is not indented: its dashes line up with the key.
    this.increaseIndent(false, Boolean(context.mapping) && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator("-", true, false, true);
      this.node(item, {});
    }
    this.popIndent();
  }

  private mapping(object: { [key: string]: Json }): void {
    const keys = sortKeys(Object.keys(object));
    if (keys.length === 0) {
      this.emptyFlow("{", "}");
      return;
    }
    this.increaseIndent(false, false);
    for (const key of keys) {
      this.writeIndent();
      const multiline = Array.from(key).some((c) => isBreak(c.codePointAt(0) ?? 0));
      if (!multiline && Buffer.byteLength(key) <= SIMPLE_KEY_LIMIT) {
        this.node(key, { mapping: true, simpleKey: true });
        this.writeIndicator(":", false, false, false);
      } else {
        this.writeIndicator("?", true, false, true);
        this.node(key, { mapping: true });
        this.writeIndent();
        this.writeIndicator(":", true, false, true);
      }
      this.node(object[key], { mapping: true });
    }
    this.popIndent();
  }

  private scalar(text: string, requested: number, context: Context): void {
    const runes = Array.from(text, (c) => c.codePointAt(0) ?? 0);
    const analysis = analyze(runes);
    const simpleKey = Boolean(context.simpleKey);
    let style = requested;
    if (simpleKey && analysis.multiline) style = DOUBLE_QUOTED;
    if (style === PLAIN) {
      const allowed = this.flowLevel > 0 ? analysis.flowPlainAllowed : analysis.blockPlainAllowed;
      if (!allowed) style = SINGLE_QUOTED;
      if (runes.length === 0 && (this.flowLevel > 0 || simpleKey)) style = SINGLE_QUOTED;
    }
    if (style === SINGLE_QUOTED && !analysis.singleQuotedAllowed) style = DOUBLE_QUOTED;
    if (style === LITERAL && (!analysis.blockAllowed || this.flowLevel > 0 || simpleKey))
      style = DOUBLE_QUOTED;

    this.increaseIndent(true, false);
    if (style === PLAIN) this.plain(runes, !simpleKey);
    else if (style === SINGLE_QUOTED) this.singleQuoted(runes, !simpleKey);
    else if (style === DOUBLE_QUOTED) this.doubleQuoted(runes, !simpleKey);
    else this.literal(runes);
    this.popIndent();
  }

  private plain(runes: number[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(" ");
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < runes.length; i++) {
      const rune = runes[i];
      if (rune === SPACE) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && runes[i + 1] !== SPACE) this.writeIndent();
        else this.putRune(rune);
        spaces = true;
      } else if (isBreak(rune)) {
        if (!breaks && rune === LF) this.putBreak();
        this.writeBreak(rune);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.putRune(rune);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private singleQuoted(runes: number[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    const last = runes.length - 1;
    for (let i = 0; i < runes.length; i++) {
      const rune = runes[i];
      if (rune === SPACE) {
        const fold =
          allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < last && runes[i + 1] !== SPACE;
        if (fold) this.writeIndent();
        else this.putRune(rune);
        spaces = true;
      } else if (isBreak(rune)) {
        if (!breaks && rune === LF) this.putBreak();
        this.writeBreak(rune);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (rune === 0x27) this.put("'");
        this.putRune(rune);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private doubleQuoted(runes: number[], allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    let spaces = false;
    const last = runes.length - 1;
    for (let i = 0; i < runes.length; i++) {
      const rune = runes[i];
      if (!isPrintable(rune) || rune === 0xfeff || isBreak(rune) || rune === 0x22 || rune === 0x5c) {
        this.put("\\");
        for (const c of escapeSequence(rune)) this.put(c);
        spaces = false;
      } else if (rune === SPACE) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < last) {
          this.writeIndent();
          if (runes[i + 1] === SPACE) this.put("\\");
        } else {
          this.putRune(rune);
        }
        spaces = true;
      } else {
        this.putRune(rune);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private literal(runes: number[]): void {
    this.writeIndicator("|", true, false, false);
    if (runes.length > 0 && (runes[0] === SPACE || isBreak(runes[0]))) {
      this.writeIndicator(String(BEST_INDENT), false, false, false);
    }
    const n = runes.length;
    let chomp = "";
    if (n === 0 || !isBreak(runes[n - 1])) chomp = "-";
    else if (n === 1 || isBreak(runes[n - 2])) chomp = "+";
    if (chomp) this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const rune of runes) {
      if (isBreak(rune)) {
        this.writeBreak(rune);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.putRune(rune);
        this.indention = false;
        breaks = false;
      }
    }
  }
}

const ESCAPES: Record<number, string> = {
  0: "0",
  7: "a",
  8: "b",
  9: "t",
  10: "n",
  11: "v",
  12: "f",
  13: "r",
  27: "e",
  34: '"',
  92: "\\",
  133: "N",
  160: "_",
  8232: "L",
  8233: "P",
};

function escapeSequence(rune: number): string {
  const named = ESCAPES[rune];
  if (named !== undefined) return named;
  const hex = rune.toString(16).toUpperCase();
  if (rune <= 0xff) return `x${hex.padStart(2, "0")}`;
  if (rune <= 0xffff) return `u${hex.padStart(4, "0")}`;
  return `U${hex.padStart(8, "0")}`;
}

/** The YAML text Flux substitutes in, for a JSON-compatible value (normally a Kubernetes object). */
export function toFluxYaml(value: unknown): string {
  const json: Json = JSON.parse(JSON.stringify(value) ?? "null");
  const emitter = new Emitter();
  emitter.node(json);
  emitter.writeIndent();
  return emitter.text();
}

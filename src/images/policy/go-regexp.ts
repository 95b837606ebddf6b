/**
 * Go regular expressions (RE2 syntax, as Go's `regexp.Compile` reads them) translated to JavaScript
 * RegExps that match the same strings. Flux's `filterTags.pattern` and `exclusionList` are Go
 * regexps, so a pattern Go refuses is refused here too, with Go's reason.
 *
 * Translated to keep Go's meaning where JavaScript's differs: `.` (Go's matches `\r`), `\s`
 * (ASCII only in Go), `(?s)`, `(?m)` and `(?U)` anywhere, POSIX classes (`[[:alpha:]]`),
 * `\Q…\E`, octal and `\x{…}` escapes, `{` that is not a repetition (a literal in Go), a `]` first
 * in a class (a literal in Go), `\pC` (Go's leaves out unassigned code points), and named groups
 * `(?P<name>…)` / `(?<name>…)`.
 *
 * Refused, because Node's RegExp cannot express them: `(?i)` anywhere but at the very start (no
 * inline modifiers), and `\PC` inside a bracket class.
 * Not reproduced: when a repeated group can match the empty string (`(a*?)+`), RE2 and JavaScript
 * end the repetition differently, so such patterns may capture other text than in Go; and a group
 * inside a repetition that does not take part in the last round keeps its earlier text in Go but is
 * empty in JavaScript (`(?:(a)|b)+` on `ab`).
 */

/** A Go regexp and its JavaScript translation. */
export interface GoRegexp {
  /** The Go pattern. */
  readonly pattern: string;
  /** How many capture groups the pattern has (`$1`…). */
  readonly groupCount: number;
  /** Group numbers by name, in pattern order (Go lets a name repeat). */
  readonly groupNames: ReadonlyMap<string, readonly number[]>;
  /** The leftmost match anywhere in `text` (Go's `FindStringSubmatch`), or null. */
  exec(text: string): RegExpExecArray | null;
  /** Whether the pattern matches anywhere in `text` (Go's `MatchString`). */
  test(text: string): boolean;
}

/** A pattern Go refuses, or one Ferry cannot translate; the message says which and why. */
export class GoRegexpError extends Error {
  override readonly name = "GoRegexpError";

  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`invalid regular expression ${JSON.stringify(pattern)}: ${reason}`);
  }
}

interface Flags {
  /** `(?i)`: only as the very first thing, where it becomes the JavaScript `i` flag. */
  readonly foldCase: boolean;
  /** `(?m)`: `^` and `$` match at line breaks. */
  readonly multiLine: boolean;
  /** `(?s)`: `.` matches `\n`. */
  readonly dotNewline: boolean;
  /** `(?U)`: repetitions are lazy unless followed by `?`. */
  readonly ungreedy: boolean;
}

type Range = readonly [number, number];

/** The contents of a JavaScript class, which `negated` says to complement. */
interface ClassSet {
  body: string;
  negated: boolean;
}

const MAX_RUNE = 0x10ffff;
const MAX_REPEAT = 1000;

/** Go's `\s`. */
const perlSpace: readonly Range[] = [
  [0x09, 0x0a],
  [0x0c, 0x0d],
  [0x20, 0x20],
];

/** Go's POSIX classes (`[[:alpha:]]`), all ASCII. */
const posixClasses: Record<string, readonly Range[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

/** Go's `unicode.Categories` names, which JavaScript's `\p{…}` reads the same way ("C" aside). */
const generalCategories = new Set(
  "Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs".split(
    " ",
  ),
);

/** `\A`, `\z` (JavaScript's `^` and `$` without the `m` flag, which is never set) and word boundaries. */
const assertionEscapes: Record<string, string> = { A: "^", z: "$", b: "\\b", B: "\\B" };

const isAlnum = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isOctal = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x37;

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** A code point as JavaScript pattern text that is literal both inside and outside a class. */
const literal = (c: number): string =>
  isAlnum(c) || c === 0x5f ? String.fromCodePoint(c) : `\\u{${c.toString(16)}}`;

const rangeText = ([lo, hi]: Range): string => (lo === hi ? literal(lo) : `${literal(lo)}-${literal(hi)}`);

/** The code points not in `ranges` (which are sorted and do not overlap). */
function complement(ranges: readonly Range[]): Range[] {
  const result: Range[] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) result.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_RUNE) result.push([next, MAX_RUNE]);
  return result;
}

function splitsSurrogatePair(text: string, index: number): boolean {
  const before = text.charCodeAt(index - 1);
  const after = text.charCodeAt(index);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

const classBody = (ranges: readonly Range[]): string => ranges.map(rangeText).join("");

/** Compiles a Go regexp; throws GoRegexpError when Go would refuse it or it cannot be translated. */
export function compileGoRegexp(pattern: string): GoRegexp {
  return new Translator(pattern).run();
}

/** One pass over the pattern, writing JavaScript as it goes (Go's parser is one pass too). */
class Translator {
  private pos = 0;
  private out = "";
  private flags: Flags = { foldCase: false, multiLine: false, dotNewline: false, ungreedy: false };
  private ignoreCase = false;
  private groupCount = 0;
  private readonly groupNames = new Map<string, number[]>();
  /** Open groups: where each started in `out` and the flags to restore when it closes. */
  private readonly open: { start: number; flags: Flags }[] = [];
  /** Where the last repeatable item starts in `out`; undefined after `(`, `|` and at the start. */
  private atomStart: number | undefined;
  /** The last item is an assertion or already repeated: JavaScript needs it in a group to repeat it. */
  private atomNeedsGroup = false;
  /** The previous token was a repetition (Go refuses `a**`, `a{2}*`). */
  private justRepeated = false;

  constructor(private readonly pattern: string) {}

  run(): GoRegexp {
    while (this.pos < this.pattern.length) {
      const repeatedBefore = this.justRepeated;
      this.justRepeated = false;
      this.step(repeatedBefore);
    }
    if (this.open.length > 0) this.fail("missing closing )");
    let regexp: RegExp;
    try {
      regexp = new RegExp(this.out, this.ignoreCase ? "giu" : "gu");
    } catch (error) {
      this.fail(`it cannot be translated to JavaScript (${(error as Error).message})`);
    }
    const exec = (text: string): RegExpExecArray | null => {
      regexp.lastIndex = 0;
      for (;;) {
        const match = regexp.exec(text);
        // V8 also tries to match between the two halves of a surrogate pair, where Go never starts.
        if (!match || !splitsSurrogatePair(text, match.index)) return match;
        regexp.lastIndex = match.index + 1;
      }
    };
    return {
      pattern: this.pattern,
      groupCount: this.groupCount,
      groupNames: this.groupNames,
      exec,
      test: (text) => exec(text) !== null,
    };
  }

  private fail(reason: string): never {
    throw new GoRegexpError(this.pattern, reason);
  }

  private peek(offset = 0): number | undefined {
    return this.pattern.codePointAt(this.pos + offset);
  }

  private next(): number {
    const c = this.pattern.codePointAt(this.pos);
    if (c === undefined) this.fail("unexpected end of the pattern");
    if (c >= 0xd800 && c <= 0xdfff) this.fail("invalid UTF-8");
    this.pos += c > 0xffff ? 2 : 1;
    return c;
  }

  /** The pattern text from `start` to the current position, for messages. */
  private since(start: number): string {
    return this.pattern.slice(start, this.pos);
  }

  private emitAtom(text: string, needsGroup = false): void {
    this.atomStart = this.out.length;
    this.atomNeedsGroup = needsGroup;
    this.out += text;
  }

  private step(repeatedBefore: boolean): void {
    const start = this.pos;
    const c = this.next();
    switch (c) {
      case 0x28 /* ( */:
        this.openGroup(start);
        break;
      case 0x29 /* ) */:
        this.closeGroup();
        break;
      case 0x7c /* | */:
        this.out += "|";
        this.atomStart = undefined;
        break;
      case 0x5e /* ^ */:
        // Without JavaScript's `m` flag `^` is Go's \A; (?m)'s line start is a lookbehind.
        this.emitAtom(this.flags.multiLine ? "(?<![^\\n])" : "^", true);
        break;
      case 0x24 /* $ */:
        this.emitAtom(this.flags.multiLine ? "(?![^\\n])" : "$", true);
        break;
      case 0x2e /* . */:
        this.emitAtom(this.flags.dotNewline ? "[\\s\\S]" : "[^\\n]");
        break;
      case 0x5b /* [ */:
        this.emitAtom(this.parseClass(start));
        break;
      case 0x2a /* * */:
      case 0x2b /* + */:
      case 0x3f /* ? */:
        this.repeat(String.fromCodePoint(c), start, repeatedBefore);
        break;
      case 0x7b /* { */:
        this.braces(start, repeatedBefore);
        break;
      case 0x5c /* \ */:
        this.escape(start);
        break;
      default:
        this.emitAtom(literal(c));
    }
  }

  /** `{n}`, `{n,}`, `{n,m}`; any other `{` is a literal in Go. */
  private braces(start: number, repeatedBefore: boolean): void {
    const counts = this.parseRepeatCounts();
    if (!counts) {
      this.emitAtom(literal(0x7b));
      return;
    }
    const [min, max] = counts;
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
      this.fail(`invalid repeat count ${this.since(start)}`);
    }
    this.repeat(max === min ? `{${min}}` : `{${min},${max < 0 ? "" : max}}`, start, repeatedBefore);
  }

  private repeat(operator: string, start: number, repeatedBefore: boolean): void {
    let lazy = this.flags.ungreedy;
    if (this.peek() === 0x3f /* ? */) {
      this.pos++;
      lazy = !lazy;
    }
    if (repeatedBefore) this.fail(`invalid nested repetition operator ${this.since(start)}`);
    if (this.atomStart === undefined)
      this.fail(`missing argument to repetition operator ${this.since(start)}`);
    if (this.atomNeedsGroup)
      this.out = `${this.out.slice(0, this.atomStart)}(?:${this.out.slice(this.atomStart)})`;
    this.out += operator + (lazy ? "?" : "");
    this.atomNeedsGroup = true;
    this.justRepeated = true;
  }

  /** After `{`: `n}`, `n,}` or `n,m}` (no leading zeros); max is -1 for "no limit". */
  private parseRepeatCounts(): [number, number] | undefined {
    const rest = this.pattern.slice(this.pos);
    const m = /^(0|[1-9][0-9]*)(?:(,)(0|[1-9][0-9]*)?)?\}/.exec(rest);
    if (!m) return undefined;
    this.pos += m[0].length;
    // Go reads at most eight digits' worth; anything larger is "too big" all the same.
    const count = (digits: string) => (digits.length > 8 ? MAX_REPEAT + 1 : Number(digits));
    const min = count(m[1]);
    const max = m[2] === undefined ? min : m[3] === undefined ? -1 : count(m[3]);
    return [min, max];
  }

  private openGroup(start: number): void {
    if (this.peek() !== 0x3f /* ? */) {
      this.groupCount++;
      this.open.push({ start: this.out.length, flags: this.flags });
      this.out += "(";
      this.atomStart = undefined;
      return;
    }
    this.pos++;
    const rest = this.pattern.slice(this.pos);
    if (/^(?:P<|<(?![=!]))/.test(rest)) {
      const end = rest.indexOf(">");
      if (end < 0) this.fail(`invalid named capture ${this.pattern.slice(start)}`);
      const name = rest.slice(rest.indexOf("<") + 1, end);
      this.pos += end + 1;
      if (!/^[0-9A-Za-z_]+$/.test(name)) this.fail(`invalid named capture ${this.since(start)}`);
      this.groupCount++;
      const numbers = this.groupNames.get(name) ?? [];
      numbers.push(this.groupCount);
      this.groupNames.set(name, numbers);
      this.open.push({ start: this.out.length, flags: this.flags });
      this.out += "(";
      this.atomStart = undefined;
      return;
    }
    const lookaround = /^(?:=|!|<=|<!)/.exec(rest);
    if (lookaround) {
      this.fail(`lookaround (?${lookaround[0]}…) is not part of Go's regexp syntax (RE2)`);
    }
    this.parseFlags(start);
  }

  /** `(?flags)` or `(?flags:`: flags `i`, `m`, `s`, `U`, a `-` before those to clear. */
  private parseFlags(start: number): void {
    const before = this.flags;
    const set = { ...before };
    let negate = false;
    let sawFlag = false;
    for (;;) {
      const c = this.pos < this.pattern.length ? this.next() : undefined;
      const value = !negate;
      if (c === 0x69 /* i */) set.foldCase = value;
      else if (c === 0x6d /* m */) set.multiLine = value;
      else if (c === 0x73 /* s */) set.dotNewline = value;
      else if (c === 0x55 /* U */) set.ungreedy = value;
      else if (c === 0x2d /* - */ && !negate) {
        negate = true;
        sawFlag = false;
        continue;
      } else if ((c === 0x3a /* : */ || c === 0x29) /* ) */ && !(negate && !sawFlag)) {
        this.applyFoldCase(set.foldCase, start, c === 0x29);
        if (c === 0x3a) {
          this.open.push({ start: this.out.length, flags: before });
          this.out += "(?:";
          this.atomStart = undefined;
        }
        this.flags = set;
        return;
      } else {
        this.fail(`invalid or unsupported Perl syntax ${this.since(start)}`);
      }
      sawFlag = true;
    }
  }

  /** JavaScript has no inline `(?i)` here: accept it only as a leading `(?i)`, for the whole pattern. */
  private applyFoldCase(foldCase: boolean, start: number, wholeRest: boolean): void {
    if (foldCase === this.flags.foldCase) return;
    if (foldCase && wholeRest && start === 0) {
      this.ignoreCase = true;
      return;
    }
    this.fail(
      "Ferry supports the case-insensitive flag only as a leading (?i) for the whole pattern; " +
        "write the letters as classes such as [Vv] instead",
    );
  }

  private closeGroup(): void {
    const group = this.open.pop();
    if (!group) this.fail("unexpected )");
    this.out += ")";
    this.flags = group.flags;
    this.atomStart = group.start;
    this.atomNeedsGroup = false;
  }

  private escape(start: number): void {
    const assertion = assertionEscapes[this.pattern[this.pos] ?? ""];
    if (assertion !== undefined) {
      this.pos++;
      this.emitAtom(assertion, true);
      return;
    }
    if (this.pattern.startsWith("C", this.pos)) {
      this.pos++;
      this.fail(`invalid escape sequence ${this.since(start)}`);
    }
    if (this.pattern.startsWith("Q", this.pos)) {
      // \Q…\E: literal text up to \E or the end.
      const end = this.pattern.indexOf("\\E", this.pos + 1);
      const text = this.pattern.slice(this.pos + 1, end < 0 ? undefined : end);
      this.pos = end < 0 ? this.pattern.length : end + 2;
      for (const char of text) this.emitAtom(literal(char.codePointAt(0) ?? 0));
      return;
    }
    const set = this.classEscape(start);
    this.emitAtom(
      set === undefined ? literal(this.parseEscape(start)) : `[${set.negated ? "^" : ""}${set.body}]`,
    );
  }

  /**
   * `\d \D \s \S \w \W` and `\pL \p{Greek} \PL \p{^L}` at the position after the backslash, as
   * the contents of a class (to be complemented when `negated`); undefined for other escapes.
   */
  private classEscape(start: number): ClassSet | undefined {
    const c = this.peek();
    switch (c) {
      case 0x64 /* d */:
      case 0x44 /* D */:
      case 0x77 /* w */:
      case 0x57 /* W */:
        // JavaScript's \d and \w (with the u flag) are Go's ASCII ones, also under (?i).
        this.pos++;
        return { body: `\\${String.fromCodePoint(c)}`, negated: false };
      case 0x73 /* s */:
        this.pos++;
        return { body: classBody(perlSpace), negated: false };
      case 0x53 /* S */:
        this.pos++;
        return { body: classBody(complement(perlSpace)), negated: false };
      case 0x70 /* p */:
      case 0x50 /* P */:
        this.pos++;
        return this.unicodeClass(start, c === 0x50);
      default:
        return undefined;
    }
  }

  private unicodeClass(start: number, negated: boolean): ClassSet {
    let name: string;
    if (this.peek() === 0x7b /* { */) {
      const end = this.pattern.indexOf("}", this.pos);
      if (end < 0) this.fail(`invalid character class range ${this.pattern.slice(start)}`);
      name = this.pattern.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      name = this.pos < this.pattern.length ? String.fromCodePoint(this.next()) : "";
    }
    if (name.startsWith("^")) {
      negated = !negated;
      name = name.slice(1);
    }
    // Go's "C" is Cc, Cf, Co and Cs; JavaScript's also holds the unassigned code points.
    if (name === "C") return { body: "\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}", negated };
    const property = name === "Any" || generalCategories.has(name) ? name : this.script(name, start);
    return { body: `\\${negated ? "P" : "p"}{${property}}`, negated: false };
  }

  /** A Go script name (`Greek`, `Old_Italic`) as a JavaScript property. */
  private script(name: string, start: number): string {
    if (/^[A-Z][A-Za-z_]*$/.test(name)) {
      try {
        new RegExp(`\\p{Script=${name}}`, "u");
        return `Script=${name}`;
      } catch {
        // Not a script JavaScript knows: refused below, as Go refuses an unknown name.
      }
    }
    return this.fail(`invalid character class range ${this.since(start)}`);
  }

  /** A single-character escape after `\` (Go's `parseEscape`): octal, hex, C escapes, punctuation. */
  private parseEscape(start: number): number {
    if (this.pos >= this.pattern.length) this.fail("trailing backslash at end of expression");
    const c = this.next();
    const invalid = (): never => this.fail(`invalid escape sequence ${this.since(start)}`);
    if (c < 0x80 && !isAlnum(c)) return c;
    switch (c) {
      case 0x31:
      case 0x32:
      case 0x33:
      case 0x34:
      case 0x35:
      case 0x36:
      case 0x37:
        // A lone \1 would be a backreference, which Go does not have.
        if (!isOctal(this.peek())) return invalid();
        return this.octal(c);
      case 0x30:
        return this.octal(c);
      case 0x78 /* x */:
        {
          if (this.pos >= this.pattern.length) return invalid();
          if (this.peek() === 0x7b /* { */) {
            this.pos++;
            let value = 0;
            let digits = 0;
            for (;;) {
              if (this.pos >= this.pattern.length) return invalid();
              const d = this.next();
              if (d === 0x7d /* } */) break;
              const v = hexValue(d);
              if (v < 0) return invalid();
              value = value * 16 + v;
              if (value > MAX_RUNE) return invalid();
              digits++;
            }
            return digits === 0 ? invalid() : value;
          }
          const high = hexValue(this.next());
          const low = hexValue(this.pos < this.pattern.length ? this.next() : undefined);
          return high < 0 || low < 0 ? invalid() : high * 16 + low;
        }
      case 0x61 /* a */:
        return 0x07;
      case 0x66 /* f */:
        return 0x0c;
      case 0x6e /* n */:
        return 0x0a;
      case 0x72 /* r */:
        return 0x0d;
      case 0x74 /* t */:
        return 0x09;
      case 0x76 /* v */:
        return 0x0b;
      default:
        return invalid();
    }
  }

  /** Up to three octal digits, the first already read. */
  private octal(first: number): number {
    let value = first - 0x30;
    for (let i = 1; i < 3 && isOctal(this.peek()); i++) value = value * 8 + (this.next() - 0x30);
    return value;
  }

  /** A bracket class after `[`, as Go's `parseClass` reads it; returns the JavaScript class. */
  private parseClass(start: number): string {
    let negated = false;
    if (this.peek() === 0x5e /* ^ */) {
      this.pos++;
      negated = true;
    }
    let body = "";
    let first = true;
    const missing = () => this.fail(`missing closing ] ${this.pattern.slice(start)}`);
    // A `]` right after `[` or `[^` is a literal.
    while (first || this.peek() !== 0x5d /* ] */) {
      if (this.pos >= this.pattern.length) missing();
      first = false;
      const itemStart = this.pos;
      if (this.pattern.startsWith("[:", this.pos)) {
        const end = this.pattern.indexOf(":]", this.pos + 2);
        if (end >= 0) {
          const text = this.pattern.slice(this.pos, end + 2);
          const negatedPosix = text.startsWith("[:^");
          const ranges = posixClasses[text.slice(negatedPosix ? 3 : 2, -2)];
          if (!ranges) this.fail(`invalid character class range ${text}`);
          this.pos = end + 2;
          body += classBody(negatedPosix ? complement(ranges) : ranges);
          continue;
        }
      }
      if (this.peek() === 0x5c /* \ */) {
        this.pos++;
        const set = this.classEscape(itemStart);
        if (set?.negated)
          this.fail(
            `${this.since(itemStart)} inside a bracket class cannot be translated; use it outside one`,
          );
        if (set !== undefined) {
          body += set.body;
          continue;
        }
        this.pos--;
      }
      const lo = this.classChar(itemStart);
      let hi = lo;
      // `[a-]` is `a` and `-`; `[a-z]` a range.
      if (this.peek() === 0x2d /* - */ && this.peek(1) !== undefined && this.peek(1) !== 0x5d) {
        this.pos++;
        hi = this.classChar(itemStart);
        if (hi < lo) this.fail(`invalid character class range ${this.since(itemStart)}`);
      }
      body += rangeText([lo, hi]);
    }
    this.pos++;
    return `[${negated ? "^" : ""}${body}]`;
  }

  private classChar(itemStart: number): number {
    if (this.pos >= this.pattern.length) this.fail(`missing closing ] ${this.pattern.slice(itemStart)}`);
    if (this.peek() !== 0x5c /* \ */) return this.next();
    const escapeStart = this.pos;
    this.pos++;
    return this.parseEscape(escapeStart);
  }
}

import { hasKey, isValuesMap, setKey, type Values } from "./values-map.js";

/** Limits Helm's strvals parser enforces. */
const MAX_INDEX = 65536;
const MAX_NESTED_NAME_LEVEL = 30;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Helm's parser rejected a `--set` line. `subject` names what was parsed: the target path only,
 * never the value, which may come from a Secret.
 */
export class SetPathError extends Error {
  constructor(
    readonly subject: string,
    readonly detail: string,
  ) {
    super(`${subject}: ${detail}`);
    this.name = "SetPathError";
  }
}

/** Where a parse step leaves the line: more `path=value` pairs may follow, or the input is used up. */
type Step = "more" | "end";

/** What Go reports as a failed type assertion (a panic strvals recovers into an error). */
class TypeMismatch extends Error {}

/** Index into the line, in code points as Go reads runes. */
class Scanner {
  private position = 0;
  constructor(private readonly runes: readonly string[]) {}

  read(): string | undefined {
    return this.runes[this.position++];
  }

  unread(): void {
    this.position--;
  }

  /**
   * Reads up to a stop character, resolving `\x` escapes to `x`; `stop` is undefined when the
   * input ran out first.
   */
  until(stops: string): { text: string; stop: string | undefined } {
    let text = "";
    for (;;) {
      const rune = this.read();
      if (rune === undefined || stops.includes(rune)) return { text, stop: rune };
      if (rune === "\\") {
        const escaped = this.read();
        if (escaped === undefined) return { text, stop: undefined };
        text += escaped;
      } else {
        text += rune;
      }
    }
  }
}

/**
 * Helm's `strvals.ParseInto` (`asString` false) and `ParseIntoString` (`asString` true): parses a
 * `--set` line into `dest`, mutating it in place. Existing maps and lists on the path are written
 * into, not copied; a list grows into a new, null-padded list.
 */
export function parseSetInto(line: string, dest: Values, asString: boolean): void {
  parseInto(line, dest, asString, `--set ${JSON.stringify(line)}`);
}

function parseInto(line: string, dest: Values, asString: boolean, subject: string): void {
  const parser = new SetParser(new Scanner(Array.from(line)), asString, subject);
  while (parser.key(dest, 0) === "more") {
    // Each round consumes one `path=value` pair.
  }
}

/**
 * Flux's `ReplacePathValue` for `valuesFrom[].targetPath`: the value is typed like `--set`
 * (true/false/null/integers), unless wrapped in single or double quotes, which are trimmed and
 * keep it a string. The value is not escaped, so commas and braces in it are `--set` syntax.
 */
export function replacePathValue(dest: Values, path: string, value: string): void {
  const quoted =
    (value.startsWith("'") && value.endsWith("'")) || (value.startsWith('"') && value.endsWith('"'));
  const subject = `target path ${JSON.stringify(path)}`;
  if (quoted) parseInto(`${path}=${value.replace(/^['"]+|['"]+$/g, "")}`, dest, true, subject);
  else parseInto(`${path}=${value}`, dest, false, subject);
}

/** Flux's `ReplacePathLiteralValue` (`literal: true`): the value is set verbatim, as a string. */
export function replacePathLiteralValue(dest: Values, path: string, value: string): void {
  const escaped = value.replace(/[\\,[\]{}]/g, "\\$&");
  parseInto(`${path}=${escaped}`, dest, true, `target path ${JSON.stringify(path)}`);
}

class SetParser {
  constructor(
    private readonly scanner: Scanner,
    private readonly asString: boolean,
    private readonly subject: string,
  ) {}

  private fail(detail: string): never {
    throw new SetPathError(this.subject, detail);
  }

  key(data: Values, nestedLevel: number): Step {
    try {
      return this.keyUnguarded(data, nestedLevel);
    } catch (error) {
      if (error instanceof TypeMismatch) this.fail(`unable to parse key: ${error.message}`);
      throw error;
    }
  }

  private keyUnguarded(data: Values, nestedLevel: number): Step {
    const { text: key, stop } = this.scanner.until("=[,.");
    switch (stop) {
      case undefined:
        if (key === "") return "end";
        return this.fail(`key ${JSON.stringify(key)} has no value`);
      case "[": {
        const index = this.index();
        if (index === "end") return "end";
        const list = hasKey(data, key) ? asList(data[key], key) : [];
        const item = this.listItem(list, index, nestedLevel);
        set(data, key, item.list);
        return item.step;
      }
      case "=": {
        const list = this.valueList();
        if (list === "end") {
          set(data, key, "");
          return "end";
        }
        set(data, key, list ?? this.typed(this.scanner.until(",").text));
        return "more";
      }
      case ",":
        return this.fail(`key ${JSON.stringify(key)} has no value (cannot end with ,)`);
      default: {
        // ".": descend into a map.
        if (nestedLevel + 1 > MAX_NESTED_NAME_LEVEL) {
          this.fail(
            `value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`,
          );
        }
        const inner = hasKey(data, key) ? asMap(data[key], key) : {};
        const step = this.key(inner, nestedLevel + 1);
        const empty = Object.keys(inner).length === 0;
        if (step === "more" && empty) this.fail(`key map ${JSON.stringify(key)} has no value`);
        if (!empty) set(data, key, inner);
        return step;
      }
    }
  }

  /** The value after `path[i]`: `=value`, a nested `[j]`, or `.key`. */
  private listItem(list: unknown[], index: number, nestedLevel: number): { list: unknown[]; step: Step } {
    if (index < 0) this.fail(`negative ${index} index not allowed`);
    const { text, stop } = this.scanner.until("[.=");
    if (text.length > 0) this.fail(`unexpected data at end of array index: ${JSON.stringify(text)}`);
    switch (stop) {
      case undefined:
        return { list, step: "end" };
      case "=": {
        const values = this.valueList();
        const value = values === "end" ? "" : (values ?? this.typed(this.scanner.until(",").text));
        return { list: this.setIndex(list, index, value), step: "more" };
      }
      case "[": {
        const next = this.index();
        if (next === "end") return { list, step: "end" };
        const existing = list.length > index ? list[index] : null;
        const inner = existing === null ? [] : asList(existing, `[${index}]`);
        const item = this.listItem(inner, next, nestedLevel);
        // Like strvals, a nested item cut short by the end of input is not stored.
        if (item.step === "end") return { list, step: "end" };
        return { list: this.setIndex(list, index, item.list), step: "more" };
      }
      default: {
        // ".": a map inside the list; a non-map already there is replaced by an empty map.
        let inner: Values = {};
        if (list.length > index) {
          if (!isValuesMap(list[index])) list[index] = {};
          inner = list[index] as Values;
        }
        const step = this.key(inner, nestedLevel);
        if (step === "end") return { list, step };
        return { list: this.setIndex(list, index, inner), step: "more" };
      }
    }
  }

  /** The `n` of `[n]`, after the `[`; "end" when the input runs out (strvals then stops quietly). */
  private index(): number | "end" {
    const { text, stop } = this.scanner.until("]");
    if (stop === undefined) return "end";
    if (!/^[+-]?[0-9]+$/.test(text)) this.fail(`error parsing index: invalid syntax ${JSON.stringify(text)}`);
    const index = BigInt(text);
    if (index < INT64_MIN || index > INT64_MAX) {
      this.fail(`error parsing index: value out of range ${JSON.stringify(text)}`);
    }
    if (index > BigInt(MAX_INDEX)) {
      this.fail(`index of ${index} is greater than maximum supported index of ${MAX_INDEX}`);
    }
    return Number(index);
  }

  private setIndex(list: unknown[], index: number, value: unknown): unknown[] {
    const target = list.length > index ? list : [...list, ...Array(index + 1 - list.length).fill(null)];
    target[index] = value;
    return target;
  }

  /** `{a,b,c}` as a list; undefined when the value is not a list; "end" when there is no value. */
  private valueList(): unknown[] | undefined | "end" {
    const first = this.scanner.read();
    if (first === undefined) return "end";
    if (first !== "{") {
      this.scanner.unread();
      return undefined;
    }
    const list: unknown[] = [];
    for (;;) {
      const { text, stop } = this.scanner.until(",}");
      if (stop === undefined) this.fail("list must terminate with '}'");
      list.push(this.typed(text));
      if (stop === "}") {
        if (this.scanner.read() !== ",") this.scanner.unread();
        return list;
      }
    }
  }

  /** strvals' `typedVal`: only booleans, null and base-10 integers (not starting with 0) are typed. */
  private typed(text: string): unknown {
    if (this.asString) return text;
    const lower = text.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    if (lower === "null") return null;
    if (text === "0") return 0;
    if (text !== "" && text[0] !== "0" && /^[+-]?[0-9]+$/.test(text)) {
      const integer = BigInt(text);
      if (integer < INT64_MIN || integer > INT64_MAX) return text;
      // Go keeps an exact int64; beyond 2^53 only a bigint does.
      return Number.isSafeInteger(Number(integer)) ? Number(integer) : integer;
    }
    return text;
  }
}

function set(data: Values, key: string, value: unknown): void {
  if (key !== "") setKey(data, key, value);
}

function asList(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new TypeMismatch(`${JSON.stringify(key)} is ${describe(value)}, not a list`);
}

function asMap(value: unknown, key: string): Values {
  if (isValuesMap(value)) return value;
  throw new TypeMismatch(`${JSON.stringify(key)} is ${describe(value)}, not a map`);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (isValuesMap(value)) return "a map";
  return `a ${typeof value}`;
}

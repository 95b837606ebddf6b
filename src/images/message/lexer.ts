/**
 * Splits a Go text/template into tokens, as Go's `text/template/parse` lexer does: text between
 * `{{` and `}}` actions, `{{- ` and ` -}}` trimming the white space around them (the dash must have
 * a space, tab or newline on its inner side), `{{/* … *\/}}` comments dropped. A lexical error ends
 * the token list with an `error` token, which the parser reports when it reaches it.
 */

export type TokenType =
  | "text"
  | "leftDelim"
  | "rightDelim"
  | "space"
  | "field"
  | "variable"
  | "identifier"
  | "dot"
  | "bool"
  | "number"
  | "charConstant"
  | "string"
  | "rawString"
  | "char"
  | "pipe"
  | "assign"
  | "declare"
  | "leftParen"
  | "rightParen"
  | "eof"
  | "error"
  | Keyword;

export type Keyword =
  | "block"
  | "break"
  | "continue"
  | "define"
  | "else"
  | "end"
  | "if"
  | "nil"
  | "range"
  | "template"
  | "with";

export const keywords: ReadonlySet<string> = new Set<Keyword>([
  "block",
  "break",
  "continue",
  "define",
  "else",
  "end",
  "if",
  "nil",
  "range",
  "template",
  "with",
]);

export interface Token {
  readonly type: TokenType;
  /** Offset of the token in the template. */
  readonly pos: number;
  /** The token's text; for `error`, the message. */
  readonly value: string;
}

const leftDelim = "{{";
const rightDelim = "}}";
const spaceChars = " \t\r\n";

const isSpace = (c: string | undefined) => c !== undefined && c !== "" && spaceChars.includes(c);
const isAlphaNumeric = (c: string | undefined) => c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);
const hasLeftTrimMarker = (text: string, at: number) => text[at] === "-" && isSpace(text[at + 1]);
const hasRightTrimMarker = (text: string, at: number) => isSpace(text[at]) && text[at + 1] === "-";

/** A character as Go's `%#U` prints it: `U+0022 '"'`. */
function describeChar(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c) ? `${hex} '${c}'` : hex;
}

export function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const emit = (type: TokenType, start: number, end = pos) => {
    tokens.push({ type, pos: start, value: text.slice(start, end) });
  };
  const fail = (message: string, at: number) => {
    tokens.push({ type: "error", pos: at, value: message });
    return tokens;
  };

  // Text up to the next action, then the action; until the end of the text.
  while (pos < text.length) {
    const delim = text.indexOf(leftDelim, pos);
    if (delim < 0) {
      emit("text", pos, text.length);
      pos = text.length;
      break;
    }
    let textEnd = delim;
    const trimLeft = hasLeftTrimMarker(text, delim + leftDelim.length);
    if (trimLeft) while (textEnd > pos && isSpace(text[textEnd - 1])) textEnd--;
    if (textEnd > pos) emit("text", pos, textEnd);

    const actionStart = delim;
    pos = delim + leftDelim.length + (trimLeft ? 2 : 0);
    if (text.startsWith("/*", pos)) {
      const close = text.indexOf("*/", pos + 2);
      if (close < 0) return fail("unclosed comment", actionStart);
      pos = close + 2;
      const trimRight = hasRightTrimMarker(text, pos) && text.startsWith(rightDelim, pos + 2);
      if (!trimRight && !text.startsWith(rightDelim, pos)) {
        return fail("comment ends before closing delimiter", actionStart);
      }
      pos += (trimRight ? 2 : 0) + rightDelim.length;
      if (trimRight) while (isSpace(text[pos])) pos++;
      continue;
    }
    emit("leftDelim", delim, delim + leftDelim.length);
    const error = lexAction();
    if (error) return fail(error.message, error.at);
  }
  tokens.push({ type: "eof", pos: text.length, value: "" });
  return tokens;

  /** The inside of an action, through its right delimiter; an error if it has one. */
  function lexAction(): { message: string; at: number } | undefined {
    let parenDepth = 0;
    const actionStart = tokens[tokens.length - 1].pos;
    for (;;) {
      const trimRight = hasRightTrimMarker(text, pos) && text.startsWith(rightDelim, pos + 2);
      if (trimRight || text.startsWith(rightDelim, pos)) {
        if (parenDepth > 0) return { message: "unclosed left paren", at: actionStart };
        if (trimRight) pos += 2;
        emit("rightDelim", pos, pos + rightDelim.length);
        pos += rightDelim.length;
        if (trimRight) while (isSpace(text[pos])) pos++;
        return undefined;
      }
      const start = pos;
      const c = text[pos];
      if (c === undefined) return { message: "unclosed action", at: actionStart };
      pos++;
      if (isSpace(c)) {
        while (isSpace(text[pos])) pos++;
        // The last space may belong to a trim-marked right delimiter.
        if (text[pos] === "-" && text.startsWith(rightDelim, pos + 1)) pos--;
        if (pos > start) emit("space", start);
      } else if (c === "=") {
        emit("assign", start);
      } else if (c === ":") {
        if (text[pos] !== "=") return { message: "expected :=", at: start };
        pos++;
        emit("declare", start);
      } else if (c === "|") {
        emit("pipe", start);
      } else if (c === '"' || c === "'") {
        const kind = c === '"' ? "quoted string" : "character constant";
        for (;;) {
          const next = text[pos++];
          if (next === "\\" && text[pos] !== undefined && text[pos] !== "\n") pos++;
          else if (next === undefined || next === "\n" || next === "\\") {
            return { message: `unterminated ${kind}`, at: start };
          } else if (next === c) break;
        }
        emit(c === '"' ? "string" : "charConstant", start);
      } else if (c === "`") {
        const close = text.indexOf("`", pos);
        if (close < 0) return { message: "unterminated raw quoted string", at: start };
        pos = close + 1;
        emit("rawString", start);
      } else if (c === "$" || (c === "." && !/^[0-9]$/.test(text[pos] ?? ""))) {
        if (!atTerminator()) {
          while (isAlphaNumeric(text[pos])) pos++;
          if (!atTerminator()) return { message: `bad character ${describeChar(charAt(pos))}`, at: start };
        }
        const bare = pos === start + 1;
        emit(c === "$" ? "variable" : bare ? "dot" : "field", start);
      } else if (c === "+" || c === "-" || c === "." || /^[0-9]$/.test(c)) {
        pos--;
        if (!scanNumber())
          return { message: `bad number syntax: ${JSON.stringify(text.slice(start, pos))}`, at: start };
        // A sign right after a number makes it a complex constant (1+2i).
        if (text[pos] === "+" || text[pos] === "-") {
          const complex = scanNumber() && text[pos - 1] === "i";
          const number = JSON.stringify(text.slice(start, pos));
          return {
            message: complex
              ? `complex numbers are not supported: ${number}`
              : `bad number syntax: ${number}`,
            at: start,
          };
        }
        emit("number", start);
      } else if (isAlphaNumeric(c)) {
        while (isAlphaNumeric(text[pos])) pos++;
        if (!atTerminator()) return { message: `bad character ${describeChar(charAt(pos))}`, at: start };
        const word = text.slice(start, pos);
        emit(
          keywords.has(word)
            ? (word as Keyword)
            : word === "true" || word === "false"
              ? "bool"
              : "identifier",
          start,
        );
      } else if (c === "(") {
        parenDepth++;
        emit("leftParen", start);
      } else if (c === ")") {
        if (--parenDepth < 0) return { message: "unexpected right paren", at: start };
        emit("rightParen", start);
      } else if (c.charCodeAt(0) < 0x7f && c.charCodeAt(0) >= 0x20) {
        emit("char", start);
      } else {
        return { message: `unrecognized character in action: ${describeChar(charAt(start))}`, at: start };
      }
    }
  }

  function charAt(at: number): string {
    return String.fromCodePoint(text.codePointAt(at) ?? 0);
  }

  function atTerminator(): boolean {
    const c = text[pos];
    return c === undefined || isSpace(c) || ".,|:)(".includes(c) || text.startsWith(rightDelim, pos);
  }

  /** Go's number syntax: sign, base prefix, digits with `_`, fraction, exponent, `i`. */
  function scanNumber(): boolean {
    const accept = (valid: string) => {
      if (text[pos] !== undefined && valid.includes(text[pos])) {
        pos++;
        return true;
      }
      return false;
    };
    const acceptRun = (valid: string) => {
      while (accept(valid));
    };
    accept("+-");
    let digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (accept("oO")) digits = "01234567_";
      else if (accept("bB")) digits = "01_";
    }
    acceptRun(digits);
    if (accept(".")) acceptRun(digits);
    if (digits.length === 11 && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (digits.length === 23 && accept("pP")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    accept("i");
    if (isAlphaNumeric(text[pos])) {
      pos++;
      return false;
    }
    return true;
  }
}

/**
 * Go's `Regexp.Expand` templates, the syntax of Flux's `filterTags.extract`: `$1`, `${1}`, `$name`,
 * `${name}`, `$$` for a dollar sign. As in Go, `$name` takes the longest name it can (`$1x` means
 * `${1x}`, not `${1}x`); a reference to a missing or unmatched group expands to nothing, and a `$`
 * that starts no reference stays a `$`.
 */
import type { GoRegexp } from "./go-regexp.js";

/** Literal text, or the candidate group numbers of one reference (the first that matched is used). */
type Part = string | readonly number[];

/** Letters, decimal digits and `_`: Go's `unicode.IsLetter`, `unicode.IsDigit` and `_`. */
const referenceName = /^[\p{L}\p{Nd}_]+/u;

/** Go's rule for a numeric reference: ASCII digits, no leading zero, below 10^9; else it is a name. */
function groupNumber(name: string): number | undefined {
  if (!/^[0-9]{1,9}$/.test(name) || (name.length > 1 && name.startsWith("0"))) return undefined;
  return Number(name);
}

function compile(template: string, regexp: GoRegexp): Part[] {
  const parts: Part[] = [];
  let rest = template;
  for (let dollar = rest.indexOf("$"); dollar >= 0; dollar = rest.indexOf("$")) {
    parts.push(rest.slice(0, dollar));
    rest = rest.slice(dollar);
    if (rest.startsWith("$$")) {
      parts.push("$");
      rest = rest.slice(2);
      continue;
    }
    const braced = rest.startsWith("${");
    const name = referenceName.exec(rest.slice(braced ? 2 : 1))?.[0];
    const end = name === undefined ? -1 : (braced ? 2 : 1) + name.length;
    if (name === undefined || (braced && rest[end] !== "}")) {
      parts.push("$");
      rest = rest.slice(1);
      continue;
    }
    rest = rest.slice(braced ? end + 1 : end);
    const number = groupNumber(name);
    if (number === undefined) parts.push(regexp.groupNames.get(name) ?? []);
    else parts.push(number <= regexp.groupCount ? [number] : []);
  }
  parts.push(rest);
  return parts.filter((part) => part !== "");
}

/** Compiles `template` for matches of `regexp`; the result expands one match. */
export function compileTemplate(template: string, regexp: GoRegexp): (match: RegExpExecArray) => string {
  const parts = compile(template, regexp);
  return (match) => {
    let text = "";
    for (const part of parts) {
      if (typeof part === "string") {
        text += part;
        continue;
      }
      for (const group of part) {
        const value = match[group];
        if (value !== undefined) {
          text += value;
          break;
        }
      }
    }
    return text;
  };
}

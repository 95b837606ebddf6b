/**
 * Go regexps (RE2 syntax) translated to JavaScript. The expectations were produced by Go's regexp
 * package (FindString, and Compile's errors) on the same pattern and text; the messages are Ferry's.
 */
import { describe, expect, it } from "vitest";
import { compileGoRegexp, GoRegexpError } from "../../../src/images/policy/go-regexp.js";

const find = (pattern: string, text: string) => compileGoRegexp(pattern).exec(text)?.[0] ?? null;

describe("compileGoRegexp: matches as Go's regexp does", () => {
  it.each([
    // Unanchored, leftmost-first.
    ["rc", "1.0-rc1", "rc"],
    ["^ver", "rel-ver1", null],
    ["a|ab", "ab", "a"],
    ["(a+)(b*)", "xaab", "aab"],
    // `.` matches \r (not \n) in Go; `(?s)` lets it match \n.
    ["a.b", "a\rb", "a\rb"],
    ["a.b", "a\nb", null],
    ["(?s)a.b", "a\nb", "a\nb"],
    ["(?s:a.)b.", "a\nb\n", null],
    // Go's \s is ASCII: no vertical tab, no no-break space.
    ["a\\sb", "a\u00a0b", null],
    ["a\\sb", "a\u000bb", null],
    ["a\\sb", "a\tb", "a\tb"],
    ["a\\Sb", "a\u00a0b", "a\u00a0b"],
    ["[\\s]", "\u00a0 ", " "],
    // (?m): ^ and $ at \n only (not \r).
    ["(?m)^b$", "a\nb\nc", "b"],
    ["(?m)^b", "a\rb", null],
    ["^b", "a\nb", null],
    ["\\Ab", "a\nb", null],
    ["a\\z", "ba", "a"],
    // (?U) swaps greedy and lazy.
    ["(?U)a+", "aaa", "a"],
    ["(?U)a+?", "aaa", "aaa"],
    // Classes: POSIX names, a leading `]`, `-` at the ends and after a class escape.
    ["[[:alpha:]]+", "12ab3", "ab"],
    ["[[:^digit:]]+", "12ab3", "ab"],
    ["[^[:alnum:]]", "ab-c", "-"],
    ["[]a]+", "x]a]", "]a]"],
    ["[^]a]", "]ab", "b"],
    ["[a-]+", "x-a-", "-a-"],
    ["[\\w-a]+", "x-y", "x-y"],
    ["[\\d.]+", "v1.2.3", "1.2.3"],
    // Escapes: punctuation, octal, hex, \Q…\E, Unicode classes.
    ["\\_\\-\\#", "_-#", "_-#"],
    ["\\101\\x42\\x{43}", "ABC", "ABC"],
    ["\\Q.+\\E+", "a.++", ".++"],
    ["\\Qa.b", "a.b", "a.b"],
    ["\\pL+", "12λx3", "λx"],
    ["\\p{Greek}+", "abλμ", "λμ"],
    ["\\PN+", "12ab", "ab"],
    ["\\p{^L}", "ab1", "1"],
    ["\\pC", "a\u0007", "\u0007"],
    ["\\PC", "\u0007a", "a"],
    // `{` that is not a repetition is a literal.
    ["a{,3}", "a{,3}", "a{,3}"],
    ["a{01}", "a{01}", "a{01}"],
    ["a{2}", "aaa", "aa"],
    ["a{2,}", "aaaa", "aaaa"],
    ["a{1,2}?", "aaa", "a"],
    ["x{", "x{", "x{"],
    // Repeating an assertion, or a flag group before the repetition.
    ["^*a", "a", "a"],
    ["a(?s)*", "aaa", "aaa"],
    // Named groups, both spellings (Go 1.22 added the second).
    ["(?P<v>\\d+)", "v12", "12"],
    ["(?<v>\\d+)", "v12", "12"],
    ["(?)a", "a", "a"],
    // Leading (?i) for the whole pattern.
    ["(?i)ab", "xAB", "AB"],
    ["(?i)a|b", "B", "B"],
    // Code points, not UTF-16 units; never a match starting inside a surrogate pair.
    ["^.$", "😀", "😀"],
    ["[😀-😂]", "x😁", "😁"],
    ["\\B", "A😀2", null],
    ["(?m)^$", "xab😀x", null],
    ["", "abc", ""],
  ])("%j on %j → %j", (pattern, text, expected) => {
    expect(find(pattern, text)).toBe(expected);
  });

  it("counts and names the groups", () => {
    const re = compileGoRegexp("(a)(?:b)(?P<x>c)((?P<x>d))");
    expect(re.groupCount).toBe(4);
    expect([...re.groupNames]).toEqual([["x", [2, 4]]]);
    expect(re.test("abcd")).toBe(true);
    expect(re.test("abd")).toBe(false);
  });
});

describe("compileGoRegexp: refuses what Go refuses", () => {
  it.each([
    ["(", "missing closing )"],
    ["a)", "unexpected )"],
    ["[a", "missing closing ]"],
    ["[z-a]", "invalid character class range z-a"],
    ["[[:foo:]]", "invalid character class range [:foo:]"],
    ["\\8", "invalid escape sequence \\8"],
    ["\\1", "invalid escape sequence \\1"],
    ["\\C", "invalid escape sequence \\C"],
    ["\\e", "invalid escape sequence \\e"],
    ["[\\b]", "invalid escape sequence \\b"],
    ["\\é", "invalid escape sequence \\é"],
    ["\\x{110000}", "invalid escape sequence"],
    ["\\x{}", "invalid escape sequence"],
    ["\\xg1", "invalid escape sequence"],
    ["a\\", "trailing backslash at end of expression"],
    ["*a", "missing argument to repetition operator *"],
    ["a|*", "missing argument to repetition operator *"],
    ["(*)", "missing argument to repetition operator *"],
    ["a**", "invalid nested repetition operator *"],
    ["a{2}{3}", "invalid nested repetition operator {3}"],
    ["a{1001}", "invalid repeat count {1001}"],
    ["a{2,1}", "invalid repeat count {2,1}"],
    ["(?P<>a)", "invalid named capture (?P<>"],
    ["(?P<a-b>x)", "invalid named capture (?P<a-b>"],
    ["(?P<x", "invalid named capture (?P<x"],
    ["(?P=x)", "invalid or unsupported Perl syntax (?P"],
    ["(?-)a", "invalid or unsupported Perl syntax (?-)"],
    ["(?i-)a", "invalid or unsupported Perl syntax (?i-)"],
    ["(?x)a", "invalid or unsupported Perl syntax (?x"],
    ["(?=a)", "lookaround (?=…) is not part of Go's regexp syntax"],
    ["(?<!a)b", "lookaround (?<!…) is not part of Go's regexp syntax"],
    ["\\p{Foo}", "invalid character class range \\p{Foo}"],
  ])("%j: %s", (pattern, reason) => {
    expect(() => compileGoRegexp(pattern)).toThrow(GoRegexpError);
    expect(() => compileGoRegexp(pattern)).toThrow(reason);
  });

  it.each([
    ["a(?i)b", "case-insensitive flag only as a leading (?i)"],
    ["(?i:a)b", "case-insensitive flag only as a leading (?i)"],
    ["(?i)a(?-i)b", "case-insensitive flag only as a leading (?i)"],
    ["[\\PC]", "\\PC inside a bracket class cannot be translated"],
  ])("%j cannot be translated: %s", (pattern, reason) => {
    expect(() => compileGoRegexp(pattern)).toThrow(reason);
  });

  it("names the pattern in the message", () => {
    expect(() => compileGoRegexp("v(")).toThrow('invalid regular expression "v(": missing closing )');
  });
});

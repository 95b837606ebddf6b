import { describe, expect, it } from "vitest";
import { TemplateError } from "../../../src/images/message/errors.js";
import { Template } from "../../../src/images/message/template.js";
import { goValue, renderError } from "./support.js";

// The reasons are Go's (checked against Go's text/template); the place is line:column from 1, for
// parse errors too, where Go gives the line only.
const cases: Array<[string, string, unknown, string]> = [
  [
    "an unknown function",
    "Files:\n{{ range . }}\n  {{ foo . }}\n{{ end }}",
    null,
    'template: commit message:3:6: function "foo" not defined',
  ],
  ["a single brace", "{{ .A }", null, 'template: commit message:1:7: unexpected "}" in operand'],
  ["an if without end", "{{ if 1 }}x", null, "template: commit message:1:12: unexpected EOF"],
  ["an end without a block", "x\n{{ end }}", null, "template: commit message:2:4: unexpected {{end}}"],
  ["an else without a block", "{{ else }}", null, "template: commit message:1:4: unexpected {{else}}"],
  ["an undefined variable", "{{ $x }}", null, 'template: commit message:1:4: undefined variable "$x"'],
  [
    "a variable used past its block",
    "{{ with $x := 1 }}{{ $x }}{{ end }}{{ $x }}",
    null,
    'template: commit message:1:39: undefined variable "$x"',
  ],
  ["an unterminated string", '{{ "x }}', null, "template: commit message:1:4: unterminated quoted string"],
  ["break outside range", "{{ break }}", null, "template: commit message:1:4: {{break}} outside {{range}}"],
  [
    "three range variables",
    "{{ range $a, $b, $c := . }}{{ end }}",
    null,
    "template: commit message:1:16: too many declarations in range",
  ],
  ["an empty action", "{{ }}", null, "template: commit message:1:4: missing value for command"],
  ["an unclosed parenthesis", "{{ (len . }}", null, "template: commit message:1:1: unclosed left paren"],
  ["a stray parenthesis", "{{ ) }}", null, "template: commit message:1:4: unexpected right paren"],
  ["a bad number", "{{ 1a }}", null, 'template: commit message:1:4: bad number syntax: "1a"'],
  [
    "a bad character after a field",
    '{{ .A" }}',
    null,
    "template: commit message:1:4: bad character U+0022 '\"'",
  ],
  [
    "a comment with space before the delimiter",
    "{{/* x */ }}",
    null,
    "template: commit message:1:1: comment ends before closing delimiter",
  ],
  ["an unclosed comment", "{{/* x", null, "template: commit message:1:1: unclosed comment"],
  ["an unclosed action", "a {{ .A", null, "template: commit message:1:3: unclosed action"],
  [
    "a literal after a pipe",
    "{{ . | 1 }}",
    null,
    "template: commit message:1:8: non executable command in pipeline stage 2",
  ],
  [
    "template, which is not supported",
    '{{ template "x" }}',
    null,
    "template: commit message:1:4: {{template}} is not supported",
  ],
  [
    "a field of a string",
    "line 1\n  {{ .A.B }}",
    { A: "str" },
    'template: commit message:2:6: executing "commit message" at <.A.B>: can\'t evaluate field B in type string',
  ],
  [
    "nil as a command",
    "{{ nil }}",
    null,
    'template: commit message:1:4: executing "commit message" at <nil>: nil is not a command',
  ],
  [
    "an argument to a number",
    "{{ 3 . }}",
    null,
    'template: commit message:1:4: executing "commit message" at <3>: can\'t give argument to non-function 3',
  ],
  [
    "too few arguments",
    "{{ lower }}",
    null,
    'template: commit message:1:4: executing "commit message" at <lower>: wrong number of args for lower: want 1 got 0',
  ],
  [
    "too many arguments",
    '{{ contains "a" "abc" "d" }}',
    null,
    'template: commit message:1:4: executing "commit message" at <contains "a" "abc" "d">: wrong number of args for contains: want 2 got 3',
  ],
  [
    "a number where a string is expected",
    "{{ lower 3 }}",
    null,
    'template: commit message:1:10: executing "commit message" at <3>: expected string; found 3',
  ],
  [
    "an int where a string is expected",
    "{{ .A | lower }}",
    { A: 1 },
    'template: commit message:1:9: executing "commit message" at <lower>: wrong type for value; expected string; got int',
  ],
  [
    "a missing value where a string is expected",
    "{{ lower .Missing }}",
    { A: 1 },
    'template: commit message:1:10: executing "commit message" at <.Missing>: invalid value; expected string',
  ],
  [
    "an index out of range",
    "{{ index . 5 }}",
    [1],
    'template: commit message:1:4: executing "commit message" at <index . 5>: error calling index: index out of range: 5',
  ],
  [
    "len of a number",
    "{{ len 3 }}",
    null,
    'template: commit message:1:4: executing "commit message" at <len 3>: error calling len: len of type int',
  ],
  [
    "range over a string",
    '{{ range "abc" }}{{ . }}{{ end }}',
    null,
    'template: commit message:1:10: executing "commit message" at <"abc">: range can\'t iterate over abc',
  ],
  [
    "comparing an int and a string",
    '{{ eq 1 "a" }}',
    null,
    'template: commit message:1:4: executing "commit message" at <eq 1 "a">: error calling eq: incompatible types for comparison: int and string',
  ],
  [
    "a field of nil",
    "{{ .A.B }}",
    { A: null },
    'template: commit message:1:4: executing "commit message" at <.A.B>: nil pointer evaluating interface {}.B',
  ],
  [
    "fail",
    '{{ fail "no image" }}',
    null,
    'template: commit message:1:4: executing "commit message" at <fail "no image">: error calling fail: no image',
  ],
];

describe("template errors", () => {
  it.each(cases)("%s", (_, template, data, expected) => {
    expect(renderError(template, data)).toBe(expected);
  });

  it("carries the place and the reason apart", () => {
    let error: unknown;
    try {
      Template.parse("ok\n  {{ .A | nope }}", { name: "commit message" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    expect(error).toMatchObject({
      template: "commit message",
      line: 2,
      column: 11,
      reason: 'function "nope" not defined',
    });
  });

  it("names the action that failed while running", () => {
    const template = Template.parse("{{ range . }}{{ .X }}{{ end }}", { name: "t" });
    expect(() => template.execute("not a list")).toThrow(
      expect.objectContaining({
        line: 1,
        column: 10,
        reason: "range can't iterate over not a list",
        action: ".",
      }),
    );
  });

  it("stops a template whose output or loops grow too long", () => {
    const data = goValue({ A: Array.from({ length: 5 }, () => 1), B: Array.from({ length: 100 }, () => 1) });
    const nested = "{{ range .A }}{{ range $.B }}xxxxxxxxxx{{ end }}{{ end }}";
    const limits = { output: 1000, iterations: 50 };
    expect(() => Template.parse(nested, { limits: { ...limits, iterations: 1000 } }).execute(data)).toThrow(
      /output longer than 1000 characters/,
    );
    expect(() => Template.parse(nested, { limits }).execute(data)).toThrow(/more than 50 range iterations/);
  });
});

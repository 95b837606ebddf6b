import { describe, expect, it } from "vitest";
import { render } from "./support.js";

// Expected outputs are Go text/template's (Go 1.19, with Sprig's list, dict, quote and toString),
// from running each template there on the same data.
const features: Array<[string, string, unknown, string]> = [
  ["text without actions is copied", "hello\n  world", null, "hello\n  world"],
  ["{{- trims white space before, -}} after", 'a  \n\t {{- "b" -}} \n c', null, "abc"],
  ["trimming goes across blank lines", 'a\n\n\n{{- "b" }}\n\n', null, "ab\n\n"],
  ["a dash without a space is a negative number", "{{-3}}|{{ -3 }}", null, "-3|-3"],
  ["comments print nothing", "a{{/* note */}}b {{- /* trimmed */ -}} c", null, "abc"],
  ["a comment may span lines", "a{{/* one\ntwo */}}b", null, "ab"],
  ["actions may span lines", '{{ printf "%s-%s"\n  "a"\n  "b" }}', null, "a-b"],
  ["field access", "{{ .A.B }} {{ .C }}", { A: { B: "x" }, C: 1 }, "x 1"],
  [
    "a missing key prints <no value>",
    "{{ .Missing }}|{{ .Missing.Deeper }}",
    { A: 1 },
    "<no value>|<no value>",
  ],
  ["print turns a missing value into <nil>", "{{ print .Missing }}", { A: 1 }, "<nil>"],
  ["dot and $", "{{ with .A }}{{ . }} {{ $.B }}{{ end }}", { A: "a", B: "b" }, "a b"],
  [
    "variables: declare, assign in an inner scope",
    "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}",
    null,
    "2",
  ],
  ["range over a slice", "{{ range . }}[{{ . }}]{{ end }}", ["a", "b"], "[a][b]"],
  [
    "range with index and element",
    "{{ range $i, $e := . }}{{ $i }}={{ $e }} {{ end }}",
    ["a", "b"],
    "0=a 1=b ",
  ],
  [
    "range over a map goes in key order",
    "{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}",
    { b: 2, a: 1, C: 3, aa: 4 },
    "C=3;a=1;aa=4;b=2;",
  ],
  ["range with one variable gets the element", "{{ range $v := . }}{{ $v }}{{ end }}", { b: 2, a: 1 }, "12"],
  ["range else when empty", "{{ range . }}x{{ else }}empty{{ end }}", [], "empty"],
  ["range over a missing value runs else", "{{ range .Missing }}x{{ else }}none{{ end }}", { A: 1 }, "none"],
  [
    "break and continue",
    "{{ range . }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}",
    [1, 2, 3, 4, 5],
    "13",
  ],
  [
    "a variable assigned in range keeps the last value",
    "{{ $n := 0 }}{{ range . }}{{ $n = . }}{{ end }}{{ $n }}",
    [1, 2, 3],
    "3",
  ],
  [
    "separators between items",
    "{{ range $i, $e := . }}{{ if $i }}, {{ end }}{{ $e }}{{ end }}",
    ["a", "b", "c"],
    "a, b, c",
  ],
  ["if, else if, else", "{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}", { B: 1 }, "b"],
  ["with sets dot", "{{ with .A }}{{ . }}{{ end }}", { A: "x" }, "x"],
  ["with else", "{{ with .Missing }}{{ . }}{{ else }}none{{ end }}", { A: "x" }, "none"],
  ["a variable in with ends at end", "{{ with $x := .A }}{{ $x }}{{ end }}", { A: "x" }, "x"],
  [
    "truth: empty string, 0, empty list and map are false",
    '{{ if "" }}1{{ end }}{{ if 0 }}2{{ end }}{{ if .L }}3{{ end }}{{ if .M }}4{{ end }}{{ if .T }}5{{ end }}',
    { L: [], M: {}, T: "t" },
    "5",
  ],
  [
    "pipelines pass the value last",
    '{{ "abc" | printf "%s-%s" "x" }} {{ 3 | printf "%d" }}',
    null,
    "x-abc 3",
  ],
  ["parenthesised pipelines and chains", '{{ (printf "%s" "a") }} {{ (.A).B }}', { A: { B: "c" } }, "a c"],
  [
    "literals",
    "{{ \"q\\t\\u00e9\\x41\\101\" }} {{ `raw\\n` }} {{ true }} {{ 'a' }} {{ 0x1F }} {{ 1_000 }} {{ 0b101 }} {{ 0o17 }} {{ 017 }}",
    null,
    "q\téAA raw\\n true 97 31 1000 5 15 15",
  ],
  [
    "floats print as Go prints them",
    "{{ 1.5 }} {{ 1e6 }} {{ 1e3 }} {{ .5 }} {{ 0.0001 }} {{ 0.00001 }} {{ 123456789.0 }} {{ 0x1p-2 }}",
    null,
    "1.5 1e+06 1000 0.5 0.0001 1e-05 1.23456789e+08 0.25",
  ],
  ["the largest int", "{{ 9223372036854775807 }}", null, "9223372036854775807"],
  [
    "and, or, not",
    '{{ and 1 0 2 }} {{ or 0 "" 3 }} {{ not 0 }} {{ and 1 2 }} {{ or 0 false }}',
    null,
    "0 3 true 2 false",
  ],
  ["and stops at the first false", "{{ if and .A (not .B) }}yes{{ end }}", { A: 1, B: 0 }, "yes"],
  [
    "comparisons",
    '{{ eq 1 1 }} {{ eq "a" "b" "a" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }}',
    null,
    "true true true true true true false",
  ],
  ["eq with a missing value", '{{ eq .Missing "x" }}', { A: 1 }, "false"],
  ["len counts bytes of strings", '{{ len . }} {{ len "héllo" }}', [1, 2, 3], "3 6"],
  [
    "index",
    '{{ index . 1 }} {{ index "abc" 1 }} {{ index (dict "k" "v") "k" }} {{ index (dict) "k" }}',
    [1, 2, 3],
    "2 98 v <no value>",
  ],
  ["print and println", '{{ print 1 2 "a" "b" 3 nil }}|{{ println 1 "a" }}|', null, "1 2ab3 <nil>|1 a\n|"],
  [
    "html, js, urlquery",
    '{{ html "<a href=\'x\'>&" }} {{ js "it\'s <b> = \\"q\\"" }} {{ urlquery "a b&c=d/é" }}',
    null,
    '&lt;a href=&#39;x&#39;&gt;&amp; it\\\'s \\u003Cb\\u003E \\u003D \\"q\\" a+b%26c%3Dd%2F%C3%A9',
  ],
  ["maps and slices print as %v", "{{ . }}", { A: 1.5, b: [1, "x", null] }, "map[A:1.5 b:[1 x <nil>]]"],
  [
    "list and dict",
    '{{ dict "b" 1 "a" (list 1 "x") }} {{ list }} {{ list nil 1 }}',
    null,
    "map[a:[1 x] b:1] [] [<nil> 1]",
  ],
  [
    "quote and toString",
    '{{ quote "a\\"b" 1 nil }} {{ toString (list 1 2) }} {{ toString nil }}',
    null,
    '"a\\"b" "1" [1 2] <nil>',
  ],
];

// Newer than the Go used above: range over an integer (Go 1.22), else with (Go 1.23).
const newerGo: Array<[string, string, unknown, string]> = [
  [
    "range over an integer",
    "{{ range 3 }}{{ . }}{{ end }}|{{ range $i := 2 }}{{ $i }}{{ end }}",
    null,
    "012|01",
  ],
  ["else with", "{{ with .Missing }}a{{ else with .A }}{{ . }}{{ end }}", { A: "x" }, "x"],
];

describe("Go text/template", () => {
  it.each([...features, ...newerGo])("%s", (_, template, data, expected) => {
    expect(render(template, data)).toBe(expected);
  });

  it("keeps white space that no dash trims, byte for byte", () => {
    const template = 'a\n{{ if true }}\n  b\n{{ end }}\n{{- " c" }}\r\n{{ "d" -}}\t\n e';
    expect(render(template)).toBe("a\n\n  b\n c\r\nde");
  });

  it("takes a dash as a trim marker only with white space on its inner side", () => {
    expect(render("a {{- 1}}|{{1 -}} b|{{- 1 -}}\t|")).toBe("a1|1b|1|");
    expect(render("a {{-\n1}}")).toBe("a1");
  });
});

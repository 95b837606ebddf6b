import { describe, expect, it } from "vitest";
import { render, renderError } from "./support.js";

// Sprig v3's behaviour, from its source and documentation; where Go leaves the order to chance
// (keys, values), sorted.
const cases: Array<[string, string, unknown, string]> = [
  [
    "upper, lower, title, untitle",
    '{{ upper "aBc" }} {{ lower "ÀBC" }} {{ title "hello wide-world_x" }} {{ untitle "Hello" }}',
    null,
    "ABC àbc Hello Wide-World_x hello",
  ],
  [
    "trim and friends",
    '[{{ trim "  a b \\n" }}] {{ trimAll "$" "$$5$" }} {{ trimSuffix "-rc" "v1-rc" }} {{ trimPrefix "v" "v1.2" }} {{ nospace " a b\\tc " }}',
    null,
    "[a b] 5 v1 1.2 abc",
  ],
  ["the piped value goes last", '{{ "v1.2.3-rc" | trimSuffix "-rc" | trimPrefix "v" }}', null, "1.2.3"],
  ["replace", '{{ replace ":" "@" "img:1:2" }} {{ "ab" | replace "" "-" }}', null, "img@1@2 -a-b-"],
  [
    "contains, hasPrefix, hasSuffix",
    '{{ contains "5.0" "podinfo:5.0.3" }} {{ hasPrefix "pod" "podinfo" }} {{ hasSuffix "x" "podinfo" }}',
    null,
    "true true false",
  ],
  [
    "trunc counts bytes, from the end when negative",
    '{{ trunc 3 "abcdef" }} {{ trunc -2 "abcdef" }} {{ trunc 10 "abc" }}',
    null,
    "abc ef abc",
  ],
  [
    "abbrev and substr",
    '{{ abbrev 5 "hello world" }} {{ substr 1 3 "hello" }} {{ substr 2 -1 "hello" }}',
    null,
    "he... el llo",
  ],
  [
    "repeat, indent, nindent",
    '{{ repeat 3 "ab" }}|{{ indent 2 "a\\nb" }}|{{ nindent 2 "a" }}',
    null,
    "ababab|  a\n  b|\n  a",
  ],
  [
    "quote, squote, cat",
    '{{ quote "a" 1 }} {{ squote "a" 1 }} {{ cat "a" 1 nil "b" }}',
    null,
    "\"a\" \"1\" 'a' '1' a 1 b",
  ],
  [
    "split, splitList, splitn, join",
    '{{ (split "/" "a/b/c")._1 }} {{ splitList "/" "a/b" }} {{ splitn "/" 2 "a/b/c" }} {{ join "," (list "a" 1 nil "b") }} {{ join "-" (splitList "/" "x/y") }}',
    null,
    "b [a b] map[_0:a _1:b/c] a,1,b x-y",
  ],
  [
    "sortAlpha and uniq",
    '{{ sortAlpha (list "b" "a" "C") }} {{ uniq (list 1 2 1 "a" "a") }}',
    null,
    "[C a b] [1 2 a]",
  ],
  [
    "list helpers",
    "{{ first (list 1 2) }} {{ last (list 1 2) }} {{ rest (list 1 2 3) }} {{ initial (list 1 2 3) }} {{ reverse (list 1 2) }} {{ append (list 1) 2 }} {{ prepend (list 1) 0 }} {{ concat (list 1) (list 2 3) }}",
    null,
    "1 2 [2 3] [1 2] [2 1] [1 2] [0 1] [1 2 3]",
  ],
  [
    "first of an empty list is no value",
    "{{ first (list) }}|{{ print (first (list)) }}",
    null,
    "<no value>|<nil>",
  ],
  [
    "without, has, compact, slice",
    '{{ without (list 1 2 3) 2 }} {{ has 2 (list 1 2) }} {{ compact (list "" 0 1 "a") }} {{ slice (list 1 2 3 4) 1 3 }} {{ slice (list 1 2 3) 1 }}',
    null,
    "[1 3] true [1 a] [2 3] [2 3]",
  ],
  [
    "dict, get, hasKey, keys, values, pick, omit",
    '{{ $d := dict "b" 2 "a" 1 }}{{ get $d "a" }} {{ get $d "x" }} {{ hasKey $d "b" }} {{ keys $d }} {{ values $d }} {{ pick $d "a" }} {{ omit $d "a" }}',
    null,
    "1  true [a b] [1 2] map[a:1] map[b:2]",
  ],
  [
    "set and unset change the dict",
    '{{ $d := dict }}{{ $_ := set $d "k" "v" }}{{ $d.k }} {{ $_ := unset $d "k" }}{{ len $d }}',
    null,
    "v 0",
  ],
  [
    "default, empty, coalesce, ternary",
    '{{ default "x" "" }} {{ default "x" "y" }} {{ .Missing | default "none" }} {{ empty 0 }} {{ empty (list) }} {{ coalesce 0 "" "z" }} {{ ternary "yes" "no" true }}',
    { A: 1 },
    "x y none true true z yes",
  ],
  [
    "all and any",
    '{{ all 1 "a" }} {{ all 1 "" }} {{ any 0 "" }} {{ any 0 "a" }}',
    null,
    "true false false true",
  ],
  [
    "arithmetic",
    '{{ add 1 2 3 }} {{ add1 4 }} {{ sub 5 7 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }} {{ max 1 5 3 }} {{ min 4 2 8 }} {{ add "2" 1.9 }}',
    null,
    "6 5 -2 24 3 1 5 2 3",
  ],
  [
    "conversions",
    '{{ atoi "42" }} {{ atoi "x" }} {{ int "12" }} {{ int64 3.9 }} {{ float64 "1.5" }} {{ toString 12 }} {{ toStrings (list 1 "a") }}',
    null,
    "42 0 12 3 1.5 12 [1 a]",
  ],
  [
    "until and untilStep",
    "{{ until 3 }} {{ untilStep 0 10 4 }} {{ until -2 }}",
    null,
    "[0 1 2] [0 4 8] [0 -1]",
  ],
  [
    "hashes and base64",
    '{{ sha256sum "abc" }} {{ sha1sum "abc" }} {{ adler32sum "abc" }} {{ b64enc "hi!" }} {{ b64dec "aGkh" }}',
    null,
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a9993e364706816aba3e25717850c26c9cd0d89d 38600999 aGkh hi!",
  ],
  [
    "paths",
    '{{ base "a/b/c.yaml" }} {{ dir "a/b/c.yaml" }} {{ ext "c.tar.gz" }} {{ clean "a//b/../c/" }} {{ isAbs "/x" }} {{ base "" }} {{ dir "x" }}',
    null,
    "c.yaml a/b .gz a/c true . .",
  ],
  [
    "JSON",
    '{{ toJson (dict "b" (list 1 "<x>") "a" 1.5) }} {{ toRawJson (list "<x>") }} {{ (fromJson "{\\"a\\":[1,2]}").a }}',
    null,
    '{"a":1.5,"b":[1,"\\u003cx\\u003e"]} ["<x>"] [1 2]',
  ],
  [
    "pretty JSON",
    '{{ toPrettyJson (dict "a" (list 1) "b" (dict)) }}',
    null,
    '{\n  "a": [\n    1\n  ],\n  "b": {}\n}',
  ],
  [
    "types and kinds",
    '{{ typeOf 1 }} {{ typeOf "a" }} {{ typeOf (list) }} {{ kindOf (dict) }} {{ kindIs "string" "x" }} {{ typeIs "int" 1 }} {{ deepEqual (list 1) (list 1) }}',
    null,
    "int string []interface {} map true true true",
  ],
  ["plural", '{{ plural "file" "files" 1 }} {{ plural "file" "files" 2 }}', null, "file files"],
];

const errors: Array<[string, string, unknown, string]> = [
  [
    "keys of a string",
    "{{ keys .A }}",
    { A: "x" },
    'template: commit message:1:9: executing "commit message" at <.A>: wrong type for value; expected map[string]interface {}; got string',
  ],
  [
    "first of a string",
    '{{ first "abc" }}',
    null,
    'template: commit message:1:4: executing "commit message" at <first "abc">: error calling first: Cannot find first on type string',
  ],
  [
    "div by zero",
    "{{ div 1 0 }}",
    null,
    'template: commit message:1:4: executing "commit message" at <div 1 0>: error calling div: runtime error: integer divide by zero',
  ],
  [
    "substr out of range",
    '{{ substr 2 1 "hello" }}',
    null,
    'template: commit message:1:4: executing "commit message" at <substr 2 1 "hello">: error calling substr: runtime error: slice bounds out of range [2:1] with length 5',
  ],
  [
    "mustToJson fails on what JSON cannot hold",
    '{{ mustToJson (fromJson "1e999") }}',
    null,
    'template: commit message:1:4: executing "commit message" at <mustToJson (fromJson "1e999")>: error calling mustToJson: json: unsupported value: +Inf',
  ],
];

describe("Sprig functions", () => {
  it.each(cases)("%s", (_, template, data, expected) => {
    expect(render(template, data)).toBe(expected);
  });

  it.each(errors)("%s", (_, template, data, expected) => {
    expect(renderError(template, data)).toBe(expected);
  });
});

import { describe, expect, it } from "vitest";
import { formatFloat } from "../../../src/images/message/format.js";
import { render } from "./support.js";

// Expected outputs are Go's fmt.Sprintf's, from running each template in Go.
const printfCases: Array<[string, string, unknown, string]> = [
  [
    "verbs for each type",
    '{{ printf "%v|%d|%s|%q|%t|%%|%c|%U|%T|%T" 42 42 "s" "q\\n" true 65 65 "s" 1.5 }}',
    null,
    '42|42|s|"q\\n"|true|%|A|U+0041|string|float64',
  ],
  [
    "width, flags and precision",
    '{{ printf "%5d|%-5s|%05d|%+d|% d|%6.2f|%-8v|%8v|%08.3f|%.2s" 42 "ab" -42 5 5 2.5 "ab" "ab" 3.14159 "hello" }}',
    null,
    "   42|ab   |-0042|+5| 5|  2.50|ab      |      ab|0003.142|he",
  ],
  [
    "bases",
    '{{ printf "%x|%X|%o|%O|%b|%#x|%#o|%#b|%x|%X|% x" 255 255 8 8 5 255 8 5 "hi" "hi" "hi" }}',
    null,
    "ff|FF|10|0o10|101|0xff|010|0b101|6869|6869|68 69",
  ],
  [
    "floats",
    '{{ printf "%e|%E|%f|%.2f|%g|%G|%.3g|%.10g|%g|%g|%v" 1234.5678 0.000123 3.14159 2.5 1e21 1e-7 1234567.0 1.0 100000.0 1000000.0 -0.5 }}',
    null,
    "1.234568e+03|1.230000E-04|3.141590|2.50|1e+21|1E-07|1.23e+06|1|100000|1e+06|-0.5",
  ],
  [
    "composites",
    '{{ printf "%v|%+v|%s|%d" . . (list "x" 2) (list 1 "y") }}',
    { a: [1, "x"], b: { c: null } },
    "map[a:[1 x] b:map[c:<nil>]]|map[a:[1 x] b:map[c:<nil>]]|[x %!s(int=2)]|[1 %!d(string=y)]",
  ],
  [
    "argument indexes and star",
    '{{ printf "%[2]s %[1]s" "a" "b" }}|{{ printf "%*d|%.*f|%-*d|" 5 42 2 3.14159 4 7 }}',
    null,
    "b a|   42|3.14|7   |",
  ],
  [
    "mistakes",
    '{{ printf "%d|%s|%d|%!|%z" "x" 3 }}{{ printf "%" }}{{ printf "x" 1 "y" }}',
    null,
    "%!d(string=x)|%!s(int=3)|%!d(MISSING)|%!!(MISSING)|%!z(MISSING)%!(NOVERB)x%!(EXTRA int=1, string=y)",
  ],
  [
    "quoting",
    '{{ printf "%q|%+q|%#q|%q|%x" "é\\u0001" "é" "back" \'x\' -255 }}',
    null,
    '"é\\x01"|"\\u00e9"|`back`|\'x\'|-ff',
  ],
  ["nil", '{{ printf "%v|%d|%s" nil nil .Missing }}', { A: 1 }, "<nil>|%!d(<nil>)|%!s(<nil>)"],
];

describe("printf", () => {
  it.each(printfCases)("%s", (_, template, data, expected) => {
    expect(render(template, data)).toBe(expected);
  });
});

describe("formatFloat", () => {
  // strconv.FormatFloat(x, format, precision, 64)
  const cases: Array<[number, "e" | "f" | "g", number, string]> = [
    [0, "g", -1, "0"],
    [-0, "g", -1, "-0"],
    [1e21, "g", -1, "1e+21"],
    [123456, "g", -1, "123456"],
    [1234567, "g", -1, "1.234567e+06"],
    [0.0001, "g", -1, "0.0001"],
    [0.00001, "g", -1, "1e-05"],
    [1e100, "e", -1, "1e+100"],
    [1.5, "e", 3, "1.500e+00"],
    [100, "g", 2, "1e+02"],
    [1e-7, "f", -1, "0.0000001"],
    [Number.NaN, "g", -1, "NaN"],
    [Number.NEGATIVE_INFINITY, "f", 2, "-Inf"],
  ];
  it.each(cases)("%s %s %s", (x, format, precision, expected) => {
    expect(formatFloat(x, format, precision)).toBe(expected);
  });
});

/** Go's strconv.ParseFloat(s, 64), as the numerical policy reads tags; each row checked against Go. */
import { describe, expect, it } from "vitest";
import { parseGoFloat } from "../../../src/images/policy/go-float.js";

describe("parseGoFloat", () => {
  it.each([
    ["73", 73],
    ["-62", -62],
    ["+5", 5],
    ["00012", 12],
    ["47.40896403322944", 47.40896403322944],
    [".5", 0.5],
    ["5.", 5],
    ["+.5e-3", 0.0005],
    ["1e10", 1e10],
    ["1e1_0", 1e10],
    ["1_000", 1000],
    ["1606364286", 1606364286],
    ["0x1p4", 16],
    ["0X1P-2", 0.25],
    ["0x.8p1", 1],
    ["0x1.p1", 2],
    ["0x_1p0", 1],
    ["-0x1.fffffffffffffp1023", -1.7976931348623157e308],
    ["1.7976931348623157e308", 1.7976931348623157e308],
    ["4.9e-324", 5e-324],
    ["-1e-400", -0],
    ["+Inf", Number.POSITIVE_INFINITY],
    ["inF", Number.POSITIVE_INFINITY],
    ["-infinity", Number.NEGATIVE_INFINITY],
    ["INFINITY", Number.POSITIVE_INFINITY],
    ["nan", Number.NaN],
  ])("%j → %d", (text, expected) => {
    expect(parseGoFloat(text)).toBe(expected);
  });

  it.each([
    "",
    "1a",
    "b",
    "v1",
    "1.2.3",
    "1_",
    "_1",
    "1__0",
    "1_.5",
    "1._5",
    "._5",
    "0x1",
    "0x",
    "0x.p1",
    "0x1p1025",
    "1e400",
    "1.7976931348623159e308",
    "+nan",
    "-nan",
    "infin",
    "Infinity1",
    "1e",
    "1e+",
    "e1",
    ".",
    "-",
    " 1",
    "1 ",
    "0b101",
    "0o17",
    "١",
  ])("%j is not a number", (text) => {
    expect(parseGoFloat(text)).toBeUndefined();
  });
});

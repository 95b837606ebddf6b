import { describe, expect, it } from "vitest";
import { compareBytes, latestAlphabetical } from "../../../src/images/policy/alphabetical.js";

describe("compareBytes (Go's byte-wise string order)", () => {
  it.each([
    ["a", "b", -1],
    ["b", "a", 1],
    ["abc", "abc", 0],
    ["ab", "abc", -1],
    ["Z", "a", -1],
    ["16.04.1", "16.10", -1],
    ["rel-2", "rel-10", 1],
    // UTF-16 code units would put 😀 (U+1F600, surrogates D83D DE00) before U+FF5E; UTF-8 bytes do not.
    ["😀", "～", 1],
    ["～", "😀", -1],
    ["\u{e000}", "\u{10000}", -1],
    ["é", "z", 1],
  ])("%j vs %j → %i", (a, b, expected) => {
    expect(Math.sign(compareBytes(a, b))).toBe(expected);
  });
});

describe("latestAlphabetical", () => {
  it.each([
    [["b", "c", "a"], false, "c"],
    [["b", "c", "a"], true, "a"],
    [["x"], false, "x"],
    [["😀", "～"], false, "😀"],
    [[], false, undefined],
  ] as const)("%j desc=%s → %j", (values, descending, expected) => {
    expect(latestAlphabetical(values, descending)).toBe(expected);
  });
});

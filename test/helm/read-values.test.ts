import { describe, expect, it } from "vitest";
import { readValues } from "../../src/helm/read-values.js";
import { valuesDigest } from "../../src/helm/values-digest.js";
import { mergeMaps } from "../../src/helm/values-map.js";
import { canonicalJson } from "../../src/model/canonical-json.js";

describe("readValues (Helm's ReadValues over go-yaml v2)", () => {
  it.each<[string, string, unknown]>([
    ["empty", "", {}],
    ["null document", "~\n", {}],
    ["comment only", "# nothing\n", {}],
    ["YAML 1.1 booleans", "a: yes\nb: off\nc: y\n", { a: true, b: false, c: true }],
    ["YAML 1.1 octal", "mode: 0755\n", { mode: 493 }],
    ["timestamps stay strings", "at: 2001-12-14\n", { at: "2001-12-14" }],
    ["no sexagesimal numbers", "port: 22:22\n", { port: "22:22" }],
    ["numeric keys become strings", "1: one\n", { "1": "one" }],
    ["merge keys", "base: &b {x: 1}\nother:\n  <<: *b\n  z: 2\n", { base: { x: 1 }, other: { x: 1, z: 2 } }],
    ["repeated key keeps the last", "a: 1\na: 2\n", { a: 2 }],
    ["first document only", "a: 1\n---\nb: 2\n", { a: 1 }],
  ])("%s", (_name, input, want) => {
    expect(readValues(input)).toEqual(want);
  });

  it.each([
    ["a scalar (Flux's 'invalid values' case)", "\ninvalid"],
    ["a list", "- a\n"],
    ["malformed YAML", "a: [1, 2\n"],
    ["an infinity", "a: .inf\n"],
  ])("rejects %s", (_name, input) => {
    expect(() => readValues(input)).toThrow();
  });
});

describe("mergeMaps (Flux's MergeMaps)", () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown> | undefined, unknown]>([
    ["nested maps merge", { a: { b: 1, c: 2 } }, { a: { c: 3, d: 4 } }, { a: { b: 1, c: 3, d: 4 } }],
    ["lists are replaced", { a: [1, 2, 3] }, { a: [4] }, { a: [4] }],
    ["a scalar replaces a map", { a: { b: 1 } }, { a: "x" }, { a: "x" }],
    ["a map replaces a scalar", { a: "x" }, { a: { b: 1 } }, { a: { b: 1 } }],
    ["null replaces", { a: { b: 1 } }, { a: null }, { a: null }],
    ["no overlay", { a: 1 }, undefined, { a: 1 }],
  ])("%s", (_name, a, b, want) => {
    expect(mergeMaps(a, b)).toEqual(want);
  });

  it("leaves both inputs untouched", () => {
    const a = { x: { y: 1 } };
    const b = { x: { z: 2 } };
    mergeMaps(a, b);
    expect(a).toEqual({ x: { y: 1 } });
    expect(b).toEqual({ x: { z: 2 } });
  });
});

describe("valuesDigest", () => {
  it.each<[string, unknown, string]>([
    ["sorted keys", { b: 1, a: [true, null, "x"] }, '{"a":[true,null,"x"],"b":1}'],
    ["nested", { z: { y: 1, x: 2 } }, '{"z":{"x":2,"y":1}}'],
    ["integer-like keys by bytes", { b: 1, "10": 2, "9": 3 }, '{"10":2,"9":3,"b":1}'],
    ["bigint", { n: 9223372036854775807n }, '{"n":9223372036854775807}'],
    ["empty", {}, "{}"],
  ])("canonical JSON: %s", (_name, value, want) => {
    expect(canonicalJson(value)).toBe(want);
  });

  it("ignores key order and sees value changes", () => {
    expect(valuesDigest({ a: 1, b: { c: 2, d: 3 } })).toBe(valuesDigest({ b: { d: 3, c: 2 }, a: 1 }));
    expect(valuesDigest({ a: 1 })).not.toBe(valuesDigest({ a: "1" }));
    expect(valuesDigest({})).toBe("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  });
});

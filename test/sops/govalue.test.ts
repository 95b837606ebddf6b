import { describe, expect, it } from "vitest";
import { decryptValue } from "../../src/sops/cipher.js";
import {
  formatFloatF,
  formatFloatG,
  macBytes,
  parseYamlTimestamp,
  resolveYamlPlain,
  yamlStringNeedsQuotes,
} from "../../src/sops/govalue.js";
import { type CryptRules, goRegExp, shouldBeEncrypted } from "../../src/sops/rules.js";
import { combineShares, splitSecret } from "../../src/sops/shamir.js";
import { TestEncryptor } from "./support.js";

/** The Go behaviours the MAC depends on, as Go's strconv/time/go-yaml v3 produce them. */

describe("strconv.FormatFloat", () => {
  it.each([
    [0, "0"],
    [-0, "-0"],
    [1, "1"],
    [0.5, "0.5"],
    [1234.56789, "1234.56789"],
    [1234568000, "1234568000"],
    [1e21, "1000000000000000000000"],
    [1.5e-7, "0.00000015"],
    [-2.25, "-2.25"],
    [0.1 + 0.2, "0.30000000000000004"],
    [Number.POSITIVE_INFINITY, "+Inf"],
    [Number.NEGATIVE_INFINITY, "-Inf"],
    [Number.NaN, "NaN"],
  ])("'f', -1 of %s is %s", (value, text) => expect(formatFloatF(value)).toBe(text));

  it.each([
    [100, "100"],
    [1234568000, "1.234568E+09"],
    [0.00001, "1E-05"],
    [123456, "123456"],
    [1234567, "1.234567E+06"],
  ])("'G', -1 of %s is %s", (value, text) => expect(formatFloatG(value)).toBe(text));
});

describe("go-yaml v3 scalar resolution, as hashed into the MAC", () => {
  it.each([
    ["hello", "str", "hello"],
    ["", "null", ""],
    ["~", "null", ""],
    ["true", "bool", "True"],
    ["False", "bool", "False"],
    ["yes", "str", "yes"],
    ["on", "str", "on"],
    ["42", "int", "42"],
    ["+42", "int", "42"],
    ["-0x1F", "int", "-31"],
    ["0o17", "int", "15"],
    ["017", "int", "15"],
    ["0b101", "int", "5"],
    ["1_000", "int", "1000"],
    ["08", "float", "8"],
    ["9223372036854775807", "int", "9223372036854775807"],
    ["18446744073709551615", "int", "18446744073709551615"],
    ["1.0", "float", "1"],
    [".5", "float", "0.5"],
    ["1e3", "float", "1000"],
    ["-.inf", "float", "-Inf"],
    [".NaN", "float", "NaN"],
    ["1e400", "str", "1e400"],
    ["2020-01-01", "time", "2020-01-01T00:00:00Z"],
    ["2001-12-14t21:59:43.10-05:00", "time", "2001-12-14T21:59:43.1-05:00"],
    ["2001-12-14 21:59:43.10", "time", "2001-12-14T21:59:43.1Z"],
    ["2020-02-30", "str", "2020-02-30"],
    ["2020-01-01T10:00:00", "str", "2020-01-01T10:00:00"],
    ["12:30", "str", "12:30"],
    ["<<", "str", "<<"],
  ])("%j reads as %s, hashed as %j", (text, kind, hashed) => {
    const value = resolveYamlPlain(text);
    expect(value.kind).toBe(kind);
    expect(Buffer.from(macBytes(value)).toString()).toBe(hashed);
  });

  it.each([
    ["2024-02-29", "2024-02-29T00:00:00Z"],
    ["2023-02-29", undefined],
    ["2020-1-2T3:4:5Z", "2020-01-02T03:04:05Z"],
    ["2020-01-02T03:04:05+00:00", "2020-01-02T03:04:05Z"],
    ["2020-01-02T03:04:05.123456789123+02:00", "2020-01-02T03:04:05.123456789+02:00"],
    ["2020-01-02 03:04:05Z", undefined],
  ])("timestamp %s", (text, expected) => expect(parseYamlTimestamp(text)).toBe(expected));

  it.each([
    ["plain", false],
    ["0123", true],
    ["y", true],
    ["No", true],
    ["null", true],
    ["", true],
    ["1:20", true],
    ["2020-01-01", true],
    ["3.1.4", false],
  ])("the string %j needs quotes: %s", (text, quoted) => expect(yamlStringNeedsQuotes(text)).toBe(quoted));
});

describe("value types", () => {
  const enc = new TestEncryptor();
  it.each([
    ["str", "text", { kind: "str", value: "text" }],
    ["int", "-12", { kind: "int", value: -12n }],
    ["float", "2.50", { kind: "float", value: 2.5 }],
    ["bool", "T", { kind: "bool", value: true }],
    ["bool", "False", { kind: "bool", value: false }],
    ["comment", " note", { kind: "comment", value: " note" }],
    ["time", "2020-01-01T00:00:00Z", { kind: "time", value: "2020-01-01T00:00:00Z" }],
  ])("type:%s %j", (type, plain, expected) => {
    expect(decryptValue(enc.value(plain, "p:", type), enc.dataKey, "p:")).toMatchObject(expected);
  });

  it.each([
    ["int", "1.5", "has type int but its plaintext is not an integer"],
    ["bool", "yes", "has type bool but its plaintext is not a boolean"],
    ["nope", "x", 'has an unknown type "nope"'],
  ])("type:%s %j is refused", (type, plain, message) => {
    expect(() => decryptValue(enc.value(plain, "p:", type), enc.dataKey, "p:")).toThrow(message);
  });

  it("an empty value stays empty (sops does not encrypt empty strings)", () => {
    expect(decryptValue("", enc.dataKey, "p:")).toEqual({ kind: "str", value: "" });
  });
});

describe("crypt rules", () => {
  const rules = { encryptedCommentRegex: /sops:enc/ };
  it.each<[CryptRules, string[], string[][], boolean]>([
    [{ unencryptedSuffix: "_u" }, ["a", "b_u", "c"], [], false],
    [{ unencryptedSuffix: "_u" }, ["a", "b"], [], true],
    [{ encryptedSuffix: "_e" }, ["a_e", "b"], [], true],
    [{ encryptedSuffix: "_e" }, ["a", "b"], [], false],
    [{ encryptedRegex: /^(data|stringData)$/ }, ["stringData", "key"], [], true],
    [{ encryptedRegex: /^(data|stringData)$/ }, ["metadata", "name"], [], false],
    [{ unencryptedRegex: /^pub/ }, ["public"], [], false],
    [{ unencryptedCommentRegex: /keep/ }, ["x"], [["keep me"]], false],
    [rules, ["x"], [[" sops:enc"], []], true],
    [rules, ["x"], [[], []], false],
  ])("%o at %j with comments %j → %s", (rule, path, stack, expected) => {
    expect(shouldBeEncrypted(rule, path, stack, false)).toBe(expected);
  });

  it("a matching comment line itself stays clear, the ones after it do not", () => {
    expect(shouldBeEncrypted(rules, [], [["sops:enc"]], true)).toBe(false);
    expect(shouldBeEncrypted(rules, [], [["sops:enc", "next"]], true)).toBe(true);
  });

  it("reads Go's inline flags and anchors", () => {
    expect(goRegExp("(?i)^DATA\\z", "encrypted_regex").test("data")).toBe(true);
    expect(() => goRegExp("(", "encrypted_regex", "f.yaml")).toThrow(
      "f.yaml: the SOPS metadata field encrypted_regex is not a valid regular expression",
    );
  });
});

describe("Shamir shares", () => {
  it.each([
    [2, 2],
    [3, 2],
    [5, 3],
  ])("%i shares, threshold %i: any threshold of them rebuild the secret", (parts, threshold) => {
    const secret = new Uint8Array(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff));
    let seed = 7;
    const shares = splitSecret(secret, parts, threshold, (n) =>
      Uint8Array.from({ length: n }, () => (seed = (seed * 131 + 17) & 0xff)),
    );
    expect(combineShares(shares.slice(0, threshold))).toEqual(secret);
    expect(combineShares(shares.slice(parts - threshold))).toEqual(secret);
    if (threshold > 2) expect(combineShares(shares.slice(0, threshold - 1))).not.toEqual(secret);
  });

  it("matches HashiCorp's scheme (byte values, x coordinate last)", () => {
    // Shares of [0x2a] for the polynomial 0x2a + 0x03·x over GF(2^8): f(1) = 0x29, f(2) = 0x2c.
    expect(combineShares([Uint8Array.of(0x29, 1), Uint8Array.of(0x2c, 2)])).toEqual(Uint8Array.of(0x2a));
    expect(() => combineShares([Uint8Array.of(1, 1), Uint8Array.of(2, 1)])).toThrow("duplicate share");
  });
});

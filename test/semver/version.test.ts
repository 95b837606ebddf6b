/**
 * Strict versions as Flux's image policy reads tags (Masterminds' StrictNewVersion plus one optional
 * `v`), and SemVer precedence (Masterminds' Compare).
 */
import { describe, expect, it } from "vitest";
import { compareVersions, parseVersion } from "../../src/semver/index.js";

const version = (text: string) => {
  const parsed = parseVersion(text);
  if (!parsed) throw new Error(`${text} should parse`);
  return parsed;
};

describe("parseVersion", () => {
  // Masterminds' TestStrictNewVersion, with Flux's `v` prefix allowed.
  it.each([
    ["1.2.3", true],
    ["v1.2.3", true],
    ["1.2.3-alpha.01", false],
    ["1.2.3+test.01", true],
    ["1.2.3-alpha.-1", true],
    ["1.0", false],
    ["v1.0", false],
    ["1", false],
    ["v1", false],
    ["1.2", false],
    ["1.2.beta", false],
    ["v1.2.beta", false],
    ["foo", false],
    ["1.2-5", false],
    ["v1.2-5", false],
    ["1.2-beta.5", false],
    ["\n1.2", false],
    ["1.2.0-x.Y.0+metadata", true],
    ["v1.2.0-x.Y.0+metadata", true],
    ["1.2.0-x.Y.0+metadata-width-hypen", true],
    ["1.2.3-rc1-with-hypen", true],
    ["1.2.3-0abc123", true],
    ["1.2.3-beta.01", false],
    ["1.2.3.4", false],
    ["v1.2.3.4", false],
    ["1.2.2147483648", true],
    ["1.2147483648.3", true],
    ["2147483648.3.0", true],
    ["20221209-update-renovatejson-v4", false],
    ["1.1.2+.123", false],
    ["1.0.0-alpha_beta", false],
    ["1.0.0-alpha..", false],
    ["1.0.0-alpha..1", false],
    ["01.1.1", false],
    ["1.01.1", false],
    ["1.1.01", false],
    ["9.8.7+meta+meta", false],
    ["1.2.31----RC-SNAPSHOT.12.09.1--.12+788", false],
    ["1.2.3-0123", false],
    ["1.2.3-0123.0123", false],
    ["+invalid", false],
    ["-invalid", false],
    ["alpha+beta", false],
    ["1.2.3-alpha_beta+foo", false],
    // Ferry's own: one lowercase v only, no spaces, uint64 bounds, empty parts.
    ["vv1.2.3", false],
    ["V1.2.3", false],
    [" 1.2.3", false],
    ["1.2.3 ", false],
    ["", false],
    ["v", false],
    ["1..3", false],
    ["1.2.", false],
    ["1.2.3-", false],
    ["1.2.3+", false],
    ["18446744073709551615.0.0", true],
    ["18446744073709551616.0.0", false],
    ["0.0.0", true],
    ["1.2.3-rc.1+build.5", true],
    ["1.2.3+build-1.2-x", true],
  ])("%j → %s", (text, ok) => {
    expect(parseVersion(text) !== undefined).toBe(ok);
  });

  it("splits the parts, keeps the original text (with its v) and the build metadata", () => {
    expect(parseVersion("v10.20.30-rc.1+build.5")).toEqual({
      major: 10n,
      minor: 20n,
      patch: 30n,
      prerelease: "rc.1",
      build: "build.5",
      original: "v10.20.30-rc.1+build.5",
    });
    expect(parseVersion("1.2.3+a-b")).toMatchObject({ prerelease: "", build: "a-b" });
    expect(parseVersion("18446744073709551615.0.0")?.major).toBe(18446744073709551615n);
  });
});

describe("compareVersions", () => {
  // Masterminds' TestCompare, written as strict three-part versions.
  it.each([
    ["1.2.3", "1.5.1", -1],
    ["2.2.3", "1.5.1", 1],
    ["2.2.3", "2.2.2", 1],
    ["3.2.0-beta", "3.2.0-beta", 0],
    ["1.3.0", "1.1.4", 1],
    ["4.2.0", "4.2.0-beta", 1],
    ["4.2.0-beta", "4.2.0", -1],
    ["4.2.0-alpha", "4.2.0-beta", -1],
    ["4.2.0-alpha", "4.2.0-alpha", 0],
    ["4.2.0-beta.2", "4.2.0-beta.1", 1],
    ["4.2.0-beta2", "4.2.0-beta1", 1],
    ["4.2.0-beta", "4.2.0-beta.2", -1],
    ["4.2.0-beta", "4.2.0-beta.foo", -1],
    ["4.2.0-beta.2", "4.2.0-beta", 1],
    ["4.2.0-beta.foo", "4.2.0-beta", 1],
    ["1.2.0+bar", "1.2.0+baz", 0],
    ["1.0.0-beta.4", "1.0.0-beta.-2", -1],
    ["1.0.0-beta.-2", "1.0.0-beta.-3", -1],
    ["1.0.0-beta.-3", "1.0.0-beta.5", 1],
    // Ferry's own: numbers compare as numbers, the v is not part of the version, uint64 parts.
    ["1.10.0", "1.9.0", 1],
    ["v1.2.3", "1.2.3", 0],
    ["1.0.0-rc.10", "1.0.0-rc.9", 1],
    ["1.0.0-rc.1+build.2", "1.0.0-rc.1+build.1", 0],
    ["18446744073709551615.0.0", "18446744073709551614.0.0", 1],
    // A numeric identifier past uint64 is compared as text (Masterminds' ParseUint fails on it).
    ["1.0.0-18446744073709551616", "1.0.0-9", 1],
    ["1.0.0-18446744073709551616", "1.0.0-a", -1],
  ])("%s vs %s → %i", (a, b, expected) => {
    expect(compareVersions(version(a), version(b))).toBe(expected);
    expect(compareVersions(version(b), version(a))).toBe(-expected || 0);
  });

  it("orders SemVer 2's precedence example", () => {
    const ordered = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "2.0.0",
      "2.1.0",
      "2.1.1",
    ];
    const shuffled = [...ordered].reverse();
    shuffled.sort((a, b) => compareVersions(version(a), version(b)));
    expect(shuffled).toEqual(ordered);
  });
});

/**
 * ImagePolicy tag selection. The tables reproduce image-reflector-controller's own tests
 * (internal/policy/{semver,alphabetical,numerical,filter}_test.go and the controller tests), then
 * Ferry's edge cases.
 */
import { describe, expect, it } from "vitest";
import {
  compileTagFilter,
  PolicyError,
  type PolicyErrorReason,
  selectLatestTag,
  type TagPolicySpec,
} from "../../../src/images/policy/index.js";

const semver = (range: string): TagPolicySpec => ({ policy: { semver: { range } } });
const alphabetical = (order?: "asc" | "desc"): TagPolicySpec => ({ policy: { alphabetical: { order } } });
const numerical = (order?: "asc" | "desc"): TagPolicySpec => ({ policy: { numerical: { order } } });

function failure(spec: TagPolicySpec, tags: readonly string[]): PolicyError {
  try {
    selectLatestTag(spec, tags);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error("expected a PolicyError");
}

/** The list, reversed and rotated: Flux's numerical tests shuffle their lists. */
const orders = (tags: string[]) => [tags, [...tags].reverse(), [...tags.slice(3), ...tags.slice(0, 3)]];

describe("semver policy (Flux's semver_test.go)", () => {
  it.each([
    ["1.0.x", ["1.0.0", "1.0.0.1", "1.0.0p", "1.0.1", "1.2.0", "0.1.0"], "1.0.1"],
    ["1.0.x", ["v1.2.3", "v1.0.0", "v0.1.0"], "v1.0.0"],
  ])("%j of %j → %j", (range, tags, expected) => {
    expect(selectLatestTag(semver(range), tags)).toBe(expected);
  });

  it.each([
    ["no version at all", ["b1.2.3", "b1.0.0", "b0.1.0"], "no-match"],
    ["an empty list", [], "no-tags"],
    ["no version in range", ["1.2.0"], "no-match"],
  ] as const)("fails on %s", (_, tags, reason) => {
    expect(failure(semver("1.0.x"), tags).reason).toBe(reason);
  });

  it.each(["1.0.0p", "1x", "x1", "-1", "a", "", "*-*"])("refuses the range %j", (range) => {
    const error = failure(semver(range), ["1.0.0"]);
    expect(error.reason).toBe("invalid");
    expect(error.message).toContain(`policy.semver.range: invalid semver range ${JSON.stringify(range)}`);
  });

  it.each(["1.0.x", "^1.0", "=1.0.0", "~1.0", ">=1.0", ">0,<2.0"])("accepts the range %j", (range) => {
    expect(selectLatestTag(semver(range), ["1.0.0"])).toBe("1.0.0");
  });
});

describe("semver policy (Flux's controller tests)", () => {
  it.each([
    ["1.0.x", ["1.0.0", "2.0.0", "1.0.1", "1.2.0"], "1.0.1"],
    ["v1.0.x", ["v1.0.0", "v2.0.0", "v1.0.1", "v1.2.0"], "v1.0.1"],
    ["v1.0.x", ["1.0.0", "2.0.0", "1.0.1", "1.2.0"], "1.0.1"],
    ["1.0.x", ["v1.0.0", "v2.0.0", "v1.0.1", "v1.2.0"], "v1.0.1"],
    ["1.0.x", ["0.1.0", "0.1.1", "0.2.0", "1.0.0", "1.0.1", "1.0.2", "1.1.0-alpha"], "1.0.2"],
    ["1.x", ["1.0.1", "1.0.2", "1.1.0-alpha"], "1.0.2"],
  ])("%j of %j → %j", (range, tags, expected) => {
    expect(selectLatestTag(semver(range), tags)).toBe(expected);
  });
});

describe("alphabetical policy (Flux's alphabetical_test.go)", () => {
  const calver = ["16.04", "16.04.1", "16.10", "20.04", "20.10"];
  const codenames = ["xenial", "yakkety", "zesty", "artful", "bionic"];
  const timestamps = ["1606234201", "1606364286", "1606334092", "1606334284", "1606334201"];
  const rfc3339 = [
    "2021-01-08T21-18-21Z",
    "2020-05-08T21-18-21Z",
    "2021-01-08T19-20-00Z",
    "1990-01-08T00-20-00Z",
    "2023-05-08T00-20-00Z",
  ];
  it.each([
    [calver, undefined, "20.10"],
    [calver, "desc", "16.04"],
    [codenames, undefined, "zesty"],
    [codenames, "desc", "artful"],
    [timestamps, undefined, "1606364286"],
    [timestamps, "desc", "1606234201"],
    [timestamps.map((t) => `rel-${t}`), undefined, "rel-1606364286"],
    [rfc3339, "asc", "2023-05-08T00-20-00Z"],
    [rfc3339, "desc", "1990-01-08T00-20-00Z"],
  ] as const)("%j %s → %j", (tags, order, expected) => {
    expect(selectLatestTag(alphabetical(order), tags)).toBe(expected);
  });

  it("fails on an empty list", () => {
    expect(failure(alphabetical(), []).reason).toBe("no-tags");
  });
});

describe("numerical policy (Flux's numerical_test.go)", () => {
  it.each([
    [["-62", "-88", "73", "72", "15", "16", "15", "29", "-33", "-91"], "asc", "73"],
    [["5", "-8", "-78", "25", "70", "-4", "80", "92", "-20", "-24"], "desc", "-78"],
    [
      [
        "47.40896403322944",
        "-27.8520927455902",
        "-27.930666514224427",
        "-31.352485948094568",
        "-50.41072694704882",
        "-21.962849842263736",
        "24.71884721436865",
        "-39.99177354004344",
        "53.47333823144817",
        "3.2008658570411086",
      ],
      "asc",
      "53.47333823144817",
    ],
    [
      [
        "-65.27202780220686",
        "57.82948329142309",
        "22.40184684363291",
        "-86.36934305697784",
        "-90.29082099756083",
        "-12.041712603564264",
        "77.70488240399305",
        "-38.98425003883552",
        "16.06867070412028",
        "53.735674335181216",
      ],
      "desc",
      "-90.29082099756083",
    ],
    [["1606234201", "1606364286", "1606334092", "1606334284", "1606334201"], "asc", "1606364286"],
    [["1606234201", "1606364286", "1606334092", "1606334284", "1606334201"], "desc", "1606234201"],
  ] as const)("%j %s → %j, in any order", (tags, order, expected) => {
    for (const list of orders([...tags])) expect(selectLatestTag(numerical(order), list)).toBe(expected);
  });

  it.each([
    ["asc", "1"],
    ["desc", "1"],
  ] as const)("a single value, %s", (order, expected) => {
    expect(selectLatestTag(numerical(order), ["1"])).toBe(expected);
  });

  it("fails on a value that is not a number, naming it", () => {
    const error = failure(numerical(), ["0", "1a", "b"]);
    expect(error.reason).toBe("not-numeric");
    expect(error.message).toMatch(
      /^tag "1a" is not a number, and the numerical policy needs every tag to be one/,
    );
  });

  it("fails on an empty list", () => {
    expect(failure(numerical(), []).reason).toBe("no-tags");
  });
});

describe("filterTags (Flux's filter_test.go)", () => {
  const complex = [
    "123-123.123.abcd123-debug",
    "123-123.123.abcd123",
    "123-123.123.abcd456-debug",
    "123-123.123.abcd456",
  ];
  it.each([
    ["none", ["a"], "", "", ["a"]],
    ["valid pattern", ["ver1", "ver2", "ver3", "rel1"], "^ver", "", ["ver1", "ver2", "ver3"]],
    [
      "valid pattern with capture group",
      ["ver1", "ver2", "ver3", "rel1"],
      "ver(\\d+)",
      "$1",
      ["1", "2", "3"],
    ],
    [
      "complex regex 1",
      complex,
      "^(123-[0-9]+\\.[0-9]+\\.[a-z0-9]+-debug)",
      "",
      ["123-123.123.abcd123-debug", "123-123.123.abcd456-debug"],
    ],
    [
      "complex regex 2",
      complex,
      "^(?P<tag>123-[0-9]+\\.[0-9]+\\.[a-z0-9]+[^-debug])",
      "$tag",
      ["123-123.123.abcd123", "123-123.123.abcd456"],
    ],
    [
      "complex regex 3",
      complex,
      "^(?P<tag>123-[0-9]+\\.[0-9]+\\.[a-z0-9]+$)",
      "$tag",
      ["123-123.123.abcd123", "123-123.123.abcd456"],
    ],
  ])("%s", (_, tags, pattern, extract, expected) => {
    const filter = compileTagFilter({ pattern, extract });
    const items = [...new Set(tags.map(filter).filter((item) => item !== undefined))].sort();
    expect(items).toEqual(expected);
  });
});

describe("filterTags with a policy (Flux's controller tests)", () => {
  it.each([
    [
      "numerical on an extracted rc number",
      {
        policy: { numerical: { order: "asc" } },
        filterTags: { pattern: "1.0.0-rc\\.(?P<num>[0-9]+)", extract: "$num" },
      },
      ["1.0.0", "1.0.0-rc.1", "1.0.0-rc.2", "1.0.0-rc.3", "1.0.1-rc.2"],
      "1.0.0-rc.3",
    ],
    [
      "alphabetical on an extracted word",
      {
        policy: { alphabetical: { order: "asc" } },
        filterTags: { pattern: "foo-(?P<word>[a-z]+)", extract: "$word" },
      },
      ["foo-aaa", "bar-bbb", "foo-zzz", "baz-nnn", "foo-ooo"],
      "foo-zzz",
    ],
    [
      "semver on the part after a prefix",
      { policy: { semver: { range: ">=0.x" } }, filterTags: { pattern: "^test-(.*)$", extract: "$1" } },
      ["test-0.1.0", "test-0.1.1", "dev-0.2.0", "1.0.0", "1.0.1", "1.0.2", "1.1.0-alpha"],
      "test-0.1.1",
    ],
    [
      "a pattern without extract",
      { policy: { semver: { range: "6.7.x" } }, filterTags: { pattern: "^6\\.7\\.\\d+$" } },
      ["6.6.0", "6.7.0", "6.7.1", "6.8.0"],
      "6.7.1",
    ],
    [
      "the ImageRepository's exclusion list before the filter",
      {
        policy: { semver: { range: "6.7.x" } },
        filterTags: { pattern: "^6\\.7\\.\\d+$" },
        exclusionList: ["^6\\.7\\.1$"],
      },
      ["6.6.0", "6.7.0", "6.7.1", "6.8.0"],
      "6.7.0",
    ],
  ] satisfies [string, TagPolicySpec, string[], string][])("%s", (_, spec, tags, expected) => {
    expect(selectLatestTag(spec, tags)).toBe(expected);
  });

  it.each([
    ["^test-(.*", 'filterTags.pattern "^test-(.*" is not a valid Go regular expression: missing closing )'],
    ["[=", 'filterTags.pattern "[=" is not a valid Go regular expression: missing closing ] [='],
  ])("refuses the invalid pattern %j", (pattern, message) => {
    const error = failure({ ...semver(">=0.x"), filterTags: { pattern, extract: "$1" } }, ["test-0.1.0"]);
    expect(error.reason).toBe("invalid");
    expect(error.message).toBe(message);
  });
});

describe("Ferry's edge cases", () => {
  it.each([
    ["keeps the v of the tag it returns", semver("^1.0"), ["1.0.0", "v1.2.0", "1.1.0"], "v1.2.0"],
    ["of equal versions keeps the first seen", semver("*"), ["1.0.0+b", "v1.0.0", "1.0.0+a"], "1.0.0+b"],
    ["ignores build metadata in precedence", semver("*"), ["1.0.0+zzz", "1.0.1+aaa"], "1.0.1+aaa"],
    [
      "admits prereleases only through a group that names one",
      semver(">=2.0.0 || >=1.0.0-0 <1.1.0"),
      ["1.0.1-rc.1", "2.1.0-rc.1", "1.2.0"],
      "1.0.1-rc.1",
    ],
    ["!= with a prerelease", semver(">=1.0.0-0 !=1.1.0-rc.2"), ["1.1.0-rc.1", "1.1.0-rc.2"], "1.1.0-rc.1"],
    [
      "extracts with a named group and returns the original tag",
      {
        ...semver("^2"),
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's Expand syntax, not a template
        filterTags: { pattern: "^app-(?P<version>v?\\d+\\.\\d+\\.\\d+)-\\d+$", extract: "${version}" },
      },
      ["app-v2.1.0-7", "app-2.3.0-8", "app-3.0.0-9", "other-2.9.0-1"],
      "app-2.3.0-8",
    ],
    [
      "when two tags extract the same value, the last one stands for it (as Flux's map)",
      { ...numerical(), filterTags: { pattern: "^build-(\\d+)", extract: "$1" } },
      ["build-7-a", "build-7-b", "build-3"],
      "build-7-b",
    ],
    ["numerical: of equal numbers the last wins", numerical(), ["1", "1.0", "01", "0.5"], "01"],
    ["numerical: NaN is replaced by what follows it (Go's comparisons)", numerical(), ["5", "NaN", "3"], "3"],
    ["numerical: Go's number syntax", numerical(), ["1_000", "0x1p4", "999.5"], "1_000"],
    ["alphabetical: byte-wise, upper case first", alphabetical("desc"), ["b", "B", "a"], "B"],
    ["drops cosign signatures by default", alphabetical(), ["sha256-ffff.sig", "v1", "v2"], "v2"],
    [
      "an empty exclusion list means the default",
      { ...alphabetical(), exclusionList: [] },
      ["sha256-ffff.sig", "v1"],
      "v1",
    ],
    [
      "a custom exclusion list replaces the default (unanchored)",
      { ...alphabetical(), exclusionList: ["rc", "^latest$"] },
      ["latest", "v1-rc1", "v0", "z.sig"],
      "z.sig",
    ],
    [
      "an order is read in any case, as Flux upper-cases it",
      { policy: { alphabetical: { order: "DESC" as "desc" } } },
      ["b", "a"],
      "a",
    ],
    [
      "semver comes first when several policies are set",
      { policy: { semver: { range: "1.x" }, alphabetical: { order: "asc" } } },
      ["1.0.0", "zzz"],
      "1.0.0",
    ],
  ] satisfies [string, TagPolicySpec, string[], string][])("%s", (_, spec, tags, expected) => {
    expect(selectLatestTag(spec, tags)).toBe(expected);
  });

  it.each([
    ["an empty tag list", semver("*"), [], "no-tags", "the image repository has no tags"],
    [
      "every tag excluded",
      semver("*"),
      ["a.sig", "b.sig"],
      "no-tags",
      'all 2 tags match the exclusion list ("^.*\\\\.sig$")',
    ],
    [
      "no tag matching filterTags",
      { ...semver("*"), filterTags: { pattern: "^v" } },
      ["1.0.0"],
      "no-tags",
      'none of the 1 tag matches filterTags.pattern "^v"',
    ],
    [
      "no tag in range",
      semver("2.x"),
      ["1.0.0", "latest"],
      "no-match",
      'none of the 2 tags is a version in the range "2.x"',
    ],
    [
      "no extracted value in range",
      { ...semver("2.x"), filterTags: { pattern: "^v(.*)", extract: "$1" } },
      ["v1.0.0"],
      "no-match",
      'none of the 1 value extracted by filterTags is a version in the range "2.x"',
    ],
    [
      "an extracted value that is not a number",
      { ...numerical(), filterTags: { pattern: "-(.*)$", extract: "$1" } },
      ["b-12", "b-x1"],
      "not-numeric",
      '"x1" (extracted from tag "b-x1") is not a number',
    ],
    [
      "no policy",
      { policy: {} },
      ["1"],
      "invalid",
      "policy must set one of semver, alphabetical or numerical",
    ],
    [
      "an unknown order",
      { policy: { numerical: { order: "up" as "asc" } } },
      ["1"],
      "invalid",
      'policy.numerical.order must be asc or desc, not "up"',
    ],
    [
      "an invalid exclusion pattern",
      { ...semver("*"), exclusionList: ["ok", "(?=x)"] },
      ["1.0.0"],
      "invalid",
      'exclusionList[1] "(?=x)" is not a valid Go regular expression',
    ],
  ] satisfies [string, TagPolicySpec, string[], PolicyErrorReason, string][])(
    "fails on %s",
    (_, spec, tags, reason, message) => {
      const error = failure(spec, tags);
      expect(error.reason).toBe(reason);
      expect(error.message).toContain(message);
    },
  );

  it("refuses an invalid policy even when there are no tags", () => {
    expect(failure(semver("1x"), []).reason).toBe("invalid");
  });
});

import { describe, expect, it } from "vitest";
import {
  type ChartIndex,
  type ChartVersion,
  resolveChartVersion,
} from "../../../src/helm/chart-source/index.js";

const now = Date.parse("2024-05-01T12:00:00Z");
const minute = 60_000;

function index(entries: Record<string, Partial<ChartVersion>[]>): ChartIndex {
  return {
    source: "https://charts.example.com/index.yaml",
    apiVersion: "v1",
    entries: new Map(
      Object.entries(entries).map(([name, list]) => [
        name,
        list.map((entry) => ({ name, version: "", urls: [`${name}-${entry.version}.tgz`], ...entry })),
      ]),
    ),
  };
}

// The versions of source-controller's TestChartRepository_GetChartVersion.
const flux = index({
  chart: [
    { version: "0.0.1" },
    { version: "0.1.0" },
    { version: "0.1.1" },
    { version: "0.1.5+b.min.minute", created: now - minute },
    { version: "0.1.5+a.min.hour", created: now - 60 * minute },
    { version: "0.1.5+c.now", created: now },
    { version: "0.2.0" },
    { version: "1.0.0" },
    { version: "1.1.0-rc.1" },
  ],
});

describe("resolveChartVersion: Flux's table", () => {
  it.each<[string, string | undefined, string]>([
    ["exact match", "0.0.1", "0.0.1"],
    ["stable version (no version)", undefined, "1.0.0"],
    ["stable version (empty)", "", "1.0.0"],
    ["stable version (asterisk)", "*", "1.0.0"],
    ["semver range", "<1.0.0", "0.2.0"],
    ["match newest if ambiguous", "0.1.5", "0.1.5+c.now"],
  ])("%s: %j → %s", (_name, version, want) => {
    const entry = resolveChartVersion(flux, "chart", version);
    expect(entry.name).toBe("chart");
    expect(entry.version).toBe(want);
  });

  it("an unfulfilled range names the range and the newest versions", () => {
    expect(() => resolveChartVersion(flux, "chart", ">2.0.0")).toThrow(
      expect.objectContaining({
        reason: "no-matching-version",
        message:
          'no version of chart "chart" in https://charts.example.com/index.yaml matches ">2.0.0" ' +
          "(the newest are 1.1.0-rc.1, 1.0.0, 0.2.0, 0.1.5+b.min.minute, 0.1.5+a.min.hour)",
      }),
    );
  });

  it("a chart not in the index is named, with the charts the index has", () => {
    expect(() => resolveChartVersion(flux, "non-existing")).toThrow(
      expect.objectContaining({
        reason: "chart-not-found",
        message: expect.stringContaining(
          'chart "non-existing" is not in the index of https://charts.example.com/index.yaml (it has chart)',
        ),
      }),
    );
  });
});

describe("resolveChartVersion: more cases", () => {
  const mixed = index({
    app: [
      { version: "1.0" },
      { version: "1.0.7" },
      { version: "v1.2.0" },
      { version: "1.3.0.1" },
      { version: "latest" },
      { version: "2.0.0-beta.1" },
      { version: "1.1.0+first" },
      { version: "1.1.0+second" },
      { version: "1.1.1+old", created: now - minute },
      { version: "1.1.1+new", created: now },
      { version: "1.1.1+undated" },
    ],
  });

  it.each<[string, string | undefined, string]>([
    ["an exact non-semver string wins", "latest", "latest"],
    ["an exact two-part version wins", "1.0", "1.0"],
    ["a two-part range matches three-part versions only", "~1.0", "1.0.7"],
    ["a v prefix counts", "^1.2", "v1.2.0"],
    ["four parts do not count", ">=1.2.0", "v1.2.0"],
    ["no version leaves prereleases out", undefined, "v1.2.0"],
    ["a prerelease range admits them", ">=2.0.0-0", "2.0.0-beta.1"],
    ["an exact build-metadata version beats a newer equal one", "1.1.1+old", "1.1.1+old"],
    ["equal versions: the newest created wins, undated counts as oldest", "1.1.1", "1.1.1+new"],
    ["equal versions without dates: the first in the index wins", "1.1.0", "1.1.0+first"],
    ["a range with commas", ">=1.0.0, <1.1.0", "1.0.7"],
  ])("%s: %j → %s", (_name, version, want) => {
    expect(resolveChartVersion(mixed, "app", version).version).toBe(want);
  });

  it("an invalid range that is not a version either says so", () => {
    expect(() => resolveChartVersion(mixed, "app", "one.two")).toThrow(
      expect.objectContaining({
        reason: "bad-version-range",
        message: expect.stringContaining('no version "one.two"'),
      }),
    );
  });

  it("only prereleases: the message hints at a prerelease range", () => {
    const pre = index({ app: [{ version: "1.0.0-rc.1" }, { version: "1.0.0-rc.2" }] });
    expect(() => resolveChartVersion(pre, "app")).toThrow(
      expect.objectContaining({
        reason: "no-matching-version",
        message: expect.stringMatching(
          /matches "\*" \(the newest are 1\.0\.0-rc\.2, 1\.0\.0-rc\.1\).*>=0\.0\.0-0/,
        ),
      }),
    );
  });

  it("no semver versions at all", () => {
    const odd = index({ app: [{ version: "latest" }, { version: "1.0" }] });
    expect(() => resolveChartVersion(odd, "app", "1.x")).toThrow(/none of its versions is a semver version/);
  });

  it("a chart listed without versions", () => {
    expect(() => resolveChartVersion(index({ app: [] }), "app")).toThrow(
      expect.objectContaining({
        reason: "chart-not-found",
        message: expect.stringContaining("without any versions"),
      }),
    );
  });

  it("an empty index", () => {
    expect(() => resolveChartVersion(index({}), "app")).toThrow(/the index has no charts/);
  });

  it("chart names are not object keys", () => {
    expect(() => resolveChartVersion(index({ app: [{ version: "1.0.0" }] }), "__proto__")).toThrow(
      expect.objectContaining({ reason: "chart-not-found" }),
    );
  });
});

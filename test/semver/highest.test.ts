import { describe, expect, it } from "vitest";
import { highestMatching, parseConstraint } from "../../src/semver/index.js";

const highest = (range: string, texts: string[]) =>
  highestMatching(texts, parseConstraint(range), (text) => text);

describe("highestMatching", () => {
  it.each([
    ["the highest in range", "1.0.x", ["1.0.0", "1.0.2", "1.0.1", "1.1.0"], "1.0.2"],
    ["non-versions are skipped", "*", ["latest", "1.2", "1.2.3.4", "v2.0.0", "main"], "v2.0.0"],
    ["of equal versions the first wins", "*", ["1.0.0+b", "1.0.0+a", "v1.0.0"], "1.0.0+b"],
    ["a release outranks its prereleases", ">=1.0.0-0", ["1.0.0-rc.2", "1.0.0", "1.0.0-rc.3"], "1.0.0"],
    ["prereleases only when the range asks", ">=1.0.0", ["1.0.0", "1.1.0-rc.1"], "1.0.0"],
    ["none in range", "2.x", ["1.0.0", "3.0.0"], undefined],
    ["no items", "*", [], undefined],
  ])("%s", (_, range, texts, expected) => {
    expect(highest(range, texts)).toBe(expected);
  });

  it("returns the item, read through versionText", () => {
    const charts = [
      { name: "web", version: "1.2.0" },
      { name: "web", version: "1.10.0" },
      { name: "web", version: "2.0.0" },
    ];
    expect(highestMatching(charts, parseConstraint("^1.0.0"), (chart) => chart.version)).toBe(charts[1]);
  });
});

import { cp, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { localChart } from "../../../src/helm/chart-source/index.js";

const helloChart = fileURLToPath(new URL("../../fixtures/charts/hello", import.meta.url));

let work: string;
let repo: string;
beforeEach(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), "ferry-local-chart-")));
  repo = join(work, "repo");
  await cp(helloChart, join(repo, "charts", "hello"), { recursive: true });
  await cp(helloChart, join(work, "outside"), { recursive: true });
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function chartYaml(dir: string, text: string): Promise<void> {
  await mkdir(join(repo, dir), { recursive: true });
  await writeFile(join(repo, dir, "Chart.yaml"), text);
}

describe("localChart", () => {
  it.each(["charts/hello", "./charts/hello", "/charts/hello", "charts/hello/", "charts/other/../hello"])(
    "reads %j",
    async (path) => {
      expect(await localChart(repo, path)).toEqual({
        name: "hello",
        version: "0.1.0",
        dir: join(repo, "charts", "hello"),
      });
    },
  );

  it("follows a symbolic link that stays inside the repository", async () => {
    await symlink(join(repo, "charts", "hello"), join(repo, "current"));
    expect((await localChart(repo, "current")).dir).toBe(join(repo, "charts", "hello"));
  });

  it("reads name and version from Chart.yaml, not from the folder name", async () => {
    await chartYaml("deploy/app", "apiVersion: v2\nname: web\nversion: 2.3.4-rc.1\n");
    expect(await localChart(repo, "deploy/app")).toMatchObject({ name: "web", version: "2.3.4-rc.1" });
  });

  it.each<[string, string, RegExp]>([
    ["an empty path", "", /^chart path "" is empty; set chart.spec.chart/],
    ["a path out of the repository", "../outside", /^chart path "\.\.\/outside" leaves the repository/],
    ["a path out through ..", "charts/../../outside", /leaves the repository/],
    ["a missing folder", "charts/missing", /^chart path "charts\/missing" does not exist in the repository/],
    ["a file", "charts/hello/values.yaml", /is a file; chart.spec.chart must name the chart's folder/],
    [
      "a folder without Chart.yaml",
      "charts/hello/templates",
      /has no Chart.yaml; is it a Helm chart folder\?/,
    ],
  ])("refuses %s", async (_name, path, message) => {
    await expect(localChart(repo, path)).rejects.toMatchObject({
      name: "ChartSourceError",
      reason: "bad-local-chart",
      message: expect.stringMatching(message),
    });
  });

  it("refuses a symbolic link out of the repository", async () => {
    await symlink(join(work, "outside"), join(repo, "charts", "escape"));
    await expect(localChart(repo, "charts/escape")).rejects.toThrow(
      /^chart path "charts\/escape" leads out of the repository through a symbolic link$/,
    );
  });

  it("refuses a Chart.yaml linked from outside the repository", async () => {
    await mkdir(join(repo, "charts", "linked"));
    await symlink(join(work, "outside", "Chart.yaml"), join(repo, "charts", "linked", "Chart.yaml"));
    await expect(localChart(repo, "charts/linked")).rejects.toThrow(
      /has a Chart.yaml that links out of the repository/,
    );
  });

  it.each<[string, string, RegExp]>([
    ["not YAML", "name: [a\n", /has a Chart.yaml that is not YAML/],
    ["a list", "- a\n", /has a Chart.yaml that is not a map/],
    ["no name", "apiVersion: v2\nversion: 1.0.0\n", /has a Chart.yaml without a name/],
    ["no version", "apiVersion: v2\nname: app\n", /has a Chart.yaml without a version/],
    [
      "a numeric version",
      "apiVersion: v2\nname: app\nversion: 1.0\n",
      /without a version \(a string; quote numbers/,
    ],
  ])("refuses a Chart.yaml that is %s", async (_name, text, message) => {
    await chartYaml("charts/bad", text);
    await expect(localChart(repo, "charts/bad")).rejects.toThrow(message);
  });
});

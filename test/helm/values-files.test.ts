/** `chart.spec.valuesFiles`: merged in order from a folder or a chart archive, escapes refused. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readValuesFiles } from "../../src/helm/values-files.js";
import { packageHello } from "../support/chart-server.js";

describe("readValuesFiles", () => {
  let dir: string;
  const repo = () => ({ folder: join(dir, "repo"), describe: "the repository" });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-values-files-"));
    await mkdir(join(dir, "repo", "charts", "web"), { recursive: true });
    await writeFile(
      join(dir, "repo", "charts", "web", "values.yaml"),
      "replicas: 1\nimage: {tag: '1.0'}\nports: [80]\n",
    );
    await writeFile(
      join(dir, "repo", "charts", "web", "values-prod.yaml"),
      "replicas: 3\nimage: {pullPolicy: Always}\nports: [443]\n",
    );
    await writeFile(join(dir, "outside.yaml"), "stolen: true\n");
    await symlink(join(dir, "outside.yaml"), join(dir, "repo", "charts", "web", "linked.yaml"));
    await writeFile(join(dir, "hello.tgz"), await packageHello("0.4.0"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("merges the files in order, maps deeply and lists replaced, the last one winning", async () => {
    expect(
      await readValuesFiles(["./charts/web/values.yaml", "charts/web/values-prod.yaml"], repo(), false),
    ).toEqual({ replicas: 3, image: { tag: "1.0", pullPolicy: "Always" }, ports: [443] });
  });

  it("reads a chart archive's files by their path in the chart", async () => {
    const values = await readValuesFiles(
      ["values.yaml"],
      { archive: join(dir, "hello.tgz"), describe: "chart hello@0.4.0" },
      false,
    );
    expect(values).toMatchObject({ replicas: 1 });
  });

  it("fails on a missing file, naming it and the fix, unless told to ignore it", async () => {
    await expect(readValuesFiles(["charts/web/values-qa.yaml"], repo(), false)).rejects.toThrow(
      "valuesFiles: charts/web/values-qa.yaml is not in the repository; fix the path (relative to the repository) or set ignoreMissingValuesFiles",
    );
    expect(
      await readValuesFiles(["charts/web/values-qa.yaml", "charts/web/values.yaml"], repo(), true),
    ).toMatchObject({
      replicas: 1,
    });
  });

  it("refuses paths and links that lead out of the source", async () => {
    await expect(readValuesFiles(["../outside.yaml"], repo(), false)).rejects.toThrow(
      "leads out of its source",
    );
    await expect(readValuesFiles(["charts/web/linked.yaml"], repo(), true)).rejects.toThrow(
      "links out of its source",
    );
  });
});

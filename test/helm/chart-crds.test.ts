/** Reading a chart's CRDs from its folder or archive, subcharts included, as helm gathers them. */
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, Header } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChartCrdError, chartCrds } from "../../src/helm/chart-crds.js";

const widgets = join(import.meta.dirname, "..", "fixtures", "helm-crds", "charts", "widgets");

describe("chartCrds", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-chart-crds-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const summary = (crds: Awaited<ReturnType<typeof chartCrds>>) =>
    crds.map((crd) => [crd.file, crd.object.metadata.name]);

  it("reads the chart's and its subcharts' crds/ from a folder, leaving out what is not a CRD", async () => {
    expect(summary(await chartCrds(widgets))).toEqual([
      ["crds/widgets.yaml", "widgets.example.com"],
      ["charts/gadgets/crds/gadgets.yaml", "gadgets.example.com"],
    ]);
  });

  it("reads an archive, with the subchart packed as an archive inside it", async () => {
    const work = join(dir, "packed");
    await cp(widgets, join(work, "widgets"), { recursive: true });
    const charts = join(work, "widgets", "charts");
    await create({ gzip: true, portable: true, cwd: charts, file: join(charts, "gadgets-0.1.0.tgz") }, [
      "gadgets",
    ]);
    await rm(join(charts, "gadgets"), { recursive: true });
    const archive = join(dir, "widgets-0.1.0.tgz");
    await create({ gzip: true, portable: true, cwd: work, file: archive }, ["widgets"]);
    expect(summary(await chartCrds(archive))).toEqual([
      ["crds/widgets.yaml", "widgets.example.com"],
      ["charts/gadgets-0.1.0.tgz/crds/gadgets.yaml", "gadgets.example.com"],
    ]);
  });

  it("refuses an archive entry that leaves the chart", async () => {
    const header = new Header({ path: "widgets/../../evil/crds/x.yaml", type: "File", size: 2, mode: 0o644 });
    header.encode();
    const block = Buffer.alloc(512);
    block.write("a\n");
    const archive = join(dir, "evil.tar");
    await writeFile(archive, Buffer.concat([header.block as Buffer, block, Buffer.alloc(1024)]));
    await expect(chartCrds(archive)).rejects.toThrow(ChartCrdError);
    await expect(chartCrds(archive)).rejects.toThrow(
      /has an entry outside the chart: "widgets\/\.\.\/\.\.\/evil/,
    );
  });

  it("names the file of a CRD that is not valid YAML", async () => {
    const chart = join(dir, "broken");
    await mkdir(join(chart, "crds"), { recursive: true });
    await writeFile(join(chart, "crds", "bad.yaml"), "kind: [unclosed\n");
    await expect(chartCrds(chart)).rejects.toThrow(/broken: crds\/bad\.yaml is not valid YAML/);
  });
});

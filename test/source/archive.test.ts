// The path rules behind the archive checks: resolving a path through the archive's own symbolic
// links as the kernel would, and the sizes quoted in messages.
import { describe, expect, it } from "vitest";
import { formatBytes, resolveInside } from "../../src/source/archive.js";

describe("resolveInside", () => {
  const links = new Map([
    ["deploy/root", ".."],
    ["deploy/up", "../.."],
    ["deploy/base", "../base"],
    ["deploy/sneaky", "root/.."],
    ["loop/a", "b"],
    ["loop/b", "a"],
    ["abs", "/etc"],
  ]);

  it("keeps a plain path inside", () => {
    expect(resolveInside(links, "deploy/app.yaml", true)).toEqual(["deploy", "app.yaml"]);
    expect(resolveInside(links, "deploy/../README.md", true)).toEqual(["README.md"]);
    expect(resolveInside(links, "./deploy//app.yaml", true)).toEqual(["deploy", "app.yaml"]);
  });

  it("refuses a path that climbs above the folder", () => {
    expect(resolveInside(links, "../x", true)).toBeUndefined();
    expect(resolveInside(links, "deploy/../../x", true)).toBeUndefined();
  });

  it("follows links inside the folder", () => {
    expect(resolveInside(links, "deploy/root/README.md", true)).toEqual(["README.md"]);
    expect(resolveInside(links, "deploy/base/kustomization.yaml", true)).toEqual([
      "base",
      "kustomization.yaml",
    ]);
  });

  it("sees through a link what a lexical check misses", () => {
    // Lexically deploy/sneaky/.. is deploy; through the links it is root/.. → above the folder.
    expect(resolveInside(links, "deploy/sneaky", true)).toBeUndefined();
    expect(resolveInside(links, "deploy/up", true)).toBeUndefined();
    expect(resolveInside(links, "deploy/root/..", true)).toBeUndefined();
  });

  it("refuses absolute targets and loops", () => {
    expect(resolveInside(links, "abs/passwd", true)).toBeUndefined();
    expect(resolveInside(links, "loop/a", true)).toBeUndefined();
  });

  it("leaves the last segment alone unless asked to follow it", () => {
    expect(resolveInside(links, "deploy/up", false)).toEqual(["deploy", "up"]);
    expect(resolveInside(links, "deploy/root", false)).toEqual(["deploy", "root"]);
    expect(resolveInside(links, "deploy/root", true)).toEqual([]);
  });
});

describe("formatBytes", () => {
  it("writes sizes as an operator sets them", () => {
    expect(formatBytes(4096)).toBe("4096 bytes");
    expect(formatBytes(200 * 1024 * 1024)).toBe("200 MB");
    expect(formatBytes(1.5 * 1024 * 1024)).toBe("1.5 MB");
  });
});

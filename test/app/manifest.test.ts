// app.yml: the GitHub App manifest that Probot's setup page posts to GitHub.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { root } from "../support/build.js";

describe("app.yml", () => {
  it("parses and names the app, its events and its permissions", async () => {
    const manifest = parse(await readFile(join(root, "app.yml"), "utf8"));
    expect(manifest).toMatchObject({
      name: "Ferry",
      url: "https://github.com/ferry-gitops/ferry",
      public: false,
    });
    expect(typeof manifest.description).toBe("string");
    expect(manifest.description.length).toBeGreaterThan(0);
    expect([...manifest.default_events].sort()).toEqual(
      ["check_run", "check_suite", "pull_request", "push", "registry_package"].sort(),
    );
    expect(manifest.default_permissions).toEqual({
      metadata: "read",
      contents: "write",
      checks: "write",
      pull_requests: "write",
      packages: "read",
    });
  });
});

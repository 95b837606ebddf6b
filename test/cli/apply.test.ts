/**
 * `ferry apply`, in process, against the test API server, on a copy of the `cli/shop` fixture:
 * the lines it prints, its exit codes, `--output json`, `--prune`, and option errors.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReconcileResult } from "../../src/model/result.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { type CliRun, runFerry } from "../support/cli.js";
import { ScratchRepo, writesSince } from "../support/fleet.js";

function ferry(args: string[], isTTY = false): Promise<CliRun> {
  return runFerry(args, { isTTY });
}

const SUMMARY =
  /^1 unit: (\d+) created, (\d+) configured, (\d+) unchanged, (\d+) deleted, (\d+) skipped in \d+\.\ds$/m;

const counts = (out: string) => {
  const match = SUMMARY.exec(out);
  if (!match) throw new Error(`no summary line in:\n${out}`);
  const [, created, configured, unchanged, deleted, skipped] = match.map(Number);
  return { created, configured, unchanged, deleted, skipped };
};

describe("ferry apply", () => {
  let server: KubeApiServer;
  let repo: ScratchRepo;
  let dir: string;
  let kubeconfig: string;

  const apply = (...extra: string[]) =>
    ferry(["apply", repo.path("app"), "--repo", repo.dir, "--kubeconfig", kubeconfig, ...extra]);

  beforeAll(async () => {
    server = await KubeApiServer.start();
    repo = await ScratchRepo.of("cli/shop");
    dir = await mkdtemp(join(tmpdir(), "ferry-cli-apply-"));
    kubeconfig = join(dir, "kubeconfig");
    await server.writeKubeconfig(kubeconfig);
  });

  afterAll(async () => {
    await server.stop();
    await repo.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates everything, one line per object under its unit, then a summary; exit 0", async () => {
    const { code, out, err } = await apply();
    expect(err).toBe("");
    expect(code).toBe(0);
    const lines = out.split("\n");
    expect(lines.slice(0, 6)).toEqual([
      "► ferry-system/app (app): succeeded",
      "Namespace/shop created",
      "ConfigMap/shop/extra created",
      "ConfigMap/shop/keep created",
      "ConfigMap/shop/settings created",
      "Secret/shop/credentials created",
    ]);
    expect(counts(out)).toEqual({ created: 5, configured: 0, unchanged: 0, deleted: 0, skipped: 0 });
    expect(out.endsWith("s\n")).toBe(true);

    expect(server.get("v1", "ConfigMap", "shop", "settings")?.data).toEqual({
      color: "blue",
      size: "medium",
    });
    expect(server.get("v1", "Secret", "shop", "credentials")?.metadata.labels).toEqual({
      "ferry.dev/name": "app",
      "ferry.dev/namespace": "ferry-system",
    });
    expect(server.get("v1", "ConfigMap", "ferry-system", "ferry-inventory.ferry-system.app")).toBeDefined();
  });

  it("prints unchanged for every object on a second run and writes nothing", async () => {
    const before = server.requests.length;
    const { code, out } = await apply();
    expect(code).toBe(0);
    expect(out).toContain("Namespace/shop unchanged\n");
    expect(out).toContain("ConfigMap/shop/settings unchanged\n");
    expect(out).toContain("Secret/shop/credentials unchanged\n");
    expect(out).not.toMatch(/ (created|configured)$/m);
    expect(counts(out)).toEqual({ created: 0, configured: 0, unchanged: 5, deleted: 0, skipped: 0 });
    expect(writesSince(server, before)).toEqual([]);
  });

  it("prints configured for the object that changed", async () => {
    const settings = await repo.read("app/settings.yaml");
    await repo.write("app/settings.yaml", settings.replace("color: blue", "color: green"));
    try {
      const { code, out } = await apply();
      expect(code).toBe(0);
      expect(out).toContain("ConfigMap/shop/settings configured\n");
      expect(counts(out)).toMatchObject({ configured: 1, unchanged: 4 });
      expect(server.get("v1", "ConfigMap", "shop", "settings")?.data.color).toBe("green");
    } finally {
      await repo.write("app/settings.yaml", settings);
      expect((await apply()).code).toBe(0);
    }
  });

  it("--output json prints the ReconcileResult", async () => {
    const { code, out, err } = await apply("--output", "json");
    expect(err).toBe("");
    expect(code).toBe(0);
    const result = JSON.parse(out) as ReconcileResult;
    expect(result.ok).toBe(true);
    expect(typeof result.durationMs).toBe("number");
    expect(result.units).toHaveLength(1);
    const [unit] = result.units;
    expect(unit).toMatchObject({ name: "ferry-system/app", path: "app", status: "succeeded", problems: [] });
    expect(unit.changes.map((c) => [c.subject, c.action])).toEqual([
      ["Namespace/shop", "unchanged"],
      ["ConfigMap/shop/extra", "unchanged"],
      ["ConfigMap/shop/keep", "unchanged"],
      ["ConfigMap/shop/settings", "unchanged"],
      ["Secret/shop/credentials", "unchanged"],
    ]);
    expect(unit.changes[3]).toMatchObject({
      ref: { group: "", version: "v1", kind: "ConfigMap", namespace: "shop", name: "settings" },
      origin: { file: "app/settings.yaml", line: 1 },
    });
    expect(unit.timings.map((t) => t.phase)).toEqual(expect.arrayContaining(["build", "validate", "apply"]));
  });

  it("fails a unit with an invalid object: exit 1, a ✗ file:line line, nothing applied", async () => {
    const settings = await repo.read("app/settings.yaml");
    await repo.write("app/settings.yaml", settings.replace("color: blue", "color: red"));
    await repo.write(
      "app/bad.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n  namespace: shop\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: shop\n",
    );
    try {
      const before = server.requests.length;
      const { code, out } = await apply();
      expect(code).toBe(1);
      expect(out).toMatch(/^► ferry-system\/app \(app\): failed$/m);
      expect(out).toMatch(
        /^✗ app\/bad\.yaml:7: ConfigMap\/shop\/Bad_Name dry-run failed \(Invalid\): .*metadata\.name: Invalid value: "Bad_Name"/m,
      );
      expect(out).toMatch(
        /^1 unit \(1 not succeeded\): 0 created, 0 configured, 0 unchanged, 0 deleted, 0 skipped in /m,
      );
      expect(
        writesSince(server, before).filter(
          (r) => r.target?.resource !== "configmaps" || r.target.namespace !== "ferry-system",
        ),
      ).toEqual([]);
      expect(server.get("v1", "ConfigMap", "shop", "good")).toBeUndefined();
      expect(server.get("v1", "ConfigMap", "shop", "settings")?.data.color).toBe("blue");
    } finally {
      await repo.remove("app/bad.yaml");
      await repo.write("app/settings.yaml", settings);
    }
  });

  it("--output json still exits 1 for a failed unit, with its problems in the JSON", async () => {
    await repo.write(
      "app/bad.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: shop\n",
    );
    try {
      const { code, out } = await apply("-o", "json");
      expect(code).toBe(1);
      const result = JSON.parse(out) as ReconcileResult;
      expect(result.ok).toBe(false);
      expect(result.units[0].status).toBe("failed");
      expect(result.units[0].problems).toEqual([
        expect.objectContaining({
          subject: "ConfigMap/shop/Bad_Name",
          origin: { file: "app/bad.yaml", line: 1 },
        }),
      ]);
    } finally {
      await repo.remove("app/bad.yaml");
    }
  });

  it("--prune deletes an object whose file was removed, and skips one with prune: disabled", async () => {
    const extra = await repo.read("app/extra.yaml");
    const keep = await repo.read("app/keep.yaml");
    await repo.remove("app/extra.yaml");
    await repo.remove("app/keep.yaml");
    try {
      const pruned = await apply("--prune");
      expect(pruned.code).toBe(0);
      expect(pruned.out).toContain("ConfigMap/shop/extra deleted\n");
      expect(pruned.out).toContain(
        "ConfigMap/shop/keep skipped (kustomize.toolkit.fluxcd.io/prune: disabled)\n",
      );
      expect(counts(pruned.out)).toMatchObject({ deleted: 1, skipped: 1, unchanged: 3 });
      expect(server.get("v1", "ConfigMap", "shop", "extra")).toBeUndefined();
      expect(server.get("v1", "ConfigMap", "shop", "keep")).toBeDefined();
    } finally {
      await repo.write("app/extra.yaml", extra);
      await repo.write("app/keep.yaml", keep);
    }
    const restored = await apply();
    expect(restored.out).toContain("ConfigMap/shop/extra created\n");
  });

  it("leaves an object whose file was removed in place without --prune", async () => {
    const extra = await repo.read("app/extra.yaml");
    await repo.remove("app/extra.yaml");
    try {
      const { code, out } = await apply();
      expect(code).toBe(0);
      expect(out).not.toContain("ConfigMap/shop/extra");
      expect(counts(out)).toMatchObject({ deleted: 0 });
      expect(server.get("v1", "ConfigMap", "shop", "extra")).toBeDefined();
    } finally {
      await repo.write("app/extra.yaml", extra);
    }
    expect((await apply()).code).toBe(0);
  });

  it("records the unit named by --name and --namespace in owner labels and the inventory", async () => {
    const { code } = await apply("--name", "shop-front", "--namespace", "teams");
    expect(code).toBe(0);
    expect(server.get("v1", "ConfigMap", "shop", "settings")?.metadata.labels).toEqual({
      "ferry.dev/name": "shop-front",
      "ferry.dev/namespace": "teams",
    });
    expect(server.get("v1", "ConfigMap", "ferry-system", "ferry-inventory.teams.shop-front")).toBeDefined();
    expect((await apply()).code).toBe(0);
  });

  it("shows progress on stderr only on a terminal", async () => {
    const tty = await ferry(
      ["apply", repo.path("app"), "--repo", repo.dir, "--kubeconfig", kubeconfig],
      true,
    );
    expect(tty.code).toBe(0);
    expect(tty.err).toContain("► ferry-system/app: build…");
    expect(tty.err).toContain("► ferry-system/app: apply…");
    expect(tty.out).toContain("Namespace/shop unchanged\n");
  });

  it.each<[string, string[], RegExp]>([
    [
      "--timeout bogus",
      ["--timeout", "bogus"],
      /^error: --timeout bogus: write a duration such as 90s, 5m or 1h\n$/,
    ],
    ["--output yaml", ["--output", "yaml"], /^error: --output yaml: use text or json\n$/],
    [
      "a kubeconfig that does not exist",
      ["--kubeconfig", "/nonexistent/kubeconfig"],
      /^error: .*nonexistent\/kubeconfig/,
    ],
  ])("refuses %s with a clear error and exit 1, touching nothing", async (_, extra, message) => {
    const before = server.requests.length;
    const { code, out, err } = await apply(...extra);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toMatch(message);
    expect(server.requests.length).toBe(before);
  });

  it("refuses a path that is not a folder", async () => {
    const { code, err } = await ferry([
      "apply",
      repo.path("nope"),
      "--repo",
      repo.dir,
      "--kubeconfig",
      kubeconfig,
    ]);
    expect(code).toBe(1);
    expect(err).toMatch(/^error: .*nope: no such folder\n$/);
  });
});

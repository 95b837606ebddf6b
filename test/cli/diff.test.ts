/**
 * `ferry diff`, in process, against the test API server, on a copy of the `cli/shop` fixture:
 * exit 0 and silence when in sync, 1 and unified diffs when something would change, 2 on errors
 * (as `kubectl diff`), Secret values masked, nothing written.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeApiServer } from "../kube-api-server/server.js";
import { type CliRun, runFerry } from "../support/cli.js";
import { ScratchRepo, writesSince } from "../support/fleet.js";

function ferry(args: string[]): Promise<CliRun> {
  return runFerry(args);
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("ferry diff", () => {
  let server: KubeApiServer;
  let repo: ScratchRepo;
  let dir: string;
  let kubeconfig: string;

  const target = () => [repo.path("app"), "--repo", repo.dir, "--kubeconfig", kubeconfig];
  const diff = async (...extra: string[]) => {
    const before = server.requests.length;
    const run = await ferry(["diff", ...target(), ...extra]);
    expect(writesSince(server, before)).toEqual([]);
    return run;
  };
  /** Edits files for one test and puts them back afterwards. */
  const editing = async (edits: Record<string, string | null>, check: () => Promise<void>) => {
    const saved = await Promise.all(
      Object.keys(edits).map(async (f) => [f, await repo.read(f).catch(() => null)] as const),
    );
    try {
      for (const [file, text] of Object.entries(edits)) {
        if (text === null) await repo.remove(file);
        else await repo.write(file, text);
      }
      await check();
    } finally {
      for (const [file, text] of saved) {
        if (text === null) await repo.remove(file).catch(() => undefined);
        else await repo.write(file, text);
      }
    }
  };

  beforeAll(async () => {
    server = await KubeApiServer.start();
    repo = await ScratchRepo.of("cli/shop");
    dir = await mkdtemp(join(tmpdir(), "ferry-cli-diff-"));
    kubeconfig = join(dir, "kubeconfig");
    await server.writeKubeconfig(kubeconfig);
  });

  afterAll(async () => {
    await server.stop();
    await repo.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it("shows every object as to be created on an empty cluster, exit 1", async () => {
    const { code, out, err } = await diff();
    expect(err).toBe("");
    expect(code).toBe(1);
    const headings = out.split("\n").filter((l) => / would be /.test(l));
    expect(headings).toEqual([
      "Namespace/shop would be created",
      "ConfigMap/shop/extra would be created",
      "ConfigMap/shop/keep would be created",
      "ConfigMap/shop/settings would be created",
      "Secret/shop/credentials would be created",
    ]);
    expect(out).toContain("+++ merged/ConfigMap/shop/settings");
    expect(out).toContain("+  color: blue");
    expect(out).not.toContain(b64("hunter2-plain"));
    expect(server.get("v1", "Namespace", undefined, "shop")).toBeUndefined();
  });

  it("prints nothing and exits 0 once the cluster matches", async () => {
    const applied = await ferry(["apply", ...target()]);
    expect(applied.code).toBe(0);
    const { code, out, err } = await diff();
    expect({ code, out, err }).toEqual({ code: 0, out: "", err: "" });
  });

  it("prints a unified diff and exits 1 after a change", async () => {
    const settings = await repo.read("app/settings.yaml");
    await editing({ "app/settings.yaml": settings.replace("color: blue", "color: green") }, async () => {
      const { code, out, err } = await diff();
      expect(err).toBe("");
      expect(code).toBe(1);
      const lines = out.split("\n");
      expect(lines[0]).toBe("ConfigMap/shop/settings would be configured");
      expect(lines).toContain("--- live/ConfigMap/shop/settings");
      expect(lines).toContain("+++ merged/ConfigMap/shop/settings");
      expect(lines).toContain("-  color: blue");
      expect(lines).toContain("+  color: green");
      expect(lines.filter((l) => / would be /.test(l))).toHaveLength(1);
      expect(out.endsWith("\n")).toBe(true);
    });
  });

  it("masks Secret values in what it prints", async () => {
    const credentials = await repo.read("app/credentials.yaml");
    await editing(
      { "app/credentials.yaml": credentials.replace(b64("hunter2-plain"), b64("swordfish-new")) },
      async () => {
        const { code, out } = await diff();
        expect(code).toBe(1);
        expect(out).toContain("Secret/shop/credentials would be configured\n");
        expect(out).toContain('-  password: "*** (before)"');
        expect(out).toContain('+  password: "*** (after)"');
        for (const value of ["hunter2-plain", "swordfish-new", "admin-user"]) {
          expect(out).not.toContain(value);
          expect(out).not.toContain(b64(value));
        }
      },
    );
  });

  it("lists what --prune would delete, and nothing without --prune", async () => {
    await editing({ "app/extra.yaml": null }, async () => {
      const without = await diff();
      expect({ code: without.code, out: without.out }).toEqual({ code: 0, out: "" });
      const pruning = await diff("--prune");
      expect(pruning.code).toBe(1);
      expect(pruning.out.split("\n")[0]).toBe("ConfigMap/shop/extra would be deleted (prune)");
      expect(pruning.out).toContain("-  note: removed by the prune tests");
      expect(server.get("v1", "ConfigMap", "shop", "extra")).toBeDefined();
    });
  });

  it("does not announce a prune: disabled object as deleted", async () => {
    await editing({ "app/keep.yaml": null }, async () => {
      const { code, out } = await diff("--prune");
      expect(out).not.toContain("ConfigMap/shop/keep would be deleted");
      expect(code).toBe(0);
    });
  });

  it("exits 2 with the file and line of an invalid object", async () => {
    await editing(
      { "app/bad.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: shop\n" },
      async () => {
        const { code, err } = await diff();
        expect(code).toBe(2);
        expect(err).toMatch(
          /^✗ ferry-system\/app: app\/bad\.yaml:1: ConfigMap\/shop\/Bad_Name dry-run failed \(Invalid\): /m,
        );
      },
    );
  });

  it.each<[string, () => string[], RegExp]>([
    ["a kubeconfig that does not exist", () => ["--kubeconfig", join(dir, "missing")], /^error: .*missing/],
    [
      "a path that is not a folder",
      () => [repo.path("nope"), "--repo", repo.dir],
      /^error: .*nope: no such folder\n$/,
    ],
    [
      "a path outside the repository",
      () => [dir, "--repo", repo.dir],
      /^error: .* is not inside the repository /,
    ],
    [
      "--timeout bogus",
      () => ["--timeout", "bogus"],
      /^error: --timeout bogus: write a duration such as 90s, 5m or 1h\n$/,
    ],
  ])("exits 2 on %s", async (_, args, message) => {
    const [first, ...rest] = args();
    const argv = first.startsWith("--")
      ? [...target(), first, ...rest]
      : [first, ...rest, "--kubeconfig", kubeconfig];
    const { code, out, err } = await ferry(["diff", ...argv]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(message);
  });

  it("exits 2 when the cluster cannot be reached", async () => {
    const gone = await KubeApiServer.start();
    const file = join(dir, "gone-kubeconfig");
    await gone.writeKubeconfig(file);
    await gone.stop();
    const { code, out, err } = await ferry([
      "diff",
      repo.path("app"),
      "--repo",
      repo.dir,
      "--kubeconfig",
      file,
    ]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(/^✗ ferry-system\/app: .*cannot reach the cluster at https:\/\/127\.0\.0\.1:\d+/m);
  });
});

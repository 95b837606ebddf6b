/**
 * `diffTree`: what a reconcile would change, against the test API server, without writing; the
 * fixture `cli/shop` is applied first, then edited. Secret values never show.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Workspace } from "../../src/build/workspace.js";
import { KubeClient } from "../../src/cluster/client.js";
import type { KubeObject } from "../../src/model/object.js";
import { type DiffResult, diffTree } from "../../src/reconcile/diff.js";
import { maskSecrets } from "../../src/reconcile/object-diff.js";
import type { UnitDefinition } from "../../src/reconcile/unit.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { reconcileOnce, rootUnit, ScratchRepo, writesSince } from "../support/fleet.js";

const b64 = (text: string) => Buffer.from(text).toString("base64");

/** Every line of a unified diff that adds or removes something, without the file headers. */
const changedLines = (diff: string) =>
  diff.split("\n").filter((l) => /^[-+]/.test(l) && !l.startsWith("---") && !l.startsWith("+++"));

describe("diffTree against the test API server", () => {
  let server: KubeApiServer;
  let repo: ScratchRepo;
  const root = rootUnit("app", { wait: false });
  let diffWrites = 0;

  const diff = async (unit: UnitDefinition = root): Promise<DiffResult> => {
    const client = await KubeClient.connect({ kubeconfigText: server.kubeconfig() });
    const workspace = await Workspace.create(repo.dir);
    const before = server.requests.length;
    try {
      return await diffTree({ client, workspace, sopsKeys: { age: [], pgp: [] } }, unit);
    } finally {
      diffWrites += writesSince(server, before).length;
      client.close();
      await workspace.dispose();
    }
  };

  /** Runs `edit` on the repository, then puts every file back as it was. */
  const withEdits = async (files: string[], edit: () => Promise<void>, check: () => Promise<void>) => {
    const saved = await Promise.all(
      files.map(async (f) => [f, await repo.read(f).catch(() => undefined)] as const),
    );
    try {
      await edit();
      await check();
    } finally {
      for (const [file, text] of saved) {
        if (text === undefined) await repo.remove(file).catch(() => undefined);
        else await repo.write(file, text);
      }
    }
  };

  beforeAll(async () => {
    server = await KubeApiServer.start();
    repo = await ScratchRepo.of("cli/shop");
    const applied = await reconcileOnce(server, repo, root);
    expect(applied.ok).toBe(true);
  });

  afterAll(async () => {
    await server.stop();
    await repo.cleanup();
  });

  it("reports nothing when the cluster matches the repository", async () => {
    const result = await diff();
    expect(result).toEqual({
      units: [{ name: "ferry-system/app", path: "app", changes: [], problems: [] }],
      changed: false,
      ok: true,
    });
  });

  it("shows a changed ConfigMap as one configured object with - and + lines", async () => {
    await withEdits(
      ["app/settings.yaml"],
      async () =>
        repo.write(
          "app/settings.yaml",
          (await repo.read("app/settings.yaml")).replace("color: blue", "color: green"),
        ),
      async () => {
        const result = await diff();
        expect(result.changed).toBe(true);
        expect(result.ok).toBe(true);
        const [unit] = result.units;
        expect(unit.changes.map((c) => [c.subject, c.action])).toEqual([
          ["ConfigMap/shop/settings", "configured"],
        ]);
        const { diff: text } = unit.changes[0];
        expect(text).toContain("--- live/ConfigMap/shop/settings");
        expect(text).toContain("+++ merged/ConfigMap/shop/settings");
        expect(changedLines(text)).toEqual(["-  color: blue", "+  color: green"]);
        expect(text).toContain("   size: medium");
        // Server bookkeeping is not part of the diff.
        expect(text).not.toMatch(/managedFields|resourceVersion|creationTimestamp|uid:/);
      },
    );
  });

  it("shows a new object as created, from /dev/null", async () => {
    await withEdits(
      ["app/new.yaml"],
      () =>
        repo.write(
          "app/new.yaml",
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fresh\n  namespace: shop\ndata:\n  hello: world\n",
        ),
      async () => {
        const [unit] = (await diff()).units;
        expect(unit.changes.map((c) => [c.subject, c.action])).toEqual([["ConfigMap/shop/fresh", "created"]]);
        const text = unit.changes[0].diff;
        expect(text).toContain("--- /dev/null");
        expect(text).toContain("+++ merged/ConfigMap/shop/fresh");
        expect(changedLines(text)).toEqual(expect.arrayContaining(["+kind: ConfigMap", "+  hello: world"]));
        expect(changedLines(text).every((l) => l.startsWith("+"))).toBe(true);
      },
    );
  });

  it("shows objects in a Namespace the same build creates as created, not as errors", async () => {
    await withEdits(
      ["app/team.yaml"],
      () =>
        repo.write(
          "app/team.yaml",
          "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n  namespace: team\ndata:\n  a: b\n",
        ),
      async () => {
        const result = await diff();
        expect(result.ok).toBe(true);
        expect(result.units[0].changes.map((c) => [c.subject, c.action])).toEqual([
          ["Namespace/team", "created"],
          ["ConfigMap/team/hello", "created"],
        ]);
      },
    );
  });

  it("masks a changed Secret as *** (before) / *** (after) and never shows its values", async () => {
    await withEdits(
      ["app/credentials.yaml"],
      async () =>
        repo.write(
          "app/credentials.yaml",
          (await repo.read("app/credentials.yaml")).replace(b64("hunter2-plain"), b64("swordfish-new")),
        ),
      async () => {
        const result = await diff();
        const [unit] = result.units;
        expect(unit.changes.map((c) => [c.subject, c.action])).toEqual([
          ["Secret/shop/credentials", "configured"],
        ]);
        const text = unit.changes[0].diff;
        expect(changedLines(text)).toEqual(['-  password: "*** (before)"', '+  password: "*** (after)"']);
        expect(text).toContain('   user: "***"');
        const everything = JSON.stringify(result);
        for (const secret of ["hunter2-plain", "swordfish-new", "admin-user"]) {
          expect(everything).not.toContain(secret);
          expect(everything).not.toContain(b64(secret));
        }
      },
    );
  });

  it("masks a new Secret written with stringData", async () => {
    await withEdits(
      ["app/token.yaml"],
      () =>
        repo.write(
          "app/token.yaml",
          "apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\n  namespace: shop\nstringData:\n  token: tok-3f9a-plain\n",
        ),
      async () => {
        const result = await diff();
        expect(result.units[0].changes.map((c) => [c.subject, c.action])).toEqual([
          ["Secret/shop/token", "created"],
        ]);
        expect(result.units[0].changes[0].diff).toContain('+  token: "***"');
        const everything = JSON.stringify(result);
        expect(everything).not.toContain("tok-3f9a-plain");
        expect(everything).not.toContain(b64("tok-3f9a-plain"));
      },
    );
  });

  it("lists what prune would delete only when prune is on, Secrets masked", async () => {
    await withEdits(
      ["app/extra.yaml", "app/credentials.yaml"],
      async () => {
        await repo.remove("app/extra.yaml");
        await repo.remove("app/credentials.yaml");
      },
      async () => {
        const pruning = await diff();
        // In the order prune deletes them: the reverse of the apply order.
        expect(pruning.units[0].changes.map((c) => [c.subject, c.action])).toEqual([
          ["Secret/shop/credentials", "deleted"],
          ["ConfigMap/shop/extra", "deleted"],
        ]);
        const extra = pruning.units[0].changes[1].diff;
        expect(extra).toContain("--- live/ConfigMap/shop/extra");
        expect(extra).toContain("+++ /dev/null");
        expect(changedLines(extra)).toContain("-  note: removed by the prune tests");
        expect(JSON.stringify(pruning)).not.toContain(b64("hunter2-plain"));

        const notPruning = await diff({ ...root, prune: false });
        expect(notPruning.changed).toBe(false);
        expect(notPruning.units[0].changes).toEqual([]);
      },
    );
  });

  it("does not list an object with prune: disabled as deleted, as prune would skip it", async () => {
    await withEdits(
      ["app/keep.yaml"],
      () => repo.remove("app/keep.yaml"),
      async () => {
        const result = await diff();
        expect(result.units[0].changes.map((c) => [c.subject, c.action])).toEqual([]);
        expect(result.changed).toBe(false);
      },
    );
  });

  it("reports an invalid object as a problem with its file, and no change", async () => {
    await withEdits(
      ["app/bad.yaml"],
      () =>
        repo.write(
          "app/bad.yaml",
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: shop\n",
        ),
      async () => {
        const result = await diff();
        expect(result.ok).toBe(false);
        expect(result.units[0].problems).toEqual([
          expect.objectContaining({
            subject: "ConfigMap/shop/Bad_Name",
            origin: { file: "app/bad.yaml", line: 1 },
            message: expect.stringContaining("dry-run failed (Invalid)"),
          }),
        ]);
      },
    );
  });

  it("wrote nothing to the cluster in any of these diffs", () => {
    expect(diffWrites).toBe(0);
    expect(server.get("v1", "ConfigMap", "shop", "settings")?.data.color).toBe("blue");
    expect(server.get("v1", "ConfigMap", "shop", "extra")).toBeDefined();
  });
});

describe("maskSecrets", () => {
  const secret = (
    data: Record<string, string> | undefined,
    stringData?: Record<string, string>,
  ): KubeObject => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "s", namespace: "apps" },
    ...(data ? { data } : {}),
    ...(stringData ? { stringData } : {}),
  });
  const configMap: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c" },
    data: { a: "1" },
  };

  it.each<{
    name: string;
    before: KubeObject | undefined;
    after: KubeObject | undefined;
    masked: [unknown, unknown];
  }>([
    {
      name: "equal values → ***",
      before: secret({ a: "eA==" }),
      after: secret({ a: "eA==" }),
      masked: [{ a: "***" }, { a: "***" }],
    },
    {
      name: "changed values → *** (before) / *** (after)",
      before: secret({ a: "eA==" }),
      after: secret({ a: "eQ==" }),
      masked: [{ a: "*** (before)" }, { a: "*** (after)" }],
    },
    {
      name: "a key only on one side → ***",
      before: secret({ a: "eA==" }),
      after: secret({ a: "eA==", b: "eg==" }),
      masked: [{ a: "***" }, { a: "***", b: "***" }],
    },
    {
      name: "a new Secret → *** on the after side",
      before: undefined,
      after: secret({ a: "eA==" }),
      masked: [undefined, { a: "***" }],
    },
    {
      name: "a deleted Secret → *** on the before side",
      before: secret({ a: "eA==" }),
      after: undefined,
      masked: [{ a: "***" }, undefined],
    },
  ])("$name", ({ before, after, masked }) => {
    const [b, a] = maskSecrets(before, after);
    expect([b?.data, a?.data]).toEqual(masked);
    expect(JSON.stringify([b, a])).not.toMatch(/eA==|eQ==|eg==/);
  });

  it("masks stringData too", () => {
    const [b, a] = maskSecrets(
      secret(undefined, { token: "old" }),
      secret(undefined, { token: "new", id: "x" }),
    );
    expect(b?.stringData).toEqual({ token: "*** (before)" });
    expect(a?.stringData).toEqual({ token: "*** (after)", id: "***" });
  });

  it("keeps everything else of a Secret and leaves the inputs untouched", () => {
    const before: KubeObject = { ...secret({ a: "eA==" }), type: "Opaque" };
    const [b] = maskSecrets(before, undefined);
    expect(b).toEqual({ ...before, data: { a: "***" } });
    expect(before.data).toEqual({ a: "eA==" });
  });

  it("leaves other kinds alone", () => {
    expect(maskSecrets(configMap, { ...configMap, data: { a: "2" } })).toEqual([
      configMap,
      { ...configMap, data: { a: "2" } },
    ]);
  });
});

/**
 * SOPS-encrypted generator sources and patch files, decrypted before kustomize runs as Flux's
 * `DecryptSources` does, with the real vectors of Flux's own test tree
 * (test/fixtures/build/sops-generators/README.md).
 */
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type DecryptSource, decryptSources } from "../../src/build/decrypt-sources.js";
import { BuildError } from "../../src/build/errors.js";
import { Workspace } from "../../src/build/workspace.js";
import type { KubeClient } from "../../src/cluster/client.js";
import type { KubeObject, Manifest, ObjectRef } from "../../src/model/object.js";
import { prepareUnit, type ReconcileContext, type UnitDefinition } from "../../src/reconcile/unit.js";
import { decryptDocument, SopsError, type SopsFormat, type SopsKeys } from "../../src/sops/index.js";
import { root } from "../support/build.js";

const fixtures = join(root, "test", "fixtures", "build", "sops-generators");

const identity = (text: string): string => {
  const line = text.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-"));
  if (!line) throw new Error("no age identity in the key file");
  return line.trim();
};
const ageKeyText = await readFile(join(fixtures, "keys", "age.txt"), "utf8");
/** The keys Flux's test decrypts its tree with. */
const keys: SopsKeys = {
  age: [identity(ageKeyText)],
  pgp: [await readFile(join(fixtures, "keys", "pgp.asc"), "utf8")],
};
/** A real age key that opens none of the files. */
const wrongKeys: SopsKeys = {
  age: [identity(await readFile(join(fixtures, "keys", "age-global.txt"), "utf8"))],
  pgp: [],
};

interface Call {
  file: string;
  format: SopsFormat;
}

/** A decryptSource with `keys` that records what it was asked to decrypt. */
function recording(using: SopsKeys = keys): { decrypt: DecryptSource; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    decrypt: (text, file, format) => {
      calls.push({ file, format });
      return decryptDocument(text, format, using, file);
    },
  };
}

interface Entry {
  content: string;
  mode: number;
}

/** Every file below `dir` with its bytes (as base64) and mode. */
async function snapshot(dir: string): Promise<Map<string, Entry>> {
  const files = new Map<string, Entry>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dir.length + 1), {
      content: (await readFile(path)).toString("base64"),
      mode: (await stat(path)).mode & 0o7777,
    });
  }
  return files;
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o7777;
const b64decode = (value: unknown) => Buffer.from(String(value), "base64").toString("utf8");

/** The rejection of a promise (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
}

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-decrypt-sources-"));
  temps.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A copy of the fixture tree to decrypt in. */
async function fixtureCopy(): Promise<string> {
  const dir = join(await tempDir(), "repo");
  await cp(fixtures, dir, { recursive: true });
  return dir;
}

const encryptedSources = [
  "envs/env.env",
  "files/file.txt",
  "patches/merge1.yaml",
  "patches/merge2.yaml",
  "component/env.env",
];

describe("decryptSources", () => {
  it("decrypts the secretGenerator sources and patch files of every kustomization reachable through resources and components, with mode 0600", async () => {
    const dir = await fixtureCopy();
    for (const file of encryptedSources) await chmod(join(dir, file), 0o644);
    const { decrypt, calls } = recording();

    const decrypted = await decryptSources(dir, ".", decrypt);

    expect(decrypted.files).toEqual(encryptedSources);
    expect(calls).toEqual([
      { file: "envs/env.env", format: "dotenv" },
      // `key=file.txt`: Flux reads a files source in the format of its key, which names none.
      { file: "files/file.txt", format: "binary" },
      { file: "patches/merge1.yaml", format: "yaml" },
      { file: "patches/merge2.yaml", format: "yaml" },
      { file: "component/env.env", format: "dotenv" },
    ]);
    for (const file of encryptedSources) expect(await modeOf(join(dir, file))).toBe(0o600);
    expect(await readFile(join(dir, "envs/env.env"), "utf8")).toBe("key=value\n");
    expect(await readFile(join(dir, "component/env.env"), "utf8")).toBe("key=value\n");
    expect(await readFile(join(dir, "files/file.txt"), "utf8")).toBe("value");
    expect(parse(await readFile(join(dir, "patches/merge1.yaml"), "utf8"))).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "secret" },
      stringData: { key: "merge1" },
    });
    expect(parse(await readFile(join(dir, "patches/merge2.yaml"), "utf8"))).toMatchObject({
      stringData: { merge2: "merge2" },
    });
    // A Secret that is itself encrypted (inside/) is a resource: it is decrypted after the build.
    expect(await readFile(join(dir, "inside/secret.yaml"), "utf8")).toBe(
      await readFile(join(fixtures, "inside/secret.yaml"), "utf8"),
    );
    await decrypted.restore();
  });

  it("restore puts back each file's encrypted bytes and mode", async () => {
    const dir = await fixtureCopy();
    await chmod(join(dir, "envs/env.env"), 0o640);
    await chmod(join(dir, "patches/merge1.yaml"), 0o604);
    const before = await snapshot(dir);

    const decrypted = await decryptSources(dir, ".", recording().decrypt);
    expect(await snapshot(dir)).not.toEqual(before);
    await decrypted.restore();

    expect(await snapshot(dir)).toEqual(before);
    expect(await modeOf(join(dir, "envs/env.env"))).toBe(0o640);
  });

  it("starts at the path it is given", async () => {
    const dir = await fixtureCopy();
    const { decrypt, calls } = recording();
    const decrypted = await decryptSources(dir, "patches", decrypt);
    expect(calls.map((c) => c.file)).toEqual(["patches/merge1.yaml", "patches/merge2.yaml"]);
    await decrypted.restore();
  });

  it("reads a files source in the format of its key and an env file without an extension as dotenv, and decrypts a file once", async () => {
    const dir = join(await tempDir(), "repo");
    await mkdir(join(dir, "app"), { recursive: true });
    await cp(join(fixtures, "files/file.txt"), join(dir, "app/blob.json"));
    await cp(join(fixtures, "envs/env.env"), join(dir, "app/settings"));
    await cp(join(fixtures, "files/file.txt"), join(dir, "app/config.json"));
    await writeFile(
      join(dir, "app/kustomization.yaml"),
      [
        "secretGenerator:",
        "  - name: one",
        "    files: [combo=blob.json]",
        "    envs: [settings]",
        "  - name: two",
        "    envs: [settings]",
        "  - name: three",
        // No key: the format of the path, JSON; the binary envelope is a JSON SOPS document too.
        "    files: [config.json]",
        "",
      ].join("\n"),
    );
    const { decrypt, calls } = recording();

    const decrypted = await decryptSources(dir, "app", decrypt);

    expect(calls).toEqual([
      { file: "app/blob.json", format: "binary" },
      { file: "app/settings", format: "dotenv" },
      { file: "app/config.json", format: "json" },
    ]);
    expect(await readFile(join(dir, "app/blob.json"), "utf8")).toBe("value");
    expect(await readFile(join(dir, "app/settings"), "utf8")).toBe("key=value\n");
    expect(JSON.parse(await readFile(join(dir, "app/config.json"), "utf8"))).toEqual({ data: "value" });
    await decrypted.restore();
  });

  it("leaves what Flux leaves: configMapGenerator-only sources, patchesStrategicMerge, bases, remote patches, plain, missing and outside files", async () => {
    const top = await tempDir();
    const dir = join(top, "repo");
    await mkdir(join(dir, "app"), { recursive: true });
    await mkdir(join(dir, "base"), { recursive: true });
    await cp(join(fixtures, "envs/env.env"), join(dir, "app/config.env"));
    await cp(join(fixtures, "patches/merge1.yaml"), join(dir, "app/strategic.yaml"));
    await cp(join(fixtures, "envs/env.env"), join(top, "outside.env"));
    await cp(join(fixtures, "envs/env.env"), join(dir, "base/base.env"));
    await writeFile(join(dir, "app/plain.env"), "key=value\n");
    await mkdir(join(dir, "app/folder"));
    await writeFile(
      join(dir, "app/kustomization.yaml"),
      [
        "bases: [../base]",
        "configMapGenerator:",
        "  - name: config",
        "    envs: [config.env]",
        "secretGenerator:",
        "  - name: secret",
        "    envs: [plain.env, missing.env, ../../outside.env]",
        "    files: [folder]",
        "patchesStrategicMerge: [strategic.yaml]",
        "patches:",
        "  - path: https://example.com/patch.yaml",
        "  - patch: 'kind: Secret'",
        "",
      ].join("\n"),
    );
    await writeFile(
      join(dir, "base/kustomization.yaml"),
      "secretGenerator: [{name: base, envs: [base.env]}]\n",
    );
    const before = await snapshot(top);
    const { decrypt, calls } = recording();

    const decrypted = await decryptSources(dir, "app", decrypt);

    expect(calls).toEqual([]);
    expect(decrypted.files).toEqual([]);
    expect(await snapshot(top)).toEqual(before);
  });

  it("refuses a source larger than 5 MiB, as Flux does", async () => {
    const dir = join(await tempDir(), "repo");
    await mkdir(dir);
    await writeFile(join(dir, "big.bin"), Buffer.alloc(5 * 1024 * 1024 + 1));
    await writeFile(join(dir, "kustomization.yaml"), "secretGenerator: [{name: big, files: [big.bin]}]\n");
    const error = await rejection(decryptSources(dir, ".", recording().decrypt));
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).problems[0].origin).toEqual({ file: "big.bin" });
    expect((error as BuildError).message).toContain("larger than 5242880 bytes");
  });

  it("puts back what it decrypted when a later file fails, and passes the error on", async () => {
    const dir = await fixtureCopy();
    const before = await snapshot(dir);
    const failure = new SopsError("cannot decrypt", "patches/merge1.yaml");
    const { decrypt: real } = recording();
    const decrypt: DecryptSource = (text, file, format) =>
      file === "patches/merge1.yaml" ? Promise.reject(failure) : real(text, file, format);

    expect(await rejection(decryptSources(dir, ".", decrypt))).toBe(failure);
    expect(await snapshot(dir)).toEqual(before);
  });
});

const byName = (manifests: Manifest[]) =>
  new Map(manifests.map((m) => [`${m.object.kind}/${m.object.metadata.name}`, m.object as KubeObject]));
type Data = Record<string, string>;
const dataOf = (object: KubeObject | undefined) => (object?.data ?? {}) as Data;
const stringDataOf = (object: KubeObject | undefined) => (object?.stringData ?? {}) as Data;

describe("Workspace.build with decryptSource", () => {
  let workspace: Workspace;
  beforeAll(async () => {
    workspace = await Workspace.create(fixtures);
  });
  afterAll(async () => {
    await workspace.dispose();
  });

  it("builds the objects of Flux's test tree with the decrypted values", async () => {
    const { decrypt, calls } = recording();
    const objects = byName(await workspace.build(".", {}, { decryptSource: decrypt }));

    expect(calls.map((c) => c.file)).toEqual(encryptedSources);
    expect(dataOf(objects.get("ConfigMap/sops-envs-configmap"))).toEqual({ key: "value" });
    expect(dataOf(objects.get("ConfigMap/sops-files-configmap"))).toEqual({ key: "value" });
    for (const name of ["sops-envs-secret", "sops-files-secret", "sops-component"]) {
      const data = dataOf(objects.get(`Secret/${name}`));
      expect(Object.keys(data), name).toEqual(["key"]);
      expect(b64decode(data.key), name).toBe("value");
    }
    // The patches merged: stringData (which the API server writes over data) holds both values.
    const patched = objects.get("Secret/sops-patches-secret");
    expect(stringDataOf(patched)).toEqual({ key: "merge1", merge2: "merge2" });
    expect(patched).not.toHaveProperty("sops");
    expect(JSON.stringify([...objects.entries()].filter(([name]) => !name.includes("inside")))).not.toContain(
      "ENC[",
    );
  });

  it("never changes the user's repository, and puts the encrypted files back in the copy", async () => {
    const repoBefore = await snapshot(fixtures);
    const copyBefore = await snapshot(workspace.root);
    await workspace.build(".", {}, { decryptSource: recording().decrypt });
    expect(await snapshot(fixtures)).toEqual(repoBefore);
    expect(await snapshot(workspace.root)).toEqual(copyBefore);
  });

  it("without decryptSource passes the encrypted sources to kustomize as they are (also after a decrypting build)", async () => {
    await workspace.build(".", {}, { decryptSource: recording().decrypt });
    const objects = byName(await workspace.build("."));

    const envs = dataOf(objects.get("ConfigMap/sops-envs-configmap"));
    expect(envs.key).toMatch(/^ENC\[AES256_GCM,/);
    expect(envs).toHaveProperty("sops_mac");
    expect(dataOf(objects.get("ConfigMap/sops-files-configmap")).key).toContain('"mac": "ENC[');
    const patched = objects.get("Secret/sops-patches-secret");
    expect(stringDataOf(patched).key).toMatch(/^ENC\[AES256_GCM,/);
    expect(patched).toHaveProperty("sops");
  });

  it("fails with a SopsError naming the file when the keys do not open it, and leaves the copy as it was", async () => {
    const copyBefore = await snapshot(workspace.root);
    const error = await rejection(workspace.build(".", {}, { decryptSource: recording(wrongKeys).decrypt }));
    expect(error).toBeInstanceOf(SopsError);
    expect((error as SopsError).file).toBe("envs/env.env");
    expect((error as SopsError).message).toMatch(/^envs\/env\.env: /);
    expect(await snapshot(workspace.root)).toEqual(copyBefore);
  });
});

describe("prepareUnit", () => {
  let workspace: Workspace;
  beforeAll(async () => {
    workspace = await Workspace.create(fixtures);
  });
  afterAll(async () => {
    await workspace.dispose();
  });

  const unit = (overrides: Partial<UnitDefinition> = {}): UnitDefinition => ({
    owner: { name: "sops", namespace: "flux-system" },
    path: ".",
    overlay: {},
    prune: false,
    wait: false,
    timeoutMs: 30_000,
    force: false,
    suspend: false,
    dependsOn: [],
    healthChecks: [],
    ...overrides,
  });

  /** A client that serves only the decryption Secret `sops-keys`, counting the reads. */
  function context(sopsKeys: SopsKeys): { ctx: ReconcileContext; reads: ObjectRef[] } {
    const reads: ObjectRef[] = [];
    const secret: KubeObject = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "sops-keys", namespace: "flux-system" },
      data: { "identity.agekey": Buffer.from(ageKeyText).toString("base64") },
    };
    const client = {
      get: async (ref: ObjectRef) => {
        reads.push(ref);
        return ref.kind === "Secret" && ref.name === "sops-keys" ? secret : undefined;
      },
    } as unknown as KubeClient;
    return { ctx: { client, workspace, sopsKeys }, reads };
  }

  it("decrypts generator sources, patches and encrypted objects with the unit's keys, reading its Secret once", async () => {
    const { ctx, reads } = context({ age: [], pgp: [] });
    const prepared = await prepareUnit(ctx, unit({ decryptionSecret: "sops-keys" }));
    const objects = byName(prepared.apply);

    expect(dataOf(objects.get("ConfigMap/sops-envs-configmap"))).toEqual({ key: "value" });
    expect(b64decode(dataOf(objects.get("Secret/sops-component")).key)).toBe("value");
    expect(stringDataOf(objects.get("Secret/sops-patches-secret"))).toEqual({
      key: "merge1",
      merge2: "merge2",
    });
    // Decrypted after the build, with the same keys.
    expect(b64decode(dataOf(objects.get("Secret/sops-inside-secret")).key)).toBe("value");
    expect(reads).toHaveLength(1);
  });

  it("fails on the first encrypted source when the unit has no key for it", async () => {
    const { ctx } = context(wrongKeys);
    const error = await rejection(prepareUnit(ctx, unit()));
    expect(error).toBeInstanceOf(SopsError);
    expect((error as SopsError).file).toBe("envs/env.env");
  });
});

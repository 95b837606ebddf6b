import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliRun, runFerry } from "../support/cli.js";
import { fixture, fixtures, flux } from "./support.js";

function run(args: string[], env: NodeJS.ProcessEnv = {}, stdin = ""): Promise<CliRun> {
  return runFerry(["sops", ...args], { env, stdin });
}

const path = (file: string) => join(fixtures, file);

describe("ferry sops decrypt", () => {
  let dir: string;
  let ageKeyFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-sops-cli-"));
    ageKeyFile = join(dir, "keys.txt");
    await writeFile(ageKeyFile, fixture("flux/keys/age.txt"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ["an age key file flag", ["--age-key-file", "AGE"], {}],
    ["SOPS_AGE_KEY_FILE", [], { SOPS_AGE_KEY_FILE: "AGE" }],
    ["SOPS_AGE_KEY", [], { SOPS_AGE_KEY: flux.age }],
  ])("prints the decrypted YAML, keys from %s", async (_how, flags, env) => {
    const withFile = (values: string[]) => values.map((v) => (v === "AGE" ? ageKeyFile : v));
    const envWithFile = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, v === "AGE" ? ageKeyFile : v]),
    );
    const result = await run(["decrypt", path("flux/algorithms/age.yaml"), ...withFile(flags)], envWithFile);
    expect(result).toEqual({
      code: 0,
      out: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: age\nstringData:\n  key: value\n",
      err: "",
    });
  });

  it.each([
    ["sops-project/format.enc.json", [], '{\n\t"foo": "bar"\n}\n'],
    ["sops-project/format.enc.env", [], "foo = bar\n"],
    ["sops-project/format.enc.yaml", [], "foo: bar\n"],
    // --input-type overrides the extension.
    ["sops-project/comments.enc.yaml", ["--input-type", "yaml"], fixture("sops-project/comments.yaml")],
  ])("picks the format of %s from its extension (or --input-type)", async (file, flags, expected) => {
    const key = path("sops-project/sops_functional_tests_key.asc");
    expect(await run(["decrypt", path(file), "--pgp-key-file", key, ...flags])).toEqual({
      code: 0,
      out: expected,
      err: "",
    });
  });

  it("decrypts a binary file (an unknown extension) to its content", async () => {
    const result = await run(["decrypt", path("flux/files/file.txt"), "--age-key-file", ageKeyFile]);
    expect(result).toEqual({ code: 0, out: "value", err: "" });
  });

  it("reads stdin with -", async () => {
    const result = await run(
      ["decrypt", "-", "--input-type", "dotenv"],
      { SOPS_AGE_KEY: flux.age },
      fixture("flux/envs/env.env"),
    );
    expect(result).toEqual({ code: 0, out: "key=value\n", err: "" });
    const noType = await run(["decrypt", "-"], { SOPS_AGE_KEY: flux.age }, "x");
    expect(noType).toEqual({ code: 1, out: "", err: "error: reading from stdin needs --input-type\n" });
  });

  it("a wrong key: one line naming the file and the wanted recipient, exit code 1", async () => {
    const file = path("flux/algorithms/age.yaml");
    const result = await run(["decrypt", file], { SOPS_AGE_KEY: flux.ageGlobal });
    expect(result.code).toBe(1);
    expect(result.out).toBe("");
    expect(result.err).toMatch(new RegExp(`^error: ${file}: cannot decrypt the SOPS data key: .*\\n$`));
    expect(result.err.split("\n")).toHaveLength(2);
    expect(result.err).toContain(flux.ageRecipient);
    expect(result.err).not.toContain(flux.ageGlobal);
  });

  it("refuses a file without MAC", async () => {
    const key = path("sops-project/sops_functional_tests_key.asc");
    const file = path("sops-project/no_mac.yaml");
    const result = await run(["decrypt", file, "--pgp-key-file", key]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^error: .*no_mac\.yaml: has no MAC/);
  });

  it("a missing file", async () => {
    const file = join(dir, "missing.yaml");
    expect(await run(["decrypt", file])).toEqual({
      code: 1,
      out: "",
      err: `error: ${file}: cannot read the file (ENOENT)\n`,
    });
  });

  it("an unknown --input-type is a usage error", async () => {
    const result = await run(["decrypt", "x", "--input-type", "ini"]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      "argument 'ini' is invalid. Allowed choices are yaml, json, dotenv, binary.",
    );
  });

  it("describes itself", async () => {
    const result = await run(["decrypt", "--help"]);
    expect(result.code).toBe(0);
    expect(result.out).toContain("Usage: ferry sops decrypt [options] <file>");
    expect(result.out).toContain("--age-key-file <file>");
    expect(result.out).toContain("--pgp-key-file <file>");
    expect(result.out).toContain("--input-type <type>");
  });
});

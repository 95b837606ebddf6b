import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createProgram, main } from "../../src/cli/main.js";
import { root } from "../support/build.js";

const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string };

async function runInProcess(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["node", "ferry", ...args], {
    writeOut: (text) => {
      out += text;
    },
    writeErr: (text) => {
      err += text;
    },
  });
  return { code, out, err };
}

async function runBinary(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(root, "bin", "ferry.js"), ...args],
      {
        cwd: root,
      },
    );
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout, err: failed.stderr };
  }
}

describe("ferry command line (in process)", () => {
  it("registers build, diff, apply, health, sops and images", () => {
    const program = createProgram({ version: "9.9.9" });
    expect(program.name()).toBe("ferry");
    expect(
      program.commands.filter((c) => !(c as unknown as { _hidden: boolean })._hidden).map((c) => c.name()),
    ).toEqual(["build", "diff", "apply", "health", "sops", "images"]);
  });

  it("--help lists the commands", async () => {
    const { code, out } = await runInProcess("--help");
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: ferry \[options\] \[command\]/);
    for (const name of ["build", "diff", "apply", "health", "sops", "images"])
      expect(out).toMatch(new RegExp(`^  ${name} `, "m"));
    expect(out).not.toContain("Coming soon");
  });

  it("--version prints the package version", async () => {
    expect(await runInProcess("--version")).toEqual({ code: 0, out: `${version}\n`, err: "" });
  });

  it("with no arguments shows the help and fails", async () => {
    const { code, err } = await runInProcess();
    expect(code).toBe(1);
    expect(err).toContain("Usage: ferry");
  });

  it.each([
    ["deploy", "error: unknown command 'deploy'\n(Did you mean apply?)\n"],
    ["--bogus", "error: unknown option '--bogus'\n"],
  ])("`ferry %s` fails with a clear message", async (arg, message) => {
    expect(await runInProcess(arg)).toEqual({ code: 1, out: "", err: message });
  });
});

describe("bin/ferry.js", () => {
  it("--help prints the usage", async () => {
    const { code, out, err } = await runBinary("--help");
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toContain("Usage: ferry [options] [command]");
    expect(out).toContain("apply [options] <path>");
  });

  it("--version prints the version", async () => {
    expect(await runBinary("--version")).toEqual({ code: 0, out: `${version}\n`, err: "" });
  });

  it("is the package's `ferry` bin, so `npx ferry` runs it", async () => {
    const { bin } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
      bin: Record<string, string>;
    };
    expect(bin).toEqual({ ferry: "bin/ferry.js" });
    const { stdout } = await promisify(execFile)("npx", ["--offline", "--no", "--", "ferry", "--version"], {
      cwd: root,
    });
    expect(stdout).toBe(`${version}\n`);
  });

  it("exits non-zero on an unknown command", async () => {
    const { code, err } = await runBinary("nope");
    expect(code).toBe(1);
    expect(err).toContain("unknown command 'nope'");
  });
});

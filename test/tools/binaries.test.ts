import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BinaryName, defaultToolsCacheDir, locateBinary } from "../../src/tools/binaries.js";
import { root } from "../support/build.js";

const base = mkdtempSync(join(tmpdir(), "ferry-binaries-"));
const cacheDir = join(base, "cache"); // holds <name>/<name> for kubectl and helm
const emptyCache = join(base, "empty-cache");
const pathA = join(base, "path-a"); // holds kubectl and helm
const pathB = join(base, "path-b"); // holds kubectl only
const notExecutable = join(base, "not-executable"); // kubectl without execute bits, helm as a folder
const explicitDir = join(base, "explicit"); // my-kubectl, my-helm

async function executable(path: string): Promise<string> {
  await writeFile(path, "#!/bin/sh\necho fake\n");
  await chmod(path, 0o755);
  return path;
}

beforeAll(async () => {
  for (const dir of [cacheDir, emptyCache, pathA, pathB, notExecutable, explicitDir]) await mkdir(dir);
  for (const name of ["kubectl", "helm"]) {
    await mkdir(join(cacheDir, name));
    await executable(join(cacheDir, name, name));
    await executable(join(pathA, name));
    await executable(join(explicitDir, `my-${name}`));
  }
  await executable(join(pathB, "kubectl"));
  await writeFile(join(notExecutable, "kubectl"), "not a program");
  await chmod(join(notExecutable, "kubectl"), 0o644);
  await mkdir(join(notExecutable, "helm")); // a folder is not a binary
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

interface Case {
  title: string;
  name: BinaryName;
  explicit?: string;
  env?: Record<string, string>;
  cache?: "full" | "empty";
  path?: string[];
  expected: string | RegExp;
}

const cases: Case[] = [
  {
    title: "the explicit option wins over env, cache and PATH",
    name: "kubectl",
    explicit: join(explicitDir, "my-kubectl"),
    env: { FERRY_KUBECTL: join(pathB, "kubectl") },
    cache: "full",
    path: [pathA],
    expected: join(explicitDir, "my-kubectl"),
  },
  {
    title: "FERRY_KUBECTL wins over cache and PATH",
    name: "kubectl",
    env: { FERRY_KUBECTL: join(explicitDir, "my-kubectl") },
    cache: "full",
    path: [pathA],
    expected: join(explicitDir, "my-kubectl"),
  },
  {
    title: "FERRY_HELM wins over cache and PATH",
    name: "helm",
    env: { FERRY_HELM: join(explicitDir, "my-helm"), FERRY_KUBECTL: join(pathB, "kubectl") },
    cache: "full",
    path: [pathA],
    expected: join(explicitDir, "my-helm"),
  },
  {
    title: "an explicit bare name is looked up on PATH",
    name: "kubectl",
    env: { FERRY_KUBECTL: "my-kubectl" },
    cache: "full",
    path: [pathA, explicitDir],
    expected: join(explicitDir, "my-kubectl"),
  },
  {
    title: "the cache comes before PATH",
    name: "kubectl",
    cache: "full",
    path: [pathA],
    expected: join(cacheDir, "kubectl", "kubectl"),
  },
  {
    title: "the cache serves helm too",
    name: "helm",
    cache: "full",
    path: [pathA],
    expected: join(cacheDir, "helm", "helm"),
  },
  {
    title: "PATH is searched in order when the cache is empty",
    name: "kubectl",
    cache: "empty",
    path: [pathB, pathA],
    expected: join(pathB, "kubectl"),
  },
  {
    title: "PATH skips files without execute bits, folders and empty entries",
    name: "kubectl",
    cache: "empty",
    path: ["", notExecutable, pathA],
    expected: join(pathA, "kubectl"),
  },
  {
    title: "PATH skips a folder named like the binary",
    name: "helm",
    cache: "empty",
    path: [notExecutable, pathB, pathA],
    expected: join(pathA, "helm"),
  },
  {
    title: "nothing found: the error says how to provide kubectl",
    name: "kubectl",
    cache: "empty",
    path: [notExecutable],
    expected:
      /^kubectl not found: .*Set FERRY_KUBECTL to the path of a kubectl binary, or run `npm run tools`/,
  },
  {
    title: "nothing found: the error says how to provide helm",
    name: "helm",
    cache: "empty",
    path: [pathB],
    expected: /^helm not found: .*Set FERRY_HELM to the path of a helm binary, or run `npm run tools`/,
  },
  {
    title: "an explicit setting that is not executable is an error, not a fall-through",
    name: "kubectl",
    env: { FERRY_KUBECTL: join(notExecutable, "kubectl") },
    cache: "full",
    path: [pathA],
    expected:
      /^FERRY_KUBECTL is ".*not-executable\/kubectl", which is not an executable file\. Point FERRY_KUBECTL/,
  },
  {
    title: "an explicit option that does not exist is an error",
    name: "helm",
    explicit: join(base, "missing", "helm"),
    cache: "full",
    path: [pathA],
    expected: /^the helm setting is ".*missing\/helm", which is not an executable file\./,
  },
];

describe("locateBinary", () => {
  it.each(cases.map((c) => [c.title, c] as const))("%s", async (_title, c) => {
    const options = {
      explicit: c.explicit,
      env: { ...c.env, PATH: (c.path ?? []).join(delimiter) },
      cacheDir: c.cache === "full" ? cacheDir : emptyCache,
    };
    if (typeof c.expected === "string") {
      await expect(locateBinary(c.name, options)).resolves.toBe(c.expected);
    } else {
      await expect(locateBinary(c.name, options)).rejects.toThrow(c.expected);
    }
  });

  it("the default cache is .cache/tools under the package root", () => {
    expect(defaultToolsCacheDir()).toBe(join(root, ".cache", "tools"));
  });

  it("finds the real kubectl and helm that the global setup unpacked", async () => {
    const env = { PATH: "" };
    const kubectl = await locateBinary("kubectl", { env });
    const helm = await locateBinary("helm", { env });
    expect(kubectl).toBe(join(root, ".cache", "tools", "kubectl", "kubectl"));
    expect(helm).toBe(join(root, ".cache", "tools", "helm", "helm"));
    const run = promisify(execFile);
    expect((await run(kubectl, ["version", "--client"])).stdout).toMatch(/Client Version: v1\.\d+/);
    expect((await run(helm, ["version", "--short"], { env: { HOME: base } })).stdout).toMatch(/^v\d+\./);
  });
});

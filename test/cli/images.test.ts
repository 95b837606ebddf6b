/**
 * `ferry images select|update|scan` as a platform engineer runs them: policy files and tag lists from
 * test/fixtures/cli/images/, updates on temporary copies of a marked repository, scans against a
 * local registry (token challenge, paginated tag lists) reached over plain HTTP on 127.0.0.1.
 */
import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root } from "../support/build.js";
import { type CliRun, type CliRunOptions, runFerry } from "../support/cli.js";
import { type FakeRegistry, startFakeRegistry } from "../support/fake-registry.js";

const fixtures = join(import.meta.dirname, "..", "fixtures", "cli", "images");
const selectFixture = (name: string) => join(fixtures, "select", name);

let dir: string;
/** An empty folder for HOME and DOCKER_CONFIG, so no developer's docker login is read. */
let emptyHome: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferry-images-cli-"));
  emptyHome = join(dir, "home");
  await mkdir(emptyHome);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let scratchCount = 0;
/** A new empty folder under the test's temporary folder. */
async function scratch(): Promise<string> {
  const path = join(dir, `scratch-${++scratchCount}`);
  await mkdir(path);
  return path;
}

/** Runs `ferry images ARGS` in process with nothing of the developer's environment. */
function images(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  return runFerry(["images", ...args], {
    ...options,
    env: options.env ?? { HOME: emptyHome, DOCKER_CONFIG: emptyHome },
  });
}

/** Every file under `path`, by path relative to it, with its bytes as text. */
async function readTree(path: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    files[relative(path, file)] = await readFile(file, "utf8");
  }
  return files;
}

/** A failure as the user sees it: exit 1, nothing on stdout, one `error:` line on stderr. */
function expectOneLineError(run: CliRun): string {
  expect(run.code).toBe(1);
  expect(run.out).toBe("");
  expect(run.err).toMatch(/^error: \S.*\n$/);
  return run.err;
}

const DIGEST = `sha256:${"4f".repeat(32)}`;

describe("ferry images select", () => {
  it.each([
    [
      "a semver range (1.10.0 over 1.9.3; no pre-release, nothing past the range)",
      "semver.yaml",
      "semver-tags.txt",
      "1.10.0",
    ],
    ["the alphabetical policy", "alphabetical.yaml", "dates.txt", "2024-11-30"],
    ["the numerical policy (100 over 99)", "numerical.yaml", "builds.txt", "100"],
    [
      "filterTags with extract: the newest build of main",
      "filter-extract.yaml",
      "branch-tags.txt",
      "main-9f8e7d-1700000300",
    ],
    [
      "the exclusionList of the ImageRepository in the same file",
      "exclusions.yaml",
      "date-tags.txt",
      "2024.03.12",
    ],
  ])("prints the tag picked under %s", async (_what, policy, tags, picked) => {
    const run = await images(["select", "--policy", selectFixture(policy), "--tags", selectFixture(tags)]);
    expect(run).toEqual({ code: 0, out: `${picked}\n`, err: "" });
  });

  it("reads the tags from stdin with --tags -, blank lines and CRLF endings aside", async () => {
    const run = await images(["select", "--policy", selectFixture("numerical.yaml"), "--tags", "-"], {
      stdin: "  9\r\n10\r\n\r\n100\r\n99\r\n",
    });
    expect(run).toEqual({ code: 0, out: "100\n", err: "" });
  });

  it("uses the exclusions of the ImageRepository the policy names, not of the first one in the file", async () => {
    // several-repositories.yaml lists ImageRepository api (default exclusions) before web, whose
    // exclusionList drops the -debug build; the policy references web.
    const run = await images([
      "select",
      "--policy",
      selectFixture("several-repositories.yaml"),
      "--tags",
      selectFixture("date-tags.txt"),
    ]);
    expect(run).toEqual({ code: 0, out: "2024.03.12\n", err: "" });
  });

  it("works as bin/ferry.js with the tags piped in", async () => {
    const child = spawn(
      process.execPath,
      [
        join(root, "bin", "ferry.js"),
        "images",
        "select",
        "--policy",
        selectFixture("semver.yaml"),
        "--tags",
        "-",
      ],
      { cwd: dir, env: { ...process.env, HOME: emptyHome, DOCKER_CONFIG: emptyHome } },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdin.end(await readFile(selectFixture("semver-tags.txt")));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect({ code, out, err }).toEqual({ code: 0, out: "1.10.0\n", err: "" });
  });

  it("fails when no tag is in the semver range, quoting the range", async () => {
    const err = expectOneLineError(
      await images(["select", "--policy", selectFixture("semver.yaml"), "--tags", "-"], {
        stdin: "2.0.0\n3.1.0\nlatest\n",
      }),
    );
    expect(err).toContain("none of the 3 tags");
    expect(err).toContain('">=1.2.0 <2.0.0"');
  });

  it("fails under the numerical policy on a tag that is not a number, naming the tag", async () => {
    const err = expectOneLineError(
      await images(["select", "--policy", selectFixture("numerical.yaml"), "--tags", "-"], {
        stdin: "10\nlatest\n9\n",
      }),
    );
    expect(err).toContain('tag "latest" is not a number');
    expect(err).toContain("filterTags.pattern");
  });

  it("fails on a file without an ImagePolicy, naming the file", async () => {
    const policy = selectFixture("repository-only.yaml");
    const run = await images(["select", "--policy", policy, "--tags", selectFixture("semver-tags.txt")]);
    expect(expectOneLineError(run)).toBe(`error: ${policy} holds no ImagePolicy\n`);
  });

  it("fails on a bad semver range, naming the field and the range", async () => {
    const err = expectOneLineError(
      await images([
        "select",
        "--policy",
        selectFixture("bad-range.yaml"),
        "--tags",
        selectFixture("semver-tags.txt"),
      ]),
    );
    expect(err).toContain("ImagePolicy/flux-system/web");
    expect(err).toContain("spec.policy.semver.range");
    expect(err).toContain('"1.x.y.z"');
  });

  it("fails on a tags file that does not exist, naming it", async () => {
    const tags = join(dir, "no-such-tags.txt");
    const err = expectOneLineError(
      await images(["select", "--policy", selectFixture("semver.yaml"), "--tags", tags]),
    );
    expect(err).toContain(tags);
  });

  it("fails on an empty tags file, naming the file rather than an image repository", async () => {
    const tags = join(await scratch(), "tags.txt");
    await writeFile(tags, "\n");
    const err = expectOneLineError(
      await images(["select", "--policy", selectFixture("semver.yaml"), "--tags", tags]),
    );
    expect(err).toContain(tags);
  });
});

describe("ferry images update", () => {
  const fixture = join(fixtures, "update");
  const web = join("clusters", "production", "web.yaml");
  const api = join("clusters", "production", "api.yaml");

  /** A fresh copy of the marked repository, and its files before any update. */
  async function copy(): Promise<{ repo: string; before: Record<string, string> }> {
    const repo = join(await scratch(), "repo");
    await cp(fixture, repo, { recursive: true });
    return { repo, before: await readTree(repo) };
  }

  /** `text` with the one occurrence of `from` replaced by `to`; fails when it is not there once. */
  function edit(text: string | undefined, from: string, to: string): string {
    expect(text?.split(from)).toHaveLength(2);
    return (text ?? "").replace(from, to);
  }

  it("rewrites the marked image, prints the change and leaves every other byte alone", async () => {
    const { repo, before } = await copy();
    const run = await images(["update", repo, "--set", "flux-system:web=ghcr.io/acme/web:1.5.0"]);
    expect(run).toEqual({
      code: 0,
      out: `${join(repo, web)}:19: ghcr.io/acme/web:1.4.1 -> ghcr.io/acme/web:1.5.0\n`,
      err: "",
    });
    expect(await readTree(repo)).toEqual({
      ...before,
      [web]: edit(
        before[web],
        'image: ghcr.io/acme/web:1.4.1 # {"$imagepolicy": "flux-system:web"}',
        'image: ghcr.io/acme/web:1.5.0 # {"$imagepolicy": "flux-system:web"}',
      ),
    });
  });

  it("applies several --set at once: a digest, :tag and :digest markers, quotes kept", async () => {
    const { repo, before } = await copy();
    const run = await images([
      "update",
      repo,
      "--set",
      `flux-system:web=ghcr.io/acme/web:1.5.0@${DIGEST}`,
      "--set",
      `flux-system:api=ghcr.io/acme/api:2.1.0@${DIGEST}`,
    ]);
    expect(run).toEqual({
      code: 0,
      out:
        `${join(repo, api)}:16: 2.0.0 -> 2.1.0\n` +
        `${join(repo, api)}:17:  -> ${DIGEST}\n` +
        `${join(repo, web)}:19: ghcr.io/acme/web:1.4.1 -> ghcr.io/acme/web:1.5.0@${DIGEST}\n`,
      err: "",
    });
    const apiAfter = edit(
      edit(
        before[api],
        'tag: "2.0.0" # {"$imagepolicy": "flux-system:api:tag"}',
        'tag: "2.1.0" # {"$imagepolicy": "flux-system:api:tag"}',
      ),
      'digest: "" # {"$imagepolicy": "flux-system:api:digest"}',
      `digest: "${DIGEST}" # {"$imagepolicy": "flux-system:api:digest"}`,
    );
    expect(await readTree(repo)).toEqual({
      ...before,
      [api]: apiAfter,
      [web]: edit(
        before[web],
        "image: ghcr.io/acme/web:1.4.1 #",
        `image: ghcr.io/acme/web:1.5.0@${DIGEST} #`,
      ),
    });
    // The proxy's marker names a policy no --set gave: it stays as it was.
    expect((await readTree(repo))[web]).toContain(
      'image: ghcr.io/acme/proxy:0.9.0 # {"$imagepolicy": "flux-system:proxy"}',
    );
  });

  it("rewrites a :name marker when the image moves to another registry", async () => {
    const { repo, before } = await copy();
    const run = await images([
      "update",
      repo,
      "--set",
      "flux-system:api=registry.example.com:5000/acme/api:2.0.0",
    ]);
    expect(run).toEqual({
      code: 0,
      out: `${join(repo, api)}:15: ghcr.io/acme/api -> registry.example.com:5000/acme/api\n`,
      err: "",
    });
    expect(await readTree(repo)).toEqual({
      ...before,
      [api]: edit(
        before[api],
        "repository: ghcr.io/acme/api #",
        "repository: registry.example.com:5000/acme/api #",
      ),
    });
  });

  it("says there is nothing to change when the values already match", async () => {
    const { repo, before } = await copy();
    const run = await images(["update", repo, "--set", "flux-system:web=ghcr.io/acme/web:1.4.1"]);
    expect(run).toEqual({ code: 0, out: "", err: "nothing to change\n" });
    expect(await readTree(repo)).toEqual(before);
  });

  it("is idempotent: the second run of the same update changes nothing", async () => {
    const { repo } = await copy();
    const args = ["update", repo, "--set", "flux-system:web=ghcr.io/acme/web:1.5.0"];
    expect((await images(args)).code).toBe(0);
    const after = await readTree(repo);
    expect(await images(args)).toEqual({ code: 0, out: "", err: "nothing to change\n" });
    expect(await readTree(repo)).toEqual(after);
  });

  it("warns about a --set that no marker names (a typo in the policy), instead of a bare 'nothing to change'", async () => {
    const { repo, before } = await copy();
    const run = await images(["update", repo, "--set", "flux-sytem:web=ghcr.io/acme/web:1.5.0"]);
    expect(run.out).toBe("");
    expect(run.err).toContain("flux-sytem:web");
    expect(await readTree(repo)).toEqual(before);
  });

  it.each([
    ["without a namespace", "web=ghcr.io/acme/web:1.5.0", "<namespace>:<name>=<image>:<tag>"],
    ["without =", "flux-system:web", "<namespace>:<name>=<image>:<tag>"],
    ["without a tag", "flux-system:web=ghcr.io/acme/web", "no tag"],
    ["with a short digest", "flux-system:web=ghcr.io/acme/web:1.5.0@sha256:abc", "is not a digest"],
  ])("fails on a --set %s, quoting it, and writes nothing", async (_what, setting, says) => {
    const { repo, before } = await copy();
    const err = expectOneLineError(
      await images(["update", repo, "--set", "flux-system:api=ghcr.io/acme/api:2.1.0", "--set", setting]),
    );
    expect(err).toContain(setting);
    expect(err).toContain(says);
    expect(await readTree(repo)).toEqual(before);
  });

  it("fails without any --set, saying to give one", async () => {
    const { repo, before } = await copy();
    expect(expectOneLineError(await images(["update", repo]))).toContain("--set");
    expect(await readTree(repo)).toEqual(before);
  });

  it("fails on a path that does not exist, naming it", async () => {
    const missing = join(dir, "no-such-repo");
    const err = expectOneLineError(
      await images(["update", missing, "--set", "flux-system:web=ghcr.io/acme/web:1.5.0"]),
    );
    expect(err).toContain(missing);
  });
});

describe("ferry images scan", () => {
  const fixture = join(fixtures, "scan");
  const imagesFile = join("clusters", "production", "images.yaml");
  let registry: FakeRegistry;
  const login = { username: "robot", password: "s3cret-pa55" };

  beforeAll(async () => {
    registry = await startFakeRegistry({
      auth: "bearer",
      // Three tags a page: web's newest 1.x, 1.4.2, is on the third page.
      repositories: {
        "acme/web": ["1.0.0", "1.3.0", "2.0.0", "1.4.0", "latest", "1.4.1", "2.1.0", "1.4.2"],
        "acme/worker": ["build-7", "build-12", "build-9", "latest"],
        "acme/private": ["build-3", "build-5"],
      },
      private: ["acme/private"],
      refused: ["acme/locked"],
      login,
    });
  });
  afterAll(async () => {
    await registry.close();
  });

  /** A copy of the scan fixture with its images on the fake registry, `images.yaml` edited by `edits`. */
  async function repository(edits: Array<[string, string]> = []): Promise<string> {
    const repo = join(await scratch(), "repo");
    await cp(fixture, repo, { recursive: true });
    for (const file of [imagesFile, join("clusters", "production", "web.yaml")]) {
      const path = join(repo, file);
      let text = (await readFile(path, "utf8")).replaceAll("registry.test/", `${registry.host}/`);
      if (file === imagesFile) for (const [from, to] of edits) text = text.replaceAll(from, to);
      await writeFile(path, text);
    }
    return repo;
  }

  /** The table's cells, split on the column gaps; checks that the columns line up. */
  function table(out: string): string[][] {
    const lines = out.trimEnd().split("\n");
    const rows = lines.map((line) => line.split(/ {2,}/));
    for (const column of [1, 2]) {
      const starts = lines.map((line, i) =>
        line.indexOf(rows[i]?.[column] ?? "\0", (rows[i]?.[0] ?? "").length),
      );
      expect(new Set(starts).size, `column ${column} is aligned in:\n${out}`).toBe(1);
    }
    return rows;
  }

  async function dockerConfig(folder: string): Promise<void> {
    await mkdir(folder, { recursive: true });
    const auth = Buffer.from(`${login.username}:${login.password}`).toString("base64");
    await writeFile(join(folder, "config.json"), JSON.stringify({ auths: { [registry.host]: { auth } } }));
  }

  it("prints each policy, its image and the tag it picks, listing tags across pages", async () => {
    const repo = await repository();
    const before = await readTree(repo);
    const run = await images(["scan", repo]);
    expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: "" });
    expect(table(run.out)).toEqual([
      ["POLICY", "IMAGE", "LATEST"],
      ["flux-system/web", `${registry.host}/acme/web`, "1.4.2"],
      ["flux-system/worker", `${registry.host}/acme/worker`, "build-12"],
    ]);
    expect(await readTree(repo)).toEqual(before);
  });

  it("prints the error of a refused repository in its row, scans the others, and exits 1", async () => {
    const repo = await repository([["acme/worker", "acme/locked"]]);
    const run = await images(["scan", repo]);
    expect(run.code).toBe(1);
    const rows = table(run.out);
    expect(rows.slice(0, 2)).toEqual([
      ["POLICY", "IMAGE", "LATEST"],
      ["flux-system/web", `${registry.host}/acme/web`, "1.4.2"],
    ]);
    expect(rows[2]?.slice(0, 2)).toEqual(["flux-system/worker", `${registry.host}/acme/locked`]);
    const error = rows[2]?.[2] ?? "";
    const refused = `error: listing tags of ${registry.host}/acme/locked refused (HTTP 403: DENIED:`;
    expect(error.slice(0, refused.length)).toBe(refused);
    expect(rows).toHaveLength(3);
  });

  it("tells a CLI user how to log in to a refusing registry, not to edit an operator file", async () => {
    const repo = await repository([["acme/worker", "acme/private"]]);
    const run = await images(["scan", repo]);
    expect(run.code).toBe(1);
    const error = table(run.out)[2]?.[2] ?? "";
    expect(error).toContain(`listing tags of ${registry.host}/acme/private refused`);
    expect(error).not.toContain("operator file");
    expect(error).toMatch(/docker login|DOCKER_CONFIG|config\.json/);
  });

  it("logs in with the docker config DOCKER_CONFIG points at, printing no secret", async () => {
    const repo = await repository([["acme/worker", "acme/private"]]);
    const docker = join(await scratch(), "docker");
    await dockerConfig(docker);
    const run = await images(["scan", repo], { env: { HOME: emptyHome, DOCKER_CONFIG: docker } });
    expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: "" });
    expect(table(run.out)[2]).toEqual(["flux-system/worker", `${registry.host}/acme/private`, "build-5"]);
    expect(run.out).not.toContain(login.password);
  });

  it("logs in with ~/.docker/config.json under the HOME it is given", async () => {
    const repo = await repository([["acme/worker", "acme/private"]]);
    const home = await scratch();
    await dockerConfig(join(home, ".docker"));
    const run = await images(["scan", repo], { env: { HOME: home } });
    expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: "" });
    expect(table(run.out)[2]).toEqual(["flux-system/worker", `${registry.host}/acme/private`, "build-5"]);
  });

  it("says so for a policy whose ImageRepository is not under the path, and exits 1", async () => {
    const repo = await repository([
      [
        "name: worker\n  namespace: flux-system\nspec:\n  image: ",
        "name: other\n  namespace: flux-system\nspec:\n  image: ",
      ],
    ]);
    const run = await images(["scan", repo]);
    expect(run.code).toBe(1);
    const rows = table(run.out);
    expect(rows[1]).toEqual(["flux-system/web", `${registry.host}/acme/web`, "1.4.2"]);
    expect(rows[2]?.[0]).toBe("flux-system/worker");
    expect(rows[2]?.[2]).toContain("ImageRepository flux-system/worker");
  });

  it("names an invalid policy and the field at fault, still scans the others, and exits 1", async () => {
    const repo = await repository([["range: 1.x", 'range: "1.x.y.z"']]);
    const run = await images(["scan", repo]);
    expect(run.code).toBe(1);
    expect(table(run.out)).toContainEqual(["flux-system/worker", `${registry.host}/acme/worker`, "build-12"]);
    expect(run.err).toContain("flux-system/web");
    expect(run.err).toContain("spec.policy.semver.range");
    expect(run.err).toContain('"1.x.y.z"');
  });

  it("says when a folder holds no ImagePolicy", async () => {
    const shop = join(import.meta.dirname, "..", "fixtures", "cli", "shop");
    const run = await images(["scan", shop]);
    expect(run.code).toBe(0);
    expect(run.err).toBe(`no ImagePolicy under ${shop}\n`);
    expect(run.out).not.toMatch(/\//);
  });

  it("fails on a path that does not exist, naming it", async () => {
    const missing = join(dir, "no-such-repo");
    expect(expectOneLineError(await images(["scan", missing]))).toContain(missing);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { repositoryRootOf } from "../../src/cli/build.js";
import { root } from "../support/build.js";
import { type CliRun, runFerry } from "../support/cli.js";

const fixtures = join(root, "test", "fixtures", "build");

function ferryBuild(...args: string[]): Promise<CliRun> {
  return runFerry(["build", ...args]);
}

describe("ferry build", () => {
  it("prints the objects of a path as multi-document YAML, Flux objects included, and exits 0", async () => {
    const { code, out, err } = await ferryBuild(
      join(fixtures, "fleet", "clusters", "production"),
      "--repo",
      join(fixtures, "fleet"),
    );
    expect({ code, err }).toEqual({ code: 0, err: "" });
    const docs = parseAllDocuments(out).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string; annotations?: object } },
    );
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      "Kustomization/apps",
      "Kustomization/flux-system",
      "Kustomization/infra-controllers",
      "GitRepository/flux-system",
    ]);
    expect(out).toContain("\n---\n");
    expect(out).not.toContain("config.kubernetes.io/origin");
  });

  it("builds a plain folder through a generated kustomization", async () => {
    const { code, out } = await ferryBuild(join(fixtures, "plain"), "--repo", fixtures);
    expect(code).toBe(0);
    expect(parseAllDocuments(out)).toHaveLength(4);
  });

  it("prints one line per problem with file and line, and exits 1", async () => {
    const { code, out, err } = await ferryBuild(join(fixtures, "remote", "nested"), "--repo", fixtures);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toBe(
      "remote/nested/inner/kustomization.yaml:6: components entry 'git@github.com:acme/components.git//monitoring?ref=v1' " +
        "is a remote base, which Ferry does not fetch: vendor it into the repository, or ask the operator to allow remote bases " +
        "(allowRemoteBases: true)\n",
    );
  });

  it("reports a file that is not Kubernetes YAML with its line", async () => {
    const { code, err } = await ferryBuild(join(fixtures, "not-k8s"), "--repo", fixtures);
    expect(code).toBe(1);
    expect(err).toMatch(/^not-k8s\/charts\/values\.yaml:6: not Kubernetes YAML/);
    expect(err.trim().split("\n")).toHaveLength(1);
  });

  it("fails on a path that does not exist, or lies outside --repo", async () => {
    expect(await ferryBuild(join(fixtures, "nowhere"), "--repo", fixtures)).toMatchObject({
      code: 1,
      err: `${join(fixtures, "nowhere")}: no such folder\n`,
    });
    const outside = await ferryBuild(join(fixtures, "plain"), "--repo", join(fixtures, "fleet"));
    expect(outside.code).toBe(1);
    expect(outside.err).toContain("is not inside the repository");
  });

  it("passes --allow-remote-bases on: the refusal is gone and kustomize is asked for the URL", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ferry-cli-remote-"));
    try {
      await mkdir(join(dir, "app"));
      // A remote base that cannot be fetched without a network, and fails fast with one:
      // the error then comes from kustomize, not from Ferry's refusal.
      await writeFile(
        join(dir, "app", "kustomization.yaml"),
        "resources:\n  - https://127.0.0.1:1/nothing.yaml\n",
      );
      const refused = await ferryBuild(join(dir, "app"), "--repo", dir);
      expect(refused.err).toContain("is a remote base, which Ferry does not fetch");
      const allowed = await ferryBuild(join(dir, "app"), "--repo", dir, "--allow-remote-bases");
      expect(allowed.code).toBe(1);
      expect(allowed.err).not.toContain("is a remote base");
      expect(allowed.err).toContain("kustomize build failed for app");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("documents how the repository is found", async () => {
    const { code, out } = await ferryBuild("--help");
    expect(code).toBe(0);
    expect(out).toContain("Usage: ferry build [options] <path>");
    expect(out).toContain("--repo <dir>");
    expect(out).toContain("nearest folder above PATH holding .git");
    expect(out).toContain("--allow-remote-bases");
  });
});

describe("repositoryRootOf", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-root-"));
    await mkdir(join(dir, "repo", ".git"), { recursive: true });
    await mkdir(join(dir, "repo", "clusters", "prod"), { recursive: true });
    await mkdir(join(dir, "loose", "apps"), { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("is the nearest folder holding .git", () => {
    expect(repositoryRootOf(join(dir, "repo", "clusters", "prod"), "/")).toBe(join(dir, "repo"));
  });

  it("else the current folder when the path is inside it, else the path itself", () => {
    expect(repositoryRootOf(join(dir, "loose", "apps"), join(dir, "loose"))).toBe(join(dir, "loose"));
    expect(repositoryRootOf(join(dir, "loose", "apps"), join(dir, "repo"))).toBe(join(dir, "loose", "apps"));
  });
});

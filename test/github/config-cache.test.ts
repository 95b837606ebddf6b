/** Configs read for pushes: cached per repository, read again on a push to the default branch or after the TTL. */
import { describe, expect, it } from "vitest";
import { type ConfigReader, RepositoryConfigCache } from "../../src/github/config/read.js";

function reader(files: unknown[]): ConfigReader & { reads: number } {
  const github = {
    reads: 0,
    config: {
      get: async () => {
        const config = files[Math.min(github.reads, files.length - 1)];
        github.reads += 1;
        if (config instanceof Error) throw config;
        return { config, files: [{ config }] };
      },
    },
  };
  return github;
}

const repo = { owner: "acme", repo: "fleet" };
const target = (path: string) => ({ sync: [{ cluster: "default", path }] });

describe("RepositoryConfigCache", () => {
  it("reads once for pushes to other branches, again for a push to the default branch", async () => {
    const github = reader([target("one"), target("two")]);
    const cache = new RepositoryConfigCache(60_000, () => 0);
    const paths = async (fresh: boolean) => {
      const read = await cache.read(github, repo, { fresh });
      return read.ok ? read.config.sync.map((t) => t.path) : read.problems;
    };
    expect(await paths(false)).toEqual(["one"]);
    expect(await paths(false)).toEqual(["one"]);
    expect(github.reads).toBe(1);
    expect(await paths(true)).toEqual(["two"]);
    expect(github.reads).toBe(2);
  });

  it("reads again after the TTL, and does not remember a failed read", async () => {
    let now = 0;
    const github = reader([new Error("GitHub is down"), target("one"), target("two")]);
    const cache = new RepositoryConfigCache(1_000, () => now);
    await expect(cache.read(github, repo)).rejects.toThrow("GitHub is down");
    expect((await cache.read(github, repo)).ok).toBe(true);
    now = 999;
    await cache.read(github, repo);
    expect(github.reads).toBe(2);
    now = 1_000;
    const read = await cache.read(github, repo);
    expect(read.ok && read.config.sync[0]?.path).toBe("two");
  });
});

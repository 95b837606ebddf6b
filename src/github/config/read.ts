/**
 * Reads `.github/ferry.yml` from a repository's default branch exactly as Probot's `context.config`
 * does (the config plugin, `_extends` followed, files deep-merged), from an installation's Octokit,
 * so a webhook and the start-up run outside any webhook read it the same way.
 */
import deepmerge from "deepmerge";
import type { ConfigResult } from "./problems.js";
import { type RepositoryConfig, repositoryConfigFile, repositoryConfigFromObject } from "./repository.js";

/** The part of ProbotOctokit's config plugin this uses. */
export interface ConfigReader {
  config: {
    get(options: {
      owner: string;
      repo: string;
      path: string;
      defaults?: (configs: object[]) => object;
    }): Promise<{ config: unknown; files: Array<{ config: unknown }> }>;
  };
}

/** The repository's validated config; without a `.github/ferry.yml`, the defaults (nothing to sync). */
export async function readRepositoryConfig(
  github: ConfigReader,
  repository: { owner: string; repo: string },
): Promise<ConfigResult<RepositoryConfig>> {
  const { config, files } = await github.config.get({
    ...repository,
    path: repositoryConfigFile,
    defaults: (configs) => deepmerge.all([{}, ...configs]),
  });
  return repositoryConfigFromObject(files.some((file) => file.config !== null) ? config : null);
}

/**
 * Recently read configs, so pushes to branches no target follows (most pushes, in a busy repository)
 * cost no GitHub call. A push to the default branch, where the file lives, always reads it again; an
 * entry also expires after `ttlMs`, for `_extends` sources that change elsewhere.
 */
export class RepositoryConfigCache {
  private readonly entries = new Map<
    string,
    { at: number; result: Promise<ConfigResult<RepositoryConfig>> }
  >();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  read(
    github: ConfigReader,
    repository: { owner: string; repo: string },
    options: { fresh?: boolean } = {},
  ): Promise<ConfigResult<RepositoryConfig>> {
    const key = `${repository.owner}/${repository.repo}`.toLowerCase();
    const entry = this.entries.get(key);
    if (entry && !options.fresh && this.now() - entry.at < this.ttlMs) return entry.result;
    const result = readRepositoryConfig(github, repository);
    this.entries.delete(key);
    this.entries.set(key, { at: this.now(), result });
    // A failed read is not remembered.
    result.catch(() => {
      if (this.entries.get(key)?.result === result) this.entries.delete(key);
    });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return result;
  }
}

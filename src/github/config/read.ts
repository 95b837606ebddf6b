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

/**
 * What Ferry does when it starts, and when it is installed on more repositories: every repository
 * of every installation gets its interval timers, and each of its targets is reconciled once (which
 * also completes check runs a stopped instance left in progress). Outside a webhook, so everything
 * authenticates through the app itself.
 */
import pLimit from "p-limit";
import { formatProblem } from "./config/problems.js";
import type { ConfigReader } from "./config/read.js";
import { readRepositoryConfig } from "./config/read.js";
import type { GitHub, Repository, SyncService } from "./sync.js";

/** An installation's Octokit: REST requests and Probot's config plugin. */
export type InstallationGitHub = GitHub & ConfigReader;

export interface StartupOptions {
  sync: SyncService;
  /** The app's own Octokit (JWT), for listing installations. */
  app: () => Promise<GitHub>;
  /** An installation's Octokit (a fresh token whenever asked). */
  installation: (id: number) => Promise<InstallationGitHub>;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
  /** Repositories set up at once (each costs a few API calls). */
  concurrency?: number;
}

const PAGE = 100;

/** Every installation's repositories set up; resolves to how many repositories and targets it found. */
export async function startupRun(
  options: StartupOptions,
): Promise<{ repositories: number; targets: number }> {
  const app = await options.app();
  const limit = pLimit(options.concurrency ?? 4);
  const counts = { repositories: 0, targets: 0 };
  const installations = await allPages(app, "GET /app/installations", (data) => data as { id: number }[]);
  await Promise.all(
    installations.map(async ({ id }) => {
      const github = await options.installation(id);
      const repositories = await allPages(
        github,
        "GET /installation/repositories",
        (data) => (data as { repositories: RepositoryListing[] }).repositories,
      );
      await Promise.all(
        repositories
          .filter((r) => !r.archived)
          .map((r) =>
            limit(async () => {
              const targets = await setUpRepository(
                options,
                id,
                github,
                { owner: r.owner.login, repo: r.name },
                r.default_branch,
              );
              counts.repositories += 1;
              counts.targets += targets;
            }),
          ),
      );
    }),
  );
  options.log.info(counts, `start-up run: ${counts.targets} targets in ${counts.repositories} repositories`);
  return counts;
}

interface RepositoryListing {
  name: string;
  owner: { login: string };
  default_branch: string;
  archived?: boolean;
}

/**
 * One repository: its `.github/ferry.yml` read, its timers started and each target queued once.
 * Resolves to the number of targets; a problem is logged, never thrown, so one broken repository
 * does not stop the others.
 */
export async function setUpRepository(
  options: Pick<StartupOptions, "sync" | "installation" | "log">,
  installation: number,
  github: InstallationGitHub,
  repository: Repository,
  defaultBranch?: string,
): Promise<number> {
  const name = `${repository.owner}/${repository.repo}`;
  try {
    const config = await readRepositoryConfig(github, repository);
    if (!config.ok) {
      options.log.warn(
        { repository: name, problems: config.problems.map(formatProblem) },
        `${name}: .github/ferry.yml is invalid; not synced until a push fixes it`,
      );
      return 0;
    }
    if (config.config.sync.length === 0) return 0;
    const branch =
      defaultBranch ??
      String(
        (await github.request("GET /repos/{owner}/{repo}", { ...repository })).data.default_branch ?? "main",
      );
    options.sync.watch(() => options.installation(installation), repository, config.config, branch);
    await options.sync.resume(github, repository, config.config, branch);
    return config.config.sync.length;
  } catch (error) {
    options.log.error({ err: error, repository: name }, `${name}: could not set up its sync targets`);
    return 0;
  }
}

/** Every item of a paginated list endpoint, `per_page` 100 at a time. */
async function allPages<T>(
  github: GitHub,
  route: "GET /app/installations" | "GET /installation/repositories",
  items: (data: unknown) => T[],
): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; ; page++) {
    const { data } = await github.request(route, { per_page: PAGE, page });
    const batch = items(data);
    all.push(...batch);
    if (batch.length < PAGE) return all;
  }
}

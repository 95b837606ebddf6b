import { hostname } from "node:os";
import type { ApplicationFunctionOptions, Probot } from "probot";
import { loadOperatorConfig, type OperatorConfig, operatorRegistryLogins } from "./github/config/operator.js";
import { type ConfigProblem, formatProblem } from "./github/config/problems.js";
import { RepositoryConfigCache, readRepositoryConfig } from "./github/config/read.js";
import { parseRepositoryConfig, repositoryConfigFile } from "./github/config/repository.js";
import { ImageUpdateService } from "./github/image-updates.js";
import { createMetrics, operationsHandler } from "./github/metrics.js";
import { type InstallationGitHub, setUpRepository, startupRun } from "./github/startup.js";
import { type GitHub, RESYNC, type SyncJob, SyncService } from "./github/sync.js";
import { parsePackageEvent, RegistryClient, type TagLister } from "./images/registry/index.js";
import type { ReconcileResult } from "./model/result.js";

export interface FerryAppOptions {
  /** The operator's configuration; default read from FERRY_CONFIG (single-tenant mode without it). */
  operator?: OperatorConfig;
  /** Where fetched revisions go. */
  cacheDir?: string;
  /** Receives the sync and image update services once the app is loaded (tests wait on them). */
  onReady?: (service: SyncService, images: ImageUpdateService) => void;
  /** Lists registry tags; default the OCI distribution API with the operator's registry credentials. */
  registry?: TagLister;
  /**
   * Whether loading the app starts the start-up run (every installation's repositories watched and
   * each target reconciled once); default true.
   */
  startup?: boolean;
}

/**
 * Ferry's Probot app: routing only. Each event becomes a call with plain parameters into
 * `src/github/` (push, re-runs, new installations), the start-up run begins once loaded, and
 * `/healthz` and `/metrics` are served beside the webhook route.
 */
export function createFerryApp(settings: FerryAppOptions = {}) {
  return async (app: Probot, options?: ApplicationFunctionOptions): Promise<void> =>
    ferry(app, options, settings);
}

export default createFerryApp();

async function ferry(
  app: Probot,
  options: ApplicationFunctionOptions | undefined,
  settings: FerryAppOptions,
) {
  const metrics = createMetrics();
  const configs = new RepositoryConfigCache();
  const operator = settings.operator ?? (await loadOperatorConfig());
  const images = new ImageUpdateService({
    operator,
    registry: settings.registry ?? new RegistryClient({ credentials: operatorRegistryLogins(operator) }),
    log: app.log,
    ...(settings.cacheDir ? { cacheDir: settings.cacheDir } : {}),
  });
  /**
   * The image update of one repository, in the background: config read, default branch looked up;
   * repositories with images on registries that send no events are looked at again on a timer.
   */
  const updateImages = (github: InstallationGitHub, repository: { owner: string; repo: string }): void =>
    images.track(async () => {
      const config = await readRepositoryConfig(github, repository);
      if (!config.ok || !config.config.images.allowed || config.config.sync.length === 0) return;
      const { data } = await github.request("GET /repos/{owner}/{repo}", { ...repository });
      const result = await images.update(github, repository, config.config, data.default_branch);
      if (result.rescanMs === undefined) return;
      images.rescan(repository, result.rescanMs, () =>
        images.track(async () => {
          const appGitHub = (await app.auth()) as unknown as GitHub;
          const { data: installation } = await appGitHub.request("GET /repos/{owner}/{repo}/installation", {
            ...repository,
          });
          updateImages((await app.auth(installation.id)) as unknown as InstallationGitHub, repository);
        }),
      );
    });
  const sync = new SyncService({
    operator,
    metrics,
    log: app.log,
    replica: `${hostname()}-${process.pid}`,
    ...(settings.cacheDir ? { cacheDir: settings.cacheDir } : {}),
    // A run that met image policies brings their pull requests up to date (a push, an interval, start-up).
    onSynced: (job: SyncJob, result: ReconcileResult) => {
      const policies = result.units.some((u) => u.consumed.some((s) => s.startsWith("ImagePolicy/")));
      if (policies) updateImages(job.github as InstallationGitHub, job.repository);
    },
  });
  settings.onReady?.(sync, images);
  try {
    options?.addHandler(operationsHandler(metrics));
  } catch {
    // Loaded without Probot's HTTP server (probot.receive in tests): no endpoints to add.
  }
  app.onAny(async (context) => {
    metrics.deliveries.inc({ event: context.name });
  });
  const installationGitHub = async (id: number) => (await app.auth(id)) as unknown as InstallationGitHub;
  const startup = { sync, installation: installationGitHub, log: app.log };
  if (settings.startup ?? true) {
    startupRun({ ...startup, app: async () => (await app.auth()) as unknown as GitHub }).catch(
      (error: unknown) => {
        metrics.errors.inc({ kind: "startup" });
        app.log.error({ err: error }, "start-up run failed");
      },
    );
  }

  // Newly installed repositories are set up as at start-up (the payloads list them without a default branch).
  app.on(["installation.created", "installation_repositories.added"], async (context) => {
    const installation = context.payload.installation.id;
    const added =
      "repositories_added" in context.payload
        ? context.payload.repositories_added
        : (context.payload.repositories ?? []);
    const github = context.octokit as unknown as InstallationGitHub;
    for (const { full_name } of added) {
      const [owner = "", repo = ""] = full_name.split("/");
      sync.accept({ owner, repo }, context.id, async () => {
        await setUpRepository(startup, installation, github, { owner, repo });
      });
    }
  });

  app.on(["installation.deleted", "installation_repositories.removed"], async (context) => {
    const removed =
      "repositories_removed" in context.payload
        ? context.payload.repositories_removed
        : (context.payload.repositories ?? []);
    for (const { full_name } of removed) {
      const [owner = "", repo = ""] = full_name.split("/");
      sync.unwatch({ owner, repo });
    }
  });

  app.on("push", async (context) => {
    const { repository, ref, after, deleted } = context.payload;
    context.log.info(
      { event: "push", repository: repository.full_name, ref, after },
      `push to ${repository.full_name} ${ref} at ${after}`,
    );
    if (deleted || !ref.startsWith("refs/heads/")) return;
    const github = context.octokit as unknown as InstallationGitHub;
    const branch = ref.slice("refs/heads/".length);
    sync.accept(context.repo(), context.id, async () => {
      const parsed = await configs.read(github, context.repo(), {
        fresh: branch === (repository.default_branch ?? "main"),
      });
      if (!parsed.ok) {
        await reportInvalidConfig(github, context.repo(), after, parsed.problems);
        return;
      }
      const installation = context.payload.installation?.id;
      if (installation !== undefined) {
        // Interval runs act outside a webhook: they authenticate as the installation themselves.
        const auth = async () => (await app.auth(installation)) as unknown as GitHub;
        sync.watch(auth, context.repo(), parsed.config, repository.default_branch ?? "main");
      }
      await sync.push(
        github,
        context.repo(),
        {
          branch,
          defaultBranch: repository.default_branch ?? "main",
          sha: after,
          deliveryId: context.id,
        },
        parsed.config,
      );
    });
  });

  app.on(["check_run.rerequested", "check_run.requested_action"], async (context) => {
    const { check_run: run, repository } = context.payload;
    const action = "requested_action" in context.payload ? context.payload.requested_action : undefined;
    if (context.payload.action === "requested_action" && action?.identifier !== RESYNC) return;
    if (!run.name.startsWith("Ferry / ") || !run.external_id) return;
    const defaultBranch = repository.default_branch ?? "main";
    const github = context.octokit as unknown as InstallationGitHub;
    sync.accept(context.repo(), context.id, async () => {
      const parsed = await configs.read(github, context.repo(), { fresh: true });
      if (!parsed.ok) return;
      await sync.rerun(
        github,
        context.repo(),
        {
          externalId: run.external_id as string,
          sha: run.head_sha,
          branch: run.check_suite?.head_branch ?? defaultBranch,
          defaultBranch,
        },
        parsed.config,
      );
    });
  });

  // A container image published: every repository known to use it (and the package's own
  // repository) gets its image update pull requests brought up to date.
  app.on(["registry_package", "package"], async (context) => {
    const published = parsePackageEvent(context.name, context.payload, (reason) =>
      context.log.info({ event: context.name }, `${context.name} ignored: ${reason}`),
    );
    if (!published) return;
    context.log.info(
      { event: context.name, ...published },
      `${context.name}: ${published.image}:${published.tag} published`,
    );
    if (!images.announce(published)) {
      context.log.info({ event: context.name, ...published }, `${context.name}: already seen; nothing to do`);
      return;
    }
    const github = context.octokit as unknown as InstallationGitHub;
    const candidates = new Map(images.usersOf(published.image).map((r) => [`${r.owner}/${r.repo}`, r]));
    if ("repository" in context.payload && context.payload.repository) {
      const { owner, name } = context.payload.repository as { owner: { login: string }; name: string };
      candidates.set(`${owner.login}/${name}`, { owner: owner.login, repo: name });
    }
    for (const repository of candidates.values()) updateImages(github, repository);
  });
}

/**
 * A failing `Ferry / config` check run quoting each problem with its key and line. Probot's
 * `context.config` hands over parsed values (no lines), so the file itself is read again to place
 * the problems; with `_extends` the problem may be in another file, and then lines stay unknown.
 */
async function reportInvalidConfig(
  github: GitHub,
  repository: { owner: string; repo: string },
  sha: string,
  problems: ConfigProblem[],
): Promise<void> {
  const text = await github
    .request("GET /repos/{owner}/{repo}/contents/{path}", {
      ...repository,
      path: repositoryConfigFile,
      mediaType: { format: "raw" },
    })
    .then((response) => String(response.data))
    .catch(() => undefined);
  const reread = text === undefined ? undefined : parseRepositoryConfig(text);
  const placed = reread && !reread.ok ? reread.problems : problems;
  await github.request("POST /repos/{owner}/{repo}/check-runs", {
    ...repository,
    name: "Ferry / config",
    head_sha: sha,
    status: "completed",
    conclusion: "failure",
    output: {
      title: `${repositoryConfigFile} is invalid`,
      summary: placed.map((p) => `- ${formatProblem(p)}`).join("\n"),
      annotations: placed.slice(0, 50).map((p) => ({
        path: repositoryConfigFile,
        start_line: p.line ?? 1,
        end_line: p.line ?? 1,
        annotation_level: "failure" as const,
        message: p.message,
      })),
    },
  });
}

import { hostname } from "node:os";
import type { ApplicationFunctionOptions, Probot } from "probot";
import { loadOperatorConfig, type OperatorConfig } from "./github/config/operator.js";
import { formatProblem } from "./github/config/problems.js";
import { repositoryConfigFromObject } from "./github/config/repository.js";
import { createMetrics, operationsHandler } from "./github/metrics.js";
import { type GitHub, RESYNC, SyncService } from "./github/sync.js";

export interface FerryAppOptions {
  /** The operator's configuration; default read from FERRY_CONFIG (single-tenant mode without it). */
  operator?: OperatorConfig;
  /** Where fetched revisions go. */
  cacheDir?: string;
  /** Receives the sync service once the app is loaded (tests wait on its queue). */
  onReady?: (service: SyncService) => void;
}

/**
 * Ferry's Probot app: routing only. Each event is handed to its handler (added under
 * `src/github/` as the flows arrive); for now deliveries are logged and counted, and
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
  const operator = settings.operator ?? (await loadOperatorConfig());
  const sync = new SyncService({
    operator,
    metrics,
    log: app.log,
    replica: `${hostname()}-${process.pid}`,
    ...(settings.cacheDir ? { cacheDir: settings.cacheDir } : {}),
  });
  settings.onReady?.(sync);
  try {
    options?.addHandler(operationsHandler(metrics));
  } catch {
    // Loaded without Probot's HTTP server (probot.receive in tests): no endpoints to add.
  }
  app.onAny(async (context) => {
    metrics.deliveries.inc({ event: context.name });
  });

  app.on("push", async (context) => {
    const { repository, ref, after, deleted } = context.payload;
    context.log.info(
      { event: "push", repository: repository.full_name, ref, after },
      `push to ${repository.full_name} ${ref} at ${after}`,
    );
    if (deleted || !ref.startsWith("refs/heads/")) return;
    const github = context.octokit as unknown as GitHub;
    const parsed = repositoryConfigFromObject(await context.config("ferry.yml"));
    if (!parsed.ok) {
      await github.request("POST /repos/{owner}/{repo}/check-runs", {
        ...context.repo(),
        name: "Ferry / config",
        head_sha: after,
        status: "completed",
        conclusion: "failure",
        output: {
          title: ".github/ferry.yml is invalid",
          summary: parsed.problems.map((p) => `- ${formatProblem(p)}`).join("\n"),
        },
      });
      return;
    }
    await sync.push(
      github,
      context.repo(),
      {
        branch: ref.slice("refs/heads/".length),
        defaultBranch: repository.default_branch ?? "main",
        sha: after,
        deliveryId: context.id,
      },
      parsed.config,
    );
  });

  app.on(["check_run.rerequested", "check_run.requested_action"], async (context) => {
    const { check_run: run, repository } = context.payload;
    const action = "requested_action" in context.payload ? context.payload.requested_action : undefined;
    if (context.payload.action === "requested_action" && action?.identifier !== RESYNC) return;
    if (!run.name.startsWith("Ferry / ") || !run.external_id) return;
    const parsed = repositoryConfigFromObject(await context.config("ferry.yml"));
    if (!parsed.ok) return;
    const defaultBranch = repository.default_branch ?? "main";
    await sync.rerun(
      context.octokit as unknown as GitHub,
      context.repo(),
      {
        externalId: run.external_id,
        sha: run.head_sha,
        branch: run.check_suite?.head_branch ?? defaultBranch,
        defaultBranch,
      },
      parsed.config,
    );
  });

  app.on("registry_package", async (context) => {
    const { action, registry_package: pkg } = context.payload;
    const packageVersion = pkg.package_version;
    const version = packageVersion?.version ?? null;
    // Containers: `version` is the manifest digest; the tag (possibly "") is in container_metadata.
    const tag =
      packageVersion && "container_metadata" in packageVersion
        ? packageVersion.container_metadata?.tag?.name || null
        : null;
    context.log.info(
      { event: "registry_package", action, package: pkg.name, version, tag },
      `registry_package ${action}: ${pkg.name}${tag ? `:${tag}` : ""}${version ? ` (${version})` : ""}`,
    );
  });
}

import type { ApplicationFunctionOptions, Probot } from "probot";
import { createMetrics, operationsHandler } from "./github/metrics.js";

/**
 * Ferry's Probot app: routing only. Each event is handed to its handler (added under
 * `src/github/` as the flows arrive); for now deliveries are logged and counted, and
 * `/healthz` and `/metrics` are served beside the webhook route.
 */
export default function ferry(app: Probot, options?: ApplicationFunctionOptions): void {
  const metrics = createMetrics();
  try {
    options?.addHandler(operationsHandler(metrics));
  } catch {
    // Loaded without Probot's HTTP server (probot.receive in tests): no endpoints to add.
  }
  app.onAny(async (context) => {
    metrics.deliveries.inc({ event: context.name });
  });

  app.on("push", async (context) => {
    const { repository, ref, after } = context.payload;
    context.log.info(
      { event: "push", repository: repository.full_name, ref, after },
      `push to ${repository.full_name} ${ref} at ${after}`,
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

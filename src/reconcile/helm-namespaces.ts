/**
 * HelmReleases on a cluster where the operator allows a repository only some namespaces. helm writes
 * whatever the chart renders, so before it writes anything Ferry checks, by the rule it applies to
 * plain objects (`outsideAllowedNamespaces`): the release's own namespaces, then every object a
 * server-side dry run renders (templates and hooks, tests included). The chart's CRDs are not helm's to
 * install (it gets `--skip-crds`): Ferry's CRD policy applies them under the same rule.
 */
import { type NamespacePolicy, outsideAllowedNamespaces } from "../cluster/apply.js";
import type { KubeClient } from "../cluster/client.js";
import type { HelmDriver, HelmUpgradeRequest } from "../helm/driver/helm-driver.js";
import { HelmError } from "../helm/driver/helm-error.js";
import { objectsOfManifest, placeInRelease } from "../helm/manifest.js";
import { type Problem, ReconcileError } from "../model/result.js";

/**
 * The HelmRelease's namespace (its `valuesFrom` ConfigMaps and Secrets are read there) and the release's
 * (its objects and its storage) must both be allowed; checked before helm runs at all.
 */
export function checkReleaseNamespaces(
  policy: NamespacePolicy,
  subject: string,
  namespaces: { helmRelease: string; release: string },
): void {
  const problems: Problem[] = [];
  if (!policy.allows(namespaces.helmRelease)) {
    problems.push({
      message: `${subject}: namespace ${namespaces.helmRelease} is not allowed by ${policy.describe}`,
      subject,
    });
  }
  if (namespaces.release !== namespaces.helmRelease && !policy.allows(namespaces.release)) {
    problems.push({
      message: `${subject}: its release goes to namespace ${namespaces.release} (spec.targetNamespace), which is not allowed by ${policy.describe}`,
      subject,
    });
  }
  if (problems.length > 0) throw new ReconcileError(problems[0]?.message ?? subject, problems);
}

/**
 * Renders the release with `helm upgrade --dry-run=server` and throws a ReconcileError naming each
 * object outside the policy; nothing is written.
 */
export async function checkRenderedNamespaces(
  client: KubeClient,
  policy: NamespacePolicy,
  driver: HelmDriver,
  subject: string,
  request: HelmUpgradeRequest,
): Promise<void> {
  const rendered = await driver
    .upgrade({ ...request, wait: false, dryRun: "server" })
    .catch((error: unknown) => {
      const why = error instanceof HelmError ? error.detail : String(error);
      throw new ReconcileError(
        `${subject}: helm could not render the chart to check where it writes, so nothing was installed: ${why}`,
      );
    });
  const objects = [rendered.manifest, ...rendered.hookManifests].flatMap((manifest) =>
    objectsOfManifest(manifest, `the manifest of ${subject}`),
  );
  const isNamespaced = client.isNamespaced.bind(client);
  const located = await Promise.all(
    objects.map(async (o) => ({ object: await placeInRelease(o, request.namespace, isNamespaced) })),
  );
  const problems = outsideAllowedNamespaces(located, policy).map((p) => ({
    ...p,
    message: `${subject} renders ${p.message}`,
  }));
  if (problems.length > 0) {
    throw new ReconcileError(
      `${subject}: ${problems.length} object(s) of the chart outside the allowed namespaces; nothing was installed`,
      problems,
    );
  }
}

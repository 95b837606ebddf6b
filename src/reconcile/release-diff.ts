/**
 * What `ferry diff` shows of a HelmRelease: for a release helm would install or upgrade, the objects
 * `helm upgrade --install --dry-run=server` renders against those of the deployed release (`helm get
 * manifest`), object by object; for a release prune would uninstall, its deployed objects. Values are
 * never shown and Secrets are masked; nothing in the cluster changes.
 */
import { isDeepStrictEqual } from "node:util";
import type { KubeClient } from "../cluster/client.js";
import type { HelmDriver } from "../helm/driver/helm-driver.js";
import { objectsOfManifest, placeInRelease } from "../helm/manifest.js";
import type { HelmRelease } from "../helm/release.js";
import { type KubeObject, refOf, subjectOf } from "../model/object.js";
import {
  deployedRelease,
  desiredRelease,
  type HelmContext,
  helmConnection,
  inSync,
  upgradeRequest,
} from "./helm-release.js";
import { type ObjectDiff, unified } from "./object-diff.js";
import type { ReconcileContext } from "./unit.js";

/** The change helm would make to a HelmRelease's release; undefined when it is in sync. */
export async function releaseDiff(
  ctx: ReconcileContext,
  helm: HelmContext,
  release: HelmRelease,
): Promise<ObjectDiff | undefined> {
  const subject = `HelmRelease/${release.metadata.namespace}/${release.metadata.name}`;
  const connection = helmConnection(ctx, release);
  const desired = await desiredRelease(ctx, helm, release);
  const { chart, target } = desired;
  const driver = await helm.driver(connection);
  const deployed = await deployedRelease(ctx.client, driver, target);
  if (deployed && inSync(deployed, desired)) return undefined;
  const rendered = await driver.upgrade({ ...upgradeRequest(release, desired, deployed), dryRun: "server" });
  const before = deployed ? ((await driver.manifest(target.name, target.namespace)) ?? "") : "";
  const diff = await manifestDiff(ctx.client, target.namespace, before, rendered.manifest);
  const from = deployed
    ? `${deployed.chart.name}@${deployed.chart.version} revision ${deployed.revision} → `
    : "";
  const to = `${chart.name}@${chart.version}`;
  return {
    subject,
    action: deployed ? "configured" : "created",
    reason: `release ${target.namespace}/${target.name}: ${from}${to}${diff ? "" : ", values changed, the same objects"}`,
    diff,
  };
}

/** The objects of a deployed release, as prune would uninstall them. */
export async function uninstallDiff(
  client: KubeClient,
  driver: HelmDriver,
  release: { name: string; namespace: string },
): Promise<string | undefined> {
  const manifest = await driver.manifest(release.name, release.namespace);
  if (manifest === undefined) return undefined;
  return manifestDiff(client, release.namespace, manifest, "");
}

/**
 * Two manifests of a release compared object by object: a unified diff per object created, changed
 * or removed, in the order the new manifest has them (removed ones last).
 */
export async function manifestDiff(
  client: KubeClient,
  namespace: string,
  before: string,
  after: string,
): Promise<string> {
  const isNamespaced = client.isNamespaced.bind(client);
  const keyed = async (manifest: string, which: string) => {
    const objects = new Map<string, KubeObject>();
    for (const object of objectsOfManifest(manifest, `the ${which} manifest of release ${namespace}`)) {
      const placed = await placeInRelease(object, namespace, isNamespaced);
      const ref = refOf(placed);
      objects.set(`${ref.group}/${subjectOf(ref)}`, placed);
    }
    return objects;
  };
  const [old, now] = [await keyed(before, "deployed"), await keyed(after, "rendered")];
  const patches: string[] = [];
  for (const key of new Set([...now.keys(), ...old.keys()])) {
    const [b, a] = [old.get(key), now.get(key)];
    if (isDeepStrictEqual(b, a)) continue;
    patches.push(unified(subjectOf(refOf((a ?? b) as KubeObject)), b, a));
  }
  return patches.join("");
}

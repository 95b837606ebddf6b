/**
 * Flux's CRD policies for a chart's `crds/` (helm-controller `internal/action/crds.go`): `Skip` touches
 * no CRD; `Create` creates the CRDs that are absent and leaves existing ones as they are;
 * `CreateReplace` applies every CRD (created or updated). Ferry applies them with its own server-side
 * apply (every CRD dry-run first, so nothing is half-applied; then written if it drifted, and waited
 * for until Established), and helm gets `--skip-crds`. CRDs are never deleted.
 */
import { applyPlanned, type NamespacePolicy, outsideAllowedNamespaces, planApply } from "../cluster/apply.js";
import type { KubeClient } from "../cluster/client.js";
import type { UnitOwner } from "../cluster/policy.js";
import { refOf } from "../model/object.js";
import { type ChangeSetEntry, ReconcileError } from "../model/result.js";
import type { ChartCrd } from "./chart-crds.js";

export type CrdPolicy = "Skip" | "Create" | "CreateReplace";

export interface CrdPolicyRun {
  client: KubeClient;
  policy: CrdPolicy;
  crds: ChartCrd[];
  /** The HelmRelease; its CRDs carry Ferry's owner labels naming it. */
  owner: UnitOwner;
  /** How long the CRDs may take to become established; default 60 s. */
  timeoutMs?: number;
  /** Where the repository may write; CRDs are cluster-scoped, so a limited repository gets none. */
  namespaces?: NamespacePolicy;
}

/** Applies the chart's CRDs as the policy says; returns what was created or updated. */
export async function applyCrdPolicy(run: CrdPolicyRun): Promise<ChangeSetEntry[]> {
  if (run.policy === "Skip" || run.crds.length === 0) return [];
  let crds = run.crds;
  if (run.policy === "Create") {
    const present = await Promise.all(
      crds.map(async (crd) => (await run.client.get(refOf(crd.object))) !== undefined),
    );
    crds = crds.filter((_, i) => !present[i]);
    if (crds.length === 0) return [];
  }
  const manifests = crds.map((crd) => ({ object: crd.object }));
  const subject = `HelmRelease/${run.owner.namespace}/${run.owner.name}`;
  const refused = outsideAllowedNamespaces(manifests, run.namespaces).map((p) => ({
    ...p,
    message: `${subject} installs the chart's ${p.message}`,
  }));
  if (refused.length > 0) {
    throw new ReconcileError(`${subject}: the chart's CRDs are outside the allowed namespaces`, refused);
  }
  const options = { owner: run.owner, definitionsTimeoutMs: run.timeoutMs ?? 60_000 };
  const entries = await applyPlanned(run.client, await planApply(run.client, manifests, options), options);
  return entries.filter((entry) => entry.action !== "unchanged");
}

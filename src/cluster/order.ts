/** The order Flux applies objects in (fluxcd/pkg ssa `sort.go` and the stages of `ApplyAllStaged`). */
import { compareStrings, type KubeObject } from "../model/object.js";

const KIND_ORDER = [
  "CustomResourceDefinition",
  "Namespace",
  "ClusterRole",
  "ClusterClass",
  "RuntimeClass",
  "PriorityClass",
  "StorageClass",
  "VolumeSnapshotClass",
  "IngressClass",
  "GatewayClass",
  "ClusterRoleBinding",
  "ResourceQuota",
  "ServiceAccount",
  "Role",
  "RoleBinding",
  "ConfigMap",
  "Secret",
  "Service",
  "LimitRange",
  "Deployment",
  "StatefulSet",
  "CronJob",
  "PodDisruptionBudget",
];
const LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

/** Rank of a kind: listed kinds first in list order, unknown kinds after them, webhooks last. */
function rank(kind: string): number {
  const listed = KIND_ORDER.indexOf(kind);
  if (listed >= 0) return listed;
  const last = LAST.indexOf(kind);
  return last >= 0 ? KIND_ORDER.length + 1 + last : KIND_ORDER.length;
}

const groupOf = (o: KubeObject) => (o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : "");

/** Flux's ReconcileOrder: by kind rank, then group, kind, namespace and name. */
export function compareApplyOrder(a: KubeObject, b: KubeObject): number {
  return (
    rank(a.kind) - rank(b.kind) ||
    compareStrings(groupOf(a), groupOf(b)) ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.metadata.namespace ?? "", b.metadata.namespace ?? "") ||
    compareStrings(a.metadata.name, b.metadata.name)
  );
}

/** Prune order: the reverse of the apply order, so Namespaces and CRDs go last. */
export function comparePruneOrder(a: KubeObject, b: KubeObject): number {
  return compareApplyOrder(b, a);
}

export type Stage = "definitions" | "classes" | "workloads";

/**
 * The stage an object is applied in: CRDs, Namespaces and ClusterRoles first (and waited for),
 * then kinds ending in `Class`, then everything else.
 */
export function stageOf(object: KubeObject): Stage {
  const group = groupOf(object);
  if (group === "apiextensions.k8s.io" && object.kind === "CustomResourceDefinition") return "definitions";
  if (group === "" && object.kind === "Namespace") return "definitions";
  if (group === "rbac.authorization.k8s.io" && object.kind === "ClusterRole") return "definitions";
  if (object.kind.endsWith("Class")) return "classes";
  return "workloads";
}

export const STAGES: readonly Stage[] = ["definitions", "classes", "workloads"];

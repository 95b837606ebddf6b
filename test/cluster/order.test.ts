/**
 * Flux's apply order (fluxcd/pkg ssa `sort.go`: `ReconcileOrder`, ties by group, kind, namespace
 * and name compared as Go compares strings), its reverse for prune, and the stages of
 * `ApplyAllStaged` (`utils.IsClusterDefinition`, `utils.IsClassDefinition`).
 */
import { describe, expect, it } from "vitest";
import {
  compareApplyOrder,
  comparePruneOrder,
  STAGES,
  type Stage,
  stageOf,
} from "../../src/cluster/order.js";
import type { KubeObject } from "../../src/model/object.js";

const obj = (apiVersion: string, kind: string, name: string, namespace?: string): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

const label = (o: KubeObject) =>
  `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

/** Sorts a shuffled copy, so the result cannot come from the input order. */
function sorted(objects: KubeObject[], compare = compareApplyOrder): string[] {
  const shuffled = [...objects].reverse();
  shuffled.push(shuffled.shift() as KubeObject);
  return shuffled.sort(compare).map(label);
}

/** One object of each kind Flux lists, plus unknown kinds and the webhooks, in Flux's order. */
const FLUX_ORDER: KubeObject[] = [
  obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com"),
  obj("v1", "Namespace", "apps"),
  obj("rbac.authorization.k8s.io/v1", "ClusterRole", "viewer"),
  obj("cluster.x-k8s.io/v1beta1", "ClusterClass", "quick-start", "apps"),
  obj("node.k8s.io/v1", "RuntimeClass", "gvisor"),
  obj("scheduling.k8s.io/v1", "PriorityClass", "high"),
  obj("storage.k8s.io/v1", "StorageClass", "fast"),
  obj("snapshot.storage.k8s.io/v1", "VolumeSnapshotClass", "snap"),
  obj("networking.k8s.io/v1", "IngressClass", "nginx"),
  obj("gateway.networking.k8s.io/v1", "GatewayClass", "envoy"),
  obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "viewer"),
  obj("v1", "ResourceQuota", "quota", "apps"),
  obj("v1", "ServiceAccount", "web", "apps"),
  obj("rbac.authorization.k8s.io/v1", "Role", "web", "apps"),
  obj("rbac.authorization.k8s.io/v1", "RoleBinding", "web", "apps"),
  obj("v1", "ConfigMap", "settings", "apps"),
  obj("v1", "Secret", "credentials", "apps"),
  obj("v1", "Service", "web", "apps"),
  obj("v1", "LimitRange", "limits", "apps"),
  obj("apps/v1", "Deployment", "web", "apps"),
  obj("apps/v1", "StatefulSet", "db", "apps"),
  obj("batch/v1", "CronJob", "backup", "apps"),
  obj("policy/v1", "PodDisruptionBudget", "web", "apps"),
  // Kinds Flux does not list come after the listed ones (by group, then kind)...
  obj("apps/v1", "DaemonSet", "agent", "apps"),
  obj("batch/v1", "Job", "migrate", "apps"),
  obj("example.com/v1", "Widget", "w", "apps"),
  obj("networking.k8s.io/v1", "Ingress", "web", "apps"),
  // ...and webhook configurations last of all.
  obj("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "inject"),
  obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "policy"),
];

describe("compareApplyOrder", () => {
  it("sorts kinds in Flux's ReconcileOrder, unknown kinds after the listed ones, webhooks last", () => {
    expect(sorted(FLUX_ORDER)).toEqual(FLUX_ORDER.map(label));
  });

  it.each<{ name: string; first: KubeObject; second: KubeObject }>([
    {
      name: "a CRD before the Namespace",
      first: obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "z.example.com"),
      second: obj("v1", "Namespace", "a"),
    },
    {
      name: "a ConfigMap before the Deployment that mounts it",
      first: obj("v1", "ConfigMap", "z", "z"),
      second: obj("apps/v1", "Deployment", "a", "a"),
    },
    {
      name: "a Service before its Deployment",
      first: obj("v1", "Service", "web", "apps"),
      second: obj("apps/v1", "Deployment", "web", "apps"),
    },
    {
      name: "a listed kind before an unknown one",
      first: obj("policy/v1", "PodDisruptionBudget", "z", "z"),
      second: obj("a.example.com/v1", "Aardvark", "a", "a"),
    },
    {
      name: "an unknown kind before a webhook configuration",
      first: obj("z.example.com/v1", "Zebra", "z", "z"),
      second: obj("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "a"),
    },
    {
      name: "the mutating webhook before the validating one",
      first: obj("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "z"),
      second: obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "a"),
    },
    {
      name: "unknown kinds by group first",
      first: obj("a.example.com/v1", "Zebra", "z", "z"),
      second: obj("b.example.com/v1", "Aardvark", "a", "a"),
    },
    {
      name: "unknown kinds of one group by kind",
      first: obj("example.com/v1", "Aardvark", "z", "z"),
      second: obj("example.com/v1", "Zebra", "a", "a"),
    },
    {
      name: "one kind by namespace, cluster-scoped first",
      first: obj("v1", "ConfigMap", "z"),
      second: obj("v1", "ConfigMap", "a", "a"),
    },
    {
      name: "one kind and namespace by name",
      first: obj("v1", "ConfigMap", "a", "apps"),
      second: obj("v1", "ConfigMap", "b", "apps"),
    },
    {
      name: "one kind, one namespace, names ordered by bytes as Go does (`-` before `.`)",
      first: obj("v1", "ConfigMap", "web-config", "apps"),
      second: obj("v1", "ConfigMap", "web.config", "apps"),
    },
    {
      name: "RBAC names ordered by bytes as Go does (`.` and digits before `:`)",
      first: obj("rbac.authorization.k8s.io/v1", "ClusterRole", "system.viewer"),
      second: obj("rbac.authorization.k8s.io/v1", "ClusterRole", "system:viewer"),
    },
    {
      name: "unknown kinds ordered by bytes as Go does (upper case before lower case)",
      first: obj("metallb.io/v1beta1", "IPAddressPool", "pool", "metallb"),
      second: obj("metallb.io/v1beta1", "IngressRoute", "pool", "metallb"),
    },
  ])("puts $name", ({ first, second }) => {
    expect(compareApplyOrder(first, second)).toBeLessThan(0);
    expect(compareApplyOrder(second, first)).toBeGreaterThan(0);
    expect(sorted([second, first])).toEqual([label(first), label(second)]);
  });

  it("treats the same object as a tie whatever its version", () => {
    expect(
      compareApplyOrder(
        obj("apps/v1", "Deployment", "web", "a"),
        obj("apps/v1beta2", "Deployment", "web", "a"),
      ),
    ).toBe(0);
  });
});

describe("comparePruneOrder", () => {
  it("is the apply order reversed: workloads first, Namespaces and CRDs last", () => {
    expect(sorted(FLUX_ORDER, comparePruneOrder)).toEqual(FLUX_ORDER.map(label).reverse());
    const pruned = sorted(FLUX_ORDER, comparePruneOrder);
    expect(pruned.slice(-2)).toEqual(["Namespace/apps", "CustomResourceDefinition/widgets.example.com"]);
    expect(pruned.indexOf("Deployment/apps/web")).toBeLessThan(pruned.indexOf("Namespace/apps"));
  });

  it.each<{ name: string; appliedFirst: KubeObject; appliedSecond: KubeObject }>([
    {
      name: "a Namespace after the ConfigMap in it",
      appliedFirst: obj("v1", "Namespace", "apps"),
      appliedSecond: obj("v1", "ConfigMap", "settings", "apps"),
    },
    {
      name: "a CRD after its custom resources",
      appliedFirst: obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com"),
      appliedSecond: obj("example.com/v1", "Widget", "w", "apps"),
    },
    {
      name: "names of one kind in reverse",
      appliedFirst: obj("v1", "ConfigMap", "a", "apps"),
      appliedSecond: obj("v1", "ConfigMap", "b", "apps"),
    },
  ])("deletes $name", ({ appliedFirst, appliedSecond }) => {
    expect(comparePruneOrder(appliedFirst, appliedSecond)).toBeGreaterThan(0);
    expect(comparePruneOrder(appliedSecond, appliedFirst)).toBeLessThan(0);
  });
});

describe("stageOf", () => {
  it.each<[string, Stage, KubeObject]>([
    ["a CRD", "definitions", obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "w.example.com")],
    [
      "a v1beta1 CRD",
      "definitions",
      obj("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", "w.example.com"),
    ],
    ["a Namespace", "definitions", obj("v1", "Namespace", "apps")],
    ["a ClusterRole", "definitions", obj("rbac.authorization.k8s.io/v1", "ClusterRole", "viewer")],
    ["a Namespace kind of another group", "workloads", obj("example.com/v1", "Namespace", "apps")],
    ["a ClusterRole kind of another group", "workloads", obj("example.com/v1", "ClusterRole", "x")],
    [
      "a ClusterRoleBinding",
      "workloads",
      obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "viewer"),
    ],
    ["a StorageClass", "classes", obj("storage.k8s.io/v1", "StorageClass", "fast")],
    ["an IngressClass", "classes", obj("networking.k8s.io/v1", "IngressClass", "nginx")],
    ["a PriorityClass", "classes", obj("scheduling.k8s.io/v1", "PriorityClass", "high")],
    ["a GatewayClass", "classes", obj("gateway.networking.k8s.io/v1", "GatewayClass", "envoy")],
    ["a custom *Class kind", "classes", obj("example.com/v1", "WidgetClass", "w")],
    ["a ConfigMap", "workloads", obj("v1", "ConfigMap", "settings", "apps")],
    ["a Deployment", "workloads", obj("apps/v1", "Deployment", "web", "apps")],
    ["a custom resource", "workloads", obj("example.com/v1", "Widget", "w", "apps")],
    ["a kind merely containing Class", "workloads", obj("example.com/v1", "ClassRoom", "r", "apps")],
  ])("puts %s in the %s stage", (_, stage, object) => {
    expect(stageOf(object)).toBe(stage);
  });

  it("runs the stages definitions, classes, workloads", () => {
    expect(STAGES).toEqual(["definitions", "classes", "workloads"]);
  });
});

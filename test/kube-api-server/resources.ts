/** The resource types the server serves: the built-in kinds, and those that CRDs add. */
import { builtInListType, type ListTypeResolver, schemaListType } from "./list-types.js";

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Has a `status` subresource: writes to the main resource leave status alone, and the reverse. */
  statusSubresource: boolean;
  /** `metadata.generation` counts changes outside metadata and status. */
  generation: boolean;
  listType: ListTypeResolver;
  /** The CRD that serves this type, if any. */
  crd?: string;
  /** openAPIV3Schema of a CRD version. */
  schema?: Record<string, unknown>;
}

export const apiVersionOf = (type: { group: string; version: string }) =>
  type.group ? `${type.group}/${type.version}` : type.version;

interface BuiltIn {
  gv: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  status?: boolean;
  generation?: boolean;
  categories?: string[];
}

const ALL = ["all"];

const BUILT_INS: BuiltIn[] = [
  { gv: "v1", kind: "Namespace", plural: "namespaces", namespaced: false, shortNames: ["ns"], status: true },
  { gv: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true, shortNames: ["cm"] },
  { gv: "v1", kind: "Secret", plural: "secrets", namespaced: true },
  { gv: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true, shortNames: ["sa"] },
  {
    gv: "v1",
    kind: "Service",
    plural: "services",
    namespaced: true,
    shortNames: ["svc"],
    status: true,
    categories: ALL,
  },
  {
    gv: "v1",
    kind: "Pod",
    plural: "pods",
    namespaced: true,
    shortNames: ["po"],
    status: true,
    categories: ALL,
  },
  {
    gv: "v1",
    kind: "PersistentVolumeClaim",
    plural: "persistentvolumeclaims",
    namespaced: true,
    shortNames: ["pvc"],
    status: true,
  },
  { gv: "v1", kind: "Event", plural: "events", namespaced: true, shortNames: ["ev"] },
  {
    gv: "apps/v1",
    kind: "Deployment",
    plural: "deployments",
    namespaced: true,
    shortNames: ["deploy"],
    status: true,
    generation: true,
    categories: ALL,
  },
  {
    gv: "apps/v1",
    kind: "ReplicaSet",
    plural: "replicasets",
    namespaced: true,
    shortNames: ["rs"],
    status: true,
    generation: true,
    categories: ALL,
  },
  {
    gv: "apps/v1",
    kind: "StatefulSet",
    plural: "statefulsets",
    namespaced: true,
    shortNames: ["sts"],
    status: true,
    generation: true,
    categories: ALL,
  },
  {
    gv: "apps/v1",
    kind: "DaemonSet",
    plural: "daemonsets",
    namespaced: true,
    shortNames: ["ds"],
    status: true,
    generation: true,
    categories: ALL,
  },
  {
    gv: "batch/v1",
    kind: "Job",
    plural: "jobs",
    namespaced: true,
    status: true,
    generation: true,
    categories: ALL,
  },
  {
    gv: "batch/v1",
    kind: "CronJob",
    plural: "cronjobs",
    namespaced: true,
    shortNames: ["cj"],
    status: true,
    generation: true,
    categories: ALL,
  },
  {
    gv: "networking.k8s.io/v1",
    kind: "Ingress",
    plural: "ingresses",
    namespaced: true,
    shortNames: ["ing"],
    status: true,
    generation: true,
  },
  { gv: "networking.k8s.io/v1", kind: "IngressClass", plural: "ingressclasses", namespaced: false },
  {
    gv: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    plural: "networkpolicies",
    namespaced: true,
    shortNames: ["netpol"],
    generation: true,
  },
  {
    gv: "policy/v1",
    kind: "PodDisruptionBudget",
    plural: "poddisruptionbudgets",
    namespaced: true,
    shortNames: ["pdb"],
    status: true,
    generation: true,
  },
  {
    gv: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    plural: "horizontalpodautoscalers",
    namespaced: true,
    shortNames: ["hpa"],
    status: true,
    categories: ALL,
  },
  { gv: "rbac.authorization.k8s.io/v1", kind: "Role", plural: "roles", namespaced: true },
  { gv: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", plural: "rolebindings", namespaced: true },
  { gv: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", plural: "clusterroles", namespaced: false },
  {
    gv: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    plural: "clusterrolebindings",
    namespaced: false,
  },
  {
    gv: "storage.k8s.io/v1",
    kind: "StorageClass",
    plural: "storageclasses",
    namespaced: false,
    shortNames: ["sc"],
  },
  {
    gv: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    plural: "priorityclasses",
    namespaced: false,
    shortNames: ["pc"],
  },
  { gv: "coordination.k8s.io/v1", kind: "Lease", plural: "leases", namespaced: true },
  {
    gv: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions",
    namespaced: false,
    shortNames: ["crd", "crds"],
    status: true,
    generation: true,
  },
];

function fromBuiltIn(b: BuiltIn): ResourceType {
  const [group, version] = b.gv.includes("/") ? b.gv.split("/") : ["", b.gv];
  return {
    group,
    version,
    kind: b.kind,
    listKind: `${b.kind}List`,
    plural: b.plural,
    singular: b.kind.toLowerCase(),
    namespaced: b.namespaced,
    shortNames: b.shortNames ?? [],
    categories: b.categories ?? [],
    statusSubresource: b.status ?? false,
    generation: b.generation ?? false,
    listType: builtInListType(b.kind),
  };
}

/** The types of one CRD, one per served version. */
export function typesOfCrd(crd: Record<string, unknown>): ResourceType[] {
  const spec = crd.spec as Record<string, any>;
  const names = spec.names as Record<string, any>;
  const metadata = crd.metadata as { name: string };
  return ((spec.versions as Record<string, any>[]) ?? [])
    .filter((v) => v.served !== false)
    .map((v) => {
      const schema = v.schema?.openAPIV3Schema as Record<string, unknown> | undefined;
      return {
        group: spec.group,
        version: v.name,
        kind: names.kind,
        listKind: names.listKind ?? `${names.kind}List`,
        plural: names.plural,
        singular: names.singular ?? String(names.kind).toLowerCase(),
        namespaced: spec.scope !== "Cluster",
        shortNames: names.shortNames ?? [],
        categories: names.categories ?? [],
        statusSubresource: v.subresources?.status !== undefined,
        generation: true,
        listType: schemaListType(schema),
        crd: metadata.name,
        schema,
      };
    });
}

/** Looks resource types up by URL (group, version, plural) and by apiVersion and kind. */
export class ResourceRegistry {
  private readonly types: ResourceType[] = BUILT_INS.map(fromBuiltIn);

  all(): readonly ResourceType[] {
    return this.types;
  }

  byResource(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.types.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
  }

  /** Every served version of the resource `plural` in `group`, which share one storage. */
  versionsOf(group: string, plural: string): ResourceType[] {
    return this.types.filter((t) => t.group === group && t.plural === plural);
  }

  /** Serves the kinds of a CRD, replacing what an earlier version of it served. */
  serveCrd(crd: Record<string, unknown>): void {
    this.removeCrd((crd.metadata as { name: string }).name);
    this.types.push(...typesOfCrd(crd));
  }

  removeCrd(name: string): void {
    for (let i = this.types.length - 1; i >= 0; i--) if (this.types[i].crd === name) this.types.splice(i, 1);
  }

  /** Group names in discovery order (the core group excluded), each with its versions. */
  groups(): { name: string; versions: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const t of this.types) {
      if (!t.group) continue;
      const versions = groups.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      groups.set(t.group, versions);
    }
    return [...groups].map(([name, versions]) => ({ name, versions: sortVersions(versions) }));
  }
}

/** Kubernetes version priority: GA over beta over alpha, higher numbers first. */
export function sortVersions(versions: string[]): string[] {
  const rank = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    const stability = m[2] === undefined ? 0 : m[2] === "beta" ? 1 : 2;
    return [stability, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  return [...versions].sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || a.localeCompare(b);
  });
}

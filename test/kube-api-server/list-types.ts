/**
 * How each list in a Kubernetes object merges: the `x-kubernetes-list-type` and
 * `x-kubernetes-list-map-keys` (and the older `patchMergeKey`) of the built-in kinds,
 * reduced to what the tests and Ferry exercise. Server-side apply and strategic merge
 * patch both read this table, so the two agree on how a list item is identified.
 */

export type ListType = { type: "atomic" } | { type: "set" } | { type: "map"; keys: readonly ListMapKey[] };

export interface ListMapKey {
  name: string;
  /** Value the server defaults when the item leaves the key out (e.g. `protocol: TCP`). */
  default?: string | number;
}

/** Field names from the object root down to the list, list indices left out. */
export type FieldPath = readonly string[];

/** Answers how the list at `path` merges, for objects of `kind` (in `group`). */
export type ListTypeResolver = (path: FieldPath) => ListType;

const ATOMIC: ListType = { type: "atomic" };
const SET: ListType = { type: "set" };
const byName: ListType = { type: "map", keys: [{ name: "name" }] };

const podSpecLists: Record<string, ListType> = {
  containers: byName,
  initContainers: byName,
  ephemeralContainers: byName,
  volumes: byName,
  imagePullSecrets: byName,
  hostAliases: { type: "map", keys: [{ name: "ip" }] },
  topologySpreadConstraints: {
    type: "map",
    keys: [{ name: "topologyKey" }, { name: "whenUnsatisfiable" }],
  },
  resourceClaims: byName,
  schedulingGates: byName,
};

const containerLists: Record<string, ListType> = {
  env: byName,
  volumeMounts: { type: "map", keys: [{ name: "mountPath" }] },
  volumeDevices: { type: "map", keys: [{ name: "devicePath" }] },
  ports: {
    type: "map",
    keys: [{ name: "containerPort" }, { name: "protocol", default: "TCP" }],
  },
  resizePolicy: { type: "map", keys: [{ name: "resourceName" }] },
};

const CONTAINER_LIST_NAMES = new Set(["containers", "initContainers", "ephemeralContainers"]);

/** The list types of the built-in kinds. Lists not named here are atomic, as in Kubernetes. */
export function builtInListType(kind: string): ListTypeResolver {
  return (path) => {
    const field = path[path.length - 1];
    const parent = path[path.length - 2];
    if (path.length === 2 && path[0] === "metadata") {
      if (field === "finalizers") return SET;
      if (field === "ownerReferences") return { type: "map", keys: [{ name: "uid" }] };
    }
    if (field === "conditions" && path[0] === "status") return { type: "map", keys: [{ name: "type" }] };
    if (parent !== undefined && CONTAINER_LIST_NAMES.has(parent) && field in containerLists) {
      return containerLists[field];
    }
    if (field in podSpecLists && isPodSpecPath(kind, path.slice(0, -1))) return podSpecLists[field];
    if (kind === "Service" && path.length === 2 && path[0] === "spec" && field === "ports") {
      return { type: "map", keys: [{ name: "port" }, { name: "protocol", default: "TCP" }] };
    }
    if (kind === "CustomResourceDefinition" && path.join(".") === "spec.versions") return byName;
    return ATOMIC;
  };
}

/** True when `path` (the fields above a list) is where a PodSpec sits in `kind`. */
function isPodSpecPath(kind: string, path: FieldPath): boolean {
  const at = path.join(".");
  switch (kind) {
    case "Pod":
      return at === "spec";
    case "CronJob":
      return at === "spec.jobTemplate.spec.template.spec";
    default:
      return at === "spec.template.spec";
  }
}

/** Custom resources: lists are atomic unless the CRD schema says otherwise. */
export function schemaListType(schema: unknown): ListTypeResolver {
  return (path) => {
    let node = schema as Record<string, unknown> | undefined;
    for (const field of path) {
      if (!node) return ATOMIC;
      if (node.type === "array") node = node.items as Record<string, unknown> | undefined;
      const properties = node?.properties as Record<string, Record<string, unknown>> | undefined;
      node = properties?.[field];
    }
    if (!node) return ATOMIC;
    const listType = node["x-kubernetes-list-type"];
    if (listType === "set") return SET;
    if (listType === "map") {
      const keys = (node["x-kubernetes-list-map-keys"] as string[] | undefined) ?? [];
      return { type: "map", keys: keys.map((name) => ({ name })) };
    }
    return ATOMIC;
  };
}

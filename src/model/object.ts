/** Kubernetes objects as Ferry handles them: plain JSON, with where each one came from. */

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** The file (relative to the repository root) and 1-based line an object was read from. */
export interface Origin {
  file: string;
  line?: number;
}

/** An object a build produced, with its origin when known. */
export interface Manifest {
  object: KubeObject;
  origin?: Origin;
}

export interface ObjectRef {
  group: string;
  /** The API version (`v1`, `v1beta2`) the object was applied with. */
  version: string;
  kind: string;
  namespace?: string;
  name: string;
}

export function refOf(object: KubeObject): ObjectRef {
  const [group, version] = object.apiVersion.includes("/")
    ? object.apiVersion.split("/")
    : ["", object.apiVersion];
  return {
    group,
    version,
    kind: object.kind,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    name: object.metadata.name,
  };
}

export const apiVersionOf = (ref: Pick<ObjectRef, "group" | "version">) =>
  ref.group ? `${ref.group}/${ref.version}` : ref.version;

/** `Deployment/apps/web`, or `Namespace/apps` for cluster-scoped objects: Flux's change-set subject. */
export function subjectOf(ref: Pick<ObjectRef, "kind" | "namespace" | "name">): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/** Flux's inventory id, `<namespace>_<name>_<group>_<kind>`, with `:` in names written as `__`. */
export function inventoryId(ref: Pick<ObjectRef, "group" | "kind" | "namespace" | "name">): string {
  return `${ref.namespace ?? ""}_${ref.name.replaceAll(":", "__")}_${ref.group}_${ref.kind}`;
}

/**
 * The reverse of `inventoryId` (the version comes from the inventory entry), parsed as cli-utils
 * does: namespace up to the first `_`, kind after the last, group before that, and the name in
 * between with `__` back to `:`.
 */
export function parseInventoryId(id: string, version: string): ObjectRef {
  const first = id.indexOf("_");
  const last = id.lastIndexOf("_");
  const beforeKind = id.lastIndexOf("_", last - 1);
  if (first < 0 || beforeKind <= first) throw new Error(`invalid inventory id ${JSON.stringify(id)}`);
  const namespace = id.slice(0, first);
  const name = id.slice(first + 1, beforeKind).replaceAll("__", ":");
  const group = id.slice(beforeKind + 1, last);
  const kind = id.slice(last + 1);
  if (!name || !kind) throw new Error(`invalid inventory id ${JSON.stringify(id)}`);
  return { group, version, kind, ...(namespace ? { namespace } : {}), name };
}

/** Where an object came from, for messages: `apps/web.yaml:12`. */
export function formatOrigin(origin: Origin | undefined): string | undefined {
  if (!origin) return undefined;
  return origin.line ? `${origin.file}:${origin.line}` : origin.file;
}

/** Byte-wise string order, as Go compares strings: the same everywhere, whatever the locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

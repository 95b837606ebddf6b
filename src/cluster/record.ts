/**
 * What Ferry remembers of each object it applied (in the unit's inventory): a digest of the
 * configuration it sent and of the object as that apply left it. When both still match and no
 * other manager has written to the object since, applying again would change nothing, so the
 * object is `unchanged` without a dry-run. Any write by someone else shows up in managedFields
 * (a new manager, or fields taken from Ferry), and then the object takes the full dry-run path.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../model/canonical-json.js";
import type { KubeObject } from "../model/object.js";

export interface AppliedRecord {
  /** Digest of the configuration Ferry applied. */
  d?: string;
  /** Digest of the object as Ferry's apply left it (see appliedStateDigest). */
  f?: string;
}

export function digestOf(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("base64url").slice(0, 22);
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: unknown;
}

const managedFields = (live: KubeObject) => (live.metadata.managedFields ?? []) as ManagedFieldsEntry[];

/**
 * Digest of the object as `manager`'s apply left it: its managedFields entry and every value
 * outside status and server bookkeeping, so a write by anyone (the same manager from another
 * unit included) changes it. Undefined when `manager` has no Apply entry.
 */
export function appliedStateDigest(live: KubeObject, manager: string): string | undefined {
  const own = managedFields(live).find(
    (e) => e.manager === manager && e.operation === "Apply" && !e.subresource,
  );
  if (!own) return undefined;
  const { managedFields: _m, resourceVersion: _r, generation: _g, ...metadata } = live.metadata;
  const { status: _s, ...content } = live;
  return digestOf({ fields: own.fieldsV1, object: { ...content, metadata } });
}

/** True when applying `desired` again as `manager` would change nothing on `live`. */
export function unchangedSinceApplied(
  record: AppliedRecord | undefined,
  desired: KubeObject,
  live: KubeObject | undefined,
  manager: string,
): boolean {
  if (!record?.d || !record.f || !live) return false;
  if (record.d !== digestOf(desired)) return false;
  const othersWrote = managedFields(live).some(
    (e) =>
      !(e.manager === manager && e.operation === "Apply" && !e.subresource) && e.subresource !== "status",
  );
  return !othersWrote && appliedStateDigest(live, manager) === record.f;
}

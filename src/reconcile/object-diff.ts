/**
 * One object's change as a unified diff, as `ferry diff` shows it: server bookkeeping left out,
 * Secret values masked as kubectl diff masks them.
 */
import { createTwoFilesPatch } from "diff";
import { stringify } from "yaml";
import type { KubeObject } from "../model/object.js";

export interface ObjectDiff {
  subject: string;
  action: "created" | "configured" | "deleted";
  /** What else to say of the change (a HelmRelease's chart versions). */
  reason?: string;
  /** Unified diff of the live object and what it would become (several, for a HelmRelease's objects). */
  diff: string;
}

/** The object as a diff shows it: without server bookkeeping, Secret values masked. */
function comparable(object: KubeObject | undefined): KubeObject | undefined {
  if (!object) return undefined;
  const {
    managedFields: _m,
    resourceVersion: _r,
    uid: _u,
    creationTimestamp: _c,
    generation: _g,
    ...metadata
  } = object.metadata as Record<string, unknown>;
  // kubectl's last-applied annotation repeats the whole object, Secret values included.
  const { "kubectl.kubernetes.io/last-applied-configuration": _l, ...annotations } =
    (metadata.annotations as Record<string, string> | undefined) ?? {};
  if (metadata.annotations) metadata.annotations = annotations;
  return { ...object, metadata: metadata as KubeObject["metadata"] };
}

/** kubectl diff's masking: `***` for values, `*** (before)` / `*** (after)` where they differ. */
export function maskSecrets(
  before: KubeObject | undefined,
  after: KubeObject | undefined,
): [KubeObject | undefined, KubeObject | undefined] {
  const isSecret = (o: KubeObject | undefined) => o?.kind === "Secret" && o.apiVersion === "v1";
  if (!isSecret(before) && !isSecret(after)) return [before, after];
  const mask = (own: KubeObject | undefined, other: KubeObject | undefined, label: string) => {
    if (!own) return own;
    const out: KubeObject = { ...own };
    for (const field of ["data", "stringData"] as const) {
      const values = own[field] as Record<string, string> | undefined;
      if (!values) continue;
      const otherValues = (other?.[field] ?? {}) as Record<string, string>;
      out[field] = Object.fromEntries(
        Object.entries(values).map(([k, v]) => [
          k,
          otherValues[k] === undefined || otherValues[k] === v ? "***" : `*** (${label})`,
        ]),
      );
    }
    return out;
  };
  return [mask(before, after, "before"), mask(after, before, "after")];
}

export function unified(
  subject: string,
  before: KubeObject | undefined,
  after: KubeObject | undefined,
): string {
  const [b, a] = maskSecrets(comparable(before), comparable(after));
  const text = (o: KubeObject | undefined) => (o ? stringify(o, { lineWidth: 0 }) : "");
  return createTwoFilesPatch(
    before ? `live/${subject}` : "/dev/null",
    after ? `merged/${subject}` : "/dev/null",
    text(b),
    text(a),
    undefined,
    undefined,
    { context: 3 },
  );
}

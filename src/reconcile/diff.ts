/**
 * What a reconcile would change, without writing: each unit is built and dry-run against the
 * cluster; changed objects get a unified diff (Secret values masked), and the objects prune
 * would delete are listed.
 */
import { createTwoFilesPatch } from "diff";
import { stringify } from "yaml";
import { hasDrifted, type PlannedObject, planApply } from "../cluster/apply.js";
import { entriesOf, readInventory, staleRefs } from "../cluster/inventory.js";
import { keepReason, pruneOrder } from "../cluster/prune.js";
import type { KubeObject } from "../model/object.js";
import { subjectOf } from "../model/object.js";
import type { Problem } from "../model/result.js";
import { ReconcileError } from "../model/result.js";
import { prepareUnit, type ReconcileContext, type UnitDefinition, unitName, unitOfChild } from "./unit.js";

export interface ObjectDiff {
  subject: string;
  action: "created" | "configured" | "deleted";
  /** Unified diff of the live object and what it would become. */
  diff: string;
}

export interface UnitDiff {
  name: string;
  path: string;
  changes: ObjectDiff[];
  problems: Problem[];
}

export interface DiffResult {
  units: UnitDiff[];
  changed: boolean;
  ok: boolean;
}

export async function diffTree(ctx: ReconcileContext, root: UnitDefinition): Promise<DiffResult> {
  const units: UnitDiff[] = [];
  const queue = [root];
  const seen = new Set([unitName(root.owner)]);
  while (queue.length > 0) {
    const unit = queue.shift() as UnitDefinition;
    const result: UnitDiff = { name: unitName(unit.owner), path: unit.path, changes: [], problems: [] };
    units.push(result);
    try {
      const prepared = await prepareUnit(ctx, unit);
      result.problems.push(...prepared.foreign);
      for (const child of prepared.children) {
        const next = unitOfChild(child);
        if (seen.has(unitName(next.owner))) continue;
        seen.add(unitName(next.owner));
        queue.push(next);
      }
      const plan = await planApply(ctx.client, prepared.apply, {
        owner: unit.owner,
        force: unit.force,
        ...(ctx.namespaces ? { namespaces: ctx.namespaces } : {}),
      });
      result.changes.push(...plan.flatMap((p) => objectDiff(p) ?? []));
      if (unit.prune) {
        const previous = await readInventory(ctx.client, unit.owner);
        const stale = previous ? staleRefs(previous.entries, entriesOf(plan.map((p) => p.ref))) : [];
        for (const ref of pruneOrder(stale)) {
          const live = await ctx.client.get(ref);
          if (live && !keepReason(live, unit.owner))
            result.changes.push({
              subject: subjectOf(ref),
              action: "deleted",
              diff: unified(subjectOf(ref), live, undefined),
            });
        }
      }
    } catch (e) {
      if (e instanceof ReconcileError) result.problems.push(...e.problems);
      else result.problems.push({ message: e instanceof Error ? e.message : String(e) });
    }
  }
  return {
    units,
    changed: units.some((u) => u.changes.length > 0),
    ok: units.every((u) => u.problems.length === 0),
  };
}

function objectDiff(plan: PlannedObject): ObjectDiff | undefined {
  if (plan.skipReason) return undefined;
  if (plan.deferred || !plan.live) {
    return {
      subject: plan.subject,
      action: "created",
      diff: unified(plan.subject, undefined, plan.dryRun ?? plan.desired),
    };
  }
  if (plan.recreate)
    return {
      subject: plan.subject,
      action: "configured",
      diff: unified(plan.subject, plan.live, plan.desired),
    };
  if (!plan.dryRun || !hasDrifted(plan.live, plan.dryRun)) return undefined;
  return { subject: plan.subject, action: "configured", diff: unified(plan.subject, plan.live, plan.dryRun) };
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

function unified(subject: string, before: KubeObject | undefined, after: KubeObject | undefined): string {
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

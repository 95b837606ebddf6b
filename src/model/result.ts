/**
 * The one result model of a reconcile: units, change-set entries, health, per-phase timings and
 * problems with the file and line they came from. Check runs, comments, alerts and the command
 * line all render this.
 */
import type { ObjectRef, Origin } from "./object.js";

/** Flux's change-set verbs (fluxcd/pkg/ssa changeset.go). */
export type ChangeAction = "created" | "configured" | "unchanged" | "deleted" | "skipped";

export interface ChangeSetEntry {
  ref: ObjectRef;
  /** `Kind/namespace/name`. */
  subject: string;
  action: ChangeAction;
  /** Why an object was skipped (an annotation, a failed delete). */
  reason?: string;
  origin?: Origin;
}

/** kstatus' results. */
export type HealthStatus = "Current" | "InProgress" | "Failed" | "Terminating" | "NotFound" | "Unknown";

export interface HealthEntry {
  ref: ObjectRef;
  subject: string;
  status: HealthStatus;
  message: string;
}

export interface Problem {
  message: string;
  /** The object the problem is about, `Kind/namespace/name`. */
  subject?: string;
  origin?: Origin;
}

export type Phase =
  | "build"
  | "decrypt"
  | "substitute"
  | "validate"
  | "apply"
  | "prune"
  | "wait"
  | "inventory";

export interface PhaseTiming {
  phase: Phase;
  ms: number;
}

export type UnitStatus = "succeeded" | "failed" | "skipped";

export interface UnitResult {
  /** `namespace/name` of the Flux Kustomization, or the path for the root unit. */
  name: string;
  path: string;
  revision?: string;
  status: UnitStatus;
  changes: ChangeSetEntry[];
  health: HealthEntry[];
  timings: PhaseTiming[];
  problems: Problem[];
  /** Flux objects found in the build that Ferry does not act on yet (HelmRelease before the Helm flow). */
  notSupported: { subject: string; reason: string; origin?: Origin }[];
  /** Flux objects Ferry read instead of applying (`ImagePolicy/flux-system/app`): sources, image automation, alerts. */
  consumed: string[];
  durationMs: number;
}

export interface ReconcileResult {
  units: UnitResult[];
  ok: boolean;
  durationMs: number;
}

/** A failure with a place: what the engine throws so the unit's result can name the file. */
export class ReconcileError extends Error {
  constructor(
    message: string,
    readonly problems: Problem[] = [{ message }],
  ) {
    super(message);
  }
}

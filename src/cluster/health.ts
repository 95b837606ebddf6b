/**
 * kstatus as pure functions: the status of one object from its own content, as
 * sigs.k8s.io/cli-utils `pkg/kstatus/status` `Compute` gives it (status.go, generic.go, core.go,
 * util.go), with the same statuses, reasons and messages.
 *
 * `reason` is the reason of the Reconciling or Stalled condition kstatus attaches to an InProgress
 * or Failed result (absent when empty, and for Current and Terminating). Where kstatus' `Compute`
 * returns an error (fields of the wrong type, a Pod phase it does not know) the status is Unknown
 * with the error as message, which is what its pollers report. NotFound never comes from here: it
 * is what a reader reports for an object the cluster does not have.
 */
import type { HealthStatus } from "../model/result.js";
import { kindOf, legacyRuleFor } from "./health/core.js";
import {
  conditionsOf,
  current,
  inProgress,
  nestedInt64,
  nestedString,
  type Obj,
  StatusError,
} from "./health/util.js";

export { SCHEDULE_WINDOW_MS } from "./health/core.js";

export interface ComputedStatus {
  status: HealthStatus;
  /** The reason of kstatus' Reconciling/Stalled condition (`LessReady`, `JobFailed`, ...). */
  reason?: string;
  message: string;
}

/**
 * The kstatus status of `obj` (a Kubernetes object as plain JSON, status included). `now` only
 * matters for Pods that cannot be scheduled: they are InProgress for 15 s after creation, then Failed.
 */
export function computeStatus(obj: Record<string, unknown>, now: Date = new Date()): ComputedStatus {
  try {
    return (
      genericStatus(obj) ??
      legacyRuleFor(obj)?.(obj, now) ??
      readyConditionStatus(obj) ??
      current("Resource is current")
    );
  } catch (error) {
    if (error instanceof StatusError) return { status: "Unknown", message: error.message };
    throw error;
  }
}

/** generic.go `checkGenericProperties`: deletion, generation, then Reconciling/Stalled conditions. */
function genericStatus(obj: Obj): ComputedStatus | undefined {
  const deletionTimestamp = lookingUp("metadata.deletionTimestamp", () =>
    nestedString(obj, "metadata", "deletionTimestamp"),
  );
  if (deletionTimestamp) return { status: "Terminating", message: "Resource scheduled for deletion" };

  const generation = lookingUp("metadata.generation", () => nestedInt64(obj, "metadata", "generation"));
  if (generation !== undefined) {
    const observed = lookingUp("status.observedGeneration", () =>
      nestedInt64(obj, "status", "observedGeneration"),
    );
    if (observed !== undefined && observed !== generation) {
      return inProgress(
        "LatestGenerationNotObserved",
        `${kindOf(obj)} generation is ${generation}, but latest observed generation is ${observed}`,
      );
    }
  }

  for (const c of conditionsOf(obj)) {
    if (c.type === "Reconciling" && c.status === "True") return inProgress(c.reason, c.message);
    if (c.type === "Stalled" && c.status === "True") {
      return { status: "Failed", ...(c.reason ? { reason: c.reason } : {}), message: c.message };
    }
  }
  return undefined;
}

/** status.go `checkReadyCondition`: the widely used (if unofficial) Ready condition. */
function readyConditionStatus(obj: Obj): ComputedStatus | undefined {
  for (const c of conditionsOf(obj)) {
    if (c.type !== "Ready") continue;
    if (c.status === "True") return current("Resource is Ready");
    if (c.status === "False" || c.status === "Unknown") return inProgress(c.reason, c.message);
  }
  return undefined;
}

function lookingUp<T>(field: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof StatusError) {
      throw new StatusError(`looking up ${field} from resource: ${error.message}`);
    }
    throw error;
  }
}

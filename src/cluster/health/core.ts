/**
 * kstatus' rules for built-in types that do not follow the Reconciling/Stalled convention
 * (cli-utils `pkg/kstatus/status/core.go`, "legacy types"). Same statuses, reasons and messages.
 */
import type { ComputedStatus } from "../health.js";
import {
  conditionsOf,
  current,
  failed,
  findCondition,
  getBoolField,
  getIntField,
  getStringField,
  inProgress,
  isMap,
  nestedInt64,
  nestedSlice,
  type Obj,
  StatusError,
} from "./util.js";

type Rule = (obj: Obj, now: Date) => ComputedStatus;

const MAX_INT32 = 2 ** 31 - 1;
/** How long a Pod may stay unschedulable before it is reported as Failed. */
export const SCHEDULE_WINDOW_MS = 15_000;

const alwaysReady: Rule = () => current("Resource is always ready");

function statefulSet(obj: Obj): ComputedStatus {
  if (getStringField(obj, ".spec.updateStrategy.type", "") === "OnDelete") {
    return current("StatefulSet is using the ondelete update strategy");
  }
  const specReplicas = getIntField(obj, ".spec.replicas", 1);
  const readyReplicas = getIntField(obj, ".status.readyReplicas", 0);
  const currentReplicas = getIntField(obj, ".status.currentReplicas", 0);
  const updatedReplicas = getIntField(obj, ".status.updatedReplicas", 0);
  const statusReplicas = getIntField(obj, ".status.replicas", 0);
  const partition = getIntField(obj, ".spec.updateStrategy.rollingUpdate.partition", -1);

  if (specReplicas > statusReplicas) {
    return inProgress("LessReplicas", `Replicas: ${statusReplicas}/${specReplicas}`);
  }
  if (specReplicas > readyReplicas) return inProgress("LessReady", `Ready: ${readyReplicas}/${specReplicas}`);
  if (statusReplicas > specReplicas) {
    return inProgress("ExtraPods", `Pending termination: ${statusReplicas - specReplicas}`);
  }
  if (partition !== -1) {
    if (updatedReplicas < specReplicas - partition) {
      return inProgress("PartitionRollout", `updated: ${updatedReplicas}/${specReplicas - partition}`);
    }
    return current(`Partition rollout complete. updated: ${updatedReplicas}`);
  }
  if (specReplicas > currentReplicas) {
    return inProgress("LessCurrent", `current: ${currentReplicas}/${specReplicas}`);
  }
  if (
    getStringField(obj, ".status.currentRevision", "") !== getStringField(obj, ".status.updateRevision", "")
  ) {
    return inProgress("RevisionMismatch", "Waiting for updated revision to match current");
  }
  return current(`All replicas scheduled as expected. Replicas: ${statusReplicas}`);
}

function deployment(obj: Obj): ComputedStatus {
  // Without progressDeadlineSeconds the controller never sets Progressing; MaxInt32 means the same.
  let progressing = getIntField(obj, ".spec.progressDeadlineSeconds", MAX_INT32) === MAX_INT32;
  let available = false;
  for (const c of conditionsOf(obj)) {
    if (c.type === "Progressing") {
      if (c.reason === "ProgressDeadlineExceeded") return failed(c.reason, "Progress deadline exceeded");
      if (c.status === "True" && c.reason === "NewReplicaSetAvailable") progressing = true;
    } else if (c.type === "Available" && c.status === "True") {
      available = true;
    }
  }

  const specReplicas = getIntField(obj, ".spec.replicas", 1);
  const statusReplicas = getIntField(obj, ".status.replicas", 0);
  const updatedReplicas = getIntField(obj, ".status.updatedReplicas", 0);
  const readyReplicas = getIntField(obj, ".status.readyReplicas", 0);
  const availableReplicas = getIntField(obj, ".status.availableReplicas", 0);

  if (specReplicas > statusReplicas) {
    return inProgress("LessReplicas", `Replicas: ${statusReplicas}/${specReplicas}`);
  }
  if (specReplicas > updatedReplicas) {
    return inProgress("LessUpdated", `Updated: ${updatedReplicas}/${specReplicas}`);
  }
  if (statusReplicas > specReplicas) {
    return inProgress("ExtraPods", `Pending termination: ${statusReplicas - specReplicas}`);
  }
  if (updatedReplicas > availableReplicas) {
    return inProgress("LessAvailable", `Available: ${availableReplicas}/${updatedReplicas}`);
  }
  if (specReplicas > readyReplicas) return inProgress("LessReady", `Ready: ${readyReplicas}/${specReplicas}`);
  if (!progressing) return inProgress("ReplicaSetNotAvailable", "ReplicaSet not Available");
  if (!available) return inProgress("DeploymentNotAvailable", "Deployment not Available");
  return current(`Deployment is available. Replicas: ${statusReplicas}`);
}

function replicaSet(obj: Obj): ComputedStatus {
  if (findCondition(conditionsOf(obj), "ReplicaFailure", "True")) {
    return inProgress("ReplicaFailure", "Replica Failure condition. Check Pods");
  }
  const specReplicas = getIntField(obj, ".spec.replicas", 1);
  const statusReplicas = getIntField(obj, ".status.replicas", 0);
  const readyReplicas = getIntField(obj, ".status.readyReplicas", 0);
  const availableReplicas = getIntField(obj, ".status.availableReplicas", 0);
  const labelledReplicas = getIntField(obj, ".status.fullyLabeledReplicas", 0);

  if (specReplicas > labelledReplicas) {
    return inProgress("LessLabelled", `Labelled: ${labelledReplicas}/${specReplicas}`);
  }
  if (specReplicas > availableReplicas) {
    return inProgress("LessAvailable", `Available: ${availableReplicas}/${specReplicas}`);
  }
  if (specReplicas > readyReplicas) return inProgress("LessReady", `Ready: ${readyReplicas}/${specReplicas}`);
  if (statusReplicas > specReplicas) {
    return inProgress("ExtraPods", `Pending termination: ${statusReplicas - specReplicas}`);
  }
  return current(`ReplicaSet is available. Replicas: ${statusReplicas}`);
}

function daemonSet(obj: Obj): ComputedStatus {
  // The generic check skips objects without observedGeneration; a DaemonSet the controller has seen has both.
  const kind = kindOf(obj);
  if (nestedInt64(obj, "metadata", "generation") === undefined) {
    return inProgress("NoGeneration", `${kind} metadata.generation not found`);
  }
  if (nestedInt64(obj, "status", "observedGeneration") === undefined) {
    return inProgress("NoObservedGeneration", `${kind} status.observedGeneration not found`);
  }
  const desired = getIntField(obj, ".status.desiredNumberScheduled", -1);
  const currentNumber = getIntField(obj, ".status.currentNumberScheduled", 0);
  const updated = getIntField(obj, ".status.updatedNumberScheduled", 0);
  const availableNumber = getIntField(obj, ".status.numberAvailable", 0);
  const ready = getIntField(obj, ".status.numberReady", 0);

  if (desired === -1) return inProgress("NoDesiredNumber", "Missing .status.desiredNumberScheduled");
  if (desired > currentNumber) return inProgress("LessCurrent", `Current: ${currentNumber}/${desired}`);
  if (desired > updated) return inProgress("LessUpdated", `Updated: ${updated}/${desired}`);
  if (desired > availableNumber)
    return inProgress("LessAvailable", `Available: ${availableNumber}/${desired}`);
  if (desired > ready) return inProgress("LessReady", `Ready: ${ready}/${desired}`);
  return current(`All replicas scheduled as expected. Replicas: ${desired}`);
}

function persistentVolumeClaim(obj: Obj): ComputedStatus {
  const phase = getStringField(obj, ".status.phase", "unknown");
  if (phase !== "Bound") return inProgress("NotBound", `PVC is not Bound. phase: ${phase}`);
  return current("PVC is Bound");
}

/** `metadata.creationTimestamp` as apimachinery reads it: anything unparseable is the zero time. */
function creationTime(obj: Obj): number {
  const meta = obj.metadata;
  const text = isMap(meta) && typeof meta.creationTimestamp === "string" ? meta.creationTimestamp : "";
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text))
    return Number.NEGATIVE_INFINITY;
  const time = Date.parse(text);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

function crashLoopingContainers(obj: Obj): string[] {
  const names: string[] = [];
  for (const item of nestedSlice(obj, "status", "containerStatuses") ?? []) {
    // kstatus panics on entries of the wrong shape; skipping them is the useful equivalent.
    if (!isMap(item) || typeof item.name !== "string" || !isMap(item.state)) continue;
    const waiting = item.state.waiting;
    if (isMap(waiting) && waiting.reason === "CrashLoopBackOff") names.push(item.name);
  }
  return names;
}

function pod(obj: Obj, now: Date): ComputedStatus {
  const conditions = conditionsOf(obj);
  const phase = getStringField(obj, ".status.phase", "");
  switch (phase) {
    case "Succeeded":
      return current("Pod has completed successfully");
    case "Failed":
      return current("Pod has completed, but not successfully");
    case "Running": {
      if (findCondition(conditions, "Ready", "True")) return current("Pod is Ready");
      const crashLooping = crashLoopingContainers(obj);
      if (crashLooping.length > 0) {
        return failed("ContainerCrashLooping", `Containers in CrashLoop state: ${crashLooping.join(",")}`);
      }
      return inProgress("PodRunningNotReady", "Pod is running but is not Ready");
    }
    case "Pending": {
      if (findCondition(conditions, "PodScheduled", "False")?.reason === "Unschedulable") {
        if (now.getTime() - SCHEDULE_WINDOW_MS < creationTime(obj)) {
          return inProgress("PodNotScheduled", "Pod has not been scheduled");
        }
        return failed("PodUnschedulable", "Pod could not be scheduled");
      }
      return inProgress("PodPending", "Pod is in the Pending phase");
    }
    case "":
      return inProgress("PodNotObserved", "Pod phase not available");
    default:
      throw new StatusError(`unknown phase ${phase}`);
  }
}

const podDisruptionBudget: Rule = () => current("AllowedDisruptions has been computed.");

function job(obj: Obj): ComputedStatus {
  const parallelism = getIntField(obj, ".spec.parallelism", 1);
  const completions = getIntField(obj, ".spec.completions", parallelism);
  const succeeded = getIntField(obj, ".status.succeeded", 0);
  const active = getIntField(obj, ".status.active", 0);
  const failedPods = getIntField(obj, ".status.failed", 0);
  const startTime = getStringField(obj, ".status.startTime", "");
  const suspended = getBoolField(obj, ".spec.suspend", false);

  for (const c of conditionsOf(obj)) {
    if (c.status !== "True") continue;
    if (c.type === "Complete") return current(`Job Completed. succeeded: ${succeeded}/${completions}`);
    if (c.type === "Failed") return failed("JobFailed", `Job Failed. failed: ${failedPods}/${completions}`);
    if (c.type === "Suspended" && suspended) return current("Job is suspended");
  }
  if (startTime === "") return inProgress("JobNotStarted", "Job not started");
  return current(`Job in progress. success:${succeeded}, active: ${active}, failed: ${failedPods}`);
}

function service(obj: Obj): ComputedStatus {
  const type = getStringField(obj, ".spec.type", "ClusterIP");
  if (type === "LoadBalancer" && getStringField(obj, ".spec.clusterIP", "") === "") {
    return inProgress("NoIPAssigned", "ClusterIP not set. Service type: LoadBalancer");
  }
  return current("Service is ready");
}

function customResourceDefinition(obj: Obj): ComputedStatus {
  for (const c of conditionsOf(obj)) {
    if (c.type === "NamesAccepted" && c.status === "False") return failed(c.reason, c.message);
    if (c.type === "Established") {
      if (c.status === "False" && c.reason !== "Installing") return failed(c.reason, c.message);
      if (c.status === "True") return current("CRD is established");
    }
  }
  return inProgress("Installing", "Install in progress");
}

/** kstatus `legacyTypes`, keyed `group/Kind` (just `Kind` for the core group). */
const legacyTypes: Record<string, Rule> = {
  Service: service,
  Pod: pod,
  Secret: alwaysReady,
  PersistentVolumeClaim: persistentVolumeClaim,
  "apps/StatefulSet": statefulSet,
  "apps/DaemonSet": daemonSet,
  "extensions/DaemonSet": daemonSet,
  "apps/Deployment": deployment,
  "extensions/Deployment": deployment,
  "apps/ReplicaSet": replicaSet,
  "extensions/ReplicaSet": replicaSet,
  "policy/PodDisruptionBudget": podDisruptionBudget,
  "batch/CronJob": alwaysReady,
  ConfigMap: alwaysReady,
  "batch/Job": job,
  "apiextensions.k8s.io/CustomResourceDefinition": customResourceDefinition,
};

/** `kind` as `Unstructured.GetKind` reads it ("" unless a string). */
export function kindOf(obj: Obj): string {
  return typeof obj.kind === "string" ? obj.kind : "";
}

/** The API group, as `schema.ParseGroupVersion` reads `apiVersion` (more than one `/` gives none). */
function groupOf(obj: Obj): string {
  const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
  const parts = apiVersion.split("/");
  return parts.length === 2 ? parts[0] : "";
}

/** kstatus `GetLegacyConditionsFn`: the rule for a built-in type, if it has one. */
export function legacyRuleFor(obj: Obj): Rule | undefined {
  const group = groupOf(obj);
  const key = group ? `${group}/${kindOf(obj)}` : kindOf(obj);
  return Object.hasOwn(legacyTypes, key) ? legacyTypes[key] : undefined;
}

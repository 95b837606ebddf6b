/**
 * computeStatus against every case of cli-utils' kstatus `status_compute_test.go` and the
 * suspended-Job cases of `core_test.go` (fixtures copied as YAML, duplicate keys and all), with the
 * status, reason and message kstatus gives; then the rules those tests leave out.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type ComputedStatus, computeStatus } from "../../src/cluster/health.js";

const NOW = new Date("2024-05-01T12:00:00Z");

/** YAML the way sigs.k8s.io/yaml reads it (the fixtures repeat `observedGeneration`). */
const y2o = (spec: string) => parse(spec, { uniqueKeys: false }) as Record<string, unknown>;

interface Case {
  name: string;
  spec: string;
  expected: ComputedStatus;
}

const inProgress = (reason: string, message: string): ComputedStatus => ({
  status: "InProgress",
  reason,
  message,
});
const failed = (reason: string, message: string): ComputedStatus => ({ status: "Failed", reason, message });
const current = (message: string): ComputedStatus => ({ status: "Current", message });

// ---- status_compute_test.go: TestPodStatus -------------------------------------------------------

const podNoStatus = `
apiVersion: v1
kind: Pod
metadata:
   generation: 1
   name: test
`;

const podReady = `
apiVersion: v1
kind: Pod
metadata:
   generation: 1
   name: test
   namespace: qual
status:
   conditions:
    - type: Ready 
      status: "True"
   phase: Running
`;

const podCompletedOK = `
apiVersion: v1
kind: Pod
metadata:
   generation: 1
   name: test
   namespace: qual
status:
   phase: Succeeded
   conditions:
    - type: Ready 
      status: "False"
      reason: PodCompleted

`;

const podCompletedFail = `
apiVersion: v1
kind: Pod
metadata:
   generation: 1
   name: test
   namespace: qual
status:
   phase: Failed
   conditions:
    - type: Ready 
      status: "False"
      reason: PodCompleted
`;

const podBeingScheduled = (creationTimestamp: string) => `
apiVersion: v1
kind: Pod
metadata:
   creationTimestamp: ${creationTimestamp}
   generation: 1
   name: test
   namespace: qual
status:
   phase: Pending
   conditions:
    - type: PodScheduled 
      status: "False"
      reason: Unschedulable
`;

const podUnschedulable = `
apiVersion: v1
kind: Pod
metadata:
   generation: 1
   name: test
   namespace: qual
status:
   phase: Pending
   conditions:
    - type: PodScheduled 
      status: "False"
      reason: Unschedulable
`;

const podCrashLooping = `
apiVersion: v1
kind: Pod
metadata:
   generation: 1
   name: test
   namespace: qual
status:
   phase: Running
   conditions:
    - type: PodScheduled 
      status: "False"
      reason: Unschedulable
   containerStatuses:
    - name: nginx
      state:
         waiting:
            reason: CrashLoopBackOff
`;

// ---- TestPVCStatus ----------------------------------------------------------------------------------

const pvcNoStatus = `
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
   generation: 1
   name: test
`;
const pvcBound = `
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
   generation: 1
   name: test
   namespace: qual
status:
   phase: Bound
`;

// ---- TestStsStatus ----------------------------------------------------------------------------------

const stsNoStatus = `
apiVersion: apps/v1
kind: StatefulSet
metadata:
   generation: 1
   name: test
`;
const stsBadStatus = `
apiVersion: apps/v1
kind: StatefulSet
metadata:
   generation: 1
   name: test
   namespace: qual
status:
   observedGeneration: 1
   currentReplicas: 1
`;

const stsOK = `
apiVersion: apps/v1
kind: StatefulSet
metadata:
   generation: 1
   name: test
   namespace: qual
spec:
   replicas: 4
status:
   observedGeneration: 1
   currentReplicas: 4
   readyReplicas: 4
   replicas: 4
`;

const stsLessReady = `
apiVersion: apps/v1
kind: StatefulSet
metadata:
   generation: 1
   name: test
   namespace: qual
spec:
   replicas: 4
status:
   observedGeneration: 1
   currentReplicas: 4
   readyReplicas: 2
   replicas: 4
`;
const stsLessCurrent = `
apiVersion: apps/v1
kind: StatefulSet
metadata:
   generation: 1
   name: test
   namespace: qual
spec:
   replicas: 4
status:
   observedGeneration: 1
   currentReplicas: 2
   readyReplicas: 4
   replicas: 4
`;
const stsExtraPods = `
apiVersion: apps/v1
kind: StatefulSet
metadata:
   generation: 1
   name: test
   namespace: qual
spec:
   replicas: 4
status:
   observedGeneration: 1
   currentReplicas: 4
   readyReplicas: 4
   replicas: 8
`;

// ---- TestDaemonsetStatus ------------------------------------------------------------------------------

const dsNoStatus = `
apiVersion: apps/v1
kind: DaemonSet
metadata:
   name: test
   generation: 1
`;
const dsBadStatus = `
apiVersion: apps/v1
kind: DaemonSet
metadata:
   name: test
   namespace: qual
   generation: 1
status:
   observedGeneration: 1
   currentReplicas: 1
`;

const dsOK = `
apiVersion: apps/v1
kind: DaemonSet
metadata:
   name: test
   namespace: qual
   generation: 1
status:
   desiredNumberScheduled: 4
   currentNumberScheduled: 4
   updatedNumberScheduled: 4
   numberAvailable: 4
   numberReady: 4
   observedGeneration: 1
`;
const dsDifferentGeneration = `
apiVersion: apps/v1
kind: DaemonSet
metadata:
   name: test
   namespace: qual
   generation: 2
status:
   desiredNumberScheduled: 4
   currentNumberScheduled: 4
   updatedNumberScheduled: 4
   numberAvailable: 4
   numberReady: 4
   observedGeneration: 1
`;

const dsLessReady = `
apiVersion: apps/v1
kind: DaemonSet
metadata:
   name: test
   namespace: qual
   generation: 1
status:
   observedGeneration: 1
   desiredNumberScheduled: 4
   currentNumberScheduled: 4
   updatedNumberScheduled: 4
   numberAvailable: 4
   numberReady: 2
`;
const dsLessAvailable = `
apiVersion: apps/v1
kind: DaemonSet
metadata:
   name: test
   namespace: qual
   generation: 1
status:
   observedGeneration: 1
   desiredNumberScheduled: 4
   currentNumberScheduled: 4
   updatedNumberScheduled: 4
   numberAvailable: 2
   numberReady: 4
`;

// ---- TestDeploymentStatus -----------------------------------------------------------------------------

const depNoStatus = `
apiVersion: apps/v1
kind: Deployment
metadata:
   name: test
   generation: 1
`;

const depOK = `
apiVersion: apps/v1
kind: Deployment
metadata:
   name: test
   generation: 1
   namespace: qual
status:
   observedGeneration: 1
   updatedReplicas: 1
   readyReplicas: 1
   availableReplicas: 1
   replicas: 1
   conditions:
    - type: Progressing 
      status: "True"
      reason: NewReplicaSetAvailable
    - type: Available 
      status: "True"
`;

const depNotProgressing = `
apiVersion: apps/v1
kind: Deployment
metadata:
   name: test
   generation: 1
   namespace: qual
spec:
   progressDeadlineSeconds: 45
status:
   observedGeneration: 1
   updatedReplicas: 1
   readyReplicas: 1
   availableReplicas: 1
   replicas: 1
   observedGeneration: 1
   conditions:
    - type: Progressing 
      status: "False"
      reason: Some reason
    - type: Available 
      status: "True"
`;

const depNoProgressDeadlineSeconds = `
apiVersion: apps/v1
kind: Deployment
metadata:
   name: test
   generation: 1
   namespace: qual
status:
   observedGeneration: 1
   updatedReplicas: 1
   readyReplicas: 1
   availableReplicas: 1
   replicas: 1
   observedGeneration: 1
   conditions:
    - type: Available
      status: "True"
`;

const depNotAvailable = `
apiVersion: apps/v1
kind: Deployment
metadata:
   name: test
   generation: 1
   namespace: qual
status:
   observedGeneration: 1
   updatedReplicas: 1
   readyReplicas: 1
   availableReplicas: 1
   replicas: 1
   observedGeneration: 1
   conditions:
    - type: Progressing 
      status: "True"
      reason: NewReplicaSetAvailable
    - type: Available 
      status: "False"
`;

// ---- TestReplicasetStatus -----------------------------------------------------------------------------

const rsNoStatus = `
apiVersion: apps/v1
kind: ReplicaSet
metadata:
   name: test
   generation: 1
`;

const rsOK1 = `
apiVersion: apps/v1
kind: ReplicaSet
metadata:
   name: test
   namespace: qual
   generation: 1
spec:
   replicas: 2
status:
   observedGeneration: 1
   replicas: 2
   readyReplicas: 2
   availableReplicas: 2
   fullyLabeledReplicas: 2
   conditions:
    - type: ReplicaFailure 
      status: "False"
`;

const rsOK2 = `
apiVersion: apps/v1
kind: ReplicaSet
metadata:
   name: test
   namespace: qual
   generation: 1
spec:
   replicas: 2
status:
   observedGeneration: 1
   fullyLabeledReplicas: 2
   replicas: 2
   readyReplicas: 2
   availableReplicas: 2
`;

const rsLessReady = `
apiVersion: apps/v1
kind: ReplicaSet
metadata:
   name: test
   namespace: qual
   generation: 1
spec:
   replicas: 4
status:
   observedGeneration: 1
   replicas: 4
   readyReplicas: 2
   availableReplicas: 4
   fullyLabeledReplicas: 4
`;

const rsLessAvailable = `
apiVersion: apps/v1
kind: ReplicaSet
metadata:
   name: test
   namespace: qual
   generation: 1
spec:
   replicas: 4
status:
   observedGeneration: 1
   replicas: 4
   readyReplicas: 4
   availableReplicas: 2
   fullyLabeledReplicas: 4
`;

const rsReplicaFailure = `
apiVersion: apps/v1
kind: ReplicaSet
metadata:
   name: test
   namespace: qual
   generation: 1
spec:
   replicas: 4
status:
   observedGeneration: 1
   replicas: 4
   readyReplicas: 4
   fullyLabeledReplicas: 4
   availableReplicas: 4
   conditions:
    - type: ReplicaFailure 
      status: "True"
`;

// ---- TestPDBStatus ------------------------------------------------------------------------------------

const pdbNotObserved = `
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
   generation: 2
   name: test
   namespace: qual
status:
   observedGeneration: 1
`;

const pdbObserved = `
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
   generation: 1
   name: test
   namespace: qual
status:
   observedGeneration: 1
`;

// ---- TestCRDGenericStatus -----------------------------------------------------------------------------

const crdNoStatus = `
apiVersion: something/v1
kind: MyCR
metadata:
   generation: 1
   name: test
   namespace: qual
`;

const crdMismatchStatusGeneration = `
apiVersion: something/v1
kind: MyCR
metadata:
   name: test
   namespace: qual
   generation: 2
status:
   observedGeneration: 1
`;

const crdReady = `
apiVersion: something/v1
kind: MyCR
metadata:
   name: test
   namespace: qual
   generation: 1
status:
   conditions:
    - type: Ready 
      status: "True"
      message: All looks ok
      reason: AllOk
`;

const crdNotReady = `
apiVersion: something/v1
kind: MyCR
metadata:
   generation: 1
   name: test
   namespace: qual
status:
   observedGeneration: 1
   conditions:
    - type: Ready 
      status: "False"
      reason: NotReadyYet
`;

const crdNoCondition = `
apiVersion: something/v1
kind: MyCR
metadata:
   name: test
   namespace: qual
   generation: 1
status:
   conditions:
    - type: SomeCondition 
      status: "False"
`;

// ---- TestJobStatus ------------------------------------------------------------------------------------

const jobNoStatus = `
apiVersion: batch/v1
kind: Job
metadata:
   name: test
   namespace: qual
   generation: 1
`;

const jobComplete = `
apiVersion: batch/v1
kind: Job
metadata:
   name: test
   namespace: qual
   generation: 1
status:
   succeeded: 1
   active: 0
   conditions:
    - type: Complete 
      status: "True"
`;

const jobFailed = `
apiVersion: batch/v1
kind: Job
metadata:
   name: test
   namespace: qual
   generation: 1
spec:
   completions: 4
status:
   succeeded: 3
   failed: 1
   conditions:
    - type: Failed 
      status: "True"
      reason: JobFailed
`;

const jobInProgress = `
apiVersion: batch/v1
kind: Job
metadata:
   name: test
   namespace: qual
   generation: 1
spec:
   completions: 10
   parallelism: 2
status:
   startTime: "2019-06-04T01:17:13Z"
   succeeded: 3
   failed: 1
   active: 2
   conditions:
    - type: Failed 
      status: "False"
    - type: Complete 
      status: "False"
`;

// ---- TestCronJobStatus --------------------------------------------------------------------------------

const cronjobNoStatus = `
apiVersion: batch/v1
kind: CronJob
metadata:
   name: test
   namespace: qual
   generation: 1
`;

const cronjobWithStatus = `
apiVersion: batch/v1
kind: CronJob
metadata:
   name: test
   namespace: qual
   generation: 1
status:
`;

// ---- TestServiceStatus --------------------------------------------------------------------------------

const serviceDefault = `
apiVersion: v1
kind: Service
metadata:
   name: test
   namespace: qual
   generation: 1
`;

const serviceNodePort = `
apiVersion: v1
kind: Service
metadata:
   name: test
   namespace: qual
   generation: 1
spec:
  type: NodePort
`;

const serviceLBok = `
apiVersion: v1
kind: Service
metadata:
   name: test
   namespace: qual
   generation: 1
spec:
  type: LoadBalancer
  clusterIP: "1.2.3.4"
`;
const serviceLBnok = `
apiVersion: v1
kind: Service
metadata:
   name: test
   namespace: qual
   generation: 1
spec:
  type: LoadBalancer
`;

// ---- TestCRDStatus ------------------------------------------------------------------------------------

const crdNoConditions = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
   generation: 1
`;

const crdInstalling = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
   generation: 1
status:
   conditions:
    - type: NamesAccepted
      status: "True"
      reason: NoConflicts
    - type: Established
      status: "False"
      reason: Installing
`;

const crdNamesNotAccepted = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
   generation: 1
status:
   conditions:
    - type: NamesAccepted
      status: "False"
      reason: SomeReason
`;

const crdEstablished = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
   generation: 1
status:
   conditions:
    - type: NamesAccepted
      status: "True"
      reason: NoConflicts
    - type: Established
      status: "True"
      reason: InitialNamesAccepted
`;

// ---- core_test.go: suspended Jobs ---------------------------------------------------------------------

const suspendJob = (suspend: boolean, suspended: string) => `
apiVersion: batch/v1
kind: Job
metadata:
   name: test
   generation: 1
   namespace: qual
spec:
  suspend: ${suspend}
status:
  conditions:
  - type: Suspended
    status: "${suspended}"
`;

/** Go formats `time.Now()` as RFC 3339 (whole seconds) for podBeingScheduled. */
const rfc3339 = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

const upstreamCases: Case[] = [
  // TestPodStatus
  {
    name: "podNoStatus",
    spec: podNoStatus,
    expected: inProgress("PodNotObserved", "Pod phase not available"),
  },
  { name: "podReady", spec: podReady, expected: current("Pod is Ready") },
  {
    name: "podCompletedSuccessfully",
    spec: podCompletedOK,
    expected: current("Pod has completed successfully"),
  },
  {
    name: "podCompletedFailed",
    spec: podCompletedFail,
    expected: current("Pod has completed, but not successfully"),
  },
  {
    name: "podBeingScheduled",
    spec: podBeingScheduled(rfc3339(NOW)),
    expected: inProgress("PodNotScheduled", "Pod has not been scheduled"),
  },
  {
    name: "podUnschedulable",
    spec: podUnschedulable,
    expected: failed("PodUnschedulable", "Pod could not be scheduled"),
  },
  {
    name: "podCrashLooping",
    spec: podCrashLooping,
    expected: failed("ContainerCrashLooping", "Containers in CrashLoop state: nginx"),
  },
  // TestPVCStatus
  {
    name: "pvcNoStatus",
    spec: pvcNoStatus,
    expected: inProgress("NotBound", "PVC is not Bound. phase: unknown"),
  },
  { name: "pvcBound", spec: pvcBound, expected: current("PVC is Bound") },
  // TestStsStatus
  { name: "stsNoStatus", spec: stsNoStatus, expected: inProgress("LessReplicas", "Replicas: 0/1") },
  { name: "stsBadStatus", spec: stsBadStatus, expected: inProgress("LessReplicas", "Replicas: 0/1") },
  { name: "stsOK", spec: stsOK, expected: current("All replicas scheduled as expected. Replicas: 4") },
  { name: "stsLessReady", spec: stsLessReady, expected: inProgress("LessReady", "Ready: 2/4") },
  { name: "stsLessCurrent", spec: stsLessCurrent, expected: inProgress("LessCurrent", "current: 2/4") },
  { name: "stsExtraPods", spec: stsExtraPods, expected: inProgress("ExtraPods", "Pending termination: 4") },
  // TestDaemonsetStatus
  {
    name: "dsNoStatus",
    spec: dsNoStatus,
    expected: inProgress("NoObservedGeneration", "DaemonSet status.observedGeneration not found"),
  },
  {
    name: "dsBadStatus",
    spec: dsBadStatus,
    expected: inProgress("NoDesiredNumber", "Missing .status.desiredNumberScheduled"),
  },
  { name: "dsOK", spec: dsOK, expected: current("All replicas scheduled as expected. Replicas: 4") },
  { name: "dsLessReady", spec: dsLessReady, expected: inProgress("LessReady", "Ready: 2/4") },
  {
    name: "dsDifferentGeneration",
    spec: dsDifferentGeneration,
    expected: inProgress(
      "LatestGenerationNotObserved",
      "DaemonSet generation is 2, but latest observed generation is 1",
    ),
  },
  { name: "dsLessAvailable", spec: dsLessAvailable, expected: inProgress("LessAvailable", "Available: 2/4") },
  // TestDeploymentStatus
  { name: "depNoStatus", spec: depNoStatus, expected: inProgress("LessReplicas", "Replicas: 0/1") },
  { name: "depOK", spec: depOK, expected: current("Deployment is available. Replicas: 1") },
  {
    name: "depNotProgressing",
    spec: depNotProgressing,
    expected: inProgress("ReplicaSetNotAvailable", "ReplicaSet not Available"),
  },
  {
    name: "depNoProgressDeadlineSeconds",
    spec: depNoProgressDeadlineSeconds,
    expected: current("Deployment is available. Replicas: 1"),
  },
  {
    name: "depNotAvailable",
    spec: depNotAvailable,
    expected: inProgress("DeploymentNotAvailable", "Deployment not Available"),
  },
  // TestReplicasetStatus
  { name: "rsNoStatus", spec: rsNoStatus, expected: inProgress("LessLabelled", "Labelled: 0/1") },
  { name: "rsOK1", spec: rsOK1, expected: current("ReplicaSet is available. Replicas: 2") },
  { name: "rsOK2", spec: rsOK2, expected: current("ReplicaSet is available. Replicas: 2") },
  { name: "rsLessAvailable", spec: rsLessAvailable, expected: inProgress("LessAvailable", "Available: 2/4") },
  { name: "rsLessReady", spec: rsLessReady, expected: inProgress("LessReady", "Ready: 2/4") },
  {
    name: "rsReplicaFailure",
    spec: rsReplicaFailure,
    expected: inProgress("ReplicaFailure", "Replica Failure condition. Check Pods"),
  },
  // TestPDBStatus
  {
    name: "pdbNotObserved",
    spec: pdbNotObserved,
    expected: inProgress(
      "LatestGenerationNotObserved",
      "PodDisruptionBudget generation is 2, but latest observed generation is 1",
    ),
  },
  { name: "pdbObserved", spec: pdbObserved, expected: current("AllowedDisruptions has been computed.") },
  // TestCRDGenericStatus
  { name: "crdNoStatus", spec: crdNoStatus, expected: current("Resource is current") },
  { name: "crdReady", spec: crdReady, expected: current("Resource is Ready") },
  { name: "crdNotReady", spec: crdNotReady, expected: inProgress("NotReadyYet", "") },
  { name: "crdNoCondition", spec: crdNoCondition, expected: current("Resource is current") },
  {
    name: "crdMismatchStatusGeneration",
    spec: crdMismatchStatusGeneration,
    expected: inProgress(
      "LatestGenerationNotObserved",
      "MyCR generation is 2, but latest observed generation is 1",
    ),
  },
  // TestJobStatus
  { name: "jobNoStatus", spec: jobNoStatus, expected: inProgress("JobNotStarted", "Job not started") },
  { name: "jobComplete", spec: jobComplete, expected: current("Job Completed. succeeded: 1/1") },
  { name: "jobFailed", spec: jobFailed, expected: failed("JobFailed", "Job Failed. failed: 1/4") },
  {
    name: "jobInProgress",
    spec: jobInProgress,
    expected: current("Job in progress. success:3, active: 2, failed: 1"),
  },
  // TestCronJobStatus
  { name: "cronjobNoStatus", spec: cronjobNoStatus, expected: current("Resource is always ready") },
  { name: "cronjobWithStatus", spec: cronjobWithStatus, expected: current("Resource is always ready") },
  // TestServiceStatus
  { name: "serviceDefault", spec: serviceDefault, expected: current("Service is ready") },
  { name: "serviceNodePort", spec: serviceNodePort, expected: current("Service is ready") },
  {
    name: "serviceLBnok",
    spec: serviceLBnok,
    expected: inProgress("NoIPAssigned", "ClusterIP not set. Service type: LoadBalancer"),
  },
  { name: "serviceLBok", spec: serviceLBok, expected: current("Service is ready") },
  // TestCRDStatus
  {
    name: "crdNoConditions",
    spec: crdNoConditions,
    expected: inProgress("Installing", "Install in progress"),
  },
  { name: "crdInstalling", spec: crdInstalling, expected: inProgress("Installing", "Install in progress") },
  { name: "crdNamesNotAccepted", spec: crdNamesNotAccepted, expected: failed("SomeReason", "") },
  { name: "crdEstablished", spec: crdEstablished, expected: current("CRD is established") },
  // core_test.go
  {
    name: "TestSuspendedJobConditions",
    spec: suspendJob(true, "True"),
    expected: current("Job is suspended"),
  },
  {
    name: "TestPreviouslySuspendedJobConditions",
    spec: suspendJob(false, "False"),
    expected: inProgress("JobNotStarted", "Job not started"),
  },
  {
    name: "TestSuspendedJobTransitionConditions (to suspended)",
    spec: suspendJob(true, "False"),
    expected: inProgress("JobNotStarted", "Job not started"),
  },
  {
    name: "TestSuspendedJobTransitionConditions (from suspended)",
    spec: suspendJob(false, "True"),
    expected: inProgress("JobNotStarted", "Job not started"),
  },
];

describe("computeStatus: kstatus' own test cases", () => {
  it("has all 53 cases of status_compute_test.go and the 4 of core_test.go, once each", () => {
    expect(upstreamCases).toHaveLength(57);
    expect(new Set(upstreamCases.map((c) => c.name)).size).toBe(57);
  });

  it.each(upstreamCases)("$name → $expected.status", ({ spec, expected }) => {
    expect(computeStatus(y2o(spec), NOW)).toEqual(expected);
  });
});

type O = Record<string, unknown>;
const obj = (apiVersion: string, kind: string, rest: O = {}, metadata: O = {}): O => ({
  apiVersion,
  kind,
  metadata: { name: "test", namespace: "qual", generation: 1, ...metadata },
  ...rest,
});
const cond = (type: string, status: string, reason?: string, message?: string) => ({
  type,
  status,
  ...(reason !== undefined && { reason }),
  ...(message !== undefined && { message }),
});
const deploy = (spec: O, status: O) =>
  obj("apps/v1", "Deployment", { spec, status: { observedGeneration: 1, ...status } });
const sts = (spec: O, status: O) =>
  obj("apps/v1", "StatefulSet", { spec, status: { observedGeneration: 1, ...status } });
const ds = (status: O) => obj("apps/v1", "DaemonSet", { status: { observedGeneration: 1, ...status } });
const pod = (status: O, metadata: O = {}) => obj("v1", "Pod", { status }, metadata);
const deployOK = { replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 };

const moreCases: { name: string; object: O; now?: Date; expected: ComputedStatus }[] = [
  // generic.go
  {
    name: "deletionTimestamp wins over everything",
    object: deploy({}, {}),
    expected: { status: "Terminating", message: "Resource scheduled for deletion" },
  },
  {
    name: "an empty deletionTimestamp is not a deletion",
    object: obj("v1", "ConfigMap", {}, { deletionTimestamp: "" }),
    expected: current("Resource is always ready"),
  },
  {
    name: "Deployment generation not observed",
    object: obj("apps/v1", "Deployment", { status: { observedGeneration: 1 } }, { generation: 2 }),
    expected: inProgress(
      "LatestGenerationNotObserved",
      "Deployment generation is 2, but latest observed generation is 1",
    ),
  },
  {
    name: "no metadata.generation skips the generation check",
    object: obj("example.com/v1", "Thing", { status: { observedGeneration: 7 } }, { generation: undefined }),
    expected: current("Resource is current"),
  },
  {
    name: "Reconciling=True overrides the type rules",
    object: deploy(
      { replicas: 2 },
      { ...deployOK, conditions: [cond("Reconciling", "True", "Working", "busy")] },
    ),
    expected: inProgress("Working", "busy"),
  },
  {
    name: "Stalled=True is Failed with the condition's reason and message",
    object: obj("example.com/v1", "Thing", {
      status: { conditions: [cond("Ready", "True"), cond("Stalled", "True", "Broken", "it broke")] },
    }),
    expected: failed("Broken", "it broke"),
  },
  {
    name: "Stalled=True without a reason",
    object: obj("example.com/v1", "Thing", {
      status: { conditions: [cond("Stalled", "True", undefined, "x")] },
    }),
    expected: { status: "Failed", message: "x" },
  },
  {
    name: "Reconciling=False and Stalled=False are ignored",
    object: obj("example.com/v1", "Thing", {
      status: { conditions: [cond("Reconciling", "False"), cond("Stalled", "False")] },
    }),
    expected: current("Resource is current"),
  },
  // status.go checkReadyCondition
  {
    name: "Ready=Unknown is InProgress",
    object: obj("example.com/v1", "Thing", {
      status: { conditions: [cond("Ready", "Unknown", "Waiting", "soon")] },
    }),
    expected: inProgress("Waiting", "soon"),
  },
  {
    name: "a Ready condition with another status is skipped",
    object: obj("example.com/v1", "Thing", {
      status: { conditions: [cond("Ready", "Maybe"), cond("Ready", "True")] },
    }),
    expected: current("Resource is Ready"),
  },
  {
    name: "Ready is not consulted for types with their own rules",
    object: obj("v1", "Service", { status: { conditions: [cond("Ready", "False", "Nope", "no")] } }),
    expected: current("Service is ready"),
  },
  // Deployment
  {
    name: "Deployment ProgressDeadlineExceeded is Failed, before the replica checks",
    object: deploy(
      { replicas: 3 },
      { conditions: [cond("Progressing", "False", "ProgressDeadlineExceeded", "ReplicaSet has timed out")] },
    ),
    expected: failed("ProgressDeadlineExceeded", "Progress deadline exceeded"),
  },
  {
    name: "Deployment LessUpdated",
    object: deploy({ replicas: 3 }, { replicas: 3, updatedReplicas: 1 }),
    expected: inProgress("LessUpdated", "Updated: 1/3"),
  },
  {
    name: "Deployment ExtraPods",
    object: deploy({ replicas: 2 }, { ...deployOK, replicas: 3 }),
    expected: inProgress("ExtraPods", "Pending termination: 1"),
  },
  {
    name: "Deployment LessAvailable",
    object: deploy({ replicas: 2 }, { ...deployOK, availableReplicas: 1 }),
    expected: inProgress("LessAvailable", "Available: 1/2"),
  },
  {
    name: "Deployment LessReady",
    object: deploy({ replicas: 2 }, { ...deployOK, readyReplicas: 1 }),
    expected: inProgress("LessReady", "Ready: 1/2"),
  },
  {
    name: "Deployment progressDeadlineSeconds MaxInt32 counts as unset",
    object: deploy(
      { replicas: 2, progressDeadlineSeconds: 2147483647 },
      { ...deployOK, conditions: [cond("Available", "True")] },
    ),
    expected: current("Deployment is available. Replicas: 2"),
  },
  {
    name: "extensions/v1beta1 Deployment uses the same rules",
    object: obj("extensions/v1beta1", "Deployment", {}),
    expected: inProgress("LessReplicas", "Replicas: 0/1"),
  },
  {
    name: "replica counts that are not integers read as unset",
    object: deploy({ replicas: "2" }, { replicas: 1.5 }),
    expected: inProgress("LessReplicas", "Replicas: 0/1"),
  },
  // StatefulSet
  {
    name: "StatefulSet OnDelete",
    object: sts({ replicas: 3, updateStrategy: { type: "OnDelete" } }, {}),
    expected: current("StatefulSet is using the ondelete update strategy"),
  },
  {
    name: "StatefulSet partition rollout in progress",
    object: sts(
      { replicas: 4, updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } } },
      { replicas: 4, readyReplicas: 4, currentReplicas: 3, updatedReplicas: 1 },
    ),
    expected: inProgress("PartitionRollout", "updated: 1/2"),
  },
  {
    name: "StatefulSet partition rollout complete",
    object: sts(
      { replicas: 4, updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } } },
      { replicas: 4, readyReplicas: 4, currentReplicas: 2, updatedReplicas: 2 },
    ),
    expected: current("Partition rollout complete. updated: 2"),
  },
  {
    name: "StatefulSet revision mismatch",
    object: sts(
      { replicas: 2 },
      {
        replicas: 2,
        readyReplicas: 2,
        currentReplicas: 2,
        currentRevision: "web-1",
        updateRevision: "web-2",
      },
    ),
    expected: inProgress("RevisionMismatch", "Waiting for updated revision to match current"),
  },
  {
    name: "StatefulSet with matching revisions",
    object: sts(
      { replicas: 2 },
      {
        replicas: 2,
        readyReplicas: 2,
        currentReplicas: 2,
        currentRevision: "web-2",
        updateRevision: "web-2",
      },
    ),
    expected: current("All replicas scheduled as expected. Replicas: 2"),
  },
  // DaemonSet
  {
    name: "DaemonSet without metadata.generation",
    object: obj("apps/v1", "DaemonSet", { status: { observedGeneration: 1 } }, { generation: undefined }),
    expected: inProgress("NoGeneration", "DaemonSet metadata.generation not found"),
  },
  {
    name: "DaemonSet LessCurrent",
    object: ds({ desiredNumberScheduled: 4, currentNumberScheduled: 3 }),
    expected: inProgress("LessCurrent", "Current: 3/4"),
  },
  {
    name: "DaemonSet LessUpdated",
    object: ds({ desiredNumberScheduled: 4, currentNumberScheduled: 4, updatedNumberScheduled: 3 }),
    expected: inProgress("LessUpdated", "Updated: 3/4"),
  },
  {
    name: "DaemonSet with nothing to schedule",
    object: ds({ desiredNumberScheduled: 0 }),
    expected: current("All replicas scheduled as expected. Replicas: 0"),
  },
  // ReplicaSet
  {
    name: "ReplicaSet ExtraPods",
    object: obj("apps/v1", "ReplicaSet", {
      spec: { replicas: 1 },
      status: { replicas: 2, fullyLabeledReplicas: 1, availableReplicas: 1, readyReplicas: 1 },
    }),
    expected: inProgress("ExtraPods", "Pending termination: 1"),
  },
  // Pod
  {
    name: "Pod running but not Ready",
    object: pod({ phase: "Running", conditions: [cond("Ready", "False")] }),
    expected: inProgress("PodRunningNotReady", "Pod is running but is not Ready"),
  },
  {
    name: "Pod Ready wins over a crash-looping container",
    object: pod({
      phase: "Running",
      conditions: [cond("Ready", "True")],
      containerStatuses: [{ name: "a", state: { waiting: { reason: "CrashLoopBackOff" } } }],
    }),
    expected: current("Pod is Ready"),
  },
  {
    name: "Pod with several crash-looping containers",
    object: pod({
      phase: "Running",
      containerStatuses: [
        { name: "a", state: { waiting: { reason: "CrashLoopBackOff" } } },
        { name: "b", state: { running: {} } },
        { name: "c", state: { waiting: { reason: "CrashLoopBackOff" } } },
      ],
    }),
    expected: failed("ContainerCrashLooping", "Containers in CrashLoop state: a,c"),
  },
  {
    name: "Pod pending, not unschedulable",
    object: pod({ phase: "Pending", conditions: [cond("PodScheduled", "False", "SomethingElse")] }),
    expected: inProgress("PodPending", "Pod is in the Pending phase"),
  },
  {
    name: "Pod unschedulable for 14.9 s",
    object: pod(
      { phase: "Pending", conditions: [cond("PodScheduled", "False", "Unschedulable")] },
      { creationTimestamp: "2024-05-01T11:59:45.1Z" },
    ),
    expected: inProgress("PodNotScheduled", "Pod has not been scheduled"),
  },
  {
    name: "Pod unschedulable for exactly 15 s",
    object: pod(
      { phase: "Pending", conditions: [cond("PodScheduled", "False", "Unschedulable")] },
      { creationTimestamp: "2024-05-01T11:59:45Z" },
    ),
    expected: failed("PodUnschedulable", "Pod could not be scheduled"),
  },
  {
    name: "Pod unschedulable with an unreadable creationTimestamp",
    object: pod(
      { phase: "Pending", conditions: [cond("PodScheduled", "False", "Unschedulable")] },
      { creationTimestamp: "yesterday" },
    ),
    expected: failed("PodUnschedulable", "Pod could not be scheduled"),
  },
  {
    name: "Pod in a phase kstatus does not know",
    object: pod({ phase: "Unknown" }),
    expected: { status: "Unknown", message: "unknown phase Unknown" },
  },
  // PVC, Job, CRD, always-ready types
  {
    name: "PVC pending",
    object: obj("v1", "PersistentVolumeClaim", { status: { phase: "Pending" } }),
    expected: inProgress("NotBound", "PVC is not Bound. phase: Pending"),
  },
  {
    name: "Job completions default to parallelism",
    object: obj("batch/v1", "Job", {
      spec: { parallelism: 3 },
      status: { succeeded: 3, conditions: [cond("Complete", "True")] },
    }),
    expected: current("Job Completed. succeeded: 3/3"),
  },
  {
    name: "CRD Established=False for another reason is Failed",
    object: obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", {
      status: { conditions: [cond("Established", "False", "Broken", "not established")] },
    }),
    expected: failed("Broken", "not established"),
  },
  { name: "Secret", object: obj("v1", "Secret"), expected: current("Resource is always ready") },
  { name: "ConfigMap", object: obj("v1", "ConfigMap"), expected: current("Resource is always ready") },
  {
    name: "CronJob batch/v1beta1",
    object: obj("batch/v1beta1", "CronJob", { status: { active: [] } }),
    expected: current("Resource is always ready"),
  },
  {
    name: "PodDisruptionBudget policy/v1",
    object: obj("policy/v1", "PodDisruptionBudget", { status: { observedGeneration: 1 } }),
    expected: current("AllowedDisruptions has been computed."),
  },
  {
    name: "a Deployment kind in another group gets the generic rules",
    object: obj("example.com/v1", "Deployment"),
    expected: current("Resource is current"),
  },
  // What kstatus' Compute returns as an error
  {
    name: "metadata.generation of the wrong type",
    object: obj("v1", "ConfigMap", {}, { generation: "1" }),
    expected: {
      status: "Unknown",
      message:
        "looking up metadata.generation from resource: .metadata.generation accessor error: 1 is of the type string, expected int64",
    },
  },
  {
    name: "status that is not a map",
    object: obj("example.com/v1", "Thing", { status: "oops" }),
    expected: {
      status: "Unknown",
      message:
        "looking up status.observedGeneration from resource: .status.observedGeneration accessor error: oops is of the type string, expected map[string]interface{}",
    },
  },
  {
    name: "conditions that are not a list",
    object: obj("example.com/v1", "Thing", { status: { conditions: { type: "Ready" } } }),
    expected: { status: "Unknown", message: "cannot restore slice from map" },
  },
  {
    name: "a condition status that is not a string (unquoted True in YAML)",
    object: obj("example.com/v1", "Thing", { status: { conditions: [{ type: "Ready", status: true }] } }),
    expected: { status: "Unknown", message: "cannot convert bool to string" },
  },
];

describe("computeStatus: the rules kstatus' tests leave out", () => {
  it.each(moreCases)("$name", ({ object, now, expected }) => {
    const withDeletion =
      expected.status === "Terminating"
        ? { ...object, metadata: { ...(object.metadata as O), deletionTimestamp: "2024-05-01T11:00:00Z" } }
        : object;
    expect(computeStatus(withDeletion, now ?? NOW)).toEqual(expected);
  });

  it("defaults now to the current time", () => {
    const justCreated = pod(
      { phase: "Pending", conditions: [cond("PodScheduled", "False", "Unschedulable")] },
      { creationTimestamp: rfc3339(new Date()) },
    );
    expect(computeStatus(justCreated).status).toBe("InProgress");
  });

  it("does not modify the object", () => {
    const object = deploy({ replicas: 2 }, { ...deployOK, conditions: [cond("Available", "True")] });
    const before = structuredClone(object);
    computeStatus(object, NOW);
    expect(object).toEqual(before);
  });
});

/**
 * Stands in for the cluster's controllers: workloads reach the status a healthy cluster reports
 * shortly after each change (Deployments get a ReplicaSet and Pods), unless a test says otherwise
 * with the `test.ferry.dev/health` annotation (`never-ready` or `fail`) or `setHealth`.
 */
import { createHash, randomBytes } from "node:crypto";
import type { ObjectService } from "./objects.js";
import type { ResourceType } from "./resources.js";
import type { KubeObject } from "./store.js";

export type Health = "ready" | "never-ready" | "fail";
export const HEALTH_ANNOTATION = "test.ferry.dev/health";

export interface SimulatorOptions {
  /** How long after a change the status follows; default 20 ms. */
  delayMs?: number;
  /** Turns the simulator off: nothing gets a status. */
  disabled?: boolean;
}

interface Host {
  readonly objects: ObjectService;
  type(apiVersion: string, kind: string): ResourceType;
}

const MANAGER = { dryRun: false, fieldManager: "kube-controller-manager" };
const SIMULATED = new Set([
  "Deployment",
  "ReplicaSet",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "Pod",
  "PersistentVolumeClaim",
]);
const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

export class StatusSimulator {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly overrides = new Map<string, Health>();
  private stopped = false;

  constructor(
    private readonly host: Host,
    private readonly options: SimulatorOptions = {},
  ) {}

  /** Makes one object (and, for a Deployment, its Pods) never ready, or fail, or ready again. */
  setHealth(kind: string, namespace: string | undefined, name: string, health: Health): void {
    this.overrides.set(`${kind}/${namespace ?? ""}/${name}`, health);
    const type = this.typeOf(kind);
    const obj = type && this.host.objects.find(type, namespace, name);
    if (type && obj) this.observe(type, obj);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  /** Called after every stored change. */
  observe(type: ResourceType, obj: KubeObject): void {
    if (this.stopped || this.options.disabled || type.crd || !SIMULATED.has(type.kind)) return;
    const key = `${type.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
    if (this.pending.has(key)) return;
    const timer = setTimeout(() => {
      this.pending.delete(key);
      if (this.stopped) return;
      const current = this.host.objects.find(type, obj.metadata.namespace, obj.metadata.name);
      if (current && !current.metadata.deletionTimestamp) this.reconcile(type, current);
    }, this.options.delayMs ?? 20);
    this.pending.set(key, timer);
  }

  private typeOf(kind: string): ResourceType | undefined {
    const apiVersion = {
      Deployment: "apps/v1",
      ReplicaSet: "apps/v1",
      StatefulSet: "apps/v1",
      DaemonSet: "apps/v1",
      Job: "batch/v1",
    }[kind];
    try {
      return this.host.type(apiVersion ?? "v1", kind);
    } catch {
      return undefined;
    }
  }

  private healthOf(obj: KubeObject): Health {
    const override = this.overrides.get(`${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`);
    const annotated = obj.metadata.annotations?.[HEALTH_ANNOTATION];
    return override ?? (annotated === "never-ready" || annotated === "fail" ? annotated : "ready");
  }

  private reconcile(type: ResourceType, obj: KubeObject): void {
    try {
      const status = this.statusOf(type, obj);
      if (status) this.writeStatus(type, obj, status);
    } catch (e) {
      // A conflicting write raced the simulator; the next change brings it back.
      if (!(e instanceof Error && /not found|modified/.test(e.message))) throw e;
    }
  }

  private writeStatus(type: ResourceType, obj: KubeObject, status: Record<string, unknown>): void {
    const scope = { type, namespace: obj.metadata.namespace, name: obj.metadata.name, subresource: "status" };
    const replaceStatus = [{ op: "add", path: "/status", value: status }];
    this.host.objects.patch(scope, "application/json-patch+json", JSON.stringify(replaceStatus), MANAGER);
  }

  private statusOf(type: ResourceType, obj: KubeObject): Record<string, unknown> | undefined {
    const health = this.healthOf(obj);
    const generation = obj.metadata.generation;
    switch (type.kind) {
      case "Deployment":
        return this.deployment(obj, health);
      case "ReplicaSet":
        return this.replicaSet(obj, health);
      case "StatefulSet": {
        const replicas = obj.spec?.replicas ?? 1;
        const ready = health === "ready" ? replicas : 0;
        const revision = `${obj.metadata.name}-${templateHash(obj.spec?.template)}`;
        return {
          observedGeneration: generation,
          replicas,
          readyReplicas: ready,
          currentReplicas: replicas,
          updatedReplicas: replicas,
          availableReplicas: ready,
          currentRevision: revision,
          updateRevision: revision,
          collisionCount: 0,
        };
      }
      case "DaemonSet": {
        const ready = health === "ready" ? 1 : 0;
        return {
          observedGeneration: generation,
          desiredNumberScheduled: 1,
          currentNumberScheduled: 1,
          updatedNumberScheduled: 1,
          numberMisscheduled: 0,
          numberReady: ready,
          numberAvailable: ready,
          ...(ready ? {} : { numberUnavailable: 1 }),
        };
      }
      case "Job":
        return this.job(obj, health);
      case "Pod":
        return podStatus(obj, health);
      case "PersistentVolumeClaim":
        if (health !== "ready") return { phase: "Pending" };
        return {
          phase: "Bound",
          accessModes: obj.spec?.accessModes ?? ["ReadWriteOnce"],
          capacity: { storage: obj.spec?.resources?.requests?.storage ?? "1Gi" },
        };
    }
    return undefined;
  }

  private deployment(d: KubeObject, health: Health): Record<string, unknown> {
    const replicas: number = d.spec?.replicas ?? 1;
    const hash = templateHash(d.spec?.template);
    const rsType = this.host.type("apps/v1", "ReplicaSet");
    const owned = this.host.objects.dependentsOf(d.metadata.uid, rsType);
    for (const rs of owned) {
      if (rs.metadata.labels?.["pod-template-hash"] !== hash && rs.spec?.replicas !== 0) {
        this.host.objects.patch(
          { type: rsType, namespace: rs.metadata.namespace, name: rs.metadata.name },
          "application/merge-patch+json",
          JSON.stringify({ spec: { replicas: 0 } }),
          MANAGER,
        );
      }
    }
    const current = owned.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
    const healthAnnotation = health === "ready" ? {} : { [HEALTH_ANNOTATION]: health };
    if (!current) {
      const template = d.spec?.template ?? {};
      const labels = { ...(template.metadata?.labels ?? {}), "pod-template-hash": hash };
      this.host.objects.create(
        { type: rsType, namespace: d.metadata.namespace },
        {
          metadata: {
            name: `${d.metadata.name}-${hash}`,
            namespace: d.metadata.namespace,
            labels,
            annotations: { "deployment.kubernetes.io/revision": String(owned.length + 1) },
            ownerReferences: [ownerReference(d)],
          },
          spec: {
            replicas,
            selector: {
              ...d.spec?.selector,
              matchLabels: { ...(d.spec?.selector?.matchLabels ?? {}), "pod-template-hash": hash },
            },
            template: {
              ...template,
              metadata: {
                ...template.metadata,
                labels,
                annotations: { ...(template.metadata?.annotations ?? {}), ...healthAnnotation },
              },
            },
          },
        },
        MANAGER,
      );
    } else if (current.spec?.replicas !== replicas) {
      this.host.objects.patch(
        { type: rsType, namespace: current.metadata.namespace, name: current.metadata.name },
        "application/merge-patch+json",
        JSON.stringify({ spec: { replicas } }),
        MANAGER,
      );
    }
    const ready = health === "ready" ? replicas : 0;
    const time = now();
    const progressing =
      health === "fail"
        ? {
            status: "False",
            reason: "ProgressDeadlineExceeded",
            message: `ReplicaSet "${d.metadata.name}-${hash}" has timed out progressing.`,
          }
        : health === "never-ready"
          ? {
              status: "True",
              reason: "ReplicaSetUpdated",
              message: `ReplicaSet "${d.metadata.name}-${hash}" is progressing.`,
            }
          : {
              status: "True",
              reason: "NewReplicaSetAvailable",
              message: `ReplicaSet "${d.metadata.name}-${hash}" has successfully progressed.`,
            };
    return {
      observedGeneration: d.metadata.generation,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(replicas - ready > 0 ? { unavailableReplicas: replicas - ready } : {}),
      conditions: [
        {
          type: "Available",
          status: ready >= replicas ? "True" : "False",
          lastUpdateTime: time,
          lastTransitionTime: time,
          reason: ready >= replicas ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
          message:
            ready >= replicas
              ? "Deployment has minimum availability."
              : "Deployment does not have minimum availability.",
        },
        { type: "Progressing", lastUpdateTime: time, lastTransitionTime: time, ...progressing },
      ],
    };
  }

  private replicaSet(rs: KubeObject, health: Health): Record<string, unknown> {
    const replicas: number = rs.spec?.replicas ?? 1;
    const podType = this.host.type("v1", "Pod");
    const pods = this.host.objects.dependentsOf(rs.metadata.uid, podType);
    for (const extra of pods.slice(replicas)) {
      this.host.objects.delete(
        { type: podType, namespace: extra.metadata.namespace, name: extra.metadata.name },
        { dryRun: false, propagationPolicy: "Background" },
      );
    }
    const template = rs.spec?.template ?? {};
    for (let i = pods.length; i < replicas; i++) {
      this.host.objects.create(
        { type: podType, namespace: rs.metadata.namespace },
        {
          metadata: {
            name: `${rs.metadata.name}-${randomBytes(3).toString("hex").slice(0, 5)}`,
            namespace: rs.metadata.namespace,
            labels: template.metadata?.labels,
            ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
            ownerReferences: [ownerReference(rs)],
          },
          spec: template.spec,
        },
        MANAGER,
      );
    }
    const ready = health === "ready" ? replicas : 0;
    return {
      observedGeneration: rs.metadata.generation,
      replicas,
      fullyLabeledReplicas: replicas,
      readyReplicas: ready,
      availableReplicas: ready,
    };
  }

  private job(job: KubeObject, health: Health): Record<string, unknown> {
    const time = now();
    const completions = job.spec?.completions ?? 1;
    if (health === "never-ready") return { startTime: time, active: 1, ready: 0, terminating: 0 };
    if (health === "fail") {
      return {
        startTime: time,
        failed: 1,
        terminating: 0,
        conditions: [
          {
            type: "Failed",
            status: "True",
            lastProbeTime: time,
            lastTransitionTime: time,
            reason: "BackoffLimitExceeded",
            message: "Job has reached the specified backoff limit",
          },
        ],
      };
    }
    const condition = (type: string, reason: string, message: string) => ({
      type,
      status: "True",
      lastProbeTime: time,
      lastTransitionTime: time,
      reason,
      message,
    });
    return {
      startTime: time,
      completionTime: time,
      succeeded: completions,
      ready: 0,
      terminating: 0,
      conditions: [
        condition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"),
        condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods"),
      ],
    };
  }
}

function podStatus(pod: KubeObject, health: Health): Record<string, unknown> {
  const time = now();
  const ready = health === "ready" ? "True" : "False";
  const containers = (pod.spec?.containers ?? []) as { name: string; image: string }[];
  return {
    phase: "Running",
    conditions: [
      { type: "PodScheduled", status: "True", lastTransitionTime: time },
      { type: "Initialized", status: "True", lastTransitionTime: time },
      { type: "ContainersReady", status: ready, lastTransitionTime: time },
      { type: "Ready", status: ready, lastTransitionTime: time },
    ],
    hostIP: "10.0.0.1",
    podIP: "10.244.0.10",
    startTime: time,
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: "",
      ready: health === "ready",
      restartCount: health === "fail" ? 5 : 0,
      started: health !== "fail",
      state:
        health === "fail"
          ? {
              waiting: {
                reason: "CrashLoopBackOff",
                message: `back-off restarting failed container ${c.name}`,
              },
            }
          : { running: { startedAt: time } },
    })),
  };
}

function ownerReference(owner: KubeObject) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The `pod-template-hash` a Deployment controller gives a template: stable, 10 characters. */
export function templateHash(template: unknown): string {
  const digest = createHash("sha256")
    .update(JSON.stringify(template ?? {}))
    .digest();
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  return [...digest.subarray(0, 10)].map((b) => alphabet[b % alphabet.length]).join("");
}

import { describe, expect, it } from "vitest";
import { applyDefaults } from "./defaults.js";

type Obj = Record<string, unknown>;

/** Inputs are frozen, so a defaulter that mutates its input throws in these (strict-mode) tests. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const podSpecDefaults = {
  dnsPolicy: "ClusterFirst",
  restartPolicy: "Always",
  schedulerName: "default-scheduler",
  securityContext: {},
  terminationGracePeriodSeconds: 30,
};

const containerDefaults = (pullPolicy: "Always" | "IfNotPresent") => ({
  imagePullPolicy: pullPolicy,
  resources: {},
  terminationMessagePath: "/dev/termination-log",
  terminationMessagePolicy: "File",
});

const web = { name: "web", image: "nginx:1.27" };
const defaultedWeb = { ...web, ...containerDefaults("IfNotPresent") };
const template = { metadata: { labels: { app: "web" } }, spec: { containers: [web] } };
const defaultedTemplate = {
  metadata: { labels: { app: "web" } },
  spec: { containers: [defaultedWeb], ...podSpecDefaults },
};
const meta = { name: "web", namespace: "default" };

interface Case {
  name: string;
  kind: { group: string; kind: string };
  input: Obj;
  want: Obj;
}

const cases: Case[] = [
  // --- Pod and PodSpec ---
  {
    name: "Pod: PodSpec, Container and Pod-only defaults",
    kind: { group: "", kind: "Pod" },
    input: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: meta,
      spec: {
        containers: [
          {
            name: "web",
            image: "nginx",
            ports: [{ containerPort: 80 }],
            env: [{ name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
            resources: { limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: "100m" } },
          },
        ],
      },
    },
    want: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: meta,
      spec: {
        containers: [
          {
            name: "web",
            image: "nginx",
            ports: [{ containerPort: 80, protocol: "TCP" }],
            env: [{ name: "POD", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } }],
            resources: {
              limits: { cpu: "500m", memory: "128Mi" },
              requests: { cpu: "100m", memory: "128Mi" },
            },
            imagePullPolicy: "Always",
            terminationMessagePath: "/dev/termination-log",
            terminationMessagePolicy: "File",
          },
        ],
        enableServiceLinks: true,
        ...podSpecDefaults,
      },
    },
  },
  {
    name: "Pod: host network ports, init containers, explicit values kept",
    kind: { group: "", kind: "Pod" },
    input: {
      metadata: meta,
      spec: {
        hostNetwork: true,
        restartPolicy: "Never",
        terminationGracePeriodSeconds: 0,
        enableServiceLinks: false,
        initContainers: [{ name: "init", image: "busybox:1.36", imagePullPolicy: "Never" }],
        containers: [{ ...web, ports: [{ containerPort: 8080, protocol: "UDP" }] }],
      },
    },
    want: {
      metadata: meta,
      spec: {
        ...podSpecDefaults,
        hostNetwork: true,
        restartPolicy: "Never",
        terminationGracePeriodSeconds: 0,
        enableServiceLinks: false,
        initContainers: [
          {
            name: "init",
            image: "busybox:1.36",
            ...containerDefaults("IfNotPresent"),
            imagePullPolicy: "Never",
          },
        ],
        containers: [{ ...defaultedWeb, ports: [{ containerPort: 8080, protocol: "UDP", hostPort: 8080 }] }],
      },
    },
  },
  {
    name: "Pod: volumes and probes",
    kind: { group: "", kind: "Pod" },
    input: {
      metadata: meta,
      spec: {
        volumes: [
          { name: "scratch" },
          { name: "config", configMap: { name: "settings" } },
          { name: "creds", secret: { secretName: "creds", defaultMode: 0o400 } },
          { name: "host", hostPath: { path: "/var/log" } },
          {
            name: "token",
            projected: {
              sources: [
                { serviceAccountToken: { path: "token" } },
                { downwardAPI: { items: [{ path: "name", fieldRef: { fieldPath: "metadata.name" } }] } },
              ],
            },
          },
          {
            name: "info",
            downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] },
          },
          { name: "tmp", ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"] } } } },
        ],
        containers: [
          {
            ...web,
            livenessProbe: { httpGet: { port: 8080 } },
            readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5 },
            startupProbe: { grpc: { port: 9000 } },
            lifecycle: { preStop: { httpGet: { port: 8080, path: "/quit" } } },
          },
        ],
      },
    },
    want: {
      metadata: meta,
      spec: {
        ...podSpecDefaults,
        enableServiceLinks: true,
        volumes: [
          { name: "scratch", emptyDir: {} },
          { name: "config", configMap: { name: "settings", defaultMode: 420 } },
          { name: "creds", secret: { secretName: "creds", defaultMode: 0o400 } },
          { name: "host", hostPath: { path: "/var/log", type: "" } },
          {
            name: "token",
            projected: {
              defaultMode: 420,
              sources: [
                { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
                {
                  downwardAPI: {
                    items: [{ path: "name", fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } }],
                  },
                },
              ],
            },
          },
          {
            name: "info",
            downwardAPI: {
              defaultMode: 420,
              items: [{ path: "labels", fieldRef: { apiVersion: "v1", fieldPath: "metadata.labels" } }],
            },
          },
          {
            name: "tmp",
            ephemeral: {
              volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], volumeMode: "Filesystem" } },
            },
          },
        ],
        containers: [
          {
            ...defaultedWeb,
            livenessProbe: {
              httpGet: { port: 8080, path: "/", scheme: "HTTP" },
              timeoutSeconds: 1,
              periodSeconds: 10,
              successThreshold: 1,
              failureThreshold: 3,
            },
            readinessProbe: {
              tcpSocket: { port: 8080 },
              timeoutSeconds: 1,
              periodSeconds: 5,
              successThreshold: 1,
              failureThreshold: 3,
            },
            startupProbe: {
              grpc: { port: 9000, service: "" },
              timeoutSeconds: 1,
              periodSeconds: 10,
              successThreshold: 1,
              failureThreshold: 3,
            },
            lifecycle: { preStop: { httpGet: { port: 8080, path: "/quit", scheme: "HTTP" } } },
          },
        ],
      },
    },
  },

  // --- apps ---
  {
    name: "Deployment",
    kind: { group: "apps", kind: "Deployment" },
    input: { metadata: meta, spec: { selector: { matchLabels: { app: "web" } }, template } },
    want: {
      metadata: meta,
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: defaultedTemplate,
        replicas: 1,
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
      },
    },
  },
  {
    name: "Deployment: Recreate, zero replicas and a partial rolling update kept",
    kind: { group: "apps", kind: "Deployment" },
    input: {
      metadata: meta,
      spec: { replicas: 0, revisionHistoryLimit: 0, strategy: { type: "Recreate" }, template },
    },
    want: {
      metadata: meta,
      spec: {
        replicas: 0,
        revisionHistoryLimit: 0,
        progressDeadlineSeconds: 600,
        strategy: { type: "Recreate" },
        template: defaultedTemplate,
      },
    },
  },
  {
    name: "Deployment: rolling update fills only the missing half",
    kind: { group: "apps", kind: "Deployment" },
    input: { metadata: meta, spec: { strategy: { rollingUpdate: { maxSurge: 1 } }, template } },
    want: {
      metadata: meta,
      spec: {
        replicas: 1,
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: 1 } },
        template: defaultedTemplate,
      },
    },
  },
  {
    name: "ReplicaSet",
    kind: { group: "apps", kind: "ReplicaSet" },
    input: { metadata: meta, spec: { template } },
    want: { metadata: meta, spec: { replicas: 1, template: defaultedTemplate } },
  },
  {
    name: "StatefulSet",
    kind: { group: "apps", kind: "StatefulSet" },
    input: {
      metadata: meta,
      spec: {
        serviceName: "web",
        template,
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        ],
      },
    },
    want: {
      metadata: meta,
      spec: {
        serviceName: "web",
        replicas: 1,
        revisionHistoryLimit: 10,
        podManagementPolicy: "OrderedReady",
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0, maxUnavailable: 1 } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        template: defaultedTemplate,
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: {
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: "1Gi" } },
              volumeMode: "Filesystem",
            },
            status: { phase: "Pending" },
          },
        ],
      },
    },
  },
  {
    name: "StatefulSet: OnDelete and an explicit RollingUpdate without parameters",
    kind: { group: "apps", kind: "StatefulSet" },
    input: {
      metadata: meta,
      spec: { podManagementPolicy: "Parallel", updateStrategy: { type: "OnDelete" }, template },
    },
    want: {
      metadata: meta,
      spec: {
        replicas: 1,
        revisionHistoryLimit: 10,
        podManagementPolicy: "Parallel",
        updateStrategy: { type: "OnDelete" },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        template: defaultedTemplate,
      },
    },
  },
  {
    name: "DaemonSet",
    kind: { group: "apps", kind: "DaemonSet" },
    input: { metadata: meta, spec: { template } },
    want: {
      metadata: meta,
      spec: {
        revisionHistoryLimit: 10,
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        template: defaultedTemplate,
      },
    },
  },

  // --- batch ---
  {
    name: "Job: defaults, and metadata labels copied from the template",
    kind: { group: "batch", kind: "Job" },
    input: { metadata: { name: "pi", namespace: "default" }, spec: { template } },
    want: {
      metadata: { name: "pi", namespace: "default", labels: { app: "web" } },
      spec: {
        completions: 1,
        parallelism: 1,
        backoffLimit: 6,
        completionMode: "NonIndexed",
        suspend: false,
        podReplacementPolicy: "TerminatingOrFailed",
        template: defaultedTemplate,
      },
    },
  },
  {
    name: "Job: parallel work queue, pod failure policy, own labels",
    kind: { group: "batch", kind: "Job" },
    input: {
      metadata: { name: "pi", labels: { team: "a" } },
      spec: {
        parallelism: 3,
        podFailurePolicy: { rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] }] },
        template,
      },
    },
    want: {
      metadata: { name: "pi", labels: { team: "a" } },
      spec: {
        parallelism: 3,
        backoffLimit: 6,
        completionMode: "NonIndexed",
        suspend: false,
        podFailurePolicy: {
          rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] }],
        },
        podReplacementPolicy: "Failed",
        template: defaultedTemplate,
      },
    },
  },
  {
    name: "Job: backoffLimitPerIndex makes backoffLimit unlimited",
    kind: { group: "batch", kind: "Job" },
    input: {
      metadata: { name: "pi" },
      spec: { completions: 5, completionMode: "Indexed", backoffLimitPerIndex: 1 },
    },
    want: {
      metadata: { name: "pi" },
      spec: {
        completions: 5,
        parallelism: 1,
        completionMode: "Indexed",
        backoffLimitPerIndex: 1,
        backoffLimit: 2147483647,
        suspend: false,
        podReplacementPolicy: "TerminatingOrFailed",
      },
    },
  },
  {
    name: "CronJob: its job template gets PodSpec defaults only",
    kind: { group: "batch", kind: "CronJob" },
    input: { metadata: meta, spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template } } } },
    want: {
      metadata: meta,
      spec: {
        schedule: "0 3 * * *",
        concurrencyPolicy: "Allow",
        suspend: false,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
        jobTemplate: { spec: { template: defaultedTemplate } },
      },
    },
  },

  // --- Service ---
  {
    name: "Service: ClusterIP",
    kind: { group: "", kind: "Service" },
    input: {
      metadata: meta,
      spec: { selector: { app: "web" }, ports: [{ port: 80 }, { port: 443, targetPort: "https" }] },
    },
    want: {
      metadata: meta,
      spec: {
        selector: { app: "web" },
        ports: [
          { port: 80, protocol: "TCP", targetPort: 80 },
          { port: 443, protocol: "TCP", targetPort: "https" },
        ],
        type: "ClusterIP",
        sessionAffinity: "None",
        internalTrafficPolicy: "Cluster",
        ipFamilyPolicy: "SingleStack",
        ipFamilies: ["IPv4"],
      },
    },
  },
  {
    name: "Service: headless without selector is dual-stack",
    kind: { group: "", kind: "Service" },
    input: { metadata: meta, spec: { clusterIP: "None" } },
    want: {
      metadata: meta,
      spec: {
        clusterIP: "None",
        clusterIPs: ["None"],
        type: "ClusterIP",
        sessionAffinity: "None",
        internalTrafficPolicy: "Cluster",
        ipFamilyPolicy: "RequireDualStack",
        ipFamilies: ["IPv4", "IPv6"],
      },
    },
  },
  {
    name: "Service: headless with selector is single-stack",
    kind: { group: "", kind: "Service" },
    input: { metadata: meta, spec: { clusterIP: "None", selector: { app: "web" } } },
    want: {
      metadata: meta,
      spec: {
        clusterIP: "None",
        clusterIPs: ["None"],
        selector: { app: "web" },
        type: "ClusterIP",
        sessionAffinity: "None",
        internalTrafficPolicy: "Cluster",
        ipFamilyPolicy: "SingleStack",
        ipFamilies: ["IPv4"],
      },
    },
  },
  {
    name: "Service: LoadBalancer with ClientIP affinity",
    kind: { group: "", kind: "Service" },
    input: {
      metadata: meta,
      spec: { type: "LoadBalancer", sessionAffinity: "ClientIP", ports: [{ port: 80 }] },
    },
    want: {
      metadata: meta,
      spec: {
        type: "LoadBalancer",
        sessionAffinity: "ClientIP",
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
        externalTrafficPolicy: "Cluster",
        internalTrafficPolicy: "Cluster",
        allocateLoadBalancerNodePorts: true,
        ipFamilyPolicy: "SingleStack",
        ipFamilies: ["IPv4"],
      },
    },
  },
  {
    name: "Service: ExternalName gets no IP families",
    kind: { group: "", kind: "Service" },
    input: { metadata: meta, spec: { type: "ExternalName", externalName: "db.example.com" } },
    want: {
      metadata: meta,
      spec: { type: "ExternalName", externalName: "db.example.com", sessionAffinity: "None" },
    },
  },

  // --- other core kinds ---
  {
    name: "Secret: type Opaque, stringData merged into data",
    kind: { group: "", kind: "Secret" },
    input: { metadata: meta, data: { a: "b2xk", b: "Yg==" }, stringData: { a: "new", c: "ç" } },
    want: { metadata: meta, type: "Opaque", data: { a: "bmV3", b: "Yg==", c: "w6c=" } },
  },
  {
    name: "Secret: explicit type kept",
    kind: { group: "", kind: "Secret" },
    input: { metadata: meta, type: "kubernetes.io/tls", data: { "tls.crt": "", "tls.key": "" } },
    want: { metadata: meta, type: "kubernetes.io/tls", data: { "tls.crt": "", "tls.key": "" } },
  },
  {
    name: "PersistentVolumeClaim",
    kind: { group: "", kind: "PersistentVolumeClaim" },
    input: {
      metadata: meta,
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    },
    want: {
      metadata: meta,
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
        volumeMode: "Filesystem",
      },
      status: { phase: "Pending" },
    },
  },
  {
    name: "PersistentVolumeClaim: Block kept",
    kind: { group: "", kind: "PersistentVolumeClaim" },
    input: { metadata: meta, spec: { volumeMode: "Block" }, status: { phase: "Bound" } },
    want: { metadata: meta, spec: { volumeMode: "Block" }, status: { phase: "Bound" } },
  },
  {
    name: "Namespace",
    kind: { group: "", kind: "Namespace" },
    input: { metadata: { name: "team-a", labels: { team: "a" } } },
    want: {
      metadata: { name: "team-a", labels: { team: "a", "kubernetes.io/metadata.name": "team-a" } },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    },
  },
  {
    name: "ServiceAccount: nothing",
    kind: { group: "", kind: "ServiceAccount" },
    input: { metadata: meta },
    want: { metadata: meta },
  },
  {
    name: "ConfigMap: nothing",
    kind: { group: "", kind: "ConfigMap" },
    input: { metadata: meta, data: { a: "b" } },
    want: { metadata: meta, data: { a: "b" } },
  },
  {
    name: "Ingress: nothing",
    kind: { group: "networking.k8s.io", kind: "Ingress" },
    input: { metadata: meta, spec: { rules: [{ http: { paths: [{ path: "/", pathType: "Prefix" }] } }] } },
    want: { metadata: meta, spec: { rules: [{ http: { paths: [{ path: "/", pathType: "Prefix" }] } }] } },
  },
  {
    name: "A custom resource: nothing",
    kind: { group: "example.com", kind: "Widget" },
    input: { metadata: meta, spec: { replicas: null } },
    want: { metadata: meta, spec: { replicas: null } },
  },

  // --- other groups ---
  {
    name: "RoleBinding: subjects' and roleRef's apiGroup",
    kind: { group: "rbac.authorization.k8s.io", kind: "RoleBinding" },
    input: {
      metadata: meta,
      roleRef: { kind: "ClusterRole", name: "view" },
      subjects: [
        { kind: "User", name: "jane" },
        { kind: "Group", name: "devs" },
        { kind: "ServiceAccount", name: "ci", namespace: "default" },
      ],
    },
    want: {
      metadata: meta,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [
        { kind: "User", name: "jane", apiGroup: "rbac.authorization.k8s.io" },
        { kind: "Group", name: "devs", apiGroup: "rbac.authorization.k8s.io" },
        { kind: "ServiceAccount", name: "ci", namespace: "default" },
      ],
    },
  },
  {
    name: "ClusterRoleBinding",
    kind: { group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding" },
    input: {
      metadata: { name: "admins" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [{ kind: "Group", name: "ops" }],
    },
    want: {
      metadata: { name: "admins" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [{ kind: "Group", name: "ops", apiGroup: "rbac.authorization.k8s.io" }],
    },
  },
  {
    name: "CustomResourceDefinition",
    kind: { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" },
    input: {
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "widgets", kind: "Widget" },
        versions: [
          { name: "v1alpha1", served: true, storage: false },
          { name: "v1", served: true, storage: true },
        ],
      },
    },
    want: {
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "widgets", kind: "Widget", singular: "widget", listKind: "WidgetList" },
        versions: [
          { name: "v1alpha1", served: true, storage: false },
          { name: "v1", served: true, storage: true },
        ],
        conversion: { strategy: "None" },
      },
      status: { storedVersions: ["v1"] },
    },
  },
  {
    name: "NetworkPolicy",
    kind: { group: "networking.k8s.io", kind: "NetworkPolicy" },
    input: { metadata: meta, spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } },
    want: {
      metadata: meta,
      spec: {
        podSelector: {},
        egress: [{ ports: [{ port: 53, protocol: "TCP" }] }],
        policyTypes: ["Ingress", "Egress"],
      },
    },
  },
  {
    name: "StorageClass",
    kind: { group: "storage.k8s.io", kind: "StorageClass" },
    input: { metadata: { name: "fast" }, provisioner: "example.com/disk" },
    want: {
      metadata: { name: "fast" },
      provisioner: "example.com/disk",
      reclaimPolicy: "Delete",
      volumeBindingMode: "Immediate",
    },
  },
];

describe("applyDefaults", () => {
  it.each(cases)("$name", ({ kind, input, want }) => {
    const frozen = deepFreeze(structuredClone(input));
    const once = applyDefaults(frozen, kind);
    expect(once).toEqual(want);
    expect(frozen).toEqual(input);
    expect(applyDefaults(deepFreeze(structuredClone(once)), kind)).toEqual(once);
  });

  const pullPolicies: [image: string, policy: string][] = [
    ["nginx", "Always"],
    ["nginx:latest", "Always"],
    ["nginx:1.27", "IfNotPresent"],
    [`nginx@sha256:${"a".repeat(64)}`, "IfNotPresent"],
    [`nginx:1.27@sha256:${"a".repeat(64)}`, "IfNotPresent"],
    ["localhost:5000/team/app", "Always"],
    ["localhost:5000/team/app:v1", "IfNotPresent"],
    ["registry.example.com:443/team/app:latest", "Always"],
    ["ghcr.io/ferry/app:sha-abc123", "IfNotPresent"],
    ["Nginx", "IfNotPresent"],
    ["", "IfNotPresent"],
  ];
  it.each(pullPolicies)("imagePullPolicy of %j is %s", (image, policy) => {
    const pod: Obj = { spec: { containers: [{ name: "c", image }] } };
    const out = applyDefaults(pod, { group: "", kind: "Pod" }) as {
      spec: { containers: { imagePullPolicy: string }[] };
    };
    expect(out.spec.containers[0].imagePullPolicy).toBe(policy);
  });

  it("returns the caller's object type", () => {
    const obj: Record<string, unknown> & { kind: string } = { kind: "ConfigMap" };
    const out: typeof obj = applyDefaults(obj, { group: "", kind: "ConfigMap" });
    expect(out).not.toBe(obj);
    expect(out).toEqual(obj);
  });
});

import { describe, expect, it } from "vitest";
import { type FieldCause, invalidMessage, type ValidatedKind, validateObject } from "./validation.js";

type Obj = Record<string, unknown>;

const SUBDOMAIN = String.raw`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
const DNS_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const CONFIG_KEY =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const PORT_RANGE = "must be between 1 and 65535, inclusive";
const STS_FORBIDDEN =
  "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

const k = (group: string, kind: string, namespaced = true): ValidatedKind => ({ group, kind, namespaced });
const DEPLOYMENT = k("apps", "Deployment");
const REPLICASET = k("apps", "ReplicaSet");
const DAEMONSET = k("apps", "DaemonSet");
const STATEFULSET = k("apps", "StatefulSet");
const JOB = k("batch", "Job");
const CRONJOB = k("batch", "CronJob");
const POD = k("", "Pod");
const SERVICE = k("", "Service");
const CONFIGMAP = k("", "ConfigMap");
const SECRET = k("", "Secret");
const PVC = k("", "PersistentVolumeClaim");
const NAMESPACE = k("", "Namespace", false);
const ROLE = k("rbac.authorization.k8s.io", "Role");
const ROLEBINDING = k("rbac.authorization.k8s.io", "RoleBinding");
const CLUSTERROLEBINDING = k("rbac.authorization.k8s.io", "ClusterRoleBinding", false);
const INGRESS = k("networking.k8s.io", "Ingress");
const CRD = k("apiextensions.k8s.io", "CustomResourceDefinition", false);
const WIDGET = k("example.com", "Widget");

/** A copy of `obj` with the dotted `path` set to `value` (deleted when `value` is undefined). */
function set(obj: Obj, path: string, value: unknown): Obj {
  const out = structuredClone(obj);
  const keys = path.split(".");
  let cur: Record<string, unknown> = out;
  for (const key of keys.slice(0, -1)) {
    if (typeof cur[key] !== "object" || cur[key] === null) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return out;
}

function setAll(obj: Obj, changes: Record<string, unknown>): Obj {
  return Object.entries(changes).reduce((o, [path, value]) => set(o, path, value), obj);
}

const meta = (name = "web") => ({ name, namespace: "default" });
const container = { name: "web", image: "nginx:1.27" };
const podTemplate = { metadata: { labels: { app: "web" } }, spec: { containers: [container] } };
const workloadSpec = { selector: { matchLabels: { app: "web" } }, template: podTemplate };

const deployment: Obj = { apiVersion: "apps/v1", kind: "Deployment", metadata: meta(), spec: workloadSpec };
const statefulSet: Obj = {
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: meta(),
  spec: { ...workloadSpec, serviceName: "web" },
};
const job: Obj = {
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: meta("pi"),
  spec: {
    selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "u1" } },
    template: {
      metadata: { labels: { "batch.kubernetes.io/controller-uid": "u1", "job-name": "pi" } },
      spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl" }] },
    },
  },
};
const cronJob: Obj = {
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: meta("nightly"),
  spec: {
    schedule: "0 3 * * *",
    jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [container] } } } },
  },
};
const pod: Obj = { apiVersion: "v1", kind: "Pod", metadata: meta(), spec: { containers: [container] } };
const service: Obj = {
  apiVersion: "v1",
  kind: "Service",
  metadata: meta(),
  spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
};
const configMap: Obj = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: meta("settings"),
  data: { "app.yaml": "x: 1" },
};
const secret: Obj = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: meta("creds"),
  data: { token: "c2VjcmV0" },
};
const pvc: Obj = {
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: meta("data"),
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
};
const roleBinding: Obj = {
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "RoleBinding",
  metadata: meta("viewers"),
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
  subjects: [{ kind: "ServiceAccount", name: "ci" }],
};
const crd: Obj = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: { group: "example.com", names: { plural: "widgets", kind: "Widget" }, scope: "Namespaced" },
};

interface Case {
  name: string;
  kind: ValidatedKind;
  obj: Obj;
  old?: Obj;
  /** Every cause as `field: message`, in order. */
  want: (string | RegExp)[];
  /** The cause reasons, in order, when the case checks them. */
  reasons?: FieldCause["reason"][];
}

const cases: Case[] = [
  // --- metadata ---
  { name: "a valid Deployment", kind: DEPLOYMENT, obj: deployment, want: [] },
  {
    name: "name is required",
    kind: CONFIGMAP,
    obj: set(configMap, "metadata.name", undefined),
    want: ["metadata.name: Required value: name or generateName is required"],
    reasons: ["FieldValueRequired"],
  },
  {
    name: "generateName stands in for the name",
    kind: CONFIGMAP,
    obj: setAll(configMap, { "metadata.name": undefined, "metadata.generateName": "settings-" }),
    want: [],
  },
  {
    name: "generateName is validated as a prefix",
    kind: CONFIGMAP,
    obj: setAll(configMap, { "metadata.name": undefined, "metadata.generateName": "Settings_" }),
    want: [`metadata.generateName: Invalid value: "Settings_": ${SUBDOMAIN}`],
  },
  {
    name: "most names are DNS-1123 subdomains",
    kind: DEPLOYMENT,
    obj: set(deployment, "metadata.name", "Web_1"),
    want: [`metadata.name: Invalid value: "Web_1": ${SUBDOMAIN}`],
    reasons: ["FieldValueInvalid"],
  },
  {
    name: "a subdomain is at most 253 characters",
    kind: CONFIGMAP,
    obj: set(configMap, "metadata.name", "a".repeat(254)),
    want: [`metadata.name: Invalid value: "${"a".repeat(254)}": must be no more than 253 characters`],
  },
  {
    name: "a Namespace name is a DNS-1123 label: no dots",
    kind: NAMESPACE,
    obj: { apiVersion: "v1", kind: "Namespace", metadata: { name: "team.a" } },
    want: ['metadata.name: Invalid value: "team.a": must not contain dots'],
  },
  {
    name: "a Namespace name is a DNS-1123 label: lower case",
    kind: NAMESPACE,
    obj: { apiVersion: "v1", kind: "Namespace", metadata: { name: "Team" } },
    want: [`metadata.name: Invalid value: "Team": ${DNS_LABEL}`],
  },
  {
    name: "a Namespace name is at most 63 characters",
    kind: NAMESPACE,
    obj: { apiVersion: "v1", kind: "Namespace", metadata: { name: "n".repeat(64) } },
    want: [`metadata.name: Invalid value: "${"n".repeat(64)}": must be no more than 63 characters`],
  },
  {
    name: "a Service name is a DNS-1035 label",
    kind: SERVICE,
    obj: set(service, "metadata.name", "1web"),
    want: [`metadata.name: Invalid value: "1web": ${DNS1035}`],
  },
  {
    name: "a StatefulSet name is a DNS-1123 label",
    kind: STATEFULSET,
    obj: set(statefulSet, "metadata.name", "web.v1"),
    want: ['metadata.name: Invalid value: "web.v1": must not contain dots'],
  },
  {
    name: "a CRD name must be <plural>.<group>",
    kind: CRD,
    obj: set(crd, "metadata.name", "widget.example.com"),
    want: ['metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group'],
  },
  { name: "a CRD named <plural>.<group>", kind: CRD, obj: crd, want: [] },
  {
    name: "a RoleBinding name only may not contain '/' or '%'",
    kind: ROLEBINDING,
    obj: set(roleBinding, "metadata.name", "system:Viewers/x"),
    want: ["metadata.name: Invalid value: \"system:Viewers/x\": may not contain '/'"],
  },
  {
    name: "namespaced objects need a namespace",
    kind: CONFIGMAP,
    obj: set(configMap, "metadata.namespace", undefined),
    want: ["metadata.namespace: Required value"],
  },
  {
    name: "label keys are qualified names",
    kind: CONFIGMAP,
    obj: set(configMap, "metadata.labels", { "app name": "web" }),
    want: [`metadata.labels: Invalid value: "app name": ${NAME_PART}`],
  },
  {
    name: "a label key has at most one '/'",
    kind: CONFIGMAP,
    obj: set(configMap, "metadata.labels", { "a/b/c": "x" }),
    want: [
      "metadata.labels: Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
  },
  {
    name: "label key prefix and name part limits",
    kind: CONFIGMAP,
    obj: set(configMap, "metadata.labels", { [`/${"n".repeat(64)}`]: "x", "Example.com/app": "x" }),
    want: [
      `metadata.labels: Invalid value: "/${"n".repeat(64)}": prefix part must be non-empty`,
      `metadata.labels: Invalid value: "/${"n".repeat(64)}": name part must be no more than 63 bytes`,
      `metadata.labels: Invalid value: "Example.com/app": prefix part ${SUBDOMAIN}`,
    ],
  },
  {
    name: "label values",
    kind: CONFIGMAP,
    obj: set(configMap, "metadata.labels", { tier: "front end", long: "v".repeat(64), empty: "" }),
    want: [
      `metadata.labels: Invalid value: "front end": ${LABEL_VALUE}`,
      `metadata.labels: Invalid value: "${"v".repeat(64)}": must be no more than 63 bytes`,
    ],
  },
  {
    name: "annotation keys are qualified names, compared in lower case",
    kind: CONFIGMAP,
    obj: set(configMap, "metadata.annotations", { "Example.com/Owner": "x", "bad key": "y" }),
    want: [`metadata.annotations: Invalid value: "bad key": ${NAME_PART}`],
  },
  {
    name: "annotations are at most 256 KiB in total",
    kind: CONFIGMAP,
    obj: set(configMap, "metadata.annotations", { big: "x".repeat(256 * 1024) }),
    want: ["metadata.annotations: Too long: may not be more than 262144 bytes"],
    reasons: ["FieldValueTooLong"],
  },
  {
    name: "finalizers of built-in kinds must be standard or fully qualified",
    kind: CONFIGMAP,
    obj: set(configMap, "metadata.finalizers", ["example.com/cleanup", "kubernetes", "cleanup"]),
    want: [
      'metadata.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
    ],
  },
  {
    name: "a custom resource's finalizers need only be qualified names",
    kind: WIDGET,
    obj: {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { ...meta("w"), finalizers: ["cleanup"] },
    },
    want: [],
  },
  {
    name: "no new finalizers once deletion started",
    kind: CONFIGMAP,
    obj: set(configMap, "metadata.finalizers", ["example.com/a", "example.com/b"]),
    old: setAll(configMap, {
      "metadata.finalizers": ["example.com/a"],
      "metadata.deletionTimestamp": "2026-01-01T00:00:00Z",
    }),
    want: [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b"}',
    ],
    reasons: ["FieldValueForbidden"],
  },

  // --- apps ---
  {
    name: "Deployment: selector required (and so the template labels cannot match)",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.selector", undefined),
    want: [
      "spec.selector: Required value",
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    ],
  },
  {
    name: "Deployment: selector must match the template labels",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.template.metadata.labels", { tier: "front", app: "api" }),
    want: [
      'spec.template.metadata.labels: Invalid value: {"app":"api","tier":"front"}: `selector` does not match template `labels`',
    ],
  },
  {
    name: "Deployment: no template labels at all",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.template.metadata", undefined),
    want: ["spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`"],
  },
  {
    name: "Deployment: matchExpressions are honoured",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.selector", {
      matchExpressions: [
        { key: "app", operator: "In", values: ["web", "api"] },
        { key: "canary", operator: "DoesNotExist" },
      ],
    }),
    want: [],
  },
  {
    name: "Deployment: empty selector",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.selector", {}),
    want: ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"],
  },
  {
    name: "Deployment: bad selector operator",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.selector", {
      matchExpressions: [{ key: "app", operator: "Is", values: ["web"] }],
    }),
    want: [
      'spec.selector.matchExpressions[0].operator: Invalid value: "Is": not a valid selector operator',
      'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"Is","values":["web"]}]}: invalid label selector',
    ],
  },
  {
    name: "Deployment: containers required",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.template.spec.containers", []),
    want: ["spec.template.spec.containers: Required value"],
  },
  {
    name: "Deployment: container name and image required",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.template.spec.containers", [{}]),
    want: [
      "spec.template.spec.containers[0].name: Required value",
      "spec.template.spec.containers[0].image: Required value",
    ],
  },
  {
    name: "Deployment: container names are DNS-1123 labels",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.template.spec.containers", [{ name: "Web", image: "nginx" }]),
    want: [`spec.template.spec.containers[0].name: Invalid value: "Web": ${DNS_LABEL}`],
  },
  {
    name: "Deployment: container names are unique (also across init containers)",
    kind: DEPLOYMENT,
    obj: setAll(deployment, {
      "spec.template.spec.containers": [container, { name: "web", image: "busybox" }],
      "spec.template.spec.initContainers": [{ name: "web", image: "busybox" }],
    }),
    want: [
      'spec.template.spec.containers[1].name: Duplicate value: "web"',
      'spec.template.spec.initContainers[0].name: Duplicate value: "web"',
    ],
    reasons: ["FieldValueDuplicate", "FieldValueDuplicate"],
  },
  {
    name: "Deployment: negative replicas",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.replicas", -1),
    want: ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
  },
  {
    name: "Deployment: pods must restart Always",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.template.spec.restartPolicy", "Never"),
    want: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    reasons: ["FieldValueNotSupported"],
  },
  {
    name: "Deployment: template labels are validated at spec.template.labels",
    kind: DEPLOYMENT,
    obj: setAll(deployment, {
      "spec.selector.matchLabels": { "app name": "web" },
      "spec.template.metadata.labels": { "app name": "web" },
    }),
    want: [
      `spec.selector.matchLabels: Invalid value: "app name": ${NAME_PART}`,
      'spec.selector: Invalid value: {"matchLabels":{"app name":"web"}}: invalid label selector',
    ],
  },
  {
    name: "Deployment: invalid template label values",
    kind: DEPLOYMENT,
    obj: setAll(deployment, { "spec.template.metadata.labels": { app: "web", version: "1 0" } }),
    want: [`spec.template.labels: Invalid value: "1 0": ${LABEL_VALUE}`],
  },
  {
    name: "Deployment: rolling update may not be 0/0",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.strategy", {
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0, maxSurge: "0%" },
    }),
    want: ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"],
  },
  {
    name: "Deployment: rolling update percentages",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.strategy", { rollingUpdate: { maxUnavailable: "150%", maxSurge: "lots" } }),
    want: [
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"lots\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
    ],
  },
  {
    name: "Deployment: Recreate takes no rollingUpdate",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.strategy", { type: "Recreate", rollingUpdate: {} }),
    want: ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
  },
  {
    name: "Deployment: progressDeadlineSeconds must exceed minReadySeconds",
    kind: DEPLOYMENT,
    obj: setAll(deployment, { "spec.minReadySeconds": 30, "spec.progressDeadlineSeconds": 30 }),
    want: ["spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds"],
  },
  {
    name: "Deployment: volume mounts must name a volume",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.template.spec.containers", [
      {
        ...container,
        volumeMounts: [
          { name: "data", mountPath: "/data" },
          { name: "cache", mountPath: "/data" },
        ],
      },
    ]),
    want: [
      'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "data"',
      'spec.template.spec.containers[0].volumeMounts[1].name: Not found: "cache"',
      'spec.template.spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique',
    ],
  },
  {
    // The first "config" is invalid and so not registered: the second is no duplicate and the mount finds it.
    name: "Deployment: volumes",
    kind: DEPLOYMENT,
    obj: setAll(deployment, {
      "spec.template.spec.volumes": [
        { name: "config", configMap: {} },
        { name: "config", emptyDir: {} },
        { name: "both", emptyDir: {}, secret: { secretName: "s" } },
      ],
      "spec.template.spec.containers": [
        { ...container, volumeMounts: [{ name: "config", mountPath: "/c" }] },
      ],
    }),
    want: [
      "spec.template.spec.volumes[0].configMap.name: Required value",
      "spec.template.spec.volumes[2].secret: Forbidden: may not specify more than 1 volume type",
    ],
  },
  {
    name: "Deployment: container ports and env",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.template.spec.containers", [
      {
        ...container,
        ports: [
          { containerPort: 70000 },
          { name: "http", containerPort: 80, protocol: "HTTP" },
          { name: "http" },
        ],
        env: [{ name: "A=B", value: "x" }, { value: "y" }],
      },
    ]),
    want: [
      `spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: ${PORT_RANGE}`,
      'spec.template.spec.containers[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.template.spec.containers[0].ports[2].name: Duplicate value: "http"',
      "spec.template.spec.containers[0].ports[2].containerPort: Required value",
      "spec.template.spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
      "spec.template.spec.containers[0].env[1].name: Required value",
    ],
  },
  {
    name: "Deployment: enum fields of a container",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.template.spec.containers", [
      { ...container, imagePullPolicy: "Sometimes", terminationMessagePolicy: "Log" },
    ]),
    want: [
      'spec.template.spec.containers[0].terminationMessagePolicy: Unsupported value: "Log": supported values: "File", "FallbackToLogsOnError"',
      'spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
    ],
  },
  {
    name: "Deployment: ephemeral containers are not allowed in templates",
    kind: DEPLOYMENT,
    obj: set(deployment, "spec.template.spec.ephemeralContainers", [{ name: "debug", image: "busybox" }]),
    want: [
      "spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template",
    ],
  },
  {
    name: "ReplicaSet: empty selector (with the Deployment wording, as upstream)",
    kind: REPLICASET,
    obj: { ...deployment, kind: "ReplicaSet", spec: { ...workloadSpec, selector: {} } },
    want: ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"],
  },
  {
    name: "DaemonSet: a missing selector matches nothing",
    kind: DAEMONSET,
    obj: { ...deployment, kind: "DaemonSet", spec: { template: podTemplate } },
    want: [
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    ],
  },
  {
    name: "DaemonSet: maxSurge and maxUnavailable are exclusive",
    kind: DAEMONSET,
    obj: {
      ...deployment,
      kind: "DaemonSet",
      spec: {
        ...workloadSpec,
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
      },
    },
    want: [
      "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero",
    ],
  },
  {
    name: "StatefulSet: selector required, pod template validated",
    kind: STATEFULSET,
    obj: setAll(statefulSet, { "spec.selector": undefined, "spec.template.spec.containers": [] }),
    want: [
      "spec.selector: Required value",
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
      "spec.template.spec.containers: Required value",
    ],
  },
  {
    name: "StatefulSet: volume claim templates count as volumes",
    kind: STATEFULSET,
    obj: setAll(statefulSet, {
      "spec.template.spec.containers": [
        { ...container, volumeMounts: [{ name: "data", mountPath: "/data" }] },
      ],
      "spec.volumeClaimTemplates": [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"] } }],
    }),
    want: [],
  },
  {
    name: "StatefulSet: podManagementPolicy and retention policy",
    kind: STATEFULSET,
    obj: setAll(statefulSet, {
      "spec.podManagementPolicy": "Random",
      "spec.persistentVolumeClaimRetentionPolicy": { whenDeleted: "Keep" },
    }),
    want: [
      "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
    ],
  },

  // --- immutability on update ---
  {
    name: "Deployment: selector is immutable",
    kind: DEPLOYMENT,
    obj: setAll(deployment, {
      "spec.selector": { matchLabels: { app: "web2" } },
      "spec.template.metadata.labels": { app: "web2" },
    }),
    old: deployment,
    want: ['spec.selector: Invalid value: {"matchLabels":{"app":"web2"}}: field is immutable'],
    reasons: ["FieldValueInvalid"],
  },
  {
    name: "Deployment: everything else may change",
    kind: DEPLOYMENT,
    obj: setAll(deployment, {
      "spec.replicas": 5,
      "spec.template.spec.containers": [{ name: "web", image: "nginx:2" }],
    }),
    old: deployment,
    want: [],
  },
  {
    name: "ReplicaSet: selector is immutable",
    kind: REPLICASET,
    obj: { ...deployment, kind: "ReplicaSet", spec: { ...workloadSpec, selector: { matchLabels: {} } } },
    old: { ...deployment, kind: "ReplicaSet" },
    want: [
      "spec.selector: Invalid value: {}: empty selector is invalid for deployment",
      "spec.selector: Invalid value: {}: field is immutable",
    ],
  },
  {
    name: "DaemonSet: selector is immutable",
    kind: DAEMONSET,
    obj: {
      ...deployment,
      kind: "DaemonSet",
      spec: {
        selector: { matchExpressions: [{ key: "app", operator: "Exists" }] },
        template: podTemplate,
      },
    },
    old: { ...deployment, kind: "DaemonSet" },
    want: [
      'spec.selector: Invalid value: {"matchExpressions":[{"key":"app","operator":"Exists"}]}: field is immutable',
    ],
  },
  {
    name: "StatefulSet: replicas, template and updateStrategy may change",
    kind: STATEFULSET,
    obj: setAll(statefulSet, {
      "spec.replicas": 3,
      "spec.updateStrategy": { type: "OnDelete" },
      "spec.template.spec.containers": [{ name: "web", image: "nginx:2" }],
    }),
    old: statefulSet,
    want: [],
  },
  {
    name: "StatefulSet: other spec fields are forbidden to change",
    kind: STATEFULSET,
    obj: set(statefulSet, "spec.serviceName", "web-headless"),
    old: statefulSet,
    want: [STS_FORBIDDEN],
    reasons: ["FieldValueForbidden"],
  },
  {
    name: "StatefulSet: a selector change is the same spec error",
    kind: STATEFULSET,
    obj: setAll(statefulSet, {
      "spec.selector": { matchLabels: { app: "web2" } },
      "spec.template.metadata.labels": { app: "web2" },
    }),
    old: statefulSet,
    want: [STS_FORBIDDEN],
  },
  {
    name: "Job: template is immutable",
    kind: JOB,
    obj: set(job, "spec.template.spec.containers", [{ name: "pi", image: "perl:5.40" }]),
    old: job,
    want: [/^spec\.template: Invalid value: \{"metadata":.*"image":"perl:5\.40".*\}: field is immutable$/],
  },
  {
    name: "Job: selector and completions are immutable",
    kind: JOB,
    obj: setAll(job, {
      "spec.selector": { matchLabels: { "job-name": "pi" } },
      "spec.completions": 3,
    }),
    old: set(job, "spec.completions", 1),
    want: [
      "spec.completions: Invalid value: 3: field is immutable",
      'spec.selector: Invalid value: {"matchLabels":{"job-name":"pi"}}: field is immutable',
    ],
  },
  {
    name: "Job: parallelism and suspend may change",
    kind: JOB,
    obj: setAll(job, { "spec.parallelism": 4, "spec.suspend": true }),
    old: job,
    want: [],
  },
  {
    name: "Job: a suspended Job that never ran may change scheduling directives",
    kind: JOB,
    obj: setAll(job, { "spec.suspend": true, "spec.template.spec.nodeSelector": { disk: "ssd" } }),
    old: set(job, "spec.suspend", true),
    want: [],
  },
  {
    name: "Service: the cluster IP may not change",
    kind: SERVICE,
    obj: setAll(service, { "spec.clusterIP": "10.96.0.99", "spec.clusterIPs": ["10.96.0.99"] }),
    old: setAll(service, { "spec.clusterIP": "10.96.0.10", "spec.clusterIPs": ["10.96.0.10"] }),
    want: ['spec.clusterIPs[0]: Invalid value: ["10.96.0.99"]: may not change once set'],
  },
  {
    name: "Service: keeping the cluster IP",
    kind: SERVICE,
    obj: setAll(service, { "spec.clusterIP": "10.96.0.10", "spec.ports": [{ port: 8080 }] }),
    old: setAll(service, { "spec.clusterIP": "10.96.0.10", "spec.clusterIPs": ["10.96.0.10"] }),
    want: [],
  },
  {
    name: "ConfigMap: immutable data",
    kind: CONFIGMAP,
    obj: setAll(configMap, { immutable: false, data: { "app.yaml": "x: 2" } }),
    old: set(configMap, "immutable", true),
    want: [
      "immutable: Forbidden: field is immutable when `immutable` is set",
      "data: Forbidden: field is immutable when `immutable` is set",
    ],
  },
  {
    name: "ConfigMap: mutable data",
    kind: CONFIGMAP,
    obj: set(configMap, "data", { "app.yaml": "x: 2" }),
    old: configMap,
    want: [],
  },
  {
    name: "Secret: type is immutable, and so is immutable data",
    kind: SECRET,
    obj: setAll(secret, {
      type: "kubernetes.io/tls",
      data: { "tls.crt": "YQ==", "tls.key": "Yg==" },
      immutable: true,
    }),
    old: setAll(secret, { type: "Opaque", immutable: true }),
    want: [
      'type: Invalid value: "kubernetes.io/tls": field is immutable',
      "data: Forbidden: field is immutable when `immutable` is set",
    ],
  },
  {
    name: "RoleBinding: roleRef is immutable",
    kind: ROLEBINDING,
    obj: set(roleBinding, "roleRef.name", "edit"),
    old: roleBinding,
    want: [
      'roleRef: Invalid value: {"APIGroup":"rbac.authorization.k8s.io","Kind":"ClusterRole","Name":"edit"}: cannot change roleRef',
    ],
  },
  {
    name: "ClusterRoleBinding: roleRef is immutable",
    kind: CLUSTERROLEBINDING,
    obj: {
      ...roleBinding,
      kind: "ClusterRoleBinding",
      metadata: { name: "viewers" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [{ kind: "Group", name: "devs" }],
    },
    old: {
      ...roleBinding,
      kind: "ClusterRoleBinding",
      metadata: { name: "viewers" },
      subjects: [{ kind: "Group", name: "devs" }],
    },
    want: [
      'roleRef: Invalid value: {"APIGroup":"rbac.authorization.k8s.io","Kind":"ClusterRole","Name":"admin"}: cannot change roleRef',
    ],
  },
  {
    name: "PVC: spec is immutable except storage requests of a bound claim",
    kind: PVC,
    obj: set(pvc, "spec.accessModes", ["ReadWriteMany"]),
    old: pvc,
    want: [
      /^spec: Forbidden: spec is immutable after creation except resources\.requests and volumeAttributesClassName for bound claims\n {2}core\.PersistentVolumeClaimSpec\{\n- \tAccessModes: \["ReadWriteOnce"\],\n\+ \tAccessModes: \["ReadWriteMany"\],\n/,
    ],
  },
  {
    name: "PVC: a bound claim may grow",
    kind: PVC,
    obj: setAll(pvc, { "spec.resources.requests.storage": "2Gi", "status.phase": "Bound" }),
    old: setAll(pvc, { "status.phase": "Bound", "status.capacity.storage": "1Gi" }),
    want: [],
  },
  {
    name: "PVC: an unbound claim may not",
    kind: PVC,
    obj: set(pvc, "spec.resources.requests.storage", "2Gi"),
    old: pvc,
    want: [/^spec: Forbidden: spec is immutable after creation except/],
  },
  {
    name: "PVC: storage may not shrink below the capacity",
    kind: PVC,
    obj: setAll(pvc, { "spec.resources.requests.storage": "512Mi", "status.phase": "Bound" }),
    old: setAll(pvc, { "status.phase": "Bound", "status.capacity.storage": "1Gi" }),
    want: ["spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"],
  },
  {
    name: "PVC: the storage class may be set once",
    kind: PVC,
    obj: setAll(pvc, { "spec.storageClassName": "standard", "spec.volumeName": "pv-1" }),
    old: pvc,
    want: [],
  },

  // --- batch ---
  {
    name: "Job: restartPolicy defaults to Always, which a Job may not use",
    kind: JOB,
    obj: set(job, "spec.template.spec.restartPolicy", undefined),
    want: ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    reasons: ["FieldValueRequired"],
  },
  {
    name: "Job: an unknown restartPolicy",
    kind: JOB,
    obj: set(job, "spec.template.spec.restartPolicy", "Sometimes"),
    want: [
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"',
    ],
  },
  {
    name: "Job: template containers required",
    kind: JOB,
    obj: set(job, "spec.template.spec.containers", undefined),
    want: ["spec.template.spec.containers: Required value"],
  },
  {
    name: "Job: a manual selector is required and must match",
    kind: JOB,
    obj: setAll(job, { "spec.manualSelector": true, "spec.selector": undefined }),
    want: ["spec.selector: Required value"],
  },
  {
    name: "Job: selector must match the template labels",
    kind: JOB,
    obj: set(job, "spec.selector", { matchLabels: { "job-name": "other" } }),
    want: [
      'spec.template.metadata.labels: Invalid value: {"batch.kubernetes.io/controller-uid":"u1","job-name":"pi"}: `selector` does not match template `labels`',
    ],
  },
  {
    name: "Job: negative backoffLimit",
    kind: JOB,
    obj: set(job, "spec.backoffLimit", -1),
    want: ["spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"],
  },
  { name: "CronJob: valid", kind: CRONJOB, obj: cronJob, want: [] },
  {
    name: "CronJob: schedule required",
    kind: CRONJOB,
    obj: set(cronJob, "spec.schedule", undefined),
    want: ["spec.schedule: Required value"],
  },
  {
    name: "CronJob: schedule field count",
    kind: CRONJOB,
    obj: set(cronJob, "spec.schedule", "0 3 * *"),
    want: ['spec.schedule: Invalid value: "0 3 * *": expected exactly 5 fields, found 4: [0 3 * *]'],
  },
  {
    name: "CronJob: schedule ranges",
    kind: CRONJOB,
    obj: set(cronJob, "spec.schedule", "0 24 * * *"),
    want: ['spec.schedule: Invalid value: "0 24 * * *": end of range (24) above maximum (23): 24'],
  },
  {
    name: "CronJob: schedule names, steps and descriptors",
    kind: CRONJOB,
    obj: set(cronJob, "spec.schedule", "*/15 9-17 * JAN-dec mon-FRI"),
    want: [],
  },
  {
    name: "CronJob: unknown descriptor",
    kind: CRONJOB,
    obj: set(cronJob, "spec.schedule", "@fortnightly"),
    want: ['spec.schedule: Invalid value: "@fortnightly": unrecognized descriptor: @fortnightly'],
  },
  {
    name: "CronJob: TZ in the schedule",
    kind: CRONJOB,
    obj: set(cronJob, "spec.schedule", "TZ=UTC 0 3 * * *"),
    want: [
      'spec.schedule: Invalid value: "TZ=UTC 0 3 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ],
  },
  {
    name: "CronJob: job template rules",
    kind: CRONJOB,
    obj: setAll(cronJob, {
      "spec.concurrencyPolicy": "Sometimes",
      "spec.jobTemplate.spec.template.spec.restartPolicy": "Always",
      "spec.jobTemplate.spec.selector": { matchLabels: { a: "b" } },
    }),
    want: [
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
      'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
      'spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: `selector` will be auto-generated',
    ],
  },
  {
    name: "CronJob: name at most 52 characters on create",
    kind: CRONJOB,
    obj: set(cronJob, "metadata.name", "c".repeat(53)),
    want: [`metadata.name: Invalid value: "${"c".repeat(53)}": must be no more than 52 characters`],
  },

  // --- core ---
  {
    name: "Pod: containers required",
    kind: POD,
    obj: set(pod, "spec.containers", []),
    want: ["spec.containers: Required value"],
  },
  {
    name: "Pod: image whitespace and host network ports",
    kind: POD,
    obj: setAll(pod, {
      "spec.hostNetwork": true,
      "spec.containers": [{ name: "web", image: " nginx", ports: [{ containerPort: 80, hostPort: 8080 }] }],
    }),
    want: [
      "spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true",
      'spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace',
    ],
  },
  {
    name: "Service: ports required",
    kind: SERVICE,
    obj: set(service, "spec.ports", undefined),
    want: ["spec.ports: Required value"],
  },
  {
    name: "Service: no ports needed for ExternalName or headless services",
    kind: SERVICE,
    obj: setAll(service, { "spec.ports": undefined, "spec.clusterIP": "None" }),
    want: [],
  },
  {
    name: "Service: ExternalName",
    kind: SERVICE,
    obj: setAll(service, {
      "spec.ports": undefined,
      "spec.type": "ExternalName",
      "spec.externalName": "db.example.com.",
    }),
    want: [],
  },
  {
    name: "Service: ExternalName needs a name",
    kind: SERVICE,
    obj: setAll(service, { "spec.type": "ExternalName" }),
    want: ["spec.externalName: Required value"],
  },
  {
    name: "Service: port range (the defaulted targetPort too)",
    kind: SERVICE,
    obj: set(service, "spec.ports", [{ port: 0 }, { name: "b", port: 70000, targetPort: "web" }]),
    want: [
      "spec.ports[0].name: Required value",
      `spec.ports[0].port: Invalid value: 0: ${PORT_RANGE}`,
      `spec.ports[0].targetPort: Invalid value: 0: ${PORT_RANGE}`,
      `spec.ports[1].port: Invalid value: 70000: ${PORT_RANGE}`,
    ],
  },
  {
    name: "Service: duplicate ports and names",
    kind: SERVICE,
    obj: set(service, "spec.ports", [
      { name: "http", port: 80 },
      { name: "http", port: 80, protocol: "TCP" },
    ]),
    want: [
      'spec.ports[1].name: Duplicate value: "http"',
      'spec.ports[1]: Duplicate value: {"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,"TargetPort":0,"NodePort":0}',
    ],
  },
  {
    name: "Service: type and nodePort",
    kind: SERVICE,
    obj: setAll(service, { "spec.type": "Internal", "spec.ports": [{ port: 80, nodePort: 30080 }] }),
    want: [
      'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ],
  },
  {
    name: "Service: nodePort on a ClusterIP service",
    kind: SERVICE,
    obj: set(service, "spec.ports", [{ port: 80, nodePort: 30080 }]),
    want: ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
  },
  {
    name: "ConfigMap: keys are config keys",
    kind: CONFIGMAP,
    obj: setAll(configMap, { data: { "app config": "x", "..": "y", ok: "z" }, binaryData: { ok: "AA==" } }),
    want: [
      `data[app config]: Invalid value: "app config": ${CONFIG_KEY}`,
      "data[..]: Invalid value: \"..\": must not be '..'",
      'data[ok]: Invalid value: "ok": duplicate of key present in binaryData',
    ],
  },
  {
    name: "ConfigMap: at most 1 MiB",
    kind: CONFIGMAP,
    obj: set(configMap, "data", { big: "x".repeat(1024 * 1024 + 1) }),
    want: ["[]: Too long: may not be more than 1048576 bytes"],
  },
  {
    name: "Secret: keys, and the keys a type needs",
    kind: SECRET,
    obj: setAll(secret, { type: "kubernetes.io/tls", stringData: { "my key": "v" } }),
    want: [
      `data[my key]: Invalid value: "my key": ${CONFIG_KEY}`,
      "data[tls.crt]: Required value",
      "data[tls.key]: Required value",
    ],
  },
  {
    name: "PVC: access modes and storage request",
    kind: PVC,
    obj: set(pvc, "spec", { accessModes: [], resources: {} }),
    want: [
      "spec.accessModes: Required value: at least 1 access mode is required",
      "spec.resources[storage]: Required value",
    ],
  },
  {
    name: "PVC: unknown access mode and zero size",
    kind: PVC,
    obj: set(pvc, "spec", { accessModes: ["ReadWriteSometimes"], resources: { requests: { storage: "0" } } }),
    want: [
      'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      'spec.resources[storage]: Invalid value: "0": must be greater than zero',
    ],
  },
  {
    name: "Namespace: spec.finalizers",
    kind: NAMESPACE,
    obj: {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team-a" },
      spec: { finalizers: ["kubernetes", "custom"] },
    },
    want: [
      'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    ],
  },
  {
    name: "RoleBinding: roleRef and subjects",
    kind: ROLEBINDING,
    obj: {
      ...roleBinding,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Policy", name: "" },
      subjects: [
        { kind: "Robot", name: "r2" },
        { kind: "User", name: "jane" },
      ],
    },
    want: [
      'roleRef.kind: Unsupported value: "Policy": supported values: "Role", "ClusterRole"',
      "roleRef.name: Required value",
      'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ],
  },
  {
    name: "ClusterRoleBinding: a service account subject needs a namespace",
    kind: CLUSTERROLEBINDING,
    obj: { ...roleBinding, kind: "ClusterRoleBinding", metadata: { name: "ci" } },
    want: ["subjects[0].namespace: Required value"],
  },
  {
    name: "Role: rules need verbs, groups and resources",
    kind: ROLE,
    obj: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta("reader"), rules: [{}] },
    want: [
      "rules[0].verbs: Required value: verbs must contain at least one value",
      "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
      "rules[0].resources: Required value: resource rules must supply at least one resource",
    ],
  },
  {
    name: "Ingress: pathType required, paths absolute",
    kind: INGRESS,
    obj: {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: meta(),
      spec: {
        rules: [
          {
            host: "web.example.com",
            http: {
              paths: [
                { path: "/", backend: { service: { name: "web", port: { number: 80 } } } },
                {
                  path: "api",
                  pathType: "Prefix",
                  backend: { service: { name: "api", port: { name: "http" } } },
                },
              ],
            },
          },
        ],
      },
    },
    want: [
      "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified",
      'spec.rules[0].http.paths[1].path: Invalid value: "api": must be an absolute path',
    ],
  },
];

describe("validateObject", () => {
  it.each(cases)("$name", ({ kind, obj, old, want, reasons }) => {
    const causes = validateObject(obj, old, kind);
    const lines = causes.map((c) => `${c.field}: ${c.message}`);
    expect(lines).toHaveLength(want.length);
    want.forEach((w, i) => {
      if (typeof w === "string") expect(lines[i]).toBe(w);
      else expect(lines[i]).toMatch(w);
    });
    if (reasons) expect(causes.map((c) => c.reason)).toEqual(reasons);
  });

  it("does not mutate its inputs", () => {
    const obj = structuredClone(deployment);
    const old = structuredClone(deployment);
    validateObject(obj, old, DEPLOYMENT);
    expect(obj).toEqual(deployment);
    expect(old).toEqual(deployment);
  });
});

describe("invalidMessage", () => {
  const cause = (field: string, message: string): FieldCause => ({
    reason: "FieldValueInvalid",
    field,
    message,
  });
  const messageCases: {
    name: string;
    kind: { group: string; kind: string };
    objName: string;
    causes: FieldCause[];
    want: string;
  }[] = [
    {
      name: "one cause, named group",
      kind: { group: "apps", kind: "Deployment" },
      objName: "web",
      causes: [cause("spec.replicas", "Invalid value: -1: must be greater than or equal to 0")],
      want: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    },
    {
      name: "several causes, core group",
      kind: { group: "", kind: "ConfigMap" },
      objName: "x",
      causes: [cause("data[a b]", 'Invalid value: "a b": bad'), cause("metadata.name", "Required value")],
      want: 'ConfigMap "x" is invalid: [data[a b]: Invalid value: "a b": bad, metadata.name: Required value]',
    },
    {
      name: "identical lines once; one left means no brackets",
      kind: { group: "", kind: "Service" },
      objName: "web",
      causes: [cause("spec.ports", "Required value"), cause("spec.ports", "Required value")],
      want: 'Service "web" is invalid: spec.ports: Required value',
    },
    {
      name: "no causes",
      kind: { group: "batch", kind: "Job" },
      objName: "pi",
      causes: [],
      want: 'Job.batch "pi" is invalid',
    },
    {
      name: "the name is Go-quoted",
      kind: { group: "", kind: "Pod" },
      objName: 'we"b\n',
      causes: [cause("metadata.name", "x")],
      want: 'Pod "we\\"b\\n" is invalid: metadata.name: x',
    },
  ];

  it.each(messageCases)("$name", ({ kind, objName, causes, want }) => {
    expect(invalidMessage(kind, objName, causes)).toBe(want);
  });

  it("builds the brief's example from validateObject", () => {
    const obj = setAll(deployment, {
      "metadata.name": "Web_1",
      "spec.selector": undefined,
      "spec.template.spec.containers": [],
    });
    expect(invalidMessage(DEPLOYMENT, "Web_1", validateObject(obj, undefined, DEPLOYMENT))).toBe(
      `Deployment.apps "Web_1" is invalid: [metadata.name: Invalid value: "Web_1": ${SUBDOMAIN}, spec.selector: Required value, spec.template.metadata.labels: Invalid value: {"app":"web"}: \`selector\` does not match template \`labels\`, spec.template.spec.containers: Required value]`,
    );
  });
});

/**
 * The defaults a kube-apiserver (1.35) fills in for the built-in kinds: the `SetDefaults_*` functions
 * of k8s.io/kubernetes/pkg/apis/<group>/v1/defaults.go plus the `+default` markers of k8s.io/api, as
 * the generated defaulters apply them (every PodSpec embedded in a workload gets the PodSpec and
 * Container defaults; only a Pod gets the Pod-level ones).
 *
 * A few values that are not strictly "defaulting" but that every object read back from a real server
 * carries are included, because the registry sets them before storing the object:
 *   - Service `ipFamilyPolicy` / `ipFamilies` (single-stack IPv4 cluster) and `clusterIPs` mirroring
 *     `clusterIP`; the cluster IP itself is allocated by the caller.
 *   - Secret `stringData`, merged into `data` (base64) and removed.
 *   - Namespace `spec.finalizers: [kubernetes]` (the registry's PrepareForCreate; on update the
 *     caller keeps the stored spec) and `status.phase: Active`.
 * Left to the caller: name generation, uid/timestamps, Job selector and `batch.kubernetes.io/*` labels,
 * cluster IP and node port allocation, admission plugins (ServiceAccount, DefaultTolerationSeconds,
 * Priority, DefaultStorageClass), and quantity canonicalisation (`1024Mi` is not rewritten to `1Gi`).
 */
import { cloneJson } from "./json.js";
import { VOLUME_SOURCES } from "./validation.js";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isSet = (v: unknown): boolean => v !== undefined && v !== null;
const asStr = (v: unknown): string => (typeof v === "string" ? v : "");
const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** Returns `parent[key]` as an object, creating `{}` there when it is missing. */
function child(parent: Obj, key: string): Obj {
  const v = parent[key];
  if (isObj(v)) return v;
  const created: Obj = {};
  parent[key] = created;
  return created;
}

/** Sets `obj[key]` when it is absent (undefined or null), like the `if x == nil` defaulters. */
function setIfNil(obj: Obj, key: string, value: unknown): void {
  if (!isSet(obj[key])) obj[key] = value;
}

/** Sets `obj[key]` when it is absent or the zero value (`""`, `0`), like the `if x == ""` defaulters. */
function setIfZero(obj: Obj, key: string, value: unknown): void {
  if (!isSet(obj[key]) || obj[key] === "" || obj[key] === 0) obj[key] = value;
}

// ---------------------------------------------------------------------------------------------
// Image references (k8s.io/kubernetes/pkg/util/parsers.ParseImageName over distribution/reference)

const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);

/** The pull policy the server picks: Always for `:latest` or an untagged, undigested image. */
function defaultPullPolicy(image: string): string {
  const m = REFERENCE.exec(image);
  // An unparsable reference yields no tag, hence IfNotPresent (the server ignores the parse error).
  if (!m || m[1].length > 255) return "IfNotPresent";
  const tag = m[2] ?? (m[3] ? "" : "latest");
  return tag === "latest" ? "Always" : "IfNotPresent";
}

// ---------------------------------------------------------------------------------------------
// core/v1 building blocks

function defaultFieldRef(holder: Obj): void {
  if (isObj(holder.fieldRef)) setIfZero(holder.fieldRef, "apiVersion", "v1");
}

function defaultHTTPGet(handler: unknown): void {
  if (!isObj(handler) || !isObj(handler.httpGet)) return;
  setIfZero(handler.httpGet, "path", "/");
  setIfZero(handler.httpGet, "scheme", "HTTP");
}

function defaultProbe(probe: unknown): void {
  if (!isObj(probe)) return;
  setIfZero(probe, "timeoutSeconds", 1);
  setIfZero(probe, "periodSeconds", 10);
  setIfZero(probe, "successThreshold", 1);
  setIfZero(probe, "failureThreshold", 3);
  defaultHTTPGet(probe);
  if (isObj(probe.grpc)) setIfNil(probe.grpc, "service", "");
}

function defaultContainer(c: Obj): void {
  setIfZero(c, "imagePullPolicy", defaultPullPolicy(asStr(c.image)));
  setIfZero(c, "terminationMessagePath", "/dev/termination-log");
  setIfZero(c, "terminationMessagePolicy", "File");
  // ResourceRequirements is a struct without omitempty effect: always serialized, `{}` when empty.
  if (!isObj(c.resources)) c.resources = {};
  for (const port of objects(c.ports)) setIfZero(port, "protocol", "TCP");
  for (const env of objects(c.env)) if (isObj(env.valueFrom)) defaultFieldRef(env.valueFrom);
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) defaultProbe(c[probe]);
  if (isObj(c.lifecycle)) {
    defaultHTTPGet(c.lifecycle.postStart);
    defaultHTTPGet(c.lifecycle.preStop);
  }
}

/** 0644, the default file mode of secret, configMap, downwardAPI and projected volumes. */
const DEFAULT_MODE = 0o644;

function defaultPVCSpec(spec: Obj): void {
  setIfNil(spec, "volumeMode", "Filesystem");
}

function defaultVolume(vol: Obj): void {
  if (!VOLUME_SOURCES.some((s) => isSet(vol[s]))) vol.emptyDir = {};
  if (isObj(vol.secret)) setIfNil(vol.secret, "defaultMode", DEFAULT_MODE);
  if (isObj(vol.configMap)) setIfNil(vol.configMap, "defaultMode", DEFAULT_MODE);
  if (isObj(vol.downwardAPI)) {
    setIfNil(vol.downwardAPI, "defaultMode", DEFAULT_MODE);
    for (const item of objects(vol.downwardAPI.items)) defaultFieldRef(item);
  }
  if (isObj(vol.projected)) {
    setIfNil(vol.projected, "defaultMode", DEFAULT_MODE);
    for (const source of objects(vol.projected.sources)) {
      if (isObj(source.serviceAccountToken)) setIfNil(source.serviceAccountToken, "expirationSeconds", 3600);
      if (isObj(source.downwardAPI))
        for (const item of objects(source.downwardAPI.items)) defaultFieldRef(item);
    }
  }
  if (isObj(vol.hostPath)) setIfNil(vol.hostPath, "type", "");
  if (isObj(vol.iscsi)) setIfZero(vol.iscsi, "iscsiInterface", "default");
  if (isObj(vol.rbd)) {
    setIfZero(vol.rbd, "pool", "rbd");
    setIfZero(vol.rbd, "user", "admin");
    setIfZero(vol.rbd, "keyring", "/etc/ceph/keyring");
  }
  if (isObj(vol.azureDisk)) {
    setIfNil(vol.azureDisk, "cachingMode", "ReadWrite");
    setIfNil(vol.azureDisk, "kind", "Shared");
    setIfNil(vol.azureDisk, "fsType", "ext4");
    setIfNil(vol.azureDisk, "readOnly", false);
  }
  if (isObj(vol.scaleIO)) {
    setIfZero(vol.scaleIO, "storageMode", "ThinProvisioned");
    setIfZero(vol.scaleIO, "fsType", "xfs");
  }
  if (isObj(vol.ephemeral) && isObj(vol.ephemeral.volumeClaimTemplate)) {
    defaultPVCSpec(child(vol.ephemeral.volumeClaimTemplate, "spec"));
  }
}

/** SetDefaults_PodSpec and everything the generated defaulter reaches inside a PodSpec. */
function defaultPodSpec(spec: Obj): void {
  setIfZero(spec, "dnsPolicy", "ClusterFirst");
  setIfZero(spec, "restartPolicy", "Always");
  setIfNil(spec, "securityContext", {});
  setIfNil(spec, "terminationGracePeriodSeconds", 30);
  setIfZero(spec, "schedulerName", "default-scheduler");
  for (const vol of objects(spec.volumes)) defaultVolume(vol);
  for (const list of ["initContainers", "containers", "ephemeralContainers"]) {
    for (const c of objects(spec[list])) defaultContainer(c);
  }
}

function defaultTemplate(template: unknown): void {
  if (isObj(template)) defaultPodSpec(child(template, "spec"));
}

/** With host networking every container port is also a host port (Pods only since 1.28). */
function defaultHostNetworkPorts(containers: unknown): void {
  for (const c of objects(containers)) {
    for (const port of objects(c.ports)) {
      if (!isSet(port.hostPort) || port.hostPort === 0) port.hostPort = port.containerPort;
    }
  }
}

function defaultPod(obj: Obj): void {
  const spec = child(obj, "spec");
  for (const list of ["containers", "initContainers"]) {
    for (const c of objects(spec[list])) {
      const resources = isObj(c.resources) ? c.resources : undefined;
      if (!resources || !isObj(resources.limits)) continue;
      const requests = child(resources, "requests");
      for (const [k, v] of Object.entries(resources.limits)) if (!(k in requests)) requests[k] = v;
    }
  }
  setIfNil(spec, "enableServiceLinks", true);
  if (spec.hostNetwork === true) {
    defaultHostNetworkPorts(spec.containers);
    defaultHostNetworkPorts(spec.initContainers);
  }
  defaultPodSpec(spec);
}

function defaultService(obj: Obj): void {
  const spec = child(obj, "spec");
  setIfZero(spec, "sessionAffinity", "None");
  if (spec.sessionAffinity === "None") delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === "ClientIP") {
    const timeout = (spec.sessionAffinityConfig as { clientIP?: { timeoutSeconds?: unknown } } | undefined)
      ?.clientIP?.timeoutSeconds;
    if (!isSet(timeout)) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  setIfZero(spec, "type", "ClusterIP");
  const type = spec.type;
  for (const port of objects(spec.ports)) {
    setIfZero(port, "protocol", "TCP");
    if (!isSet(port.targetPort) || port.targetPort === 0 || port.targetPort === "")
      port.targetPort = port.port;
  }
  const externallyAccessible =
    type === "LoadBalancer" ||
    type === "NodePort" ||
    (type === "ClusterIP" && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (externallyAccessible) setIfZero(spec, "externalTrafficPolicy", "Cluster");
  if (type === "ClusterIP" || type === "NodePort" || type === "LoadBalancer") {
    setIfNil(spec, "internalTrafficPolicy", "Cluster");
  }
  if (type === "LoadBalancer") setIfNil(spec, "allocateLoadBalancerNodePorts", true);
  if (type === "ExternalName") return;

  // What the registry sets on create (single-stack IPv4 cluster): the clusterIPs mirror and IP families.
  const clusterIP = asStr(spec.clusterIP);
  if (clusterIP && !(Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 0))
    spec.clusterIPs = [clusterIP];
  const headless = (Array.isArray(spec.clusterIPs) ? asStr(spec.clusterIPs[0]) : clusterIP) === "None";
  const selectorless = !isObj(spec.selector) || Object.keys(spec.selector).length === 0;
  if (headless && selectorless) {
    setIfNil(spec, "ipFamilyPolicy", "RequireDualStack");
    if (!(Array.isArray(spec.ipFamilies) && spec.ipFamilies.length > 0)) spec.ipFamilies = ["IPv4"];
    const families = spec.ipFamilies as unknown[];
    if (families.length < 2 && spec.ipFamilyPolicy === "RequireDualStack") {
      spec.ipFamilies = [...families, families[0] === "IPv6" ? "IPv4" : "IPv6"];
    }
  } else {
    setIfNil(spec, "ipFamilyPolicy", "SingleStack");
    if (!(Array.isArray(spec.ipFamilies) && spec.ipFamilies.length > 0)) spec.ipFamilies = ["IPv4"];
  }
}

function defaultSecret(obj: Obj): void {
  setIfZero(obj, "type", "Opaque");
  if (isObj(obj.stringData)) {
    const data = isObj(obj.data) ? { ...obj.data } : {};
    for (const [k, v] of Object.entries(obj.stringData))
      data[k] = Buffer.from(String(v), "utf8").toString("base64");
    obj.data = data;
  }
  delete obj.stringData;
}

function defaultPVC(pvc: Obj): void {
  defaultPVCSpec(child(pvc, "spec"));
  setIfZero(child(pvc, "status"), "phase", "Pending");
}

function defaultNamespace(obj: Obj): void {
  const name = asStr(child(obj, "metadata").name);
  if (name) child(child(obj, "metadata"), "labels")["kubernetes.io/metadata.name"] = name;
  const spec = child(obj, "spec");
  const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
  spec.finalizers = finalizers.includes("kubernetes") ? finalizers : [...finalizers, "kubernetes"];
  setIfZero(child(obj, "status"), "phase", "Active");
}

// ---------------------------------------------------------------------------------------------
// apps/v1, batch/v1

function defaultDeployment(obj: Obj): void {
  const spec = child(obj, "spec");
  setIfNil(spec, "replicas", 1);
  const strategy = child(spec, "strategy");
  setIfZero(strategy, "type", "RollingUpdate");
  if (strategy.type === "RollingUpdate") {
    const rollingUpdate = child(strategy, "rollingUpdate");
    setIfNil(rollingUpdate, "maxUnavailable", "25%");
    setIfNil(rollingUpdate, "maxSurge", "25%");
  }
  setIfNil(spec, "revisionHistoryLimit", 10);
  setIfNil(spec, "progressDeadlineSeconds", 600);
  defaultTemplate(spec.template);
}

function defaultReplicaSet(obj: Obj): void {
  const spec = child(obj, "spec");
  setIfNil(spec, "replicas", 1);
  defaultTemplate(spec.template);
}

function defaultDaemonSet(obj: Obj): void {
  const spec = child(obj, "spec");
  const strategy = child(spec, "updateStrategy");
  setIfZero(strategy, "type", "RollingUpdate");
  if (strategy.type === "RollingUpdate") {
    const rollingUpdate = child(strategy, "rollingUpdate");
    setIfNil(rollingUpdate, "maxUnavailable", 1);
    setIfNil(rollingUpdate, "maxSurge", 0);
  }
  setIfNil(spec, "revisionHistoryLimit", 10);
  defaultTemplate(spec.template);
}

function defaultStatefulSet(obj: Obj): void {
  const spec = child(obj, "spec");
  setIfZero(spec, "podManagementPolicy", "OrderedReady");
  const strategy = child(spec, "updateStrategy");
  if (!strategy.type) {
    strategy.type = "RollingUpdate";
    setIfNil(strategy, "rollingUpdate", {});
  }
  if (strategy.type === "RollingUpdate" && isObj(strategy.rollingUpdate)) {
    setIfNil(strategy.rollingUpdate, "partition", 0);
    // MaxUnavailableStatefulSet is beta (on by default) in 1.35.
    setIfNil(strategy.rollingUpdate, "maxUnavailable", 1);
  }
  const retention = child(spec, "persistentVolumeClaimRetentionPolicy");
  setIfZero(retention, "whenDeleted", "Retain");
  setIfZero(retention, "whenScaled", "Retain");
  setIfNil(spec, "replicas", 1);
  setIfNil(spec, "revisionHistoryLimit", 10);
  defaultTemplate(spec.template);
  for (const claim of objects(spec.volumeClaimTemplates)) defaultPVC(claim);
}

function defaultJob(obj: Obj): void {
  const spec = child(obj, "spec");
  if (!isSet(spec.completions) && !isSet(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setIfNil(spec, "parallelism", 1);
  setIfNil(spec, "backoffLimit", isSet(spec.backoffLimitPerIndex) ? 2147483647 : 6);
  const templateLabels =
    isObj(spec.template) && isObj(spec.template.metadata) ? spec.template.metadata.labels : undefined;
  const metadata = child(obj, "metadata");
  if (isObj(templateLabels) && !(isObj(metadata.labels) && Object.keys(metadata.labels).length > 0)) {
    metadata.labels = { ...templateLabels };
  }
  setIfNil(spec, "completionMode", "NonIndexed");
  setIfNil(spec, "suspend", false);
  if (isObj(spec.podFailurePolicy)) {
    for (const rule of objects(spec.podFailurePolicy.rules)) {
      for (const pattern of objects(rule.onPodConditions)) setIfZero(pattern, "status", "True");
    }
  }
  setIfNil(spec, "podReplacementPolicy", isObj(spec.podFailurePolicy) ? "Failed" : "TerminatingOrFailed");
  defaultTemplate(spec.template);
}

function defaultCronJob(obj: Obj): void {
  const spec = child(obj, "spec");
  setIfZero(spec, "concurrencyPolicy", "Allow");
  setIfNil(spec, "suspend", false);
  setIfNil(spec, "successfulJobsHistoryLimit", 3);
  setIfNil(spec, "failedJobsHistoryLimit", 1);
  // A JobTemplateSpec gets no Job defaults, only those of the PodSpec inside it.
  if (isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec))
    defaultTemplate(spec.jobTemplate.spec.template);
}

// ---------------------------------------------------------------------------------------------
// Other groups

const RBAC_GROUP = "rbac.authorization.k8s.io";

function defaultBinding(obj: Obj): void {
  if (isObj(obj.roleRef)) setIfZero(obj.roleRef, "apiGroup", RBAC_GROUP);
  for (const subject of objects(obj.subjects)) {
    if (subject.kind === "User" || subject.kind === "Group") setIfZero(subject, "apiGroup", RBAC_GROUP);
  }
}

function defaultCRD(obj: Obj): void {
  const spec = child(obj, "spec");
  const names = child(spec, "names");
  const kind = asStr(names.kind);
  setIfZero(names, "singular", kind.toLowerCase());
  if (kind) setIfZero(names, "listKind", `${kind}List`);
  setIfNil(spec, "conversion", { strategy: "None" });
  const webhook =
    isObj(spec.conversion) && isObj(spec.conversion.webhook) ? spec.conversion.webhook : undefined;
  if (webhook && isObj(webhook.clientConfig) && isObj(webhook.clientConfig.service)) {
    setIfNil(webhook.clientConfig.service, "port", 443);
  }
  const status = child(obj, "status");
  if (!(Array.isArray(status.storedVersions) && status.storedVersions.length > 0)) {
    const storage = objects(spec.versions).find((v) => v.storage === true);
    if (storage) status.storedVersions = [storage.name];
    else if (Object.keys(status).length === 0) delete obj.status;
  }
}

function defaultNetworkPolicy(obj: Obj): void {
  const spec = child(obj, "spec");
  for (const direction of ["ingress", "egress"]) {
    for (const rule of objects(spec[direction])) {
      for (const port of objects(rule.ports)) setIfNil(port, "protocol", "TCP");
    }
  }
  if (!(Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0)) {
    spec.policyTypes =
      Array.isArray(spec.egress) && spec.egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
  }
}

function defaultHPA(obj: Obj): void {
  const spec = child(obj, "spec");
  setIfNil(spec, "minReplicas", 1);
  // autoscaling/v1 has no metrics list; v2 defaults to 80% average CPU utilisation.
  if (obj.apiVersion === "autoscaling/v1") return;
  if (!(Array.isArray(spec.metrics) && spec.metrics.length > 0)) {
    spec.metrics = [
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
      },
    ];
  }
}

/**
 * Returns a copy of `obj` with the defaults the real apiserver sets for the built-in kinds (the input
 * is never mutated). Idempotent: defaulting a defaulted object changes nothing. Kinds without
 * defaults (ServiceAccount, Ingress, ConfigMap, custom resources, …) come back as an unchanged copy.
 * Generic only so that callers get their own object type back.
 */
export function applyDefaults<T extends Record<string, unknown>>(
  obj: T,
  kind: { group: string; kind: string },
): T {
  const out: T = cloneJson(obj);
  switch (`${kind.group}/${kind.kind}`) {
    case "/Pod":
      defaultPod(out);
      break;
    case "/PodTemplate":
      defaultTemplate(out.template);
      break;
    case "/ReplicationController": {
      const spec = child(out, "spec");
      const labels =
        isObj(spec.template) && isObj(spec.template.metadata) ? spec.template.metadata.labels : undefined;
      if (isObj(labels)) {
        if (!(isObj(spec.selector) && Object.keys(spec.selector).length > 0)) spec.selector = { ...labels };
        const metadata = child(out, "metadata");
        if (!(isObj(metadata.labels) && Object.keys(metadata.labels).length > 0))
          metadata.labels = { ...labels };
      }
      setIfNil(spec, "replicas", 1);
      defaultTemplate(spec.template);
      break;
    }
    case "/Service":
      defaultService(out);
      break;
    case "/Secret":
      defaultSecret(out);
      break;
    case "/PersistentVolumeClaim":
      defaultPVC(out);
      break;
    case "/PersistentVolume": {
      const spec = child(out, "spec");
      setIfZero(spec, "persistentVolumeReclaimPolicy", "Retain");
      setIfNil(spec, "volumeMode", "Filesystem");
      if (isObj(spec.hostPath)) setIfNil(spec.hostPath, "type", "");
      setIfZero(child(out, "status"), "phase", "Pending");
      break;
    }
    case "/Namespace":
      defaultNamespace(out);
      break;
    case "/Endpoints":
      for (const subset of objects(out.subsets))
        for (const port of objects(subset.ports)) setIfZero(port, "protocol", "TCP");
      break;
    case "apps/Deployment":
      defaultDeployment(out);
      break;
    case "apps/ReplicaSet":
      defaultReplicaSet(out);
      break;
    case "apps/DaemonSet":
      defaultDaemonSet(out);
      break;
    case "apps/StatefulSet":
      defaultStatefulSet(out);
      break;
    case "batch/Job":
      defaultJob(out);
      break;
    case "batch/CronJob":
      defaultCronJob(out);
      break;
    case "rbac.authorization.k8s.io/RoleBinding":
    case "rbac.authorization.k8s.io/ClusterRoleBinding":
      defaultBinding(out);
      break;
    case "apiextensions.k8s.io/CustomResourceDefinition":
      defaultCRD(out);
      break;
    case "networking.k8s.io/NetworkPolicy":
      defaultNetworkPolicy(out);
      break;
    case "networking.k8s.io/IngressClass": {
      const parameters = isObj(out.spec) ? out.spec.parameters : undefined;
      if (isObj(parameters)) setIfNil(parameters, "scope", "Cluster");
      break;
    }
    case "storage.k8s.io/StorageClass":
      setIfZero(out, "reclaimPolicy", "Delete");
      setIfZero(out, "volumeBindingMode", "Immediate");
      break;
    case "autoscaling/HorizontalPodAutoscaler":
      defaultHPA(out);
      break;
  }
  return out;
}

/**
 * Flux's HelmRelease (`helm.toolkit.fluxcd.io/v2`, and `v2beta2`) and the sources its chart comes from
 * (HelmRepository, OCIRepository), read from a build with the API's defaults filled in. Invalid objects
 * fail with one problem per field, naming the object (`HelmRelease/apps/podinfo`) and the key.
 */
import { z } from "zod";
import { kustomizeImage, kustomizePatch } from "../build/spec.js";
import type { Problem } from "../model/result.js";
import { ReconcileError } from "../model/result.js";
import { describeIssue, formatKey } from "../model/zod-problems.js";

const HELM_VERSIONS = ["helm.toolkit.fluxcd.io/v2", "helm.toolkit.fluxcd.io/v2beta2"] as const;
const SOURCE_VERSIONS = ["source.toolkit.fluxcd.io/v1", "source.toolkit.fluxcd.io/v1beta2"] as const;

const name = z.string().min(1);
const duration = z.string().regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, {
  error: "must be a duration such as 5m, 1h30m or 30s",
});
const crdPolicy = z.enum(["Skip", "Create", "CreateReplace"]);
const reference = z.looseObject({ name, namespace: z.string().optional() });

/** `install.remediation` and `upgrade.remediation` (which adds `strategy`). */
const remediation = z.looseObject({
  retries: z.number().int().default(0),
  ignoreTestFailures: z.boolean().optional(),
  remediateLastFailure: z.boolean().optional(),
});

export const postRendererSchema = z.looseObject({
  kustomize: z
    .strictObject({ patches: z.array(kustomizePatch).optional(), images: z.array(kustomizeImage).optional() })
    .optional(),
});
export type PostRenderer = z.output<typeof postRendererSchema>;

const chartTemplate = z.looseObject({
  spec: z.looseObject({
    chart: name,
    version: z.string().default("*"),
    sourceRef: z.looseObject({
      kind: z.enum(["HelmRepository", "GitRepository", "Bucket"]),
      name,
      namespace: z.string().optional(),
    }),
    valuesFiles: z.array(z.string()).optional(),
    ignoreMissingValuesFiles: z.boolean().optional(),
    reconcileStrategy: z.enum(["ChartVersion", "Revision"]).default("ChartVersion"),
  }),
});

/** What install and upgrade share: helm's waiting, hooks and validation switches. */
const releaseAction = {
  disableWait: z.boolean().default(false),
  disableWaitForJobs: z.boolean().default(false),
  disableHooks: z.boolean().default(false),
  disableOpenAPIValidation: z.boolean().default(false),
  disableSchemaValidation: z.boolean().default(false),
};

const helmReleaseSpec = z
  .looseObject({
    chart: chartTemplate.optional(),
    chartRef: z
      .looseObject({ kind: z.enum(["OCIRepository", "HelmChart"]), name, namespace: z.string().optional() })
      .optional(),
    releaseName: z.string().max(53).optional(),
    targetNamespace: z.string().max(63).optional(),
    storageNamespace: z.string().max(63).optional(),
    interval: duration,
    timeout: duration.default("5m"),
    maxHistory: z.number().int().min(0).default(5),
    suspend: z.boolean().default(false),
    dependsOn: z.array(reference).default([]),
    install: z
      .looseObject({
        crds: crdPolicy.default("Create"),
        createNamespace: z.boolean().default(false),
        ...releaseAction,
        remediation: remediation.prefault({}),
      })
      .prefault({}),
    upgrade: z
      .looseObject({
        crds: crdPolicy.default("Skip"),
        ...releaseAction,
        force: z.boolean().default(false),
        cleanupOnFail: z.boolean().default(false),
        remediation: remediation
          .extend({ strategy: z.enum(["rollback", "uninstall"]).default("rollback") })
          .prefault({}),
      })
      .prefault({}),
    rollback: z.looseObject({ disableWait: z.boolean().default(false) }).prefault({}),
    uninstall: z
      .looseObject({
        keepHistory: z.boolean().default(false),
        disableWait: z.boolean().default(false),
        timeout: duration.optional(),
      })
      .prefault({}),
    test: z
      .looseObject({
        enable: z.boolean().default(false),
        ignoreFailures: z.boolean().default(false),
        filters: z.array(z.looseObject({ name, exclude: z.boolean().default(false) })).default([]),
      })
      .prefault({}),
    values: z.record(z.string(), z.unknown()).optional(),
    valuesFrom: z
      .array(
        z.looseObject({
          kind: z.enum(["ConfigMap", "Secret"]),
          name,
          valuesKey: z.string().optional(),
          targetPath: z.string().optional(),
          optional: z.boolean().default(false),
          literal: z.boolean().optional(),
        }),
      )
      .default([]),
    postRenderers: z.array(postRendererSchema).default([]),
    serviceAccountName: z.string().min(1).optional(),
    // Another cluster's kubeconfig: read only to refuse it (Ferry deploys where the sync target says).
    kubeConfig: z.unknown().optional(),
    driftDetection: z
      .looseObject({ mode: z.enum(["disabled", "warn", "enabled"]).default("disabled") })
      .optional(),
    commonMetadata: z
      .looseObject({
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .optional(),
  })
  // The CRD's rule: exactly one of chart and chartRef.
  .superRefine((spec, ctx) => {
    if ((spec.chart === undefined) === (spec.chartRef === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: spec.chart ? ["chartRef"] : ["chart"],
        message: "is one of two ways to name the chart: set exactly one of chart and chartRef",
      });
    }
  });

const provider = z.enum(["generic", "aws", "azure", "gcp"]).default("generic");

const helmRepositorySpec = z.looseObject({
  url: z.string().regex(/^(https?|oci):\/\//, { error: "must start with http://, https:// or oci://" }),
  type: z.enum(["default", "oci"]).default("default"),
  interval: duration.optional(),
  secretRef: reference.optional(),
  passCredentials: z.boolean().optional(),
  certSecretRef: reference.optional(),
  provider,
  insecure: z.boolean().optional(),
});

const ociRepositorySpec = z.looseObject({
  url: z.string().regex(/^oci:\/\//, { error: "must start with oci://" }),
  ref: z
    .looseObject({
      tag: z.string().optional(),
      semver: z.string().optional(),
      semverFilter: z.string().optional(),
      digest: z.string().optional(),
    })
    .optional(),
  layerSelector: z
    .looseObject({ mediaType: z.string().optional(), operation: z.enum(["extract", "copy"]).optional() })
    .optional(),
  interval: duration,
  secretRef: reference.optional(),
  certSecretRef: reference.optional(),
  serviceAccountName: z.string().optional(),
  verify: z.looseObject({ provider: z.string() }).optional(),
  provider,
  insecure: z.boolean().optional(),
});

const specs = {
  HelmRelease: { versions: HELM_VERSIONS, spec: helmReleaseSpec },
  HelmRepository: { versions: SOURCE_VERSIONS, spec: helmRepositorySpec },
  OCIRepository: { versions: SOURCE_VERSIONS, spec: ociRepositorySpec },
} as const;

type Kind = keyof typeof specs;
interface ObjectOf<K extends Kind> {
  apiVersion: string;
  kind: K;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: z.output<(typeof specs)[K]["spec"]>;
}
export type HelmRelease = ObjectOf<"HelmRelease">;
export type HelmRepository = ObjectOf<"HelmRepository">;
export type OCIRepository = ObjectOf<"OCIRepository">;
export type HelmObject = HelmRelease | HelmRepository | OCIRepository;

/** A HelmRelease or chart source that is not valid; one problem per field at fault. */
export class HelmObjectError extends ReconcileError {
  override readonly name = "HelmObjectError";
}

/** Whether an object is one of the kinds here (by kind and API group). */
export function isHelmObject(object: { apiVersion?: unknown; kind?: unknown }): boolean {
  const kind = object.kind;
  return (
    typeof kind === "string" &&
    Object.hasOwn(specs, kind) &&
    (specs[kind as Kind].versions as readonly string[]).includes(String(object.apiVersion))
  );
}

/**
 * Reads a HelmRelease, HelmRepository or OCIRepository from a plain object. Objects without a
 * namespace are in `default`, as kubectl applies them.
 */
export function readHelmObject(object: unknown): HelmObject {
  const input = (typeof object === "object" && object !== null ? object : {}) as Record<string, unknown>;
  const meta = (typeof input.metadata === "object" && input.metadata !== null ? input.metadata : {}) as {
    name?: unknown;
    namespace?: unknown;
    labels?: Record<string, string>;
  };
  const kind = input.kind as Kind;
  const namespace = typeof meta.namespace === "string" && meta.namespace ? meta.namespace : "default";
  const subject = `${String(input.kind)}/${namespace}/${String(meta.name)}`;
  const fail = (messages: string[]): never => {
    const problems: Problem[] = messages.map((message) => ({ message, subject }));
    throw new HelmObjectError(messages.map((m) => `${subject}: ${m}`).join("\n"), problems);
  };
  if (!isHelmObject(input)) {
    return fail([
      `${String(input.apiVersion)} ${String(input.kind)} is not a HelmRelease, HelmRepository or OCIRepository`,
    ]);
  }
  if (typeof meta.name !== "string" || meta.name === "") return fail(["metadata.name is required"]);
  const parsed = specs[kind].spec.safeParse(input.spec ?? {}, { reportInput: true });
  if (!parsed.success) {
    return fail(
      parsed.error.issues.map((issue) =>
        describeIssue(issue, formatKey(["spec", ...issue.path]), `a ${kind}`),
      ),
    );
  }
  return {
    apiVersion: String(input.apiVersion),
    kind,
    metadata: { name: meta.name, namespace, ...(meta.labels ? { labels: meta.labels } : {}) },
    spec: parsed.data,
  } as HelmObject;
}

/**
 * The Flux `Kustomization` spec (kustomize.toolkit.fluxcd.io/v1, fluxcd/kustomize-controller
 * api/v1/kustomization_types.go) as Ferry reads it: validated with zod, Flux's defaults filled
 * in, durations turned into milliseconds. Errors name the file, line and key, and what to write.
 */
import { z } from "zod";
import type { Origin } from "../model/object.js";
import type { Problem } from "../model/result.js";
import { describeIssue, formatKey } from "../model/zod-problems.js";
import { formatDuration, parseDuration } from "./duration.js";

/** A duration (`10m`, `1h30m`, `90s`) in milliseconds. */
const duration = z.unknown().transform((value, ctx) => {
  const ms = typeof value === "string" ? parseDuration(value) : undefined;
  if (ms === undefined) {
    ctx.addIssue({
      code: "custom",
      message:
        value === undefined
          ? "is required; add it as a duration, such as 10m"
          : `${JSON.stringify(value)} is not a duration; write it as a number and a unit (ms, s, m, h), such as 10m, 1h30m or 90s`,
    });
    return z.NEVER;
  }
  return ms;
});

const stringMap = z.record(z.string(), z.string());

/** kustomize's patch target selector (fluxcd/pkg apis/kustomize Selector). */
const selector = z.strictObject({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  annotationSelector: z.string().optional(),
  labelSelector: z.string().optional(),
});

const patch = z.strictObject({ patch: z.string(), target: selector.optional() });
/** A kustomize patch (inline, with an optional target), as the Kustomization and HelmRelease post-renderers take it. */
export const kustomizePatch = patch;

const image = z.strictObject({
  name: z.string().min(1),
  newName: z.string().optional(),
  newTag: z.string().optional(),
  digest: z.string().optional(),
});
/** A kustomize image override (name, newName, newTag, digest). */
export const kustomizeImage = image;

const sourceRef = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.enum(["GitRepository", "OCIRepository", "Bucket", "ExternalArtifact"]),
  name: z.string().min(1),
  namespace: z.string().optional(),
});

const dependency = z.strictObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  readyExpr: z.string().optional(),
});

const healthCheck = z.strictObject({
  apiVersion: z.string().optional(),
  kind: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().optional(),
});

const substituteReference = z.strictObject({
  kind: z.enum(["ConfigMap", "Secret"]),
  name: z.string().min(1).max(253),
  optional: z.boolean().default(false),
});

const postBuild = z.strictObject({
  substituteStrategy: z.enum(["WithVariables", "Always"]).default("WithVariables"),
  substitute: stringMap.default({}),
  substituteFrom: z.array(substituteReference).default([]),
});

const decryption = z.strictObject({
  provider: z.literal("sops"),
  secretRef: z.strictObject({ name: z.string().min(1) }).optional(),
  serviceAccountName: z.string().optional(),
});

const commonMetadata = z.strictObject({
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
});

/** v1beta2's JSON 6902 patch (kept so older fleet repositories build as Flux builds them). */
const json6902Patch = z.strictObject({
  patch: z.array(z.record(z.string(), z.unknown())),
  target: selector,
});

const specObject = z.strictObject({
  sourceRef,
  path: z.string().default(""),
  prune: z.boolean(),
  interval: duration,
  retryInterval: duration.optional(),
  timeout: duration.optional(),
  wait: z.boolean().default(false),
  force: z.boolean().default(false),
  suspend: z.boolean().default(false),
  dependsOn: z.array(dependency).default([]),
  targetNamespace: z.string().min(1).max(63).optional(),
  namePrefix: z.string().min(1).max(200).optional(),
  nameSuffix: z.string().min(1).max(200).optional(),
  patches: z.array(patch).default([]),
  images: z.array(image).default([]),
  components: z.array(z.string()).default([]),
  ignoreMissingComponents: z.boolean().default(false),
  commonMetadata: commonMetadata.optional(),
  buildMetadata: z.array(z.enum(["originAnnotations", "transformerAnnotations"])).optional(),
  postBuild: postBuild.optional(),
  decryption: decryption.optional(),
  healthChecks: z.array(healthCheck).default([]),
  serviceAccountName: z.string().optional(),
  deletionPolicy: z.enum(["MirrorPrune", "Delete", "WaitForTermination", "Orphan"]).default("MirrorPrune"),
  // Read so a valid Flux spec is not refused; Ferry does not act on them yet.
  healthCheckExprs: z.array(z.record(z.string(), z.unknown())).optional(),
  ignore: z.array(z.record(z.string(), z.unknown())).optional(),
  // kustomize.toolkit.fluxcd.io/v1beta2 fields that v1 folded into `patches`.
  patchesStrategicMerge: z.array(z.record(z.string(), z.unknown())).optional(),
  patchesJson6902: z.array(json6902Patch).optional(),
  validation: z.string().optional(),
});

/** Flux's floor for `GetTimeout()`. */
const minimumTimeoutMs = 30_000;

/**
 * The spec schema. Defaults as Flux's: `timeout` = `timeout` or else `interval` − 30s, never
 * under 30s (`Kustomization.GetTimeout`); `retryInterval` = `interval`; `path` = the source root.
 */
export const kustomizationSpecSchema = specObject.transform((spec) => ({
  ...spec,
  retryInterval: spec.retryInterval ?? spec.interval,
  timeout: Math.max(spec.timeout ?? spec.interval - minimumTimeoutMs, minimumTimeoutMs),
}));

/** A Flux Kustomization spec with defaults; `interval`, `retryInterval` and `timeout` are milliseconds. */
export type KustomizationSpec = z.output<typeof kustomizationSpecSchema>;
export type KustomizationPatch = z.output<typeof patch>;
export type KustomizationImage = z.output<typeof image>;
export type KustomizationSelector = z.output<typeof selector>;
export type DependencyReference = z.output<typeof dependency>;
export type SubstituteReference = z.output<typeof substituteReference>;
export type PostBuild = z.output<typeof postBuild>;
export type HealthCheckReference = z.output<typeof healthCheck>;
export type CommonMetadata = z.output<typeof commonMetadata>;

/** The spec fields written into the kustomization file (and `commonMetadata`, set after the build). */
const overlayKeys = [
  "targetNamespace",
  "namePrefix",
  "nameSuffix",
  "patches",
  "images",
  "components",
  "ignoreMissingComponents",
  "commonMetadata",
  "buildMetadata",
  "patchesStrategicMerge",
  "patchesJson6902",
] as const;

export type KustomizationOverlay = Partial<Pick<KustomizationSpec, (typeof overlayKeys)[number]>>;

/** The overlay part of a spec. */
export function overlayOf(spec: KustomizationSpec): KustomizationOverlay {
  return Object.fromEntries(
    overlayKeys.filter((key) => spec[key] !== undefined).map((key) => [key, spec[key]]),
  ) as KustomizationOverlay;
}

export interface SpecSource {
  /** Where the Kustomization object is (file and line of its document). */
  origin?: Origin;
  /** `Kustomization/namespace/name`, for messages. */
  subject?: string;
  /** The line of a key path (`["spec", "interval"]`) in the origin file, when it can be found. */
  lineOf?: (path: readonly (string | number)[]) => number | undefined;
}

export type SpecResult = { ok: true; spec: KustomizationSpec } | { ok: false; problems: Problem[] };

/** Validates a Kustomization's `spec`; every problem names the key, its file and line, and what to fix. */
export function parseKustomizationSpec(input: unknown, source: SpecSource = {}): SpecResult {
  const parsed = kustomizationSpecSchema.safeParse(input ?? {}, { reportInput: true });
  if (parsed.success) return { ok: true, spec: parsed.data };
  const problems = parsed.error.issues.flatMap((issue) => {
    const paths =
      issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    return paths.map((path) => {
      const keyPath = ["spec", ...path.map((p) => (typeof p === "symbol" ? String(p) : p))];
      const key = formatKey(keyPath);
      const line = source.lineOf?.(keyPath) ?? source.origin?.line;
      const origin = source.origin ? { file: source.origin.file, ...(line ? { line } : {}) } : undefined;
      return {
        message: describeIssue(issue, key, "a Flux Kustomization"),
        ...(source.subject ? { subject: source.subject } : {}),
        ...(origin ? { origin } : {}),
      };
    });
  });
  return { ok: false, problems };
}

/** `timeout` as Flux prints it (`5m0s`), for messages. */
export const formatTimeout = (spec: Pick<KustomizationSpec, "timeout">): string =>
  formatDuration(spec.timeout);

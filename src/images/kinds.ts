/**
 * Flux's image automation objects as Ferry reads them from a repository: ImageRepository and
 * ImagePolicy (image-reflector-controller, `api/v1` and `api/v1beta2`) and ImageUpdateAutomation
 * (image-automation-controller, `api/v1` and `api/v1beta2`). Validated with zod; fields Ferry does
 * not know are kept, missing required ones are errors, and the CRDs' defaults are filled in.
 * Durations stay as written (`5m`), checked against the CRDs' patterns.
 */
import { z } from "zod";
import type { Problem } from "../model/result.js";
import { ReconcileError } from "../model/result.js";
import { describeIssue, formatKey } from "../model/zod-problems.js";
import { ConstraintError, parseConstraint } from "../semver/index.js";
import { compileGoRegexp, GoRegexpError } from "./policy/go-regexp.js";

export const IMAGE_API_GROUP = "image.toolkit.fluxcd.io";
const apiVersions = [`${IMAGE_API_GROUP}/v1`, `${IMAGE_API_GROUP}/v1beta2`] as const;
export type ImageApiVersion = (typeof apiVersions)[number];

/** A Go duration as Flux's CRDs accept it (`1h30m`, `10s`, `500ms`). */
const duration = z.string().regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, {
  error: "must be a duration such as 5m, 1h30m or 30s",
});
/** ImageRepository `timeout` leaves hours out. */
const shortDuration = z.string().regex(/^([0-9]+(\.[0-9]+)?(ms|s|m))+$/, {
  error: "must be a duration in ms, s or m, such as 30s or 1m30s",
});
const name = z.string().min(1);
const stringMap = z.record(z.string(), z.string());
const localReference = z.looseObject({ name });
const namespacedReference = z.looseObject({ name, namespace: z.string().optional() });

/** A Go regexp field: refused when Go's regexp would refuse it (or Ferry cannot translate it). */
const goRegexp = z.string().superRefine((pattern, ctx) => {
  try {
    compileGoRegexp(pattern);
  } catch (error) {
    if (!(error instanceof GoRegexpError)) throw error;
    ctx.addIssue({ code: "custom", message: `is not a valid Go regular expression: ${error.reason}` });
  }
});

const semverRange = z.string().superRefine((range, ctx) => {
  try {
    parseConstraint(range);
  } catch (error) {
    if (!(error instanceof ConstraintError)) throw error;
    ctx.addIssue({ code: "custom", message: `is not a valid semver range: ${error.reason}` });
  }
});

// --- ImageRepository ---

const imageRepositorySpec = z.looseObject({
  image: name,
  interval: duration,
  timeout: shortDuration.optional(),
  secretRef: localReference.optional(),
  proxySecretRef: localReference.optional(),
  certSecretRef: localReference.optional(),
  serviceAccountName: z.string().max(253).optional(),
  accessFrom: z.looseObject({}).optional(),
  exclusionList: z.array(goRegexp).max(25).default(["^.*\\.sig$"]),
  provider: z.enum(["generic", "aws", "azure", "gcp"]).default("generic"),
  insecure: z.boolean().optional(),
  suspend: z.boolean().optional(),
});

// --- ImagePolicy ---

const order = z.enum(["asc", "desc"]).default("asc");

const policyChoice = z
  .looseObject({
    semver: z.looseObject({ range: semverRange }).optional(),
    alphabetical: z.looseObject({ order }).optional(),
    numerical: z.looseObject({ order }).optional(),
  })
  .refine((choice) => choice.semver || choice.alphabetical || choice.numerical, {
    error: "must set one of semver, alphabetical or numerical",
  });

const imagePolicySpec = z
  .looseObject({
    imageRepositoryRef: namespacedReference,
    policy: policyChoice,
    filterTags: z.looseObject({ pattern: goRegexp.optional(), extract: z.string().optional() }).optional(),
    digestReflectionPolicy: z.enum(["Never", "IfNotPresent", "Always"]).default("Never"),
    interval: duration.optional(),
    suspend: z.boolean().optional(),
  })
  // The CRD's two CEL rules.
  .superRefine((spec, ctx) => {
    const always = spec.digestReflectionPolicy === "Always";
    if (spec.interval !== undefined && !always) {
      ctx.addIssue({
        code: "custom",
        path: ["interval"],
        message: "is only accepted when digestReflectionPolicy is Always",
      });
    }
    if (spec.interval === undefined && always) {
      ctx.addIssue({
        code: "custom",
        path: ["interval"],
        message: "is required when digestReflectionPolicy is Always",
      });
    }
  });

// --- ImageUpdateAutomation ---

const gitRepositoryRef = z.looseObject({
  branch: z.string().optional(),
  tag: z.string().optional(),
  semver: z.string().optional(),
  name: z.string().optional(),
  commit: z.string().optional(),
});

const gitSpec = z.looseObject({
  checkout: z.looseObject({ ref: gitRepositoryRef }).optional(),
  commit: z.looseObject({
    author: z.looseObject({ name: z.string().optional(), email: name }),
    signingKey: z
      .looseObject({ secretRef: localReference, type: z.enum(["gpg", "ssh"]).optional() })
      .optional(),
    messageTemplate: z.string().optional(),
    messageTemplateValues: stringMap.optional(),
  }),
  push: z
    .looseObject({
      branch: z.string().optional(),
      refspec: z.string().optional(),
      options: stringMap.optional(),
    })
    .optional(),
});

const labelSelector = z.looseObject({
  matchLabels: stringMap.optional(),
  matchExpressions: z
    .array(
      z.looseObject({
        key: name,
        operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

const imageUpdateAutomationSpec = z.looseObject({
  sourceRef: z.looseObject({
    apiVersion: z.string().optional(),
    kind: z.literal("GitRepository").default("GitRepository"),
    name,
    namespace: z.string().optional(),
  }),
  git: gitSpec.optional(),
  interval: duration,
  policySelector: labelSelector.optional(),
  update: z
    .looseObject({ strategy: z.literal("Setters").default("Setters"), path: z.string().optional() })
    .default({ strategy: "Setters" }),
  suspend: z.boolean().optional(),
});

// --- objects ---

const metadata = z.looseObject({ name, namespace: z.string().optional() });

const specs = {
  ImageRepository: imageRepositorySpec,
  ImagePolicy: imagePolicySpec,
  ImageUpdateAutomation: imageUpdateAutomationSpec,
} as const;

export type ImageKind = keyof typeof specs;
export type ImageRepositorySpec = z.output<typeof imageRepositorySpec>;
export type ImagePolicySpec = z.output<typeof imagePolicySpec>;
export type ImageUpdateAutomationSpec = z.output<typeof imageUpdateAutomationSpec>;

interface ImageObjectOf<K extends ImageKind> {
  apiVersion: ImageApiVersion;
  kind: K;
  metadata: z.output<typeof metadata>;
  spec: z.output<(typeof specs)[K]>;
}

export type ImageRepository = ImageObjectOf<"ImageRepository">;
export type ImagePolicy = ImageObjectOf<"ImagePolicy">;
export type ImageUpdateAutomation = ImageObjectOf<"ImageUpdateAutomation">;
export type ImageObject = ImageRepository | ImagePolicy | ImageUpdateAutomation;

/** An image automation object that is not valid; one problem per field at fault. */
export class ImageObjectError extends ReconcileError {
  override readonly name = "ImageObjectError";
}

/** Whether an object is one of the kinds here, by apiVersion group and kind. */
export function isImageObject(object: { apiVersion?: unknown; kind?: unknown }): boolean {
  return (
    typeof object.apiVersion === "string" &&
    object.apiVersion.startsWith(`${IMAGE_API_GROUP}/`) &&
    typeof object.kind === "string" &&
    Object.hasOwn(specs, object.kind)
  );
}

/**
 * Reads an ImageRepository, ImagePolicy or ImageUpdateAutomation from a plain Kubernetes object.
 * Throws an ImageObjectError whose problems name the object (`ImagePolicy/apps/web`) and each
 * field at fault (`spec.policy.semver.range is required`).
 */
export function readImageObject(object: unknown): ImageObject {
  const input = (typeof object === "object" && object !== null ? object : {}) as Record<string, unknown>;
  const kind = input.kind;
  const meta = (
    typeof input.metadata === "object" && input.metadata !== null ? input.metadata : {}
  ) as Record<string, unknown>;
  const subject = [kind, meta.namespace, meta.name]
    .filter((part) => typeof part === "string" && part)
    .join("/");
  const fail = (messages: string[]): never => {
    const problems: Problem[] = messages.map((message) => ({ message, subject }));
    throw new ImageObjectError(
      problems.map((problem) => `${subject || "object"}: ${problem.message}`).join("\n"),
      problems,
    );
  };

  if (typeof kind !== "string" || !Object.hasOwn(specs, kind)) {
    return fail([
      `kind ${JSON.stringify(kind)} is not an image automation kind (ImageRepository, ImagePolicy, ImageUpdateAutomation)`,
    ]);
  }
  if (!apiVersions.includes(input.apiVersion as ImageApiVersion)) {
    return fail([
      `apiVersion ${JSON.stringify(input.apiVersion)} is not supported for ${kind}; use ${apiVersions.join(" or ")}`,
    ]);
  }
  const schema = z.looseObject({ metadata, spec: specs[kind as ImageKind] });
  const parsed = schema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    return fail(
      parsed.error.issues.map((issue) => describeIssue(issue, formatKey(issue.path) || "the object")),
    );
  }
  return { apiVersion: input.apiVersion, kind, ...parsed.data } as ImageObject;
}

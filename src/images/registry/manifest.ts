/**
 * Image manifests as the OCI image spec and Docker's schema 2 write them: a config descriptor and
 * a list of layer descriptors, each with its media type, sha256 digest and size. Indexes
 * (multi-platform images) are recognised so they can be refused by name; an artifact such as a Helm
 * chart is always a single manifest.
 */
import { createHash } from "node:crypto";
import { z } from "zod";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const INDEX_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
];

/** What a manifest request accepts: single manifests, and indexes so they can be named in the refusal. */
export const MANIFEST_ACCEPT = [OCI_MANIFEST, DOCKER_MANIFEST, ...INDEX_TYPES].join(", ");

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

const descriptor = z.looseObject({
  mediaType: z.string(),
  digest: z.string().regex(SHA256_DIGEST, { error: "is not a sha256 digest (sha256:<64 hex digits>)" }),
  size: z.number().int().nonnegative(),
});

const manifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptor,
  layers: z.array(descriptor),
  annotations: z.record(z.string(), z.string()).optional(),
});

export type Descriptor = z.output<typeof descriptor>;

export interface ImageManifest {
  /** `sha256:<hex>` of the manifest's bytes: what a tag points at. */
  digest: string;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations: Record<string, string>;
}

/** `sha256:<hex>` of the bytes. */
export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** Whether `text` is a digest Ferry can check: `sha256:` and 64 lowercase hex digits. */
export function isSha256Digest(text: string): boolean {
  return SHA256_DIGEST.test(text);
}

/**
 * Reads a manifest's bytes (`contentType` is the answer's Content-Type); returns the reason it is not
 * a single image manifest as a string, to be worded by the caller.
 */
export function parseManifest(body: Buffer, contentType: string | undefined): ImageManifest | string {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return "it is not JSON";
  }
  const declared = (json as { mediaType?: unknown } | null)?.mediaType;
  const mediaType = typeof declared === "string" ? declared : (contentType?.split(";")[0]?.trim() ?? "");
  if (INDEX_TYPES.includes(mediaType) || Array.isArray((json as { manifests?: unknown } | null)?.manifests)) {
    return "it is an image index (a multi-platform image), not a single artifact";
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `it is not an image manifest (${issue?.path.join(".") || "the top level"}: ${issue?.message})`;
  }
  return {
    digest: sha256Digest(body),
    mediaType: mediaType || OCI_MANIFEST,
    config: parsed.data.config,
    layers: parsed.data.layers,
    annotations: parsed.data.annotations ?? {},
  };
}

/**
 * What the driver hands Ferry's post-renderer (main.ts) in a private JSON file: the HelmRelease's
 * `postRenderers`, the labels and annotations every object gets (its `commonMetadata` and Flux's
 * origin labels), the kubectl that runs kustomize, and where to write a failure (Helm 4 drops a
 * plugin's stderr, so the driver reads the failure from there).
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { canonicalJson } from "../../model/canonical-json.js";
import { type PostRenderer, postRendererSchema } from "../release.js";

const metadataSchema = z.strictObject({
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
});
/** Labels and annotations set on every object of the release (hooks aside), over the chart's. */
export type PostRenderMetadata = z.output<typeof metadataSchema>;

const configSchema = z.strictObject({
  kubectl: z.string().min(1),
  renderers: z.array(postRendererSchema),
  metadata: metadataSchema,
  errorFile: z.string().min(1),
});
export type PostRenderConfig = z.output<typeof configSchema>;

export async function readPostRenderConfig(path: string): Promise<PostRenderConfig> {
  const parsed = configSchema.safeParse(JSON.parse(await readFile(path, "utf8")));
  if (!parsed.success) throw new Error(`${path} is not a Ferry post-render configuration`);
  return parsed.data;
}

/**
 * A digest of what post-rendering does, short enough for a label value (40 hex characters of sha256
 * over canonical JSON); undefined when it does nothing.
 */
export function postRenderDigest(
  renderers: readonly PostRenderer[],
  metadata: PostRenderMetadata,
): string | undefined {
  const effective = effectivePostRenderers(renderers);
  if (!postRenders(effective, metadata)) return undefined;
  return createHash("sha256").update(canonicalJson({ effective, metadata })).digest("hex").slice(0, 40);
}

/** Whether post-rendering changes anything. */
export function postRenders(effective: readonly PostRenderer[], metadata: PostRenderMetadata): boolean {
  return (
    effective.length > 0 ||
    Object.keys(metadata.labels).length > 0 ||
    Object.keys(metadata.annotations).length > 0
  );
}

/** The post-renderers that change something (an empty `kustomize` does not). */
export function effectivePostRenderers(renderers: readonly PostRenderer[]): PostRenderer[] {
  return renderers.filter(
    (r) => (r.kustomize?.patches?.length ?? 0) + (r.kustomize?.images?.length ?? 0) > 0,
  );
}

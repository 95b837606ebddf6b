/**
 * What the driver hands Ferry's post-renderer (main.ts) in a private JSON file: the HelmRelease's
 * `postRenderers`, the kubectl that runs kustomize, and where to write a failure (Helm 4 drops a
 * plugin's stderr, so the driver reads the failure from there).
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { canonicalJson } from "../../model/canonical-json.js";
import { type PostRenderer, postRendererSchema } from "../release.js";

const configSchema = z.strictObject({
  kubectl: z.string().min(1),
  renderers: z.array(postRendererSchema),
  errorFile: z.string().min(1),
});
export type PostRenderConfig = z.output<typeof configSchema>;

export async function readPostRenderConfig(path: string): Promise<PostRenderConfig> {
  const parsed = configSchema.safeParse(JSON.parse(await readFile(path, "utf8")));
  if (!parsed.success) throw new Error(`${path} is not a Ferry post-render configuration`);
  return parsed.data;
}

/**
 * A digest of the post-renderers, short enough for a label value (40 hex characters of sha256 over
 * canonical JSON); undefined when there are none, or none that changes anything.
 */
export function postRenderersDigest(renderers: readonly PostRenderer[]): string | undefined {
  const effective = effectivePostRenderers(renderers);
  if (effective.length === 0) return undefined;
  return createHash("sha256").update(canonicalJson(effective)).digest("hex").slice(0, 40);
}

/** The post-renderers that change something (an empty `kustomize` does not). */
export function effectivePostRenderers(renderers: readonly PostRenderer[]): PostRenderer[] {
  return renderers.filter(
    (r) => (r.kustomize?.patches?.length ?? 0) + (r.kustomize?.images?.length ?? 0) > 0,
  );
}

/**
 * Flux's kustomize post-renderer: each of `postRenderers` in turn is a kustomize build of the
 * manifest so far, with the renderer's `patches` and `images` (helm-controller
 * `internal/postrender/kustomize.go`), run with the real kustomize (`kubectl kustomize`).
 * Hooks are left as they are: Helm 3 never passes them to a post-renderer, Helm 4 does (each
 * document annotated with its template file), so Ferry sets them aside to behave the same on both.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Document, isMap, parseAllDocuments, stringify } from "yaml";
import { cleanKustomizeError, runKustomize } from "../../build/kustomize.js";
import type { PostRenderer } from "../release.js";
import { effectivePostRenderers, type PostRenderMetadata } from "./config.js";

/** A post-renderer that failed, or a manifest it could not read. */
export class PostRenderError extends Error {
  override readonly name = "PostRenderError";
}

/** `manifest` with every renderer applied in order to everything but hooks. */
export async function postRender(
  manifest: string,
  renderers: readonly PostRenderer[],
  metadata: PostRenderMetadata,
  kubectl: string,
): Promise<string> {
  const documents = parseAllDocuments(manifest);
  const broken = documents.findIndex((d) => d.errors.length > 0);
  if (broken >= 0) {
    // By position only: the parser's message quotes the text, which may be a Secret's.
    throw new PostRenderError(`document ${broken + 1} of the manifest helm rendered is not valid YAML`);
  }
  const objects = documents.filter((d) => d.contents !== null);
  const hooks = objects.filter(isHook);
  let current = joinDocuments(objects.filter((d) => !isHook(d)));
  for (const [index, renderer] of renderers.entries()) {
    const kustomize = renderer.kustomize;
    if (!kustomize || effectivePostRenderers([renderer]).length === 0 || current === "") continue;
    current = await kustomizeOnce(current, kustomize, kubectl, index);
  }
  current = withMetadata(current, metadata);
  return [current, joinDocuments(hooks)].filter((part) => part !== "").join("---\n");
}

/**
 * Flux's common-metadata and origin-label renderers: each object's `metadata.labels` and
 * `metadata.annotations` get these, over what the chart set (selectors and templates are left alone).
 */
function withMetadata(manifest: string, metadata: PostRenderMetadata): string {
  const sets = [
    ["labels", metadata.labels],
    ["annotations", metadata.annotations],
  ] as const;
  if (manifest === "" || sets.every(([, values]) => Object.keys(values).length === 0)) return manifest;
  const documents = parseAllDocuments(manifest).filter((d) => d.contents !== null);
  for (const document of documents) {
    if (!isMap(document.contents)) continue;
    for (const [field, values] of sets) {
      if (Object.keys(values).length === 0) continue;
      const current = document.getIn(["metadata", field], true);
      // A missing or empty (`labels:`) map is made whole; an existing one gets the keys.
      if (!isMap(current)) document.setIn(["metadata", field], document.createNode({ ...values }));
      else for (const [key, value] of Object.entries(values)) current.set(key, value);
    }
  }
  return joinDocuments(documents);
}

const isHook = (document: Document.Parsed): boolean =>
  document.hasIn(["metadata", "annotations", "helm.sh/hook"]);

const joinDocuments = (documents: Document.Parsed[]): string =>
  documents.map((d) => d.toString({ directives: false })).join("---\n");

async function kustomizeOnce(
  manifest: string,
  kustomize: NonNullable<PostRenderer["kustomize"]>,
  kubectl: string,
  index: number,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-post-render-"));
  try {
    await writeFile(join(dir, "helm-output.yaml"), manifest, { mode: 0o600 });
    const kustomization = {
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["helm-output.yaml"],
      ...(kustomize.patches?.length ? { patches: kustomize.patches } : {}),
      ...(kustomize.images?.length ? { images: kustomize.images } : {}),
    };
    await writeFile(join(dir, "kustomization.yaml"), stringify(kustomization));
    const outcome = await runKustomize({ kubectl, dir });
    if (!outcome.ok) {
      throw new PostRenderError(`postRenderers[${index}]: ${cleanKustomizeError(outcome.message, [dir])}`);
    }
    return outcome.yaml;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

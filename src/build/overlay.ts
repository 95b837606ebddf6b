/**
 * Writes a Flux Kustomization's overlay fields into a kustomization file, as Flux's generator
 * does (fluxcd/pkg kustomize_generator.go `GenerateManifest`).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type Document, isMap, isScalar, isSeq, stringify, type YAMLMap, YAMLSeq } from "yaml";
import { BuildError } from "./errors.js";
import { isInside, isRemoteReference } from "./paths.js";
import type { KustomizationOverlay, KustomizationSelector } from "./spec.js";

export interface OverlayContext {
  /** The kustomization file, relative to the repository root (for messages). */
  file: string;
  /** The Kustomization path, relative to the repository root. */
  path: string;
  /** The repository copy's root and the Kustomization path in it (absolute). */
  root: string;
  dir: string;
}

/**
 * Applies `overlay` to the kustomization `doc` in place:
 * - `targetNamespace` → `namespace`, `namePrefix`, `nameSuffix` (replace what the file says);
 * - `patches` appended (inline patch with optional target), and v1beta2's
 *   `patchesStrategicMerge` / `patchesJson6902` appended as inline patches too;
 * - `components` appended; each must be a local relative path inside the repository, and a
 *   missing one is dropped when `ignoreMissingComponents`;
 * - `images` merged by name: `newName` replaces, `newTag` and `digest` replace together;
 * - `buildMetadata` replaces the file's.
 * `commonMetadata` is not a kustomize field: it is set on the objects after the build.
 */
export function applyOverlay(doc: Document, overlay: KustomizationOverlay, context: OverlayContext): void {
  if (overlay.targetNamespace) doc.set("namespace", overlay.targetNamespace);
  if (overlay.namePrefix) doc.set("namePrefix", overlay.namePrefix);
  if (overlay.nameSuffix) doc.set("nameSuffix", overlay.nameSuffix);

  for (const p of overlay.patches ?? []) append(doc, "patches", patchEntry(p.patch, p.target));
  for (const p of overlay.patchesStrategicMerge ?? []) append(doc, "patches", { patch: stringify(p) });
  for (const p of overlay.patchesJson6902 ?? []) {
    append(doc, "patches", patchEntry(JSON.stringify(p.patch), p.target));
  }

  for (const component of overlay.components ?? []) {
    if (isRemoteReference(component) || component.startsWith("/") || /^file:\/\//i.test(component)) {
      throw BuildError.at(
        { file: context.file },
        `spec.components: component path '${component}' must be local and relative to the Kustomization path ${context.path}`,
      );
    }
    const target = resolve(context.dir, component);
    if (!isInside(context.root, target)) {
      throw BuildError.at(
        { file: context.file },
        `spec.components: component path '${component}' leaves the repository (from ${context.path})`,
      );
    }
    if (overlay.ignoreMissingComponents && !existsSync(target)) continue;
    append(doc, "components", component);
  }

  for (const image of overlay.images ?? []) mergeImage(doc, image);

  if (overlay.buildMetadata && overlay.buildMetadata.length > 0)
    doc.set("buildMetadata", doc.createNode(overlay.buildMetadata));
}

/** The file's `buildMetadata` entries. */
export function buildMetadataOf(doc: Document): string[] {
  const value = doc.get("buildMetadata");
  if (!isSeq(value)) return [];
  return value.items.flatMap((item) =>
    isScalar(item) && typeof item.value === "string" ? [item.value] : [],
  );
}

/** Adds `originAnnotations` to the file's `buildMetadata` (keeping what it has). */
export function requestOriginAnnotations(doc: Document): void {
  const current = buildMetadataOf(doc);
  if (!current.includes("originAnnotations"))
    doc.set("buildMetadata", doc.createNode([...current, "originAnnotations"]));
}

function patchEntry(patch: string, target: KustomizationSelector | undefined): Record<string, unknown> {
  const cleanTarget = target
    ? Object.fromEntries(Object.entries(target).filter(([, v]) => v !== undefined && v !== ""))
    : undefined;
  return cleanTarget && Object.keys(cleanTarget).length > 0 ? { patch, target: cleanTarget } : { patch };
}

function append(doc: Document, key: string, value: unknown): void {
  const current = doc.get(key, true);
  if (isSeq(current)) {
    current.add(doc.createNode(value));
    return;
  }
  const seq = new YAMLSeq();
  seq.add(doc.createNode(value));
  doc.set(key, seq);
}

function mergeImage(doc: Document, image: NonNullable<KustomizationOverlay["images"]>[number]): void {
  const images = doc.get("images", true);
  const existing = isSeq(images)
    ? (images.items.find((item) => isMap(item) && item.get("name") === image.name) as YAMLMap | undefined)
    : undefined;
  if (!existing) {
    append(
      doc,
      "images",
      Object.fromEntries(Object.entries(image).filter(([, v]) => v !== undefined && v !== "")),
    );
    return;
  }
  if (image.newName) existing.set("newName", image.newName);
  // newTag and digest both pick the version: setting one clears the other, as Flux does.
  if (image.newTag || image.digest) {
    for (const key of ["newTag", "digest"] as const) {
      const value = image[key];
      if (value) existing.set(key, value);
      else existing.delete(key);
    }
  }
}

/** Flux's `spec.commonMetadata` (fluxcd/pkg ssa/utils SetCommonMetadata). */
import type { Manifest } from "../model/object.js";
import type { CommonMetadata } from "./spec.js";

/**
 * Sets the labels and annotations on every object's own metadata, overriding keys it already
 * has. Unlike kustomize's `commonLabels`, nothing else changes (no selectors, no templates).
 */
export function setCommonMetadata(manifests: Manifest[], common: CommonMetadata | undefined): void {
  const labels = Object.entries(common?.labels ?? {});
  const annotations = Object.entries(common?.annotations ?? {});
  if (labels.length === 0 && annotations.length === 0) return;
  for (const { object } of manifests) {
    if (labels.length > 0)
      object.metadata.labels = { ...object.metadata.labels, ...Object.fromEntries(labels) };
    if (annotations.length > 0) {
      object.metadata.annotations = { ...object.metadata.annotations, ...Object.fromEntries(annotations) };
    }
  }
}

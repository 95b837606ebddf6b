/** A release's manifest (what `helm get manifest` prints, and an upgrade's rendered manifest) as objects. */
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../model/object.js";

/**
 * The objects of a manifest, in order; empty documents (templates that rendered nothing) are left
 * out. The text may hold Secret data, so a document that does not parse is named by its position only.
 */
export function objectsOfManifest(manifest: string, describe: string): KubeObject[] {
  const objects: KubeObject[] = [];
  parseAllDocuments(manifest).forEach((document, index) => {
    if (document.errors.length > 0) throw new Error(`${describe}: document ${index + 1} is not valid YAML`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return;
    const object = value as Partial<KubeObject>;
    if (typeof object.kind !== "string" || typeof object.metadata?.name !== "string") {
      throw new Error(
        `${describe}: document ${index + 1} is not a Kubernetes object (no kind or metadata.name)`,
      );
    }
    objects.push(object as KubeObject);
  });
  return objects;
}

/**
 * Where a release's object lands, as the API server places it: a namespaced kind without a namespace
 * goes to the release's, and a cluster-scoped kind is cluster-scoped whatever namespace the template
 * gives it. A kind the cluster does not serve yet (its CRD comes with the chart) is taken as namespaced.
 */
export async function placeInRelease(
  object: KubeObject,
  releaseNamespace: string,
  isNamespaced: (apiVersion: string, kind: string) => Promise<boolean>,
): Promise<KubeObject> {
  const namespaced = await isNamespaced(object.apiVersion, object.kind).catch(() => true);
  const { namespace, ...metadata } = object.metadata;
  if (!namespaced) return { ...object, metadata };
  return { ...object, metadata: { ...metadata, namespace: namespace ?? releaseNamespace } };
}

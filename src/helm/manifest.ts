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

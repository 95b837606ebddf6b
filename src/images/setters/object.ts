import { type Document, isMap } from "yaml";
import type { ObjectIdentifier } from "./types.js";

const text = (value: unknown) => (typeof value === "string" ? value : "");

/**
 * The object a document holds, as kyaml's GetMeta reads it: none when the root is not a mapping or
 * has neither `apiVersion`, `kind` nor `metadata`; missing fields are empty (a `kustomization.yaml`
 * has no name). Expects a document parsed with the failsafe schema, where every scalar is a string.
 */
export function objectOf(doc: Document.Parsed): ObjectIdentifier | undefined {
  const root = doc.contents;
  if (!isMap(root)) return undefined;
  const apiVersion = text(root.get("apiVersion"));
  const kind = text(root.get("kind"));
  const metadata = root.get("metadata");
  const meta = isMap(metadata) ? metadata : undefined;
  if (!apiVersion && !kind && !meta?.items.length) return undefined;
  const namespace = text(meta?.get("namespace"));
  return { apiVersion, kind, name: text(meta?.get("name")), ...(namespace ? { namespace } : {}) };
}

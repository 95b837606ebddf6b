import type { MapNode } from "../tree.js";

/** The file formats SOPS encrypts (INI is not supported). */
export type SopsFormat = "yaml" | "json" | "dotenv" | "binary";

export const SOPS_FORMATS: readonly SopsFormat[] = ["yaml", "json", "dotenv", "binary"];

/** An encrypted document as a format read it. */
export interface ParsedDocument {
  /** The data, one branch per document (YAML may hold several), without the metadata. */
  branches: MapNode[];
  /** The `sops` metadata as plain data; undefined when the document has none. */
  metadata: unknown;
  /** The document in its own format, once the tree's values have been decrypted in place. */
  emit(): string | Uint8Array;
}

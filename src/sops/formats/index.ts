import type { MapNode } from "../tree.js";
import type { ParsedDocument, SopsFormat } from "./document.js";
import { emitDotenvTree, isDotenvSopsDocument, parseDotenv } from "./dotenv.js";
import { emitBinaryTree, emitJsonTree, isJsonSopsDocument, parseJson } from "./json.js";
import { emitYamlTree, isYamlSopsDocument, parseYaml } from "./yaml.js";

export type { ParsedDocument, SopsFormat } from "./document.js";
export { SOPS_FORMATS } from "./document.js";

export function parseEncrypted(text: string, format: SopsFormat, file: string | undefined): ParsedDocument {
  switch (format) {
    case "yaml":
      return parseYaml(text, file);
    case "json":
      return parseJson(text, file, false);
    case "binary":
      return parseJson(text, file, true);
    case "dotenv":
      return parseDotenv(text, file);
  }
}

/** Decrypted branches in another format than the input's (Flux decrypts Secret entries this way). */
export function emitAs(branches: readonly MapNode[], format: SopsFormat): string | Uint8Array {
  switch (format) {
    case "yaml":
      return emitYamlTree(branches);
    case "json":
      return emitJsonTree(branches);
    case "binary":
      return emitBinaryTree(branches);
    case "dotenv":
      return emitDotenvTree(branches);
  }
}

/** Whether the text is a SOPS-encrypted document of that format (it carries SOPS metadata). */
export function isSopsDocument(text: string, format: SopsFormat): boolean {
  switch (format) {
    case "yaml":
      return isYamlSopsDocument(text);
    case "json":
    case "binary":
      return isJsonSopsDocument(text);
    case "dotenv":
      return isDotenvSopsDocument(text);
  }
}

/**
 * The format `sops` infers from a file name (formats.FormatForPath), with Flux's one exception:
 * `.dockerconfigjson` is JSON. Anything else is binary.
 */
export function formatForPath(path: string): SopsFormat {
  if (path.endsWith(".dockerconfigjson") || path.endsWith(".json")) return "json";
  if (path.endsWith(".yaml") || path.endsWith(".yml")) return "yaml";
  if (path.endsWith(".env")) return "dotenv";
  return "binary";
}

/**
 * The format of an encrypted file found inside a Secret entry, by the metadata markers Flux looks for
 * (`sops_mac=ENC[`, `"mac": "ENC[`, `mac: ENC[`), or by its structure for a file without a MAC (which
 * decryption then refuses rather than passing ciphertext on).
 */
export function detectEncryptedFormat(text: string): SopsFormat | undefined {
  if (text.includes("sops_mac=ENC[")) return "dotenv";
  if (/"mac"\s*:\s*"ENC\[/.test(text)) return "json";
  if (text.includes("mac: ENC[")) return "yaml";
  if (!text.includes("sops")) return undefined;
  if (isDotenvSopsDocument(text)) return "dotenv";
  if (isJsonSopsDocument(text)) return "json";
  if (isYamlSopsDocument(text)) return "yaml";
  return undefined;
}

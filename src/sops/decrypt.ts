import { decryptValue, ValueCipherError } from "./cipher.js";
import { recoverDataKey } from "./datakey.js";
import { asSopsError, SopsError } from "./errors.js";
import { emitAs, type ParsedDocument, parseEncrypted, type SopsFormat } from "./formats/index.js";
import type { SopsKeys } from "./keys.js";
import { parseMetadata, type SopsMetadata } from "./metadata.js";
import { decryptTree, type MapNode } from "./tree.js";

/** How a document is decrypted beyond `sops -d`'s defaults. */
export interface DecryptOptions {
  /** Check the MAC (default true). Off only where the tree was changed after encryption on purpose. */
  verifyMac?: boolean;
  /** Print the result in another format than the input's (as Flux does for Secret entries). */
  outputFormat?: SopsFormat;
}

/** Refuses a document whose MAC is missing or does not match the values, as `sops -d` does. */
function checkMac(
  metadata: SopsMetadata,
  dataKey: Uint8Array,
  computed: string,
  file: string | undefined,
): void {
  if (metadata.mac === "") {
    throw new SopsError(
      "has no MAC, so its integrity cannot be checked; sops refuses it too (without --ignore-mac). " +
        "Re-encrypt it with sops",
      file,
    );
  }
  let stored: string | undefined;
  try {
    const value = decryptValue(metadata.mac, dataKey, metadata.macAdditionalData);
    stored = value.kind === "str" ? value.value : undefined;
  } catch (error) {
    if (!(error instanceof ValueCipherError)) throw error;
  }
  if (stored === undefined) {
    throw new SopsError(
      "its MAC cannot be decrypted: the MAC or lastmodified was changed after encryption. " +
        "Restore the file or re-encrypt it with sops",
      file,
    );
  }
  if (stored !== computed) {
    throw new SopsError(
      "MAC mismatch: the document was changed after encryption (edited or tampered with), so its " +
        "integrity cannot be trusted. Restore it or re-encrypt it with sops",
      file,
    );
  }
}

/** Decrypts a parsed document's tree in place; returns its branches. */
export async function decryptParsed(
  parsed: Pick<ParsedDocument, "branches" | "metadata">,
  keys: SopsKeys,
  file: string | undefined,
  verifyMac: boolean,
): Promise<MapNode[]> {
  if (parsed.metadata === undefined) {
    throw new SopsError("is not a SOPS-encrypted document: it has no sops metadata", file);
  }
  const metadata = parseMetadata(parsed.metadata, file);
  const dataKey = await recoverDataKey(metadata, keys, file);
  const computed = decryptTree(parsed.branches, {
    dataKey,
    rules: metadata.rules,
    macOnlyEncrypted: metadata.macOnlyEncrypted,
    file,
  });
  if (verifyMac) checkMac(metadata, dataKey, computed, file);
  return parsed.branches;
}

/** Decrypts a SOPS document; binary documents come back as bytes. */
export async function decryptDocument(
  text: string,
  format: SopsFormat,
  keys: SopsKeys,
  file?: string,
  options: DecryptOptions = {},
): Promise<string | Uint8Array> {
  try {
    const parsed = parseEncrypted(text, format, file);
    await decryptParsed(parsed, keys, file, options.verifyMac ?? true);
    const output = options.outputFormat ?? format;
    return output === format ? parsed.emit() : emitAs(parsed.branches, output);
  } catch (error) {
    throw asSopsError(error, file);
  }
}

/**
 * Decrypts a SOPS document as `sops -d` does: recovers the data key (age identities first, then PGP
 * keys; any one listed key suffices), decrypts the values and encrypted comments, checks the MAC, and
 * returns the document in its format (YAML keeps its layout and comments; JSON is printed as sops
 * prints it; dotenv as lines; binary as the file's content).
 */
export async function decryptText(
  text: string,
  format: SopsFormat,
  keys: SopsKeys,
  file?: string,
): Promise<string> {
  const output = await decryptDocument(text, format, keys, file);
  return typeof output === "string" ? output : Buffer.from(output).toString("utf8");
}

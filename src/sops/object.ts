import { decryptDocument, decryptParsed } from "./decrypt.js";
import { asSopsError } from "./errors.js";
import { readDotenvTree, takeFlatMetadata } from "./formats/dotenv.js";
import { detectEncryptedFormat, formatForPath } from "./formats/index.js";
import { type GoValue, goNull, goStr, toPlain, valueToText } from "./govalue.js";
import type { SopsKeys } from "./keys.js";
import type { MapNode, TreeNode } from "./tree.js";

/**
 * Decryption of build output, as Flux's kustomize-controller does it (`DecryptResource`), on Kubernetes
 * objects as plain JSON data.
 */

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The annotation with which Flux users opt an object out of decryption. */
const DECRYPT_ANNOTATION = "kustomize.toolkit.fluxcd.io/decrypt";

function decryptionDisabled(obj: Json): boolean {
  const metadata = isRecord(obj.metadata) ? obj.metadata : {};
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const value = annotations[DECRYPT_ANNOTATION];
  return typeof value === "string" && value.toLowerCase() === "disabled";
}

function plainValue(value: unknown): GoValue {
  if (typeof value === "string") return goStr(value);
  if (typeof value === "boolean") return { kind: "bool", value };
  if (typeof value === "number") {
    return Number.isSafeInteger(value) ? { kind: "int", value: BigInt(value) } : { kind: "float", value };
  }
  return goNull;
}

/** A tree over plain data whose decrypted values are written back into it. */
function treeOf(value: unknown, write: (value: unknown) => void): TreeNode {
  if (Array.isArray(value)) {
    return { kind: "seq", items: value.map((item, index) => treeOf(item, (next) => (value[index] = next))) };
  }
  if (isRecord(value)) {
    return {
      kind: "map",
      items: Object.entries(value).map(([key, item]) => ({
        kind: "pair",
        key,
        value: treeOf(item, (next) => (value[key] = next)),
      })),
    };
  }
  return { kind: "leaf", value: plainValue(value), set: (next) => write(toPlain(next)) };
}

function describe(obj: Json, file: string | undefined): string {
  const metadata = isRecord(obj.metadata) ? obj.metadata : {};
  const name = `${typeof metadata.namespace === "string" ? `${metadata.namespace}/` : ""}${String(metadata.name ?? "")}`;
  const object = `${String(obj.kind ?? "object")} ${name}`.trim();
  return file ? `${file} (${object})` : object;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * A Secret entry map holding a dotenv file that kustomize's secretGenerator split into entries
 * (`envs:` with an encrypted .env): the `sops_…` entries are its metadata.
 */
function isSplitDotenv(map: Json): boolean {
  return "sops_mac" in map || ("sops_lastmodified" in map && "sops_version" in map);
}

async function decryptSplitDotenv(map: Json, encoded: boolean, keys: SopsKeys, label: string): Promise<Json> {
  const lines = Object.entries(map).map(([key, value]) => {
    const text = encoded ? Buffer.from(String(value), "base64").toString("utf8") : String(value);
    return `${key}=${text.replaceAll("\n", "\\n")}`;
  });
  const branch: MapNode = readDotenvTree(lines.join("\n"), label);
  const metadata = takeFlatMetadata(branch);
  // kustomize sorts the entries, so the MAC (over the file's order) cannot be checked; every value is
  // still authenticated with its key by AES-GCM.
  await decryptParsed({ branches: [branch], metadata }, keys, label, false);
  const result: Json = {};
  for (const item of branch.items) {
    if (item.kind !== "pair" || item.value.kind !== "leaf") continue;
    const value = item.value.value;
    const text = value.kind === "str" ? value.value : valueToText(value);
    result[item.key] = encoded ? Buffer.from(text, "utf8").toString("base64") : text;
  }
  return result;
}

async function decryptSecret(secret: Json, keys: SopsKeys, label: string): Promise<Json> {
  const copy = structuredClone(secret);
  let changed = false;
  for (const field of ["data", "stringData"] as const) {
    const map = copy[field];
    if (!isRecord(map)) continue;
    const encoded = field === "data";
    if (isSplitDotenv(map)) {
      copy[field] = await decryptSplitDotenv(map, encoded, keys, `${label} ${field}`);
      changed = true;
      continue;
    }
    for (const [key, value] of Object.entries(map)) {
      if (typeof value !== "string" || (encoded && !BASE64.test(value))) continue;
      const bytes = encoded ? Buffer.from(value, "base64") : Buffer.from(value, "utf8");
      const text = bytes.toString("utf8");
      const format = detectEncryptedFormat(text);
      if (!format) continue;
      const output = await decryptDocument(text, format, keys, `${label} ${field}.${key}`, {
        outputFormat: formatForPath(key),
      });
      const outBytes = typeof output === "string" ? Buffer.from(output, "utf8") : Buffer.from(output);
      map[key] = encoded ? outBytes.toString("base64") : outBytes.toString("utf8");
      changed = true;
    }
  }
  return changed ? copy : secret;
}

/** A top-level `sops` entry that is SOPS metadata (Flux looks for `sops.mac`; a file without MAC is refused later). */
function hasSopsMetadata(obj: Json): boolean {
  const sops = obj.sops;
  return isRecord(sops) && ["mac", "lastmodified", "version"].some((field) => field in sops);
}

/**
 * For build output: a Kubernetes object (plain JSON) that is a SOPS-encrypted document (has a top-level
 * `sops` key) → the decrypted object; a Secret whose data/stringData values are SOPS-encrypted files
 * (made by kustomize secretGenerator from an encrypted .env/.json/.yaml/binary file; data values are
 * base64) → the Secret with those values decrypted, each in the format its key's extension names; anything
 * else returned unchanged. Objects annotated `kustomize.toolkit.fluxcd.io/decrypt: disabled` are left alone.
 *
 * Like Flux, the MAC of a whole encrypted object is not checked: the build changes such objects on
 * purpose (name prefixes, namespaces, labels). Every encrypted value is still authenticated with its path
 * by AES-GCM. A file carried whole in a Secret entry is checked, MAC included, as `sops -d` checks it.
 */
export async function decryptObject(
  obj: Record<string, unknown>,
  keys: SopsKeys,
  file?: string,
): Promise<Record<string, unknown>> {
  if (decryptionDisabled(obj)) return obj;
  const label = describe(obj, file);
  try {
    if (hasSopsMetadata(obj)) {
      const copy = structuredClone(obj);
      const metadata = copy.sops;
      delete copy.sops;
      const branch = treeOf(copy, () => {}) as MapNode;
      await decryptParsed({ branches: [branch], metadata }, keys, label, false);
      return copy;
    }
    if (obj.kind === "Secret") return await decryptSecret(obj, keys, label);
    return obj;
  } catch (error) {
    throw asSopsError(error, label);
  }
}

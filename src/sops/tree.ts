import { createHash } from "node:crypto";
import {
  decryptValue,
  isEncryptedComment,
  openValue,
  parseEncryptedValue,
  ValueCipherError,
} from "./cipher.js";
import { SopsError } from "./errors.js";
import { type GoValue, macBytes } from "./govalue.js";
import { type CryptRules, shouldBeEncrypted } from "./rules.js";

/**
 * The document tree as SOPS walks it (sops.go's TreeBranch): ordered mappings and sequences with
 * comments as items of their own. Each format builds one from its input and gets the decrypted
 * values back through the `set` callbacks, so it can write them where they came from.
 */

export interface CommentNode {
  kind: "comment";
  /** The comment's text without the leading `#`. */
  text: string;
  set?: (text: string) => void;
}

export interface LeafNode {
  kind: "leaf";
  value: GoValue;
  set?: (value: GoValue) => void;
}

export interface PairNode {
  kind: "pair";
  key: string;
  value: TreeNode;
}

export interface MapNode {
  kind: "map";
  items: (CommentNode | PairNode)[];
}

export interface SeqNode {
  kind: "seq";
  items: (CommentNode | TreeNode)[];
}

export type TreeNode = MapNode | SeqNode | LeafNode;

type Visit = (
  node: LeafNode | CommentNode,
  path: readonly string[],
  commentsStack: readonly (readonly string[])[],
) => void;

/**
 * `walkBranch`/`walkSlice`: depth first in document order. Comments join the active comments of their
 * level (read by the comment crypt rules) until the next value of that level; sequence items do not
 * add to the path.
 */
export function walkTree(branches: readonly MapNode[], visit: Visit): void {
  for (const branch of branches) walkBranch(branch, [], [], visit);
}

function walkValue(node: TreeNode, path: readonly string[], stack: string[][], visit: Visit): void {
  if (node.kind === "map") walkBranch(node, path, stack, visit);
  else if (node.kind === "seq") walkSlice(node, path, stack, visit);
  else if (node.value.kind !== "null") visit(node, path, stack);
}

function walkBranch(node: MapNode, path: readonly string[], outer: string[][], visit: Visit): void {
  const stack = [...outer, []];
  const top = stack.length - 1;
  for (const item of node.items) {
    if (item.kind === "comment") {
      stack[top]?.push(item.text);
      visit(item, path, stack);
      continue;
    }
    walkValue(item.value, [...path, item.key], stack, visit);
    stack[top] = [];
  }
}

function walkSlice(node: SeqNode, path: readonly string[], outer: string[][], visit: Visit): void {
  const stack = [...outer, []];
  const top = stack.length - 1;
  for (const item of node.items) {
    if (item.kind === "comment") {
      stack[top]?.push(item.text);
      visit(item, path, stack);
      continue;
    }
    walkValue(item, path, stack, visit);
    stack[top] = [];
  }
}

/** The additional data SOPS authenticates a value with: its path joined by ":" plus a trailing ":". */
export function additionalData(path: readonly string[]): string {
  return `${path.join(":")}:`;
}

/** A path for messages, e.g. `stringData.password` (or "the top level"). */
export function describePath(path: readonly string[]): string {
  return path.length === 0 ? "the top level" : path.join(".");
}

/** The additional data of every mapping and sequence of the tree, in document order. */
function containerPaths(branches: readonly MapNode[]): string[] {
  const found = new Set<string>();
  const visitNode = (node: TreeNode, path: readonly string[]): void => {
    if (node.kind === "leaf") return;
    found.add(additionalData(path));
    for (const item of node.items) {
      if (item.kind === "pair") visitNode(item.value, [...path, item.key]);
      else if (item.kind !== "comment") visitNode(item, path);
    }
  };
  for (const branch of branches) visitNode(branch, []);
  return [...found];
}

/** Bytes hashed first when `mac_only_encrypted` is set: sha256("sops"). */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from(
  "8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69",
  "hex",
);

export interface DecryptTreeOptions {
  dataKey: Uint8Array;
  rules: CryptRules;
  macOnlyEncrypted: boolean;
  file?: string;
}

/**
 * `Tree.Decrypt`: decrypts every value the crypt rules say is encrypted (writing it back through its
 * `set`), decrypts encrypted comments, and returns the MAC computed over the plaintext values: SHA-512,
 * upper-case hex, over the values in tree order (only the encrypted ones with `mac_only_encrypted`).
 *
 * A comment is not part of the MAC; one that does not decrypt is left as it is (as SOPS does). Its
 * additional data is the path of the mapping or sequence holding it; YAML libraries disagree on where a
 * comment between two levels belongs, so the other containers' paths are tried next: AES-GCM
 * authenticates the path, so a wrong one cannot produce a plaintext.
 */
export function decryptTree(branches: readonly MapNode[], options: DecryptTreeOptions): string {
  const { dataKey, rules, macOnlyEncrypted, file } = options;
  const hash = createHash("sha512");
  if (macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  let containers: string[] | undefined;

  walkTree(branches, (node, path, stack) => {
    if (node.kind === "comment") {
      if (!isEncryptedComment(node.text)) return;
      const encrypted = parseEncryptedValue(node.text);
      if (!encrypted) return;
      containers ??= containerPaths(branches);
      const own = additionalData(path);
      for (const candidate of [own, ...containers.filter((c) => c !== own)]) {
        const plain = openValue(encrypted, dataKey, candidate);
        if (plain) {
          node.text = plain.toString("utf8");
          node.set?.(node.text);
          return;
        }
      }
      return;
    }
    const encrypted = shouldBeEncrypted(rules, path, stack, false);
    let value = node.value;
    if (encrypted) {
      if (value.kind !== "str") {
        throw new SopsError(
          `the value at ${describePath(path)} should be encrypted but is a plain ${value.kind}; ` +
            "was the file edited after encryption? Re-encrypt it with sops",
          file,
        );
      }
      try {
        const decrypted = decryptValue(value.value, dataKey, additionalData(path));
        value = decrypted.kind === "comment" ? { kind: "str", value: decrypted.value } : decrypted;
      } catch (error) {
        if (!(error instanceof ValueCipherError)) throw error;
        throw new SopsError(`the value at ${describePath(path)} ${error.message}`, file);
      }
    }
    if (!macOnlyEncrypted || encrypted) hash.update(macBytes(value));
    if (encrypted) {
      node.value = value;
      node.set?.(value);
    }
  });
  return hash.digest("hex").toUpperCase();
}

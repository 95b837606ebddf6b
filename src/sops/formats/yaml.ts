import {
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  Pair,
  parseAllDocuments,
  Scalar,
  type ToStringOptions,
  YAMLMap,
  YAMLSeq,
} from "yaml";
import { SopsError } from "../errors.js";
import {
  formatFloatF,
  type GoValue,
  goNull,
  goStr,
  resolveYamlPlain,
  toPlain,
  yamlStringNeedsQuotes,
} from "../govalue.js";
import type { CommentNode, LeafNode, MapNode, PairNode, SeqNode, TreeNode } from "../tree.js";
import type { ParsedDocument } from "./document.js";

/**
 * The YAML store. Reading follows go-yaml v3 as SOPS uses it (value types, one branch per document,
 * comments as tree items); writing keeps the document itself: the `yaml` Document AST is updated in
 * place (values, comments), the `sops` entry removed, and printed with the file's own indentation.
 */

const CORE_TAG = "tag:yaml.org,2002:";

/** What SOPS (go-yaml v3, decoding into interface{}) reads a scalar as. */
export function scalarValue(scalar: Scalar): GoValue {
  const tag = scalar.tag;
  if (tag === `${CORE_TAG}binary`) {
    const bytes = Buffer.from(String(scalar.source ?? ""), "base64");
    return { kind: "str", value: bytes.toString("utf8"), bytes: new Uint8Array(bytes) };
  }
  if (scalar.type !== undefined && scalar.type !== Scalar.PLAIN) return goStr(String(scalar.value ?? ""));
  const source = scalar.source ?? (scalar.value === null ? "" : String(scalar.value));
  if (tag === undefined || tag === "!") return resolveYamlPlain(source);
  if (tag === `${CORE_TAG}str`) return goStr(source);
  if (!tag.startsWith(CORE_TAG)) return goStr(source);
  const resolved = resolveYamlPlain(source);
  return tag === `${CORE_TAG}float` && resolved.kind === "int"
    ? { kind: "float", value: Number(resolved.value) }
    : resolved;
}

/** go-yaml prints these floats as YAML's special values; others keep a fraction so they stay floats. */
function yamlFloat(value: number): string {
  if (Number.isNaN(value)) return ".nan";
  if (!Number.isFinite(value)) return value > 0 ? ".inf" : "-.inf";
  const text = formatFloatF(value);
  return Number.isInteger(value) ? `${text}.0` : text;
}

/**
 * Writes a (decrypted) value into a scalar node. Documents are read with the failsafe schema (every
 * scalar a string, printed as written), so the style decides the type: strings YAML readers would take
 * for something else are double-quoted, numbers and booleans are plain.
 */
export function writeScalar(scalar: Scalar, value: GoValue): void {
  delete scalar.source;
  scalar.tag = undefined;
  scalar.format = undefined;
  scalar.minFractionDigits = undefined;
  let text: string;
  switch (value.kind) {
    case "str":
    case "bytes":
      text = value.kind === "str" ? value.value : Buffer.from(value.value).toString("utf8");
      scalar.value = text;
      scalar.type = yamlStringNeedsQuotes(text) ? Scalar.QUOTE_DOUBLE : undefined;
      return;
    case "int":
      text = value.value.toString();
      break;
    case "float":
      text = yamlFloat(value.value);
      break;
    case "bool":
      text = value.value ? "true" : "false";
      break;
    case "time":
      text = value.value;
      break;
    case "null":
      text = "null";
      break;
  }
  scalar.value = text;
  scalar.type = Scalar.PLAIN;
}

type CommentField = "commentBefore" | "comment";
type Commented = { commentBefore?: string | null; comment?: string | null };

/** The lines of a comment field as tree comments, each writing its (decrypted) text back in place. */
function commentLines(
  owner: Commented | null | undefined,
  field: CommentField,
  writable: boolean,
): CommentNode[] {
  const text = owner?.[field];
  if (!owner || !text) return [];
  const lines = text.split("\n");
  const nodes: CommentNode[] = [];
  lines.forEach((line, index) => {
    if (line === "") return;
    nodes.push({
      kind: "comment",
      text: line,
      set: writable
        ? (plain) => {
            lines[index] = plain;
            owner[field] = lines.join("\n");
          }
        : undefined,
    });
  });
  return nodes;
}

class TreeBuilder {
  constructor(
    private readonly doc: Document,
    private readonly file: string | undefined,
  ) {}

  /** `writable` is false below an alias: its values are the anchor's, which are written once. */
  node(node: unknown, writable: boolean, depth = 0): TreeNode {
    if (depth > 1000) throw new SopsError("the YAML nesting (or its aliases) is too deep", this.file);
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) throw new SopsError(`the YAML alias *${node.source} has no anchor`, this.file);
      return this.node(target, false, depth + 1);
    }
    if (isMap(node)) return this.map(node, writable, depth);
    if (isSeq(node)) return this.seq(node, writable, depth);
    if (isScalar(node)) {
      const leaf: LeafNode = { kind: "leaf", value: scalarValue(node) };
      if (writable) leaf.set = (value) => writeScalar(node, value);
      return leaf;
    }
    if (node === null || node === undefined) return { kind: "leaf", value: goNull };
    throw new SopsError("the YAML document holds a node SOPS cannot read", this.file);
  }

  key(key: unknown): string {
    if (isScalar(key)) {
      const value = scalarValue(key);
      if (value.kind === "str") return value.value;
      throw new SopsError(
        `the YAML key ${JSON.stringify(String(key.source ?? key.value))} is a ${value.kind}; SOPS only supports string keys`,
        this.file,
      );
    }
    if (isAlias(key)) return this.key(key.resolve(this.doc));
    throw new SopsError(
      "the YAML document has a complex (non-scalar) key, which SOPS does not support",
      this.file,
    );
  }

  /** At the document's root the `sops` entry is metadata: only the comments before it join the tree. */
  map(map: YAMLMap, writable: boolean, depth: number, root = false): MapNode {
    const items: MapNode["items"] = [...commentLines(map, "commentBefore", writable)];
    for (const pair of map.items) {
      if (!isPair(pair)) continue;
      if (root && isSopsPair(pair)) {
        items.push(...commentLines(pair.key as Commented, "commentBefore", writable));
        continue;
      }
      const key = this.key(pair.key);
      const keyNode = pair.key as Commented;
      items.push(...commentLines(keyNode, "commentBefore", writable));
      items.push(...commentLines(keyNode, "comment", writable));
      const value = pair.value as Node | null;
      const scalarLike = !value || isScalar(value) || isAlias(value);
      if (scalarLike && value) {
        items.push(...commentLines(value, "commentBefore", writable));
        items.push(...commentLines(value, "comment", writable));
      }
      items.push({ kind: "pair", key, value: this.node(value, writable, depth + 1) });
    }
    items.push(...commentLines(map, "comment", writable));
    return { kind: "map", items };
  }

  seq(seq: YAMLSeq, writable: boolean, depth: number): SeqNode {
    const items: SeqNode["items"] = [...commentLines(seq, "commentBefore", writable)];
    for (const item of seq.items) {
      if (isScalar(item) || isAlias(item)) {
        items.push(...commentLines(item, "commentBefore", writable));
        items.push(...commentLines(item, "comment", writable));
      }
      items.push(this.node(item, writable, depth + 1));
    }
    items.push(...commentLines(seq, "comment", writable));
    return { kind: "seq", items };
  }
}

/** Plain data of a YAML node (for the metadata), with scalars read as SOPS reads them. */
function plainData(node: unknown, doc: Document): unknown {
  if (isAlias(node)) return plainData(node.resolve(doc), doc);
  if (isMap(node)) {
    const result: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      result[key] = plainData(pair.value, doc);
    }
    return result;
  }
  if (isSeq(node)) return node.items.map((item) => plainData(item, doc));
  if (isScalar(node)) return toPlain(scalarValue(node));
  return null;
}

const isSopsPair = (pair: unknown): pair is Pair =>
  isPair(pair) && isScalar(pair.key) && pair.key.value === "sops";

function parseDocuments(text: string, file: string | undefined): Document.Parsed[] {
  // The failsafe schema keeps every scalar as written; scalarValue reads them as go-yaml would.
  const parsed = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: true });
  const docs = Array.isArray(parsed) ? parsed : [];
  for (const doc of docs) {
    const [error] = doc.errors;
    if (error) {
      const at = error.linePos?.[0];
      throw new SopsError(
        `is not valid YAML (${error.code}${at ? ` at line ${at.line}, column ${at.col}` : ""})`,
        file,
      );
    }
  }
  return docs;
}

/** Whether the text is YAML whose first document has a top-level `sops` mapping. */
export function isYamlSopsDocument(text: string): boolean {
  if (!/^sops:/m.test(text)) return false;
  try {
    const [first] = parseDocuments(text, undefined);
    return (
      isMap(first?.contents) && first.contents.items.some((pair) => isSopsPair(pair) && isMap(pair.value))
    );
  } catch {
    return false;
  }
}

/** Column of each offset, for the indentation of the file. */
function columns(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return offset - (starts[low] ?? 0);
  };
}

/** The mapping indentation and whether sequences are indented under their key, as the file writes them. */
function detectStyle(docs: readonly Document.Parsed[], text: string): { indent: number; indentSeq: boolean } {
  const column = columns(text);
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  const visit = (map: YAMLMap): void => {
    for (const pair of map.items) {
      if (indent !== undefined && indentSeq !== undefined) return;
      const key = pair.key as Node | null;
      const value = pair.value as Node | null;
      if (!key?.range || !value?.range) continue;
      if (isMap(value) && !value.flow && value.items.length > 0) {
        const first = value.items[0]?.key as Node | undefined;
        if (first?.range && indent === undefined) {
          const delta = column(first.range[0]) - column(key.range[0]);
          if (delta > 0) indent = delta;
        }
        visit(value);
      } else if (isSeq(value) && !value.flow && indentSeq === undefined) {
        indentSeq = column(value.range[0]) > column(key.range[0]);
        const item = value.items[0];
        if (isMap(item)) visit(item);
      }
    }
  };
  const roots = docs.map((doc) => doc.contents).filter((contents) => isMap(contents));
  // The data's own layout first; the sops entry (written by whichever sops version) as a fallback.
  for (const root of roots) visit(dataOnly(root));
  for (const root of roots) visit(root);
  return { indent: indent ?? 2, indentSeq: indentSeq ?? true };
}

function dataOnly(map: YAMLMap): YAMLMap {
  const copy = new YAMLMap();
  copy.items = map.items.filter((pair) => !isSopsPair(pair));
  return copy;
}

export function parseYaml(text: string, file: string | undefined): ParsedDocument {
  const docs = parseDocuments(text, file);
  const style = detectStyle(docs, text);
  const branches: MapNode[] = [];
  let metadata: unknown;
  const removed: { map: YAMLMap; pair: Pair }[] = [];

  docs.forEach((doc, index) => {
    const contents = doc.contents as Node | null;
    if (isSeq(contents))
      throw new SopsError("YAML documents that are sequences are not supported by SOPS", file);
    if (isScalar(contents) && contents.value !== null) {
      throw new SopsError("YAML documents that are single values are not supported by SOPS", file);
    }
    const builder = new TreeBuilder(doc, file);
    const items: MapNode["items"] = [...commentLines(doc, "commentBefore", true)];
    if (isMap(contents)) {
      const sops = contents.items.filter(isSopsPair);
      if (index === 0 && sops[0]) {
        if (!isMap(sops[0].value)) throw new SopsError("the sops entry is not a mapping", file);
        metadata = plainData(sops[0].value, doc);
      }
      for (const pair of sops) removed.push({ map: contents, pair });
      items.push(...builder.map(contents, true, 0, true).items);
    } else if (isScalar(contents)) {
      items.push(
        ...commentLines(contents, "commentBefore", true),
        ...commentLines(contents, "comment", true),
      );
    }
    items.push(...commentLines(doc, "comment", true));
    branches.push({ kind: "map", items });
  });

  return {
    branches,
    metadata,
    emit: () => {
      for (const { map, pair } of removed) {
        const index = map.items.indexOf(pair);
        if (index === -1) continue;
        map.items.splice(index, 1);
        const orphan = (pair.key as Commented).commentBefore;
        if (!orphan) continue;
        const next = map.items[index]?.key as Commented | undefined;
        if (next) next.commentBefore = next.commentBefore ? `${orphan}\n${next.commentBefore}` : orphan;
        else map.comment = map.comment ? `${map.comment}\n${orphan}` : orphan;
      }
      const options: ToStringOptions = { ...style, lineWidth: 0, flowCollectionPadding: false };
      return docs.map((doc) => doc.toString(options)).join("");
    },
  };
}

/** A YAML node for a tree value, for documents that were not YAML before (go-yaml's layout). */
function yamlNode(node: TreeNode): Node {
  if (node.kind === "leaf") {
    const scalar = new Scalar(null);
    writeScalar(scalar, node.value);
    return scalar;
  }
  const collection = node.kind === "map" ? new YAMLMap() : new YAMLSeq();
  let pending: string[] = [];
  const takePending = (): string | undefined => {
    const text = pending.length > 0 ? pending.join("\n") : undefined;
    pending = [];
    return text;
  };
  for (const item of node.items) {
    if (item.kind === "comment") {
      pending.push(item.text);
      continue;
    }
    let entry: Node | Pair;
    let head: Commented;
    if (item.kind === "pair") {
      const key = new Scalar((item as PairNode).key);
      if (yamlStringNeedsQuotes(item.key)) key.type = Scalar.QUOTE_DOUBLE;
      entry = new Pair(key, yamlNode(item.value));
      head = key;
    } else {
      entry = yamlNode(item);
      head = entry;
    }
    const comment = takePending();
    if (comment) head.commentBefore = comment;
    (collection.items as unknown[]).push(entry);
  }
  const trailing = takePending();
  if (trailing) collection.comment = trailing;
  return collection;
}

/** Emits tree branches as YAML documents, as `sops -d --output-type yaml` would. */
export function emitYamlTree(branches: readonly MapNode[]): string {
  return branches
    .map((branch) => {
      const doc = new Document(null, { schema: "failsafe" });
      doc.contents = yamlNode(branch);
      return doc.toString({ indent: 4, indentSeq: true, lineWidth: 0, flowCollectionPadding: false });
    })
    .join("---\n");
}

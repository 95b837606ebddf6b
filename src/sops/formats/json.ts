import { SopsError } from "../errors.js";
import { type GoValue, goNull, goStr, parseGoInt, toPlain } from "../govalue.js";
import type { LeafNode, MapNode, SeqNode, TreeNode } from "../tree.js";
import type { ParsedDocument } from "./document.js";

/**
 * The JSON store and the binary store (a JSON envelope whose `data` holds the file). Reading keeps key
 * order, duplicate keys and number spelling (Go reads integers within int64 as int, others as float64);
 * writing prints as `sops -d` does: tab indentation, Go's escaping and number formatting.
 */

class JsonReader {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly file: string | undefined,
  ) {}

  private fail(what: string): never {
    const before = this.text.slice(0, this.at);
    const line = before.split("\n").length;
    const column = this.at - before.lastIndexOf("\n");
    throw new SopsError(`is not valid JSON (${what} at line ${line}, column ${column})`, this.file);
  }

  private skipSpace(): void {
    while (/[ \t\r\n]/.test(this.text[this.at] ?? "")) this.at++;
  }

  private expect(char: string): void {
    this.skipSpace();
    if (this.text[this.at] !== char) this.fail(`expected '${char}'`);
    this.at++;
  }

  private string(): string {
    const start = this.at;
    if (this.text[this.at] !== '"') this.fail("expected a string");
    this.at++;
    for (;;) {
      const char = this.text[this.at];
      if (char === undefined) this.fail("unterminated string");
      if (char === "\\") this.at += 2;
      else if (char === '"') break;
      else this.at++;
    }
    this.at++;
    try {
      return JSON.parse(this.text.slice(start, this.at)) as string;
    } catch {
      this.at = start;
      return this.fail("invalid string");
    }
  }

  private number(): GoValue {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.at));
    if (!match) this.fail("unexpected character");
    this.at += match[0].length;
    const int = match[2] === undefined && match[3] === undefined ? parseGoInt(match[0]) : undefined;
    if (int !== undefined) return { kind: "int", value: int };
    const value = Number(match[0]);
    if (!Number.isFinite(value)) this.fail("number out of range");
    return { kind: "float", value };
  }

  value(): TreeNode {
    this.skipSpace();
    const char = this.text[this.at];
    if (char === "{") return this.object();
    if (char === "[") return this.array();
    if (char === '"') return leaf(goStr(this.string()));
    for (const [word, value] of [
      ["true", { kind: "bool", value: true }],
      ["false", { kind: "bool", value: false }],
      ["null", goNull],
    ] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return leaf(value);
      }
    }
    return leaf(this.number());
  }

  object(): MapNode {
    this.expect("{");
    const node: MapNode = { kind: "map", items: [] };
    this.skipSpace();
    if (this.text[this.at] === "}") {
      this.at++;
      return node;
    }
    for (;;) {
      this.skipSpace();
      const key = this.string();
      this.expect(":");
      node.items.push({ kind: "pair", key, value: this.value() });
      this.skipSpace();
      const next = this.text[this.at++];
      if (next === "}") return node;
      if (next !== ",") {
        this.at--;
        this.fail("expected ',' or '}'");
      }
    }
  }

  array(): SeqNode {
    this.expect("[");
    const node: SeqNode = { kind: "seq", items: [] };
    this.skipSpace();
    if (this.text[this.at] === "]") {
      this.at++;
      return node;
    }
    for (;;) {
      node.items.push(this.value());
      this.skipSpace();
      const next = this.text[this.at++];
      if (next === "]") return node;
      if (next !== ",") {
        this.at--;
        this.fail("expected ',' or ']'");
      }
    }
  }

  document(): MapNode {
    this.skipSpace();
    if (this.text[this.at] !== "{") {
      this.fail("SOPS only supports JSON documents that are objects; expected '{'");
    }
    return this.object();
  }
}

function leaf(value: GoValue): LeafNode {
  return { kind: "leaf", value };
}

/** Reads a JSON object into a tree (no metadata handling). */
export function readJsonTree(text: string, file: string | undefined): MapNode {
  return new JsonReader(text.replace(/^\uFEFF/, ""), file).document();
}

/** Plain data of a tree node (for the metadata). */
export function treeToPlain(node: TreeNode): unknown {
  if (node.kind === "leaf") return toPlain(node.value);
  if (node.kind === "seq")
    return node.items.flatMap((item) => (item.kind === "comment" ? [] : [treeToPlain(item)]));
  const result: Record<string, unknown> = {};
  for (const item of node.items) if (item.kind === "pair") result[item.key] = treeToPlain(item.value);
  return result;
}

/** Splits the top-level `sops` entry off a branch. */
export function takeMetadata(branch: MapNode): unknown {
  let metadata: unknown;
  branch.items = branch.items.filter((item) => {
    if (item.kind !== "pair" || item.key !== "sops") return true;
    if (metadata === undefined) metadata = treeToPlain(item.value);
    return false;
  });
  return metadata;
}

export function isJsonSopsDocument(text: string): boolean {
  if (!text.includes('"sops"')) return false;
  try {
    const root = readJsonTree(text, undefined);
    return root.items.some(
      (item) => item.kind === "pair" && item.key === "sops" && item.value.kind === "map",
    );
  } catch {
    return false;
  }
}

/** json.Marshal of a string: Go also escapes <, >, & and the JavaScript line separators. */
function goJsonString(text: string): string {
  return JSON.stringify(text).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function goJsonScalar(value: GoValue): string {
  switch (value.kind) {
    case "str":
    case "time":
      return goJsonString(value.value);
    case "int":
      return value.value.toString();
    case "float":
      if (!Number.isFinite(value.value)) {
        throw new SopsError("a decrypted float is infinite or NaN, which JSON cannot hold");
      }
      return Object.is(value.value, -0) ? "-0" : String(value.value);
    case "bool":
      return value.value ? "true" : "false";
    case "bytes":
      return goJsonString(Buffer.from(value.value).toString("base64"));
    case "null":
      return "null";
  }
}

function goJson(node: TreeNode, depth: number): string {
  if (node.kind === "leaf") return goJsonScalar(node.value);
  const inner = "\t".repeat(depth + 1);
  const entries =
    node.kind === "map"
      ? node.items.flatMap((item) =>
          item.kind === "pair" ? [`${inner}${goJsonString(item.key)}: ${goJson(item.value, depth + 1)}`] : [],
        )
      : node.items.flatMap((item) => (item.kind === "comment" ? [] : [`${inner}${goJson(item, depth + 1)}`]));
  const [open, close] = node.kind === "map" ? ["{", "}"] : ["[", "]"];
  if (entries.length === 0) return `${open}${close}`;
  return `${open}\n${entries.join(",\n")}\n${"\t".repeat(depth)}${close}`;
}

/** The first branch as JSON, as `sops -d` prints it (comments dropped). */
export function emitJsonTree(branches: readonly MapNode[]): string {
  const [branch] = branches;
  return `${goJson(branch ?? { kind: "map", items: [] }, 0)}\n`;
}

/** The binary store's plaintext: the bytes of the `data` string. */
export function emitBinaryTree(branches: readonly MapNode[]): Uint8Array {
  if (branches.length !== 1) throw new SopsError("a binary document must hold exactly one tree branch");
  for (const item of branches[0]?.items ?? []) {
    if (item.kind !== "pair" || item.key !== "data") continue;
    const value = item.value;
    if (value.kind !== "leaf" || value.value.kind !== "str") {
      throw new SopsError("the binary document's 'data' entry is not a string");
    }
    return value.value.bytes ?? new TextEncoder().encode(value.value.value);
  }
  throw new SopsError("the binary document has no 'data' entry");
}

export function parseJson(text: string, file: string | undefined, binary: boolean): ParsedDocument {
  const branch = readJsonTree(text, file);
  const metadata = takeMetadata(branch);
  const branches = [branch];
  return { branches, metadata, emit: () => (binary ? emitBinaryTree(branches) : emitJsonTree(branches)) };
}

import { SopsError } from "../errors.js";
import { goStr, valueToText } from "../govalue.js";
import { unflattenMetadata } from "../metadata.js";
import type { MapNode } from "../tree.js";
import type { ParsedDocument } from "./document.js";

/**
 * The dotenv store: `KEY=value` lines (`\n` in a value stands for a newline), `#` comment lines, and
 * the metadata flattened into `sops_…` keys. Everything is a string; nothing is trimmed.
 */

const PREFIX = "sops_";

/** Reads dotenv lines into a flat tree (metadata keys included). */
export function readDotenvTree(text: string, file: string | undefined): MapNode {
  const branch: MapNode = { kind: "map", items: [] };
  text.split("\n").forEach((line, index) => {
    if (line === "") return;
    if (line.startsWith("#")) {
      branch.items.push({ kind: "comment", text: line.slice(1) });
      return;
    }
    const equals = line.indexOf("=");
    if (equals === -1) throw new SopsError(`line ${index + 1} is not a KEY=value dotenv line`, file);
    branch.items.push({
      kind: "pair",
      key: line.slice(0, equals),
      value: { kind: "leaf", value: goStr(line.slice(equals + 1).replaceAll("\\n", "\n")) },
    });
  });
  return branch;
}

/** Splits the `sops_` entries off a flat branch and rebuilds the metadata from them. */
export function takeFlatMetadata(branch: MapNode): unknown {
  const entries: [string, unknown][] = [];
  branch.items = branch.items.filter((item) => {
    if (item.kind !== "pair" || !item.key.startsWith(PREFIX)) return true;
    const value = item.value.kind === "leaf" && item.value.value.kind === "str" ? item.value.value.value : "";
    entries.push([item.key.slice(PREFIX.length), value]);
    return false;
  });
  return entries.length > 0 ? unflattenMetadata(entries) : undefined;
}

export function isDotenvSopsDocument(text: string): boolean {
  return /^sops_(mac|lastmodified|version)=/m.test(text);
}

/** The first branch as dotenv lines. */
export function emitDotenvTree(branches: readonly MapNode[]): string {
  let out = "";
  for (const item of branches[0]?.items ?? []) {
    if (item.kind === "comment") {
      out += `#${item.text}\n`;
      continue;
    }
    if (item.value.kind !== "leaf") {
      throw new SopsError(`cannot write the complex value of ${item.key} into a dotenv file`);
    }
    const value = item.value.value;
    out += `${item.key}=${value.kind === "str" ? value.value.replaceAll("\n", "\\n") : valueToText(value)}\n`;
  }
  return out;
}

export function parseDotenv(text: string, file: string | undefined): ParsedDocument {
  const branch = readDotenvTree(text, file);
  const metadata = takeFlatMetadata(branch);
  const branches = [branch];
  return { branches, metadata, emit: () => emitDotenvTree(branches) };
}

/**
 * Checks what a build will read before kustomize runs: every kustomization file reachable from
 * the path (through resources, components and bases) is read, remote entries are refused unless
 * the operator allowed remote bases, and local entries must stay inside the repository.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from "yaml";
import type { Problem } from "../model/result.js";
import { BuildError } from "./errors.js";
import { findKustomizationFile, firstLine, isDirectory } from "./kustomization-file.js";
import { isInside, isRemoteReference, toRepoRelative } from "./paths.js";

export interface ReferenceOptions {
  /** Let kustomize fetch remote bases (git, HTTP) instead of refusing them. */
  allowRemoteBases?: boolean;
}

/** Entries that name other kustomizations (or files) to build. */
const buildEntries = ["resources", "components", "bases"] as const;

/**
 * Walks the kustomization files reachable from `dir` (absolute, inside `root`) and throws one
 * `BuildError` listing every remote entry (unless allowed) and every entry that leaves the
 * repository, each with the kustomization file and line.
 */
export async function checkReferences(
  root: string,
  dir: string,
  options: ReferenceOptions = {},
): Promise<void> {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const queue = [dir];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    if (seen.has(current)) continue;
    seen.add(current);
    const path = await findKustomizationFile(current);
    if (!path) continue; // kustomize reports a folder without one itself
    const file = toRepoRelative(root, path);
    const lineCounter = new LineCounter();
    const doc = parseDocument(await readFile(path, "utf8"), { lineCounter });
    if (doc.errors.length > 0) {
      const [error] = doc.errors;
      const line = error.linePos?.[0].line;
      problems.push({
        message: `invalid YAML: ${firstLine(error.message)}`,
        origin: { file, ...(line ? { line } : {}) },
      });
      continue;
    }
    if (!isMap(doc.contents)) continue;
    const lineOf = (node: Node) => (node.range ? lineCounter.linePos(node.range[0]).line : undefined);
    const report = (node: Node, message: string) => {
      const line = lineOf(node);
      problems.push({
        message,
        origin: { file, ...(line ? { line } : {}) },
      });
    };

    for (const field of buildEntries) {
      for (const { node, value } of strings(doc.contents.get(field, true))) {
        if (isRemoteReference(value)) {
          if (!options.allowRemoteBases) {
            report(
              node,
              `${field} entry '${value}' is a remote base, which Ferry does not fetch: ` +
                "vendor it into the repository, or ask the operator to allow remote bases (allowRemoteBases: true)",
            );
          }
          continue;
        }
        const target = localTarget(root, current, value);
        if (!target) {
          report(
            node,
            `${field} entry '${value}' points outside the repository; Ferry builds only what the repository holds`,
          );
          continue;
        }
        if (await isDirectory(target)) queue.push(target);
      }
    }

    for (const { node, value, field } of fileReferences(doc.contents)) {
      if (!localTarget(root, current, value)) {
        report(
          node,
          `${field} '${value}' points outside the repository; Ferry builds only what the repository holds`,
        );
      }
    }
  }
  if (problems.length > 0) throw BuildError.of(problems);
}

/** The absolute path a local entry names, or undefined when it leaves the repository. */
function localTarget(root: string, dir: string, entry: string): string | undefined {
  const path = entry.replace(/^file:\/\//i, "");
  if (isAbsolute(path)) return undefined;
  const target = resolve(dir, path);
  return isInside(root, target) ? target : undefined;
}

interface StringEntry {
  node: Node;
  value: string;
}

function strings(node: unknown): StringEntry[] {
  if (!isSeq(node)) return [];
  return node.items.flatMap((item) =>
    isScalar(item) && typeof item.value === "string" ? [{ node: item as Node, value: item.value }] : [],
  );
}

/** File paths kustomize reads besides resources: patches, generator sources, CRDs, replacements, OpenAPI. */
function fileReferences(contents: YAMLMap): (StringEntry & { field: string })[] {
  const found: (StringEntry & { field: string })[] = [];
  const add = (field: string, node: unknown, transform: (value: string) => string = (v) => v) => {
    if (isScalar(node) && typeof node.value === "string" && node.value !== "" && !node.value.includes("\n")) {
      found.push({ field, node: node as Node, value: transform(node.value) });
    }
  };
  for (const entry of strings(contents.get("crds", true))) add("crds entry", entry.node);
  for (const field of ["patches", "patchesJson6902", "replacements"]) {
    const seq = contents.get(field, true);
    if (isSeq(seq))
      for (const item of seq.items) if (isMap(item)) add(`${field} path`, item.get("path", true));
  }
  const strategic = contents.get("patchesStrategicMerge", true);
  if (isSeq(strategic)) for (const item of strategic.items) add("patchesStrategicMerge entry", item);
  for (const field of ["configMapGenerator", "secretGenerator"]) {
    const seq = contents.get(field, true);
    if (!isSeq(seq)) continue;
    for (const item of seq.items) {
      if (!isMap(item)) continue;
      for (const entry of strings(item.get("files", true))) {
        add(`${field} file`, entry.node, (v) => v.slice(v.indexOf("=") + 1));
      }
      for (const entry of strings(item.get("envs", true))) add(`${field} env file`, entry.node);
      add(`${field} env file`, item.get("env", true));
    }
  }
  for (const field of ["generators", "transformers", "validators"]) {
    for (const entry of strings(contents.get(field, true))) add(`${field} entry`, entry.node);
  }
  const openapi = contents.get("openapi", true);
  if (isMap(openapi)) add("openapi path", openapi.get("path", true));
  return found;
}

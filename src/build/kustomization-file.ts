/** Finding and reading kustomization files (`kustomization.yaml`, `kustomization.yml`, `Kustomization`). */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { type Document, isMap, parseDocument } from "yaml";
import { BuildError } from "./errors.js";

/** The names kustomize recognizes, in the order it looks for them (konfig.RecognizedKustomizationFileNames). */
export const kustomizationFileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

/** The kustomization file in `dir` (absolute path), or undefined when it has none. */
export async function findKustomizationFile(dir: string): Promise<string | undefined> {
  for (const name of kustomizationFileNames) {
    const path = join(dir, name);
    try {
      if ((await stat(path)).isFile()) return path;
    } catch {
      // not there: try the next name
    }
  }
  return undefined;
}

/** Whether `dir` is a folder. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Parses a kustomization file's text into a YAML document whose top level is a mapping (an
 * empty file gives an empty mapping). `file` (repository-relative) names it in errors, which
 * are `BuildError`s with the line of the YAML error.
 */
export function parseKustomization(text: string, file: string): Document.Parsed {
  const doc = parseDocument(text);
  const [error] = doc.errors;
  if (error) {
    const line = error.linePos?.[0].line;
    throw BuildError.at({ file, ...(line ? { line } : {}) }, `invalid YAML: ${firstLine(error.message)}`);
  }
  if (doc.contents === null) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  if (!isMap(doc.contents)) throw BuildError.at({ file }, "a kustomization must be a YAML mapping");
  return doc;
}

/** The first line of a parser message (the yaml package appends a source excerpt). */
export function firstLine(text: string): string {
  return text.split("\n")[0].trim();
}

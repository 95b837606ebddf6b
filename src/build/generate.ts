/**
 * Flux's generated kustomization (fluxcd/pkg kustomize_generator.go): when a path has no
 * kustomization file, every Kubernetes YAML file below it becomes a resource.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { Document, isMap, isScalar, LineCounter, parseAllDocuments } from "yaml";
import type { Problem } from "../model/result.js";
import { BuildError } from "./errors.js";
import { findKustomizationFile, firstLine } from "./kustomization-file.js";
import { joinRepoPath } from "./paths.js";

/**
 * What source-controller leaves out of every artifact (fluxcd/pkg sourceignore: ExcludeVCS,
 * ExcludeCI, ExcludeExtra), so Flux's generator never sees them. Ferry reads the repository
 * itself, so the generator skips them here.
 */
const excludedFolders = new Set([".git", ".github", ".circleci"]);
const excludedFiles = new Set([
  ".travis.yml",
  ".gitlab-ci.yml",
  "appveyor.yml",
  ".drone.yml",
  "cloudbuild.yaml",
  "codeship-services.yml",
  "codeship-steps.yml",
  ".goreleaser.yml",
  ".sops.yaml",
  ".flux.yaml",
]);

/**
 * The kustomization Flux would generate for `dir` (absolute), which has no kustomization file:
 * walks it recursively in lexical order; a subfolder with its own kustomization file becomes a
 * resource and is not descended into; every `.yaml`/`.yml` file becomes a resource and must be
 * Kubernetes YAML (every document a mapping with apiVersion and kind), otherwise a `BuildError`
 * names the file and the line of the offending document. Other files are ignored. With nothing
 * found, the kustomization gets `namespace: _placeholder` (an empty one would not build).
 *
 * `repoDir` is `dir` relative to the repository root, for messages.
 */
export async function generateKustomization(
  dir: string,
  repoDir: string,
  /** Filled with each listed file's parsed documents, so a caller need not parse them again. */
  parsed?: Map<string, ParsedFile>,
): Promise<Document> {
  const resources: string[] = [];
  const problems: Problem[] = [];
  await scan(dir, ".", repoDir, resources, problems, parsed);
  if (problems.length > 0) throw BuildError.of(problems);
  const content: Record<string, unknown> = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
  };
  if (resources.length > 0) content.resources = resources;
  else content.namespace = "_placeholder";
  return new Document(content);
}

async function scan(
  dir: string,
  relDir: string,
  repoDir: string,
  resources: string[],
  problems: Problem[],
  parsed?: Map<string, ParsedFile>,
): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => compare(a.name, b.name));
  for (const entry of entries) {
    const { name } = entry;
    const path = join(dir, name);
    const rel = relDir === "." ? `./${name}` : `${relDir}/${name}`;
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      continue; // a dangling link
    }
    // Like Go's filepath.Walk, a link to a folder is not followed (links may form loops).
    if (entry.isSymbolicLink() && info.isDirectory()) continue;
    if (info.isDirectory()) {
      if (excludedFolders.has(name)) continue;
      if (await findKustomizationFile(path)) resources.push(rel);
      else await scan(path, rel, repoDir, resources, problems, parsed);
      continue;
    }
    const extension = extname(name);
    if (!info.isFile() || (extension !== ".yaml" && extension !== ".yml") || excludedFiles.has(name))
      continue;
    const file = parseKubernetesYaml(await readFile(path, "utf8"), joinRepoPath(repoDir, rel));
    if (file.problem) problems.push(file.problem);
    else {
      resources.push(rel);
      parsed?.set(rel, file);
    }
  }
}

/** Why `text` (the file `file`) is not Kubernetes YAML, or undefined when it is. */
export function checkKubernetesYaml(text: string, file: string): Problem | undefined {
  return parseKubernetesYaml(text, file).problem;
}

/** A YAML file's documents (with line positions), and why it is not Kubernetes YAML if it is not. */
export interface ParsedFile {
  docs: Document.Parsed[];
  lineCounter: LineCounter;
  problem?: Problem;
}

export function parseKubernetesYaml(text: string, file: string): ParsedFile {
  const lineCounter = new LineCounter();
  const all = parseAllDocuments(text, { lineCounter });
  const docs = Array.isArray(all) ? all : [];
  const problem = checkDocuments(docs, lineCounter, file);
  return { docs, lineCounter, ...(problem ? { problem } : {}) };
}

function checkDocuments(
  docs: Document.Parsed[],
  lineCounter: LineCounter,
  file: string,
): Problem | undefined {
  for (const doc of docs) {
    const [error] = doc.errors;
    if (error) {
      const line = error.linePos?.[0].line;
      return problem(file, line, `invalid YAML: ${firstLine(error.message)}`);
    }
    if (doc.contents === null) continue; // only comments, or an empty document between `---`
    const line = lineCounter.linePos(doc.contents.range[0]).line;
    if (!isMap(doc.contents)) return problem(file, line, "the document is not a YAML mapping");
    const missing = ["apiVersion", "kind"].filter((key) => {
      const value = doc.contents && isMap(doc.contents) ? doc.contents.get(key, true) : undefined;
      return !isScalar(value) || typeof value.value !== "string" || value.value === "";
    });
    if (missing.length > 0) return problem(file, line, `the document has no ${missing.join(" or ")}`);
  }
  return undefined;
}

function problem(file: string, line: number | undefined, reason: string): Problem {
  return {
    message:
      `not Kubernetes YAML (${reason}). Every .yaml/.yml file in a folder without a ` +
      "kustomization.yaml is applied, so each document needs apiVersion and kind; " +
      "add a kustomization.yaml that lists the resources, or move the file out of the path",
    origin: { file, ...(line ? { line } : {}) },
  };
}

/** Byte order, as Go sorts names. */
function compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

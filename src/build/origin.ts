/**
 * Where each built object came from. kustomize's `buildMetadata: [originAnnotations]` stamps
 * `config.kubernetes.io/origin` on every object; Ferry turns it into `Manifest.origin` (file
 * relative to the repository root, line of the object's document) and removes the annotation.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isMap, isNode, isScalar, isSeq, LineCounter, parse, parseAllDocuments, type YAMLMap } from "yaml";
import type { KubeObject, Origin } from "../model/object.js";
import { joinRepoPath } from "./paths.js";

export const originAnnotation = "config.kubernetes.io/origin";

/** The annotation's content (kustomize api/resource/origin.go). */
interface KustomizeOrigin {
  path?: string;
  repo?: string;
  ref?: string;
  configuredIn?: string;
  configuredBy?: { kind?: string; name?: string };
}

/** An object's place in a file: kind, name, namespace and the line its mapping starts on. */
interface Located {
  kind: string;
  name: string;
  namespace?: string;
  line: number;
}

/**
 * Reads the origin annotation of the objects of one build. Files are read from the repository
 * copy (`root`) once per build.
 */
export class OriginResolver {
  private readonly files = new Map<string, Promise<Located[]>>();
  private readonly generators = new Map<string, Promise<Located[]>>();

  /**
   * @param root the repository copy
   * @param path the built path, relative to the repository root (origin paths are relative to it)
   */
  constructor(
    private readonly root: string,
    private readonly path: string,
  ) {}

  /**
   * The object's origin, from its annotation; removes the annotation unless `keep`. Objects
   * from generators get the kustomization file that configured them (and the generator
   * entry's line when it can be found); objects from remote bases get the remote URL.
   */
  async take(object: KubeObject, keep = false): Promise<Origin | undefined> {
    const annotations = object.metadata.annotations;
    const raw = annotations?.[originAnnotation];
    if (annotations && raw !== undefined && !keep) {
      delete annotations[originAnnotation];
      if (Object.keys(annotations).length === 0) delete object.metadata.annotations;
    }
    if (typeof raw !== "string") return undefined;
    let origin: KustomizeOrigin;
    try {
      origin = (parse(raw) ?? {}) as KustomizeOrigin;
    } catch {
      return undefined;
    }
    if (origin.repo) {
      const file = `${origin.repo}//${origin.path ?? origin.configuredIn ?? ""}${origin.ref ? `?ref=${origin.ref}` : ""}`;
      return { file };
    }
    if (origin.path) {
      const file = joinRepoPath(this.path, origin.path);
      const line = pick(await this.documents(file), object)?.line;
      return { file, ...(line ? { line } : {}) };
    }
    if (origin.configuredIn) {
      const file = joinRepoPath(this.path, origin.configuredIn);
      const line = pick(await this.generatorEntries(file, object.kind), object)?.line;
      return { file, ...(line ? { line } : {}) };
    }
    return undefined;
  }

  private documents(file: string): Promise<Located[]> {
    let found = this.files.get(file);
    if (!found) {
      found = this.read(file).then((text) => (text === undefined ? [] : locateDocuments(text)));
      this.files.set(file, found);
    }
    return found;
  }

  private generatorEntries(file: string, kind: string): Promise<Located[]> {
    const key = `${kind}\u0000${file}`;
    let found = this.generators.get(key);
    if (!found) {
      found = this.read(file).then((text) => (text === undefined ? [] : locateGeneratorEntries(text, kind)));
      this.generators.set(key, found);
    }
    return found;
  }

  private async read(file: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.root, file), "utf8");
    } catch {
      return undefined;
    }
  }
}

/** Every object in a YAML stream (items of a `List` too) with the line its mapping starts on. */
export function locateDocuments(text: string): Located[] {
  const lineCounter = new LineCounter();
  const located: Located[] = [];
  const add = (node: YAMLMap) => {
    const kind = node.get("kind");
    const metadata = node.get("metadata", true);
    const name = isMap(metadata) ? metadata.get("name") : undefined;
    const namespace = isMap(metadata) ? metadata.get("namespace") : undefined;
    if (typeof kind !== "string" || !node.range) return;
    located.push({
      kind,
      name: typeof name === "string" ? name : "",
      ...(typeof namespace === "string" ? { namespace } : {}),
      line: lineCounter.linePos(node.range[0]).line,
    });
  };
  for (const doc of parseAllDocuments(text, { lineCounter })) {
    if (doc.errors.length > 0 || !isMap(doc.contents)) continue;
    const items = doc.contents.get("items", true);
    if (/List$/.test(String(doc.contents.get("kind"))) && isSeq(items)) {
      for (const item of items.items) if (isMap(item)) add(item);
    } else {
      add(doc.contents);
    }
  }
  return located;
}

/** The `configMapGenerator` (ConfigMap) or `secretGenerator` (Secret) entries of a kustomization file. */
function locateGeneratorEntries(text: string, kind: string): Located[] {
  const field =
    kind === "ConfigMap" ? "configMapGenerator" : kind === "Secret" ? "secretGenerator" : undefined;
  if (!field) return [];
  const lineCounter = new LineCounter();
  const [doc] = parseAllDocuments(text, { lineCounter });
  if (!doc || !isMap(doc.contents)) return [];
  const entries = doc.contents.get(field, true);
  if (!isSeq(entries)) return [];
  return entries.items.flatMap((item) => {
    if (!isMap(item) || !item.range) return [];
    const name = item.get("name");
    const namespace = item.get("namespace");
    return [
      {
        kind,
        name: typeof name === "string" ? name : "",
        ...(typeof namespace === "string" ? { namespace } : {}),
        line: lineCounter.linePos(item.range[0]).line,
      },
    ];
  });
}

/**
 * The document an object came from: same kind, and the same name, else the longest name the
 * built name contains (a name prefix, suffix or generator hash was added), else the only
 * document of that kind.
 */
function pick(documents: Located[], object: KubeObject): Located | undefined {
  const sameKind = documents.filter((d) => d.kind === object.kind);
  const name = object.metadata.name ?? "";
  const exact = sameKind.filter((d) => d.name === name);
  if (exact.length > 0) return exact.find((d) => d.namespace === object.metadata.namespace) ?? exact[0];
  const contained = sameKind
    .filter((d) => d.name !== "" && name.includes(d.name))
    .sort((a, b) => b.name.length - a.name.length);
  if (contained.length > 0) return contained[0];
  return sameKind.length === 1 ? sameKind[0] : undefined;
}

/**
 * The line of a key path (`["spec", "interval"]`) in the object whose document starts on
 * `documentLine` of `text` (as `locateDocuments` reports it). Falls back to the deepest key of
 * the path that exists; undefined when the document is not found.
 */
export function lineOfKey(
  text: string,
  documentLine: number,
  path: readonly (string | number)[],
): number | undefined {
  const lineCounter = new LineCounter();
  for (const doc of parseAllDocuments(text, { lineCounter })) {
    if (!isMap(doc.contents) || !doc.contents.range) continue;
    if (lineCounter.linePos(doc.contents.range[0]).line !== documentLine) continue;
    let node: unknown = doc.contents;
    let line = documentLine;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
        if (!pair) break;
        if (isScalar(pair.key) && pair.key.range) line = lineCounter.linePos(pair.key.range[0]).line;
        node = pair.value;
      } else if (isSeq(node) && typeof key === "number") {
        const item = node.items[key];
        if (!item) break;
        if (isNode(item) && item.range) line = lineCounter.linePos(item.range[0]).line;
        node = item;
      } else {
        break;
      }
    }
    return line;
  }
  return undefined;
}

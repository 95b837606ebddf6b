/**
 * The objects of a folder of plain Kubernetes YAML (no kustomization file anywhere below it, no
 * overlay), read directly: what kustomize would produce from the kustomization Flux generates for
 * it, without running kustomize (which takes seconds for a thousand objects). Lists are expanded,
 * empty documents skipped, and two objects with the same identity are an error, as in kustomize.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isMap, LineCounter, parseAllDocuments } from "yaml";
import type { KubeObject, Manifest } from "../model/object.js";
import type { Problem } from "../model/result.js";
import { BuildError } from "./errors.js";
import { joinRepoPath } from "./paths.js";
import type { KustomizationOverlay } from "./spec.js";

/** True when nothing in the overlay changes the objects kustomize would build (commonMetadata is set afterwards). */
export function isEmptyOverlay(overlay: KustomizationOverlay): boolean {
  return Object.entries(overlay).every(
    ([key, value]) =>
      key === "commonMetadata" || value === undefined || (Array.isArray(value) && value.length === 0),
  );
}

/** Reads `files` (paths relative to `dir`, as the generated kustomization lists them). */
export async function readPlainManifests(
  dir: string,
  repoPath: string,
  files: string[],
): Promise<Manifest[]> {
  const manifests: Manifest[] = [];
  const seen = new Map<string, string>();
  const problems: Problem[] = [];
  for (const rel of files) {
    const file = joinRepoPath(repoPath, rel);
    const text = await readFile(join(dir, rel), "utf8");
    const lineCounter = new LineCounter();
    for (const doc of parseAllDocuments(text, { lineCounter })) {
      if (!doc.contents || !isMap(doc.contents)) continue;
      const line = lineCounter.linePos(doc.contents.range[0]).line;
      const object = doc.toJS() as KubeObject;
      const items =
        /List$/.test(object.kind) && Array.isArray(object.items) ? (object.items as KubeObject[]) : [object];
      for (const item of items) {
        if (!item?.metadata?.name) {
          problems.push({
            message: `${item?.kind ?? "object"} has no metadata.name`,
            origin: { file, line },
          });
          continue;
        }
        const id = `${item.apiVersion}|${item.kind}|${item.metadata.namespace ?? ""}|${item.metadata.name}`;
        const first = seen.get(id);
        if (first) {
          problems.push({
            message: `may not add resource with an already registered id: ${item.kind}/${item.metadata.name} (also in ${first})`,
            origin: { file, line },
          });
          continue;
        }
        seen.set(id, `${file}:${line}`);
        manifests.push({ object: item, origin: { file, line } });
      }
    }
  }
  if (problems.length > 0) throw BuildError.of(problems);
  return manifests;
}

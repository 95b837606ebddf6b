/**
 * The objects of a folder of plain Kubernetes YAML (no kustomization file anywhere below it, no
 * overlay), read directly: what kustomize would produce from the kustomization Flux generates for
 * it, without running kustomize (which takes seconds for a thousand objects). Lists are expanded,
 * empty documents skipped, and two objects with the same identity are an error, as in kustomize.
 */
import { isMap } from "yaml";
import { compareStrings, type KubeObject, type Manifest } from "../model/object.js";
import type { Problem } from "../model/result.js";
import { BuildError } from "./errors.js";
import type { ParsedFile } from "./generate.js";
import { joinRepoPath } from "./paths.js";
import type { KustomizationOverlay } from "./spec.js";

/** True when nothing in the overlay changes the objects kustomize would build (commonMetadata is set afterwards). */
export function isEmptyOverlay(overlay: KustomizationOverlay): boolean {
  return Object.entries(overlay).every(
    ([key, value]) =>
      key === "commonMetadata" || value === undefined || (Array.isArray(value) && value.length === 0),
  );
}

/** The objects of `files` (paths relative to the folder, as the generated kustomization lists them), already parsed. */
export function readPlainManifests(
  repoPath: string,
  files: string[],
  parsed: ReadonlyMap<string, ParsedFile>,
): Manifest[] {
  const manifests: Manifest[] = [];
  const seen = new Map<string, string>();
  const problems: Problem[] = [];
  for (const rel of files) {
    const file = joinRepoPath(repoPath, rel);
    const { docs, lineCounter } = parsed.get(rel) as ParsedFile;
    for (const doc of docs) {
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
  return manifests.sort((a, b) => compareLegacyOrder(a.object, b.object));
}

// kustomize's default ("legacy") output order, so the objects come out as `kustomize build` prints them.
const ORDER_FIRST = [
  "Namespace",
  "ResourceQuota",
  "StorageClass",
  "CustomResourceDefinition",
  "ServiceAccount",
  "PodSecurityPolicy",
  "Role",
  "ClusterRole",
  "RoleBinding",
  "ClusterRoleBinding",
  "ConfigMap",
  "Secret",
  "Endpoints",
  "Service",
  "LimitRange",
  "PriorityClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "Deployment",
  "StatefulSet",
  "CronJob",
  "PodDisruptionBudget",
];
const ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

function rank(kind: string): number {
  const first = ORDER_FIRST.indexOf(kind);
  if (first >= 0) return first - ORDER_FIRST.length;
  const last = ORDER_LAST.indexOf(kind);
  return last >= 0 ? 1 + last : 0;
}

function compareLegacyOrder(a: KubeObject, b: KubeObject): number {
  const gvk = (o: KubeObject) =>
    `${o.apiVersion.includes("/") ? o.apiVersion : `_${o.apiVersion}`}_${o.kind}`;
  const id = (o: KubeObject) => `${o.metadata.namespace ?? ""}|${o.metadata.name}`;
  return rank(a.kind) - rank(b.kind) || compareStrings(gvk(a), gvk(b)) || compareStrings(id(a), id(b));
}

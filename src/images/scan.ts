/**
 * Finds a repository's image automation objects (ImageRepository, ImagePolicy, ImageUpdateAutomation)
 * as Flux would see them: each synced path is built with kustomize, and the Flux Kustomizations in it
 * are followed to their own paths with their overlays (so a `namespace:` set by a kustomization is the
 * object's namespace). Nothing is decrypted or substituted: these objects carry no secrets.
 */

import { classify, conventionalSourceNames } from "../build/flux.js";
import { type KustomizationOverlay, overlayOf } from "../build/spec.js";
import type { Workspace } from "../build/workspace.js";
import type { Origin } from "../model/object.js";
import { type Problem, ReconcileError } from "../model/result.js";
import {
  type ImagePolicy,
  type ImageRepository,
  type ImageUpdateAutomation,
  isImageObject,
  readImageObject,
} from "./kinds.js";

/** An object with the file and line it came from. */
export type Located<T> = T & { origin?: Origin };

export interface ImageObjects {
  repositories: Located<ImageRepository>[];
  policies: Located<ImagePolicy>[];
  automations: Located<ImageUpdateAutomation>[];
  /** Builds that failed and objects that are not valid; the rest is still found. */
  problems: Problem[];
}

/** The image automation objects under `paths` (repository-relative), each path followed through its Kustomizations. */
export async function scanImageObjects(
  workspace: Workspace,
  paths: readonly string[],
): Promise<ImageObjects> {
  const found: ImageObjects = { repositories: [], policies: [], automations: [], problems: [] };
  const seen = new Set<string>();
  const ids = new Set<string>();
  const pending: Array<{ path: string; overlay: KustomizationOverlay }> = paths.map((path) => ({
    path,
    overlay: {},
  }));
  for (let next = pending.shift(); next; next = pending.shift()) {
    const key = `${next.path}\n${JSON.stringify(next.overlay)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let manifests: Awaited<ReturnType<Workspace["build"]>>;
    try {
      manifests = await workspace.build(next.path, next.overlay);
    } catch (error) {
      found.problems.push(...problemsOf(error, `building ${next.path}`));
      continue;
    }
    const sorted = classify(manifests, { sourceNames: [...conventionalSourceNames] });
    for (const child of sorted.children) pending.push({ path: child.path, overlay: overlayOf(child.spec) });
    for (const { object, origin } of sorted.consumed) {
      if (!isImageObject(object)) continue;
      const id = `${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`;
      if (ids.has(id)) continue;
      ids.add(id);
      try {
        const read = { ...readImageObject(object), ...(origin ? { origin } : {}) };
        if (read.kind === "ImageRepository") found.repositories.push(read);
        else if (read.kind === "ImagePolicy") found.policies.push(read);
        else found.automations.push(read);
      } catch (error) {
        found.problems.push(...problemsOf(error, id, origin));
      }
    }
  }
  return found;
}

function problemsOf(error: unknown, what: string, origin?: Origin): Problem[] {
  if (error instanceof ReconcileError)
    return error.problems.map((p) => ({ ...p, ...(origin && !p.origin ? { origin } : {}) }));
  return [{ message: `${what}: ${error instanceof Error ? error.message : String(error)}` }];
}

/**
 * Sorting a unit's build output by what Ferry does with each object: apply it, build it as a
 * child unit (a Flux `Kustomization` on this repository), reconcile it with helm (a `HelmRelease`),
 * read it instead of applying it (sources, image automation, notifications), or report it as not
 * supported yet.
 */
import { type KubeObject, type Manifest, type Origin, refOf, subjectOf } from "../model/object.js";
import type { Problem } from "../model/result.js";
import { normalizeRepoPath } from "./paths.js";
import { type KustomizationSpec, parseKustomizationSpec } from "./spec.js";

/** A Flux Kustomization found in a build, to be built from this repository as its own unit. */
export interface ChildUnit {
  name: string;
  namespace: string;
  /** `spec.path`, normalized and relative to the repository root (`.` for the root). */
  path: string;
  spec: KustomizationSpec;
  /** The Kustomization as built (its labels and annotations decide whether prune may remove it). */
  object: KubeObject;
  origin?: Origin;
}

export interface NotSupported {
  subject: string;
  reason: string;
  origin?: Origin;
}

export interface Classification {
  /** Objects to apply to the cluster. */
  apply: Manifest[];
  /** Flux Kustomizations on this repository, to build as units of their own. */
  children: ChildUnit[];
  /** Flux HelmReleases, each reconciled with the real helm as a unit of its own. */
  helmReleases: Manifest[];
  /** Flux objects Ferry does not act on yet (HelmChart). */
  notSupported: NotSupported[];
  /** Flux objects Ferry reads instead of applying (sources, image automation, notifications). */
  consumed: Manifest[];
  /** Problems of this unit: invalid Kustomization specs, sources Ferry cannot read. */
  problems: Problem[];
}

export interface RepositoryContext {
  /**
   * The GitRepository objects that stand for this repository: `name` (any namespace) or
   * `namespace/name`. Pass the conventional `flux-system` (see `conventionalSourceNames`);
   * the GitRepositories found in the same build are added (only those whose `spec.url` is
   * `url`, when `url` is given).
   */
  sourceNames: string[];
  /** This repository's clone URL (https or ssh form), to tell its GitRepositories from others. */
  url?: string;
  /** The line of a key path inside the object at `origin`, to point spec errors at the key. */
  lineOf?: (origin: Origin | undefined, path: readonly (string | number)[]) => number | undefined;
}

/** The GitRepository name `flux bootstrap` gives the fleet repository. */
export const conventionalSourceNames: readonly string[] = ["flux-system"];

const notSupportedKinds = new Set(["HelmChart"]);
const consumedKinds = new Set([
  "GitRepository",
  "HelmRepository",
  "OCIRepository",
  "Bucket",
  "ImageRepository",
  "ImagePolicy",
  "ImageUpdateAutomation",
  "Alert",
  "Provider",
  "Receiver",
]);
const kustomizationGroup = "kustomize.toolkit.fluxcd.io";
const kustomizationVersions = new Set(["v1", "v1beta2"]);

/** Sorts a unit's build output. Pure: reads nothing but its arguments (and `repo.lineOf`). */
export function classify(manifests: Manifest[], repo: RepositoryContext): Classification {
  const result: Classification = {
    apply: [],
    children: [],
    helmReleases: [],
    notSupported: [],
    consumed: [],
    problems: [],
  };
  const sources = sourcesOf(manifests, repo);
  const seen = new Map<string, ChildUnit>();

  for (const manifest of manifests) {
    const { object, origin } = manifest;
    const ref = refOf(object);
    const subject = subjectOf(ref);
    const fluxGroup = ref.group.endsWith(".toolkit.fluxcd.io");

    if (fluxGroup && ref.group === kustomizationGroup && object.kind === "Kustomization") {
      const child = childOf(manifest, sources, repo, result.problems);
      if (!child) continue;
      const key = `${child.namespace}/${child.name}`;
      const earlier = seen.get(key);
      if (earlier) {
        result.problems.push(
          problem(subject, origin, `the build has two Kustomizations named ${key}; rename one of them`),
        );
        continue;
      }
      seen.set(key, child);
      result.children.push(child);
    } else if (ref.group === "helm.toolkit.fluxcd.io" && object.kind === "HelmRelease") {
      result.helmReleases.push(manifest);
    } else if (fluxGroup && notSupportedKinds.has(object.kind)) {
      result.notSupported.push({
        subject,
        reason: `${object.kind} is not supported yet`,
        ...(origin ? { origin } : {}),
      });
    } else if (fluxGroup && consumedKinds.has(object.kind)) {
      result.consumed.push(manifest);
    } else {
      result.apply.push(manifest);
    }
  }
  return result;
}

function childOf(
  manifest: Manifest,
  sources: Sources,
  repo: RepositoryContext,
  problems: Problem[],
): ChildUnit | undefined {
  const { object, origin } = manifest;
  const subject = subjectOf(refOf(object));
  const namespace = object.metadata.namespace || "default";
  const version = object.apiVersion.split("/")[1];
  if (!kustomizationVersions.has(version)) {
    problems.push(
      problem(
        subject,
        origin,
        `${object.apiVersion} Kustomization is not read by Ferry; write it as ${kustomizationGroup}/v1`,
      ),
    );
    return undefined;
  }
  const parsed = parseKustomizationSpec(object.spec, {
    ...(origin ? { origin } : {}),
    subject,
    ...(repo.lineOf ? { lineOf: (path) => repo.lineOf?.(origin, path) } : {}),
  });
  if (!parsed.ok) {
    problems.push(...parsed.problems);
    return undefined;
  }
  const { spec } = parsed;
  const sourceNamespace = spec.sourceRef.namespace || namespace;
  const source = `${spec.sourceRef.kind}/${sourceNamespace}/${spec.sourceRef.name}`;
  if (spec.sourceRef.kind !== "GitRepository" || !sources.has(sourceNamespace, spec.sourceRef.name)) {
    problems.push(
      problem(
        subject,
        origin,
        `source ${source} cannot be read by Ferry: Ferry builds Kustomizations from this repository only ` +
          `(GitRepository ${sources.describe()}); build that source's path from its own repository`,
      ),
    );
    return undefined;
  }
  const path = normalizeRepoPath(spec.path);
  if (path === undefined) {
    problems.push(problem(subject, origin, `spec.path ${spec.path} leaves the repository`));
    return undefined;
  }
  return { name: object.metadata.name, namespace, path, spec, object, ...(origin ? { origin } : {}) };
}

function problem(subject: string, origin: Origin | undefined, message: string): Problem {
  return { message, subject, ...(origin ? { origin } : {}) };
}

interface Sources {
  has(namespace: string, name: string): boolean;
  describe(): string;
}

function sourcesOf(manifests: Manifest[], repo: RepositoryContext): Sources {
  const anyNamespace = new Set<string>();
  const qualified = new Set<string>();
  for (const entry of repo.sourceNames) {
    if (entry.includes("/")) qualified.add(entry);
    else anyNamespace.add(entry);
  }
  for (const { object } of manifests) {
    if (object.kind !== "GitRepository" || !object.apiVersion.startsWith("source.toolkit.fluxcd.io/"))
      continue;
    if (repo.url && !sameRepository(urlOf(object), repo.url)) continue;
    qualified.add(`${object.metadata.namespace || "default"}/${object.metadata.name}`);
  }
  return {
    has: (namespace, name) => anyNamespace.has(name) || qualified.has(`${namespace}/${name}`),
    describe: () => [...anyNamespace, ...qualified].join(", ") || "(none)",
  };
}

function urlOf(object: KubeObject): string | undefined {
  const spec = object.spec as { url?: unknown } | undefined;
  return typeof spec?.url === "string" ? spec.url : undefined;
}

/** `https://github.com/acme/fleet(.git)`, `ssh://git@github.com/acme/fleet`, `git@github.com:acme/fleet.git` alike. */
export function sameRepository(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  return canonicalUrl(a) === canonicalUrl(b);
}

function canonicalUrl(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^[a-z+]+:\/\//, "")
    .replace(/^[^@/]+@/, "")
    .replace(/^([^/:]+):(?!\d)/, "$1/")
    .replace(/\.git$/, "")
    .replace(/\/+$/, "");
}

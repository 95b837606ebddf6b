/**
 * A private copy of a repository to build paths in. kustomize runs on the copy only, so it never
 * changes the user's files, and everything it may read is checked to be inside the repository.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Document, parseAllDocuments } from "yaml";
import type { KubeObject, Manifest, Origin } from "../model/object.js";
import { locateBinary } from "../tools/binaries.js";
import { setCommonMetadata } from "./common-metadata.js";
import { copyRepository } from "./copy.js";
import { type DecryptedSources, type DecryptSource, decryptSources } from "./decrypt-sources.js";
import { BuildError } from "./errors.js";
import { generateKustomization, type ParsedFile } from "./generate.js";
import { findKustomizationFile, firstLine, isDirectory, parseKustomization } from "./kustomization-file.js";
import { cleanKustomizeError, runKustomize } from "./kustomize.js";
import { lineOfKey, OriginResolver } from "./origin.js";
import { applyOverlay, buildMetadataOf, requestOriginAnnotations } from "./overlay.js";
import { isInside, normalizeRepoPath, toRepoRelative } from "./paths.js";
import { isEmptyOverlay, readPlainManifests } from "./plain.js";
import { checkReferences } from "./references.js";
import type { KustomizationOverlay } from "./spec.js";

export interface WorkspaceOptions {
  /** Let kustomize fetch remote bases (git, HTTP); refused by default. */
  allowRemoteBases?: boolean;
  /** The kubectl binary; default as `locateBinary("kubectl")` finds it. */
  kubectl?: string;
  /** Stop one kustomize run after this long (default 5 minutes). */
  timeoutMs?: number;
}

/** What one build does besides kustomize's own work. */
export interface BuildOptions {
  /**
   * Decrypts a SOPS-encrypted file that a secretGenerator reads or a patch names, before kustomize
   * runs (Flux's DecryptSources); without it such files reach kustomize as they are. Called with
   * the file's text, its path relative to the repository root and the format Flux reads it in.
   * The plain text is written to the workspace copy only (mode 0600) and the encrypted file is put
   * back after the build.
   */
  decryptSource?: DecryptSource;
}

export class Workspace {
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(
    /** The user's repository (never written to). */
    readonly repoDir: string,
    /** The copy builds run in. */
    readonly root: string,
    private readonly tempDir: string,
    private readonly kubectl: string,
    private readonly options: WorkspaceOptions,
  ) {}

  /**
   * Copies `repoDir` (without `.git`) into a new temporary folder. Fails with a `BuildError`
   * naming every symbolic link whose target is outside the repository, and when kubectl
   * cannot be found.
   */
  static async create(repoDir: string, options: WorkspaceOptions = {}): Promise<Workspace> {
    const kubectl = await locateBinary("kubectl", options.kubectl ? { explicit: options.kubectl } : {});
    if (!(await isDirectory(repoDir)))
      throw BuildError.at(undefined, `repository folder ${repoDir} does not exist`);
    const tempDir = await mkdtemp(join(await realpath(tmpdir()), "ferry-build-"));
    const root = join(tempDir, "repo");
    try {
      await copyRepository(repoDir, root);
    } catch (error) {
      await rm(tempDir, { recursive: true, force: true });
      throw error;
    }
    return new Workspace(repoDir, root, tempDir, kubectl, options);
  }

  /**
   * Builds `path` (relative to the repository root: `./apps`, `apps`) as Flux's
   * kustomize-controller would, with a Flux Kustomization's overlay fields. Returns the objects
   * in kustomize's order, each with its origin (file relative to the repository root, line of
   * its document). Builds in one workspace run one at a time: the path's kustomization file is
   * edited (or generated) for the build and restored afterwards.
   *
   * Throws a `BuildError` when the path leaves the repository or does not exist, a file is not
   * Kubernetes YAML, a base is remote (unless allowed) or outside the repository, or kustomize
   * fails; and what `options.decryptSource` throws (a `SopsError` naming the file).
   */
  build(path: string, overlay: KustomizationOverlay = {}, options: BuildOptions = {}): Promise<Manifest[]> {
    if (this.disposed) return Promise.reject(new Error("the build workspace was disposed"));
    const run = this.queue.then(() => this.buildNow(path, overlay, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Removes the copy (after the builds already asked for have finished). */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.queue;
    await rm(this.tempDir, { recursive: true, force: true });
  }

  /**
   * The line of a key path (`["spec", "interval"]`) inside the object found at `origin`, read
   * from the copy; for pointing errors at the key that is wrong.
   */
  lineOf(origin: Origin | undefined, path: readonly (string | number)[]): number | undefined {
    if (!origin?.line) return undefined;
    const file = join(this.root, origin.file);
    if (!isInside(this.root, file)) return undefined;
    try {
      return lineOfKey(readFileSync(file, "utf8"), origin.line, path);
    } catch {
      return undefined;
    }
  }

  private async buildNow(
    path: string,
    overlay: KustomizationOverlay,
    options: BuildOptions,
  ): Promise<Manifest[]> {
    const repoPath = normalizeRepoPath(path);
    if (repoPath === undefined) {
      throw BuildError.at(
        undefined,
        `path ${path} leaves the repository; a path is relative to the repository root`,
      );
    }
    const dir = join(this.root, repoPath);
    if (!(await isDirectory(dir)) || !isInside(this.root, await realpath(dir))) {
      throw BuildError.at({ file: repoPath }, `kustomization path not found: ${repoPath}`);
    }

    const existing = await findKustomizationFile(dir);
    const kustomizationFile = existing ?? join(dir, "kustomization.yaml");
    const file = toRepoRelative(this.root, kustomizationFile);
    const original = existing ? await readFile(existing, "utf8") : undefined;
    const parsed = new Map<string, ParsedFile>();
    const doc =
      original !== undefined
        ? parseKustomization(original, file)
        : await generateKustomization(dir, repoPath, parsed);
    const generated = original === undefined ? plainResources(doc) : undefined;
    // Every resource is a YAML file, so no kustomization is reachable: no generator source or patch
    // file for options.decryptSource to decrypt.
    if (generated && isEmptyOverlay(overlay)) {
      const manifests = readPlainManifests(repoPath, generated, parsed);
      setCommonMetadata(manifests, overlay.commonMetadata);
      return manifests;
    }
    applyOverlay(doc, overlay, { file, path: repoPath, root: this.root, dir });
    const keepOrigin = buildMetadataOf(doc).includes("originAnnotations");
    requestOriginAnnotations(doc);

    await writeFile(kustomizationFile, doc.toString());
    let sources: DecryptedSources | undefined;
    try {
      await checkReferences(this.root, dir, { allowRemoteBases: this.options.allowRemoteBases });
      if (options.decryptSource) sources = await decryptSources(this.root, repoPath, options.decryptSource);
      const outcome = await runKustomize({ kubectl: this.kubectl, dir, timeoutMs: this.options.timeoutMs });
      if (!outcome.ok) {
        const reason = cleanKustomizeError(outcome.message, [this.root]);
        throw BuildError.at(
          { file: existing ? file : repoPath },
          `kustomize build failed for ${repoPath}: ${reason}`,
        );
      }
      const manifests = await this.toManifests(outcome.yaml, repoPath, keepOrigin);
      setCommonMetadata(manifests, overlay.commonMetadata);
      return manifests;
    } finally {
      try {
        await sources?.restore();
      } finally {
        if (original !== undefined) await writeFile(kustomizationFile, original);
        else await rm(kustomizationFile, { force: true });
      }
    }
  }

  private async toManifests(text: string, repoPath: string, keepOrigin: boolean): Promise<Manifest[]> {
    const origins = new OriginResolver(this.root, repoPath);
    const manifests: Manifest[] = [];
    for (const doc of parseAllDocuments(text)) {
      const [error] = doc.errors;
      if (error)
        throw BuildError.at(
          undefined,
          `kustomize output for ${repoPath} is not YAML: ${firstLine(error.message)}`,
        );
      if (doc.contents === null) continue;
      const value: unknown = doc.toJS();
      if (!isKubeObject(value)) {
        throw BuildError.at(
          undefined,
          `kustomize build for ${repoPath} gave an object without apiVersion, kind and metadata.name: ` +
            firstLine(JSON.stringify(value)).slice(0, 200),
        );
      }
      const origin = await origins.take(value, keepOrigin);
      manifests.push({ object: value, ...(origin ? { origin } : {}) });
    }
    return manifests;
  }
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const object = value as Record<string, unknown>;
  const metadata = object.metadata as Record<string, unknown> | undefined;
  return (
    typeof object.apiVersion === "string" &&
    object.apiVersion !== "" &&
    typeof object.kind === "string" &&
    object.kind !== "" &&
    typeof metadata === "object" &&
    metadata !== null &&
    typeof metadata.name === "string" &&
    metadata.name !== ""
  );
}

/** The files of a generated kustomization when it lists only YAML files (no nested kustomizations). */
function plainResources(doc: Document): string[] | undefined {
  const resources = (doc.toJS() as { resources?: string[] }).resources ?? [];
  return resources.every((r) => /\.ya?ml$/.test(r)) ? resources : undefined;
}

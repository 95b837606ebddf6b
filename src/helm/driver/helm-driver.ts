/**
 * Drives the real helm binary against one cluster, so the releases it makes are ordinary Helm
 * releases (`helm list`, `history` and `rollback` keep working). Helm 3 and Helm 4 both work;
 * the flags that differ are chosen by the version found at start.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalJson } from "../../model/canonical-json.js";
import { locateBinary } from "../../tools/binaries.js";
import {
  effectivePostRenderers,
  type PostRenderConfig,
  type PostRenderMetadata,
  postRenders,
} from "../post-render/config.js";
import {
  checkPostRenderCommand,
  POST_RENDER_PLUGIN,
  postRenderCommand,
  postRenderEnv,
  writePostRenderPlugin,
} from "../post-render/plugin.js";
import type { PostRenderer } from "../release.js";
import type { Values } from "../values-map.js";
import { HelmError, meaningfulStderr, redact, secretCandidates } from "./helm-error.js";
import { forceReplaceFlag, postRenderFlags, timeoutFlag, waitFlags } from "./helm-flags.js";
import { type HelmVersion, parseHelmVersion } from "./helm-version.js";
import {
  type HelmChartRef,
  type HelmRevision,
  type HelmTestRun,
  parseHistory,
  parseMetadata,
  parseRelease,
  parseValuesDigest,
} from "./release-json.js";
import { type HelmOutput, runHelm } from "./run-helm.js";

export interface HelmDriverOptions {
  /** Path of a kubeconfig file for the target cluster (the caller writes and removes it). */
  kubeconfig: string;
  /** The kubeconfig context (`--kube-context`); default its current context. */
  kubeContext?: string;
  /** A user every request impersonates (`--kube-as-user`), e.g. `system:serviceaccount:<ns>:<name>`. */
  kubeAsUser?: string;
  /** The helm binary; default: `locateBinary("helm")` (FERRY_HELM, the tools cache, PATH). */
  helm?: string;
  /** Extra environment for helm (e.g. proxies). helm's own folders and HOME are always private. */
  env?: Record<string, string>;
}

export interface HelmUpgradeRequest {
  name: string;
  /** The target namespace, where the release's objects and its storage Secrets go. */
  namespace: string;
  /**
   * Where the release is stored. helm's command line stores a release in its target namespace,
   * so this must be absent or equal to `namespace`.
   */
  storageNamespace?: string;
  /** A chart archive (.tgz) or folder. */
  chart: string;
  /** The composed values; written to a private file for helm and removed afterwards. */
  values: Values;
  timeoutMs: number;
  /** Wait for the release's resources to be ready (Helm 4: the `watcher` strategy). */
  wait: boolean;
  /** With `wait`, also wait for Jobs to complete. */
  waitForJobs?: boolean;
  /** Skip the chart's hooks (`--no-hooks`). */
  disableHooks?: boolean;
  /** Skip validating the rendered objects against the cluster's OpenAPI schema. */
  disableOpenApiValidation?: boolean;
  /** Skip the chart's `values.schema.json`. */
  skipSchemaValidation?: boolean;
  /** Replace resources that cannot be updated (Helm 3 `--force`, Helm 4 `--force-replace`). */
  forceReplace?: boolean;
  /** Delete what a failed upgrade created. */
  cleanupOnFail?: boolean;
  /** Revisions kept; 0 means no limit. */
  maxHistory: number;
  createNamespace?: boolean;
  /** Install when the release does not exist (default true); false makes a missing release an error. */
  install?: boolean;
  /** Render and validate against the cluster without changing anything. */
  dryRun?: "server";
  /** Leave the chart's `crds/` alone (Ferry applies them by the HelmRelease's CRD policy). */
  skipCrds?: boolean;
  /** Flux's kustomize post-renderers, applied in order to the rendered manifest (not to hooks). */
  postRenderers?: readonly PostRenderer[];
  /** Labels and annotations then set on every object of the manifest (not hooks). */
  postRenderMetadata?: PostRenderMetadata;
  /** Labels of the release (kept in its storage); the value `null` removes a label. */
  labels?: Record<string, string>;
}

export interface HelmUpgradeResult {
  revision: number;
  status: string;
  chartName: string;
  chartVersion: string;
  /** `valuesDigest` of the values helm recorded, for comparing with `status()` later. */
  valuesDigest: string;
  /** The rendered manifest; it may hold Secret data, so never log it. */
  manifest: string;
  /** The rendered hooks (test hooks included), one manifest each; never log them either. */
  hookManifests: string[];
}

export interface HelmReleaseStatus {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  chart: HelmChartRef;
  /** `valuesDigest` of the values the release was given; equal to the caller's digest when in sync. */
  valuesDigest: string;
}

export interface HelmWaitOptions {
  /** Default 5 minutes. */
  timeoutMs?: number;
  /** Default true. */
  wait?: boolean;
}

export interface HelmRollbackOptions extends HelmWaitOptions {
  /** Revisions kept; 0 means no limit; default helm's (10). */
  maxHistory?: number;
}

export interface HelmUninstallOptions extends HelmWaitOptions {
  /** Mark the release uninstalled but keep its history. */
  keepHistory?: boolean;
}

/** Flux's test filter: run only the named tests, or (with `exclude`) all but them. */
export interface HelmTestFilter {
  name: string;
  exclude?: boolean;
}

export interface HelmTestOptions {
  filters?: HelmTestFilter[];
  /** Default 5 minutes. */
  timeoutMs?: number;
}

export interface HelmTestResult {
  passed: boolean;
  /** The tests that ran, each with its phase (`Succeeded`, `Failed`, …). */
  tests: HelmTestRun[];
  /** What helm said when a test failed. */
  detail?: string;
}

const DEFAULT_TIMEOUT_MS = 300_000;
/** How long helm may take beyond its own `--timeout` before it is killed. */
const KILL_MARGIN_MS = 60_000;
/** The limit for commands that only read the release. */
const READ_TIMEOUT_MS = 120_000;

function clusterFlags(options: HelmDriverOptions): string[] {
  return [
    "--kubeconfig",
    options.kubeconfig,
    ...(options.kubeContext ? ["--kube-context", options.kubeContext] : []),
    ...(options.kubeAsUser ? ["--kube-as-user", options.kubeAsUser] : []),
  ];
}

function isNotFound(output: HelmOutput): boolean {
  return output.exitCode !== 0 && /release: not found/.test(output.stderr);
}

function testSelected(name: string, filters: readonly HelmTestFilter[]): boolean {
  const included = filters.filter((f) => !f.exclude);
  if (included.length > 0 && !included.some((f) => f.name === name)) return false;
  return !filters.some((f) => f.exclude && f.name === name);
}

export class HelmDriver implements AsyncDisposable {
  /** kubectl for Ferry's post-renderer, found (and for Helm 4 the plugin installed) on first use. */
  private postRenderer: Promise<{ kubectl: string }> | undefined;

  private constructor(
    /** The helm binary run. */
    readonly binary: string,
    readonly version: HelmVersion,
    /** How helm reaches the cluster: `--kubeconfig` and the context and impersonation flags. */
    private readonly clusterFlags: readonly string[],
    /** A private folder holding HOME, helm's cache, config and data, and values files. */
    private readonly home: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Finds helm, reads its version and makes its private folders. */
  static async create(options: HelmDriverOptions): Promise<HelmDriver> {
    const binary = await locateBinary("helm", {
      explicit: options.helm,
      env: options.env ? { ...process.env, ...options.env } : process.env,
    });
    const home = await mkdtemp(join(tmpdir(), "ferry-helm-"));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? "",
      ...options.env,
      HOME: home,
      HELM_CACHE_HOME: join(home, "cache"),
      HELM_CONFIG_HOME: join(home, "config"),
      HELM_DATA_HOME: join(home, "data"),
      ...postRenderEnv(postRenderCommand()),
    };
    try {
      const args = ["version", "--template", "{{.Version}}"];
      const output = await runHelm({ binary, args, env, cwd: home, timeoutMs: READ_TIMEOUT_MS });
      if (output.exitCode !== 0) throw HelmDriver.failure(args, output, []);
      return new HelmDriver(binary, parseHelmVersion(output.stdout), clusterFlags(options), home, env);
    } catch (e) {
      await rm(home, { recursive: true, force: true });
      throw e;
    }
  }

  /** `helm upgrade --install`, returning the release helm recorded (or would, with `dryRun`). */
  async upgrade(request: HelmUpgradeRequest): Promise<HelmUpgradeResult> {
    if (request.storageNamespace !== undefined && request.storageNamespace !== request.namespace) {
      throw new Error(
        `release ${request.name}: helm stores a release in its target namespace, so storageNamespace ` +
          `"${request.storageNamespace}" must equal namespace "${request.namespace}"`,
      );
    }
    const dir = await mkdtemp(join(this.home, "values-"));
    const valuesFile = join(dir, "values.json");
    const postRenderErrorFile = join(dir, "post-render-error");
    try {
      // JSON is YAML (canonical JSON also writes the big integers `--set` parsing makes); the
      // file is private to this user and removed right after.
      await writeFile(valuesFile, canonicalJson(request.values), { mode: 0o600, flag: "wx" });
      const postRender = await this.postRenderArgs(
        request.postRenderers ?? [],
        request.postRenderMetadata ?? { labels: {}, annotations: {} },
        dir,
        postRenderErrorFile,
      );
      const args = [
        "upgrade",
        ...(request.install === false ? [] : ["--install"]),
        request.name,
        request.chart,
        "--namespace",
        request.namespace,
        "--values",
        valuesFile,
        ...timeoutFlag(request.timeoutMs),
        ...waitFlags(this.version.major, request.wait),
        ...(request.wait && request.waitForJobs ? ["--wait-for-jobs"] : []),
        "--history-max",
        String(request.maxHistory),
        ...(request.createNamespace ? ["--create-namespace"] : []),
        ...(request.dryRun ? [`--dry-run=${request.dryRun}`] : []),
        ...(request.skipCrds ? ["--skip-crds"] : []),
        ...(request.disableHooks ? ["--no-hooks"] : []),
        ...(request.disableOpenApiValidation ? ["--disable-openapi-validation"] : []),
        ...(request.skipSchemaValidation ? ["--skip-schema-validation"] : []),
        ...(request.forceReplace ? [forceReplaceFlag(this.version.major)] : []),
        ...(request.cleanupOnFail ? ["--cleanup-on-fail"] : []),
        ...Object.entries(request.labels ?? {}).flatMap(([key, value]) => ["--labels", `${key}=${value}`]),
        ...postRender,
        "--output",
        "json",
      ];
      const output = await this.run(args, request.timeoutMs + KILL_MARGIN_MS);
      if (output.exitCode !== 0) {
        const shown = args.map((arg) =>
          arg === valuesFile ? "<values file>" : arg.startsWith(dir) ? "<post-render configuration>" : arg,
        );
        // helm 4 keeps a plugin's stderr to itself; the post-renderer also wrote its failure here.
        const postRenderFailure = await readFile(postRenderErrorFile, "utf8").catch(() => "");
        throw HelmDriver.failure(
          shown,
          postRenderFailure
            ? { ...output, stderr: `Error: post-render failed: ${postRenderFailure}` }
            : output,
          secretCandidates(request.values),
        );
      }
      const release = parseRelease(output.stdout, `helm upgrade ${request.name}`);
      return {
        revision: release.revision,
        status: release.status,
        chartName: release.chart?.name ?? "",
        chartVersion: release.chart?.version ?? "",
        valuesDigest: release.valuesDigest,
        manifest: release.manifest,
        hookManifests: release.hookManifests,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * The flags that run Ferry's post-renderer over what the chart renders, with a private configuration
   * file in `dir`; none when no post-renderer changes anything.
   */
  private async postRenderArgs(
    renderers: readonly PostRenderer[],
    metadata: PostRenderMetadata,
    dir: string,
    errorFile: string,
  ): Promise<string[]> {
    const effective = effectivePostRenderers(renderers);
    if (!postRenders(effective, metadata)) return [];
    this.postRenderer ??= this.preparePostRenderer();
    const { kubectl } = await this.postRenderer;
    const configFile = join(dir, "post-render.json");
    const config: PostRenderConfig = { kubectl, renderers: effective, metadata, errorFile };
    await writeFile(configFile, JSON.stringify(config), { mode: 0o600, flag: "wx" });
    const command = { ...postRenderCommand(), plugin: POST_RENDER_PLUGIN };
    return postRenderFlags(this.version.major, command, configFile);
  }

  private async preparePostRenderer(): Promise<{ kubectl: string }> {
    await checkPostRenderCommand(postRenderCommand());
    const kubectl = await locateBinary("kubectl", { env: { ...process.env, ...this.env } });
    if (this.version.major === 4) await writePostRenderPlugin(join(this.home, "data", "plugins"));
    return { kubectl };
  }

  /**
   * The release's latest revision, or undefined when there is no such release: `helm get
   * metadata`, then `helm get values` of that same revision (helm 3.13 or later).
   */
  async status(name: string, namespace: string): Promise<HelmReleaseStatus | undefined> {
    const metadataArgs = ["get", "metadata", name, "--namespace", namespace, "--output", "json"];
    const metadataOutput = await this.run(metadataArgs, READ_TIMEOUT_MS);
    if (isNotFound(metadataOutput)) return undefined;
    if (metadataOutput.exitCode !== 0) throw HelmDriver.failure(metadataArgs, metadataOutput, []);
    const metadata = parseMetadata(metadataOutput.stdout, `helm get metadata ${name}`);
    const revision = String(metadata.revision);
    const valuesArgs = [
      "get",
      "values",
      name,
      "--namespace",
      namespace,
      "--revision",
      revision,
      "-o",
      "json",
    ];
    const valuesOutput = await this.run(valuesArgs, READ_TIMEOUT_MS);
    if (valuesOutput.exitCode !== 0) throw HelmDriver.failure(valuesArgs, valuesOutput, []);
    return { ...metadata, valuesDigest: parseValuesDigest(valuesOutput.stdout, `helm get values ${name}`) };
  }

  /**
   * The manifest of the release's latest revision (`helm get manifest`), or undefined when there is
   * no such release. It may hold Secret data: never log it.
   */
  async manifest(name: string, namespace: string): Promise<string | undefined> {
    const args = ["get", "manifest", name, "--namespace", namespace];
    const output = await this.run(args, READ_TIMEOUT_MS);
    if (isNotFound(output)) return undefined;
    if (output.exitCode !== 0) throw HelmDriver.failure(args, output, []);
    return output.stdout;
  }

  /** The release's revisions, oldest first; empty when there is no such release. */
  async history(name: string, namespace: string, max?: number): Promise<HelmRevision[]> {
    const args = ["history", name, "--namespace", namespace, "--output", "json"];
    if (max !== undefined) args.push("--max", String(max));
    const output = await this.run(args, READ_TIMEOUT_MS);
    if (isNotFound(output)) return [];
    if (output.exitCode !== 0) throw HelmDriver.failure(args, output, []);
    return parseHistory(output.stdout, `helm history ${name}`);
  }

  /** Rolls back to `revision` (default: the previous one) and returns the new revision's status. */
  async rollback(
    name: string,
    namespace: string,
    revision?: number,
    options: HelmRollbackOptions = {},
  ): Promise<HelmReleaseStatus> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const args = [
      "rollback",
      name,
      ...(revision === undefined ? [] : [String(revision)]),
      "--namespace",
      namespace,
      ...timeoutFlag(timeoutMs),
      ...waitFlags(this.version.major, options.wait ?? true),
      ...(options.maxHistory === undefined ? [] : ["--history-max", String(options.maxHistory)]),
    ];
    const output = await this.run(args, timeoutMs + KILL_MARGIN_MS);
    if (output.exitCode !== 0) throw HelmDriver.failure(args, output, []);
    const status = await this.status(name, namespace);
    if (!status) throw new Error(`release ${namespace}/${name} is gone after its rollback`);
    return status;
  }

  /** Uninstalls the release; false when there was no such release. */
  async uninstall(name: string, namespace: string, options: HelmUninstallOptions = {}): Promise<boolean> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const args = [
      "uninstall",
      name,
      "--namespace",
      namespace,
      ...timeoutFlag(timeoutMs),
      ...waitFlags(this.version.major, options.wait ?? true),
      ...(options.keepHistory ? ["--keep-history"] : []),
    ];
    const output = await this.run(args, timeoutMs + KILL_MARGIN_MS);
    if (isNotFound(output)) return false;
    if (output.exitCode !== 0) throw HelmDriver.failure(args, output, []);
    return true;
  }

  /**
   * `helm test`: runs the release's test hooks. A failing test is a result (`passed: false`),
   * not an error; anything else going wrong (no such release, helm failing) is a HelmError.
   */
  async test(name: string, namespace: string, options: HelmTestOptions = {}): Promise<HelmTestResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const filters = options.filters ?? [];
    const args = [
      "test",
      name,
      "--namespace",
      namespace,
      ...timeoutFlag(timeoutMs),
      ...filters.map((f) => `--filter=${f.exclude ? "!" : ""}name=${f.name}`),
    ];
    const output = await this.run(args, timeoutMs + KILL_MARGIN_MS);
    const failure = output.exitCode === 0 ? undefined : HelmDriver.failure(args, output, []);
    if (failure && isNotFound(output)) throw failure;
    // helm test prints text only; the release records each test hook's last run.
    const tests = (await this.lastTestRuns(name, namespace)).filter(
      (t) => t.phase !== "" && testSelected(t.name, filters),
    );
    const passed = tests.every((t) => t.phase === "Succeeded");
    if (failure && passed) throw failure;
    return { passed: !failure && passed, tests, ...(failure ? { detail: failure.detail } : {}) };
  }

  /** The last run of each of the release's test hooks, as the release records them (`helm status`). */
  async lastTestRuns(name: string, namespace: string): Promise<HelmTestRun[]> {
    const args = ["status", name, "--namespace", namespace, "--output", "json"];
    const output = await this.run(args, READ_TIMEOUT_MS);
    if (output.exitCode !== 0) throw HelmDriver.failure(args, output, []);
    return parseRelease(output.stdout, `helm status ${name}`).tests;
  }

  /** Removes the private folders. */
  async close(): Promise<void> {
    await rm(this.home, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private run(args: readonly string[], timeoutMs: number): Promise<HelmOutput> {
    return runHelm({
      binary: this.binary,
      args: [...args, ...this.clusterFlags],
      env: this.env,
      cwd: this.home,
      timeoutMs,
    });
  }

  private static failure(args: readonly string[], output: HelmOutput, secrets: readonly string[]): HelmError {
    const said = meaningfulStderr(output.stderr);
    const detail =
      said || (output.exitCode === undefined ? "helm did not finish in time and was stopped" : "");
    return new HelmError({
      command: ["helm", ...args],
      exitCode: output.exitCode,
      detail: redact(detail, secrets),
    });
  }
}

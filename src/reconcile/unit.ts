/**
 * One unit (a path with Flux Kustomization settings) through the sync flow: build, decrypt,
 * substitute, sort out Flux objects, validate, staged apply, prune, inventory, wait.
 */
import { setCommonMetadata } from "../build/common-metadata.js";
import type { ChildUnit } from "../build/flux.js";
import { classify, conventionalSourceNames } from "../build/flux.js";
import type {
  HealthCheckReference,
  KustomizationOverlay,
  KustomizationSpec,
  PostBuild,
} from "../build/spec.js";
import { overlayOf } from "../build/spec.js";
import { collectVariables, substituteObject, substitutionEnabled } from "../build/substitute.js";
import type { Workspace } from "../build/workspace.js";
import { applyPlanned, type NamespacePolicy, type PlannedObject, planApply } from "../cluster/apply.js";
import { type ClusterConnection, KubeClient } from "../cluster/client.js";
import {
  entriesOf,
  type Inventory,
  type InventoryEntry,
  type InventoryRecord,
  readInventory,
  recordsOf,
  staleEntries,
  writeInventory,
} from "../cluster/inventory.js";
import type { UnitOwner } from "../cluster/policy.js";
import { waitForHealth } from "../cluster/wait.js";
import type { HelmRelease } from "../helm/release.js";
import type { CredentialLookup } from "../images/registry/index.js";
import type { KubeObject, Manifest, ObjectRef, Origin } from "../model/object.js";
import { inventoryId, parseInventoryId, refOf, subjectOf } from "../model/object.js";
import type { ChangeSetEntry, Phase, Problem, UnitResult } from "../model/result.js";
import { ReconcileError } from "../model/result.js";
import {
  decryptDocument,
  decryptObject,
  keysFromSecretData,
  mergeKeys,
  type SopsFormat,
  type SopsKeys,
} from "../sops/index.js";
import { fluxInventory } from "./flux-inventory.js";

/** What to reconcile: a path of the repository with the settings of a Flux Kustomization. */
export interface UnitDefinition {
  owner: UnitOwner;
  path: string;
  overlay: KustomizationOverlay;
  prune: boolean;
  wait: boolean;
  timeoutMs: number;
  force: boolean;
  suspend: boolean;
  dependsOn: { name: string; namespace?: string }[];
  healthChecks: HealthCheckReference[];
  postBuild?: PostBuild;
  decryptionSecret?: string;
  /** `spec.serviceAccountName`: the unit's objects are read and written as this service account of its namespace. */
  serviceAccountName?: string;
  origin?: Origin;
  /** A HelmRelease found in a build: reconciled with helm instead of built and applied. */
  helm?: HelmRelease;
}

export interface ProgressEvent {
  unit: string;
  phase: Phase | "done";
  detail?: string;
}

export interface ReconcileContext {
  client: KubeClient;
  workspace: Workspace;
  /** The commit being reconciled, recorded in the inventory's history. */
  revision?: string;
  /** The operator's SOPS keys; a unit's `decryption.secretRef` adds its own. */
  sopsKeys: SopsKeys;
  /** GitRepository names that stand for this repository (besides `flux-system`). */
  sourceNames?: string[];
  onProgress?: (event: ProgressEvent) => void;
  /** Where this repository may write on this cluster (the operator file); default everywhere. */
  namespaces?: NamespacePolicy;
  /** How `client` reached the cluster; helm reaches it the same way. HelmReleases fail without it. */
  connection?: ClusterConnection;
  /** Where Helm chart archives are cached; default the OS temp folder. */
  chartCacheDir?: string;
  /** The operator's registry logins, for charts in OCI registries whose source has no secretRef. */
  registryCredentials?: CredentialLookup;
}

export const unitName = (owner: UnitOwner) => `${owner.namespace}/${owner.name}`;

/** `clusters/production` → `clusters-production`: a label value naming a root unit after its path. */
export function unitNameOf(path: string): string {
  const name = path
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return (name || "root").slice(0, 63).replace(/-+$/, "");
}

/** A Flux Kustomization found in a build, as a unit. */
export function unitOfChild(child: ChildUnit): UnitDefinition {
  const spec: KustomizationSpec = child.spec;
  return {
    owner: { name: child.name, namespace: child.namespace },
    path: child.path,
    overlay: overlayOf(spec),
    prune: spec.prune,
    wait: spec.wait,
    timeoutMs: spec.timeout,
    force: spec.force,
    suspend: spec.suspend,
    dependsOn: spec.dependsOn,
    healthChecks: spec.healthChecks,
    ...(spec.postBuild ? { postBuild: spec.postBuild } : {}),
    ...(spec.decryption?.secretRef ? { decryptionSecret: spec.decryption.secretRef.name } : {}),
    ...(spec.serviceAccountName ? { serviceAccountName: spec.serviceAccountName } : {}),
    ...(child.origin ? { origin: child.origin } : {}),
  };
}

/** What a build of a unit yields once decrypted and substituted, before anything is written. */
export interface PreparedUnit {
  apply: Manifest[];
  children: ChildUnit[];
  notSupported: UnitResult["notSupported"];
  consumed: UnitResult["consumed"];
  /** HelmReleases found in the build, and the chart sources (HelmRepository, OCIRepository) next to them. */
  helmReleases: Manifest[];
  helmSources: Manifest[];
  /** Problems of Flux objects in this build that belong to other units (a foreign source). */
  foreign: Problem[];
}

class Timings {
  readonly list: UnitResult["timings"] = [];
  async time<T>(phase: Phase, ctx: ReconcileContext, unit: string, work: () => Promise<T>): Promise<T> {
    ctx.onProgress?.({ unit, phase });
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.list.push({ phase, ms: Math.round(performance.now() - started) });
    }
  }
}

/** Build, decrypt, substitute and sort the unit's objects. Reads the cluster, writes nothing. */
export async function prepareUnit(
  ctx: ReconcileContext,
  unit: UnitDefinition,
  timings = new Timings(),
): Promise<PreparedUnit> {
  const name = unitName(unit.owner);
  // commonMetadata is set after substitution, as Flux does, so variables in it are not expanded.
  const { commonMetadata, ...overlay } = unit.overlay;
  // The unit's keys, read once (the decryption Secret only when something needs decrypting first).
  let keys: Promise<SopsKeys> | undefined;
  const unitKeys = () => {
    keys ??= keysOf(ctx, unit);
    return keys;
  };
  const decryptSource = async (text: string, file: string, format: SopsFormat) =>
    decryptDocument(text, format, await unitKeys(), file);
  const built = await timings.time("build", ctx, name, () =>
    ctx.workspace.build(unit.path, overlay, { decryptSource }),
  );
  const decrypted = await timings.time("decrypt", ctx, name, async () => decryptAll(await unitKeys(), built));
  const substituted = await timings.time("substitute", ctx, name, () => substituteAll(ctx, unit, decrypted));
  setCommonMetadata(substituted, commonMetadata);
  const sorted = classify(substituted, {
    sourceNames: [...conventionalSourceNames, ...(ctx.sourceNames ?? [])],
  });
  // The Kustomization that syncs this very path (flux-system syncing its own folder) is this unit.
  const children = sorted.children.filter((c) => c.path !== unit.path);
  return {
    apply: sorted.apply,
    children,
    notSupported: sorted.notSupported,
    consumed: sorted.consumed.map((m) => subjectOf(refOf(m.object))),
    helmReleases: sorted.helmReleases,
    helmSources: sorted.consumed.filter(
      (m) => m.object.kind === "HelmRepository" || m.object.kind === "OCIRepository",
    ),
    foreign: sorted.problems,
  };
}

/** The operator's keys plus those of the unit's `decryption.secretRef`. */
async function keysOf(ctx: ReconcileContext, unit: UnitDefinition): Promise<SopsKeys> {
  let keys = ctx.sopsKeys;
  if (unit.decryptionSecret) {
    const secret = await ctx.client.get({
      group: "",
      version: "v1",
      kind: "Secret",
      namespace: unit.owner.namespace,
      name: unit.decryptionSecret,
    });
    if (!secret) {
      throw new ReconcileError(
        `decryption Secret ${unit.owner.namespace}/${unit.decryptionSecret} not found: create it in the target cluster with the age (*.agekey) or PGP (*.asc) keys`,
      );
    }
    keys = mergeKeys(keys, keysFromSecretData((secret.data ?? {}) as Record<string, string>));
  }
  return keys;
}

async function decryptAll(keys: SopsKeys, manifests: Manifest[]): Promise<Manifest[]> {
  return Promise.all(
    manifests.map(async (m) => ({
      ...m,
      object: (await decryptObject(m.object, keys, m.origin?.file)) as KubeObject,
    })),
  );
}

async function substituteAll(
  ctx: ReconcileContext,
  unit: UnitDefinition,
  manifests: Manifest[],
): Promise<Manifest[]> {
  const postBuild = unit.postBuild;
  if (!postBuild) return manifests;
  const sources = await Promise.all(
    postBuild.substituteFrom.map(async (source) => {
      const live = await ctx.client.get({
        group: "",
        version: "v1",
        kind: source.kind,
        namespace: unit.owner.namespace,
        name: source.name,
      });
      return { ...source, ...(live ? { data: (live.data ?? {}) as Record<string, string> } : {}) };
    }),
  );
  const vars = collectVariables(postBuild.substitute, sources);
  return manifests.map((m) =>
    substitutionEnabled(m.object)
      ? {
          ...m,
          object: substituteObject(m.object, vars, { always: postBuild.substituteStrategy === "Always" }),
        }
      : m,
  );
}

/**
 * Reconciles one unit; never throws: failures are in the result. What its previous inventory had
 * and this build lacks (`stale`, with prune on) stays in its inventory for the tree to prune once every
 * unit of the run is known (prune-stale.ts): a Kustomization or HelmRelease gone from this build may
 * have moved to a unit built later, and must not be removed and made again.
 */
export async function reconcileUnit(
  ctx: ReconcileContext,
  unit: UnitDefinition,
): Promise<{ result: UnitResult; prepared?: PreparedUnit; stale?: InventoryEntry[] }> {
  const identity = unit.serviceAccountName ? unitClient(ctx, unit) : undefined;
  try {
    return await reconcileUnitAs(ctx, unit, identity);
  } finally {
    (await identity?.catch(() => undefined))?.close();
  }
}

/**
 * A client acting as the unit's `serviceAccountName` (as kustomize-controller impersonates it), for
 * everything but the inventory, which is Ferry's own (in `ferry-system`).
 */
export async function unitClient(ctx: ReconcileContext, unit: UnitDefinition): Promise<KubeClient> {
  const account = `system:serviceaccount:${unit.owner.namespace}:${unit.serviceAccountName}`;
  if (!ctx.connection) {
    throw new ReconcileError(
      `spec.serviceAccountName: Ferry cannot act as ${account} here (it was given no connection to the cluster to impersonate with)`,
    );
  }
  return KubeClient.connect({ ...ctx.connection, impersonate: account });
}

async function reconcileUnitAs(
  ctx: ReconcileContext,
  unit: UnitDefinition,
  identity: Promise<KubeClient> | undefined,
): Promise<{ result: UnitResult; prepared?: PreparedUnit; stale?: InventoryEntry[] }> {
  const started = performance.now();
  const name = unitName(unit.owner);
  const timings = new Timings();
  const result: UnitResult = {
    name,
    path: unit.path,
    ...(ctx.revision ? { revision: ctx.revision } : {}),
    status: "succeeded",
    changes: [],
    health: [],
    timings: timings.list,
    problems: [],
    notSupported: [],
    consumed: [],
    durationMs: 0,
  };
  const finish = () => {
    result.durationMs = Math.round(performance.now() - started);
    ctx.onProgress?.({ unit: name, phase: "done", detail: result.status });
    return result;
  };
  if (unit.suspend) {
    result.status = "skipped";
    result.problems.push({ message: "suspended: spec.suspend is true" });
    return { result: finish() };
  }
  let prepared: PreparedUnit | undefined;
  let applied: ChangeSetEntry[];
  let previous: Inventory | undefined;
  let records: Map<string, InventoryRecord>;
  let planned: PlannedObject[] = [];
  let fluxRefs: ObjectRef[] = [];
  const written: ChangeSetEntry[] = [];
  // The unit's reads and writes; the inventory stays on `ctx.client`.
  let as = ctx;
  try {
    if (identity) as = { ...ctx, client: await identity };
    const built = await prepareUnit(as, unit, timings);
    prepared = built;
    result.notSupported = built.notSupported;
    result.consumed = built.consumed;
    previous = await readInventory(ctx.client, unit.owner);
    const options = {
      owner: unit.owner,
      force: unit.force,
      previous: recordsOf(previous),
      ...(ctx.namespaces ? { namespaces: ctx.namespaces } : {}),
    };
    const plan = await timings.time("validate", ctx, name, () => planApply(as.client, built.apply, options));
    planned = plan;
    applied = await timings.time("apply", ctx, name, () => applyPlanned(as.client, plan, options, written));
    result.changes.push(...applied);
    records = recordsOfPlan(plan);
    // The HelmReleases and Kustomizations it yields are in its inventory too, so prune can remove them.
    const fluxObjects = fluxInventory(built.helmReleases, built.children, recordsOf(previous));
    fluxRefs = fluxObjects.refs;
    for (const [id, record] of fluxObjects.records) records.set(id, record);
  } catch (e) {
    failed(result, e);
    // A later stage failed after earlier ones wrote (a Namespace, a CRD): report them, and keep them in
    // the inventory so a later prune can still remove them.
    if (written.length > 0) {
      result.changes.push(...written);
      const entries = entriesOf(
        [...(previous?.entries ?? []).map((e) => parseInventoryId(e.id, e.v)), ...written.map((c) => c.ref)],
        new Map([...recordsOf(previous), ...recordsOfPlan(planned)]),
      );
      await writeInventory(ctx.client, unit.owner, previous, entries, {
        revision: ctx.revision ?? "",
        time: new Date().toISOString(),
        status: "failed",
        objects: entries.length,
      }).catch((error: unknown) => failed(result, error));
    }
    // Child Kustomizations found by the build run even when this unit's own objects failed, as in Flux.
    return { result: finish(), ...(prepared ? { prepared } : {}) };
  }

  const appliedRefs = applied.map((c) => c.ref);
  const stale =
    unit.prune && previous ? staleEntries(previous.entries, entriesOf([...appliedRefs, ...fluxRefs])) : [];

  if (result.status === "succeeded" && (unit.wait || unit.healthChecks.length > 0)) {
    const refs = unit.wait
      ? applied.filter((c) => c.action !== "skipped").map((c) => c.ref)
      : unit.healthChecks.map((h) => healthCheckRef(h, unit.owner.namespace));
    const outcome = await timings.time("wait", ctx, name, () =>
      waitForHealth(as.client, refs, { timeoutMs: unit.timeoutMs }),
    );
    result.health = outcome.health;
    if (!outcome.ok) {
      result.status = "failed";
      const notReady = outcome.health.filter((h) => h.status !== "Current");
      const why = outcome.timedOut
        ? `timeout waiting for ${notReady.length} object(s) after ${unit.timeoutMs / 1000}s`
        : "health check failed";
      result.problems.push(
        ...notReady.map((h) => ({
          message: `${why}: ${h.subject} is ${h.status}: ${h.message}`,
          subject: h.subject,
        })),
      );
    }
  }

  try {
    const entries = entriesOf(
      [...appliedRefs, ...fluxRefs, ...stale.map((e) => parseInventoryId(e.id, e.v))],
      new Map([...recordsOf(previous), ...records]),
    );
    await timings.time("inventory", ctx, name, () =>
      writeInventory(ctx.client, unit.owner, previous, entries, {
        revision: ctx.revision ?? "",
        time: new Date().toISOString(),
        status: result.status === "succeeded" ? "succeeded" : "failed",
        objects: entries.length,
      }),
    );
  } catch (e) {
    failed(result, e);
  }
  return { result: finish(), prepared, ...(stale.length > 0 ? { stale } : {}) };
}

function recordsOfPlan(plan: PlannedObject[]): Map<string, InventoryRecord> {
  return new Map(plan.flatMap((p) => (p.record ? [[inventoryId(p.ref), p.record] as const] : [])));
}

function healthCheckRef(h: HealthCheckReference, namespace: string): ObjectRef {
  const [group, version] = (h.apiVersion ?? "v1").includes("/")
    ? (h.apiVersion as string).split("/")
    : ["", h.apiVersion ?? "v1"];
  return { group, version, kind: h.kind, namespace: h.namespace ?? namespace, name: h.name };
}

function failed(result: UnitResult, e: unknown, finish?: () => UnitResult): UnitResult {
  result.status = "failed";
  if (e instanceof ReconcileError) result.problems.push(...e.problems);
  else result.problems.push({ message: e instanceof Error ? e.message : String(e) });
  return finish ? finish() : result;
}

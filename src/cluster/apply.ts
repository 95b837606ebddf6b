/**
 * Staged server-side apply, as Flux's ResourceManager does it: every object is dry-run first
 * (nothing is written while any object is invalid), then each stage is applied in Flux's order,
 * writing only the objects that drifted. Each object ends as created, configured, unchanged or
 * skipped.
 */
import { isDeepStrictEqual } from "node:util";
import pLimit from "p-limit";
import type { KubeObject, Manifest, ObjectRef } from "../model/object.js";
import { inventoryId, refOf, subjectOf } from "../model/object.js";
import type { ChangeSetEntry, Problem } from "../model/result.js";
import { ReconcileError } from "../model/result.js";
import { KubeApiError, type KubeClient } from "./client.js";
import { compareApplyOrder, STAGES, type Stage, stageOf } from "./order.js";
import { applyExcluded, forceEnabled, ssaMode, type UnitOwner, withOwnerLabels } from "./policy.js";
import { type AppliedRecord, appliedStateDigest, digestOf, unchangedSinceApplied } from "./record.js";

export const FIELD_MANAGER = "ferry";

export interface ApplyOptions {
  owner: UnitOwner;
  /** The unit's `force`: recreate objects whose immutable fields changed. */
  force?: boolean;
  /** Requests in flight within a stage; default 16. */
  concurrency?: number;
  /** What the previous run remembered, by inventory id: lets unchanged objects skip their dry-run. */
  previous?: ReadonlyMap<string, AppliedRecord>;
  /** How long CRDs may take to become established; default 60 s. */
  definitionsTimeoutMs?: number;
  /** Where the unit may write (the operator's namespaces for this repository); default everywhere. */
  namespaces?: NamespacePolicy;
}

/** The namespaces a unit may touch; cluster-scoped objects other than Namespaces need `clusterScoped`. */
export interface NamespacePolicy {
  allows(namespace: string): boolean;
  clusterScoped: boolean;
  /** For messages: who set the limit (`cluster "production" for acme/fleet`). */
  describe: string;
}

/** One object through the apply: what was asked, what the cluster has, what a dry-run says. */
export interface PlannedObject {
  manifest: Manifest;
  desired: KubeObject;
  ref: ObjectRef;
  subject: string;
  stage: Stage;
  live?: KubeObject;
  dryRun?: KubeObject;
  /** Validation waits for this unit's own Namespace or CRD to exist. */
  deferred?: boolean;
  skipReason?: string;
  recreate?: boolean;
  /** `live` was read already (undefined then means the object does not exist). */
  liveRead?: boolean;
  /** Unchanged since Ferry last applied it (see record.ts): no dry-run, no write. */
  unchangedSinceApplied?: boolean;
  /** What to remember of this object once applied. */
  record?: AppliedRecord;
}

/** Dry-runs every object; throws a ReconcileError naming each invalid object and its file. */
export async function planApply(
  client: KubeClient,
  manifests: Manifest[],
  options: ApplyOptions,
): Promise<PlannedObject[]> {
  const limit = pLimit(options.concurrency ?? 16);
  const ownNamespaces = new Set(
    manifests.filter((m) => m.object.kind === "Namespace").map((m) => m.object.metadata.name),
  );
  const ownKinds = new Set(
    manifests
      .filter((m) => m.object.kind === "CustomResourceDefinition")
      .map((m) => {
        const spec = m.object.spec as { group?: string; names?: { kind?: string } } | undefined;
        return `${spec?.group}/${spec?.names?.kind}`;
      }),
  );
  const problems: Problem[] = outsideAllowedNamespaces(manifests, options.namespaces);
  if (problems.length > 0) {
    throw new ReconcileError(
      `${problems.length} object(s) outside the allowed namespaces; nothing was applied`,
      problems,
    );
  }
  const live = await listLive(client, manifests);
  // Objects in a namespace this unit creates, and that does not exist yet, cannot be dry-run now.
  const newNamespaces = new Set<string>();
  for (const namespace of ownNamespaces) {
    const found = await client.get({ group: "", version: "v1", kind: "Namespace", name: namespace });
    if (!found) newNamespaces.add(namespace);
  }
  const planned = await Promise.all(
    [...manifests]
      .sort((a, b) => compareApplyOrder(a.object, b.object))
      .map((manifest) =>
        limit(async () => {
          const desired = withOwnerLabels(manifest.object, options.owner);
          const ref = refOf(desired);
          const plan: PlannedObject = {
            manifest,
            desired,
            ref,
            subject: subjectOf(ref),
            stage: stageOf(desired),
          };
          const listed = live.get(liveKey(desired));
          if (listed !== undefined) {
            plan.live = listed ?? undefined;
            plan.liveRead = true;
          }
          if (ref.namespace !== undefined && newNamespaces.has(ref.namespace)) {
            plan.deferred = true;
            plan.liveRead = true;
            return plan;
          }
          try {
            await dryRun(client, plan, options);
          } catch (e) {
            const ownKind = ownKinds.has(`${ref.group}/${ref.kind}`) && /no matches for kind/.test(String(e));
            const ownNamespace =
              ref.namespace !== undefined &&
              ownNamespaces.has(ref.namespace) &&
              isNamespaceNotFound(e, ref.namespace);
            if (ownKind || ownNamespace) {
              plan.deferred = true;
              // An object in a namespace this unit creates cannot exist yet.
              if (ownNamespace) plan.liveRead = true;
            } else problems.push(dryRunProblem(plan, e));
          }
          return plan;
        }),
      ),
  );
  if (problems.length > 0) {
    throw new ReconcileError(
      `${problems.length} object${problems.length === 1 ? "" : "s"} failed validation; nothing was applied`,
      problems,
    );
  }
  return planned;
}

/**
 * Objects the namespace policy does not allow, each a problem naming its file; checked before any request.
 * An object without a namespace counts as cluster-scoped (a Namespace as its own name).
 */
export function outsideAllowedNamespaces(
  manifests: Manifest[],
  policy: NamespacePolicy | undefined,
): Problem[] {
  if (!policy) return [];
  return manifests.flatMap(({ object, origin }) => {
    const subject = subjectOf(refOf(object));
    const namespace =
      object.kind === "Namespace" && !object.apiVersion.includes("/")
        ? object.metadata.name
        : object.metadata.namespace;
    const allowed = namespace ? policy.allows(namespace) : policy.clusterScoped;
    if (allowed) return [];
    const what = namespace
      ? `namespace ${namespace} is not allowed`
      : "cluster-scoped objects are not allowed";
    return [{ message: `${subject}: ${what} by ${policy.describe}`, subject, ...(origin ? { origin } : {}) }];
  });
}

/**
 * Applies what `planApply` validated, stage by stage, writing only what drifted. Entries are added to
 * `entries` as each stage completes, so when a later stage fails the caller still knows what was written.
 */
export async function applyPlanned(
  client: KubeClient,
  planned: PlannedObject[],
  options: ApplyOptions,
  entries: ChangeSetEntry[] = [],
): Promise<ChangeSetEntry[]> {
  const limit = pLimit(options.concurrency ?? 16);
  for (const stage of STAGES) {
    const inStage = planned.filter((p) => p.stage === stage);
    if (inStage.length === 0) continue;
    const deferred = inStage.filter((p) => p.deferred);
    const problems: Problem[] = [];
    await Promise.all(
      deferred.map((plan) =>
        limit(async () => {
          try {
            await dryRun(client, plan, options);
            plan.deferred = false;
          } catch (e) {
            problems.push(dryRunProblem(plan, e));
          }
        }),
      ),
    );
    if (problems.length > 0)
      throw new ReconcileError(`${problems.length} object(s) failed validation`, problems);
    const stageEntries = await Promise.all(inStage.map((plan) => limit(() => applyOne(client, plan))));
    entries.push(...stageEntries);
    if (stage === "definitions")
      await waitForDefinitions(client, inStage, options.definitionsTimeoutMs ?? 60_000);
  }
  return entries;
}

async function dryRun(client: KubeClient, plan: PlannedObject, options: ApplyOptions): Promise<void> {
  const { desired } = plan;
  const namespaced = await client.isNamespaced(desired.apiVersion, desired.kind);
  if (namespaced && !desired.metadata.namespace) {
    throw new Error(
      "namespace not specified: set metadata.namespace, or the Kustomization's targetNamespace",
    );
  }
  if (!namespaced && desired.metadata.namespace) {
    const { namespace: _dropped, ...metadata } = desired.metadata;
    plan.desired = { ...desired, metadata: metadata as KubeObject["metadata"] };
    plan.ref = refOf(plan.desired);
    plan.subject = subjectOf(plan.ref);
  }
  if (!plan.liveRead) {
    plan.live = await client.get(plan.ref);
    plan.liveRead = true;
  }
  const excluded = applyExcluded(desired, plan.live);
  if (excluded) {
    plan.skipReason = excluded;
    return;
  }
  if (ssaMode(desired) === "IfNotPresent" && plan.live) {
    plan.skipReason = "kustomize.toolkit.fluxcd.io/ssa: IfNotPresent and the object exists";
    return;
  }
  const previous = options.previous?.get(inventoryId(plan.ref));
  if (unchangedSinceApplied(previous, plan.desired, plan.live, FIELD_MANAGER)) {
    plan.unchangedSinceApplied = true;
    plan.record = previous;
    return;
  }
  try {
    plan.dryRun = await client.apply(plan.desired, {
      fieldManager: FIELD_MANAGER,
      force: true,
      dryRun: true,
    });
  } catch (e) {
    if (plan.live && isImmutableError(e) && (options.force || forceEnabled(desired, plan.live))) {
      plan.recreate = true;
      return;
    }
    throw e;
  }
}

async function applyOne(client: KubeClient, plan: PlannedObject): Promise<ChangeSetEntry> {
  const entry = (action: ChangeSetEntry["action"], reason?: string): ChangeSetEntry => ({
    ref: plan.ref,
    subject: plan.subject,
    action,
    ...(reason ? { reason } : {}),
    ...(plan.manifest.origin ? { origin: plan.manifest.origin } : {}),
  });
  if (plan.skipReason) return entry("skipped", plan.skipReason);
  if (plan.unchangedSinceApplied) return entry("unchanged");
  const remember = (result: KubeObject) => {
    plan.record = { d: digestOf(plan.desired), f: appliedStateDigest(result, FIELD_MANAGER) };
  };
  const write = () => client.apply(plan.desired, { fieldManager: FIELD_MANAGER, force: true, dryRun: false });
  if (plan.recreate) {
    await client.delete(plan.ref, "Background");
    await waitUntilGone(client, plan.ref, 60_000);
    remember(await write());
    return entry("configured", "recreated: an immutable field changed and force is enabled");
  }
  const dry = plan.dryRun as KubeObject;
  const created = !plan.live || !dry.metadata.resourceVersion;
  if (!created && !hasDrifted(plan.live as KubeObject, dry)) {
    remember(plan.live as KubeObject);
    return entry("unchanged");
  }
  remember(await write());
  return entry(created ? "created" : "configured");
}

const liveKey = (o: KubeObject) =>
  `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ""}|${o.metadata.name}`;

/**
 * The live objects of the kinds and namespaces that hold several desired objects, read with one
 * LIST each instead of a GET per object. `null` marks an object listed as absent; objects of
 * other groups are not in the map (their GET happens in the dry-run).
 */
async function listLive(client: KubeClient, manifests: Manifest[]): Promise<Map<string, KubeObject | null>> {
  const groups = new Map<string, KubeObject[]>();
  for (const { object } of manifests) {
    const key = `${object.apiVersion}|${object.kind}|${object.metadata.namespace ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), object]);
  }
  const live = new Map<string, KubeObject | null>();
  await Promise.all(
    [...groups.values()]
      .filter((objects) => objects.length >= 3)
      .map(async (objects) => {
        const { name: _one, ...sample } = refOf(objects[0]);
        try {
          if (!(await client.isNamespaced(objects[0].apiVersion, sample.kind)) || !sample.namespace) return;
          const items = await client.list(sample);
          for (const o of objects) live.set(liveKey(o), null);
          // List items may leave out apiVersion and kind; the drift test compares them.
          for (const item of items) {
            const full = { ...item, apiVersion: objects[0].apiVersion, kind: sample.kind };
            if (live.has(liveKey(full))) live.set(liveKey(full), full);
          }
        } catch {
          // Unknown kinds (their CRD comes in this unit) are read one by one later.
        }
      }),
  );
  return live;
}

/** Flux's drift test: labels or annotations differ, or anything outside metadata and status. */
export function hasDrifted(live: KubeObject, dryRun: KubeObject): boolean {
  if (!isDeepStrictEqual(live.metadata.labels ?? {}, dryRun.metadata.labels ?? {})) return true;
  if (!isDeepStrictEqual(live.metadata.annotations ?? {}, dryRun.metadata.annotations ?? {})) return true;
  const strip = ({ metadata: _m, status: _s, ...rest }: KubeObject) => rest;
  return !isDeepStrictEqual(strip(live), strip(dryRun));
}

/** Flux's immutable-field detection (fluxcd/pkg ssa errors/immutable.go). */
export function isImmutableError(e: unknown): boolean {
  if (!(e instanceof KubeApiError)) return false;
  return e.code === 422 || e.code === 409 || /is\simmutable|immutable\sfield/.test(e.message);
}

function isNamespaceNotFound(e: unknown, namespace: string): boolean {
  return (
    e instanceof KubeApiError && e.code === 404 && e.message.includes(`namespaces "${namespace}" not found`)
  );
}

/** `Deployment/apps/web dry-run failed (Invalid): …`, with the file the object came from. */
function dryRunProblem(plan: PlannedObject, e: unknown): Problem {
  const reason =
    e instanceof KubeApiError && e.reason
      ? ` (${e.causes.some((c) => c.reason === "FieldManagerConflict") ? "FieldManagerConflict" : e.reason})`
      : "";
  return {
    message: `${plan.subject} dry-run failed${reason}: ${e instanceof Error ? e.message : String(e)}`,
    subject: plan.subject,
    ...(plan.manifest.origin ? { origin: plan.manifest.origin } : {}),
  };
}

async function waitUntilGone(client: KubeClient, ref: ObjectRef, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await client.get(ref)) {
    if (Date.now() > deadline)
      throw new Error(`${subjectOf(ref)} was not deleted within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** CRDs must be established before objects of their kinds are applied. */
async function waitForDefinitions(
  client: KubeClient,
  plans: PlannedObject[],
  timeoutMs: number,
): Promise<void> {
  const crds = plans.filter((p) => p.desired.kind === "CustomResourceDefinition" && !p.skipReason);
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    for (;;) {
      const live = await client.get(crd.ref);
      const status = live?.status as { conditions?: { type: string; status: string }[] } | undefined;
      const established = (status?.conditions ?? []).some(
        (c: { type: string; status: string }) => c.type === "Established" && c.status === "True",
      );
      if (established) break;
      if (Date.now() > deadline)
        throw new ReconcileError(`${crd.subject} was not established within ${timeoutMs / 1000}s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * The write path of the server, as the real API server runs it for every verb: identity and
 * system metadata, reset fields, defaults, validation, generation, field ownership, no-op
 * detection, dry-run, storage, and what follows a delete (finalizers, owner references,
 * namespace clean-up, CRDs).
 */

import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { parse as parseYaml } from "yaml";
import { applyDefaults } from "./defaults.js";
import {
  ApiError,
  alreadyExists,
  badRequest,
  invalid,
  notFound,
  qualifiedResource,
  staleResourceVersion,
  unsupportedMediaType,
} from "./errors.js";
import {
  applyConfiguration,
  type FieldConflict,
  type ManagedFieldsEntry,
  type OwnershipContext,
  recordUpdate,
} from "./field-ownership.js";
import { cloneJson } from "./json.js";
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from "./patch.js";
import { apiVersionOf, type ResourceRegistry, type ResourceType } from "./resources.js";
import type { KubeObject, ObjectStore } from "./store.js";
import { invalidMessage, validateObject } from "./validation.js";

export interface Scope {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface WriteOptions {
  dryRun: boolean;
  /** `?fieldManager=`, or the manager derived from the User-Agent when absent. */
  fieldManager?: string;
  userAgent?: string;
  force?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  dryRun: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export const storageKey = (type: { group: string; plural: string }) => `${type.group}/${type.plural}`;
const NAMESPACES = storageKey({ group: "", plural: "namespaces" });
const CRDS = storageKey({ group: "apiextensions.k8s.io", plural: "customresourcedefinitions" });

const clone = cloneJson;

/** The manager a request writes as: `?fieldManager=`, else the User-Agent up to its first `/`. */
export function managerOf(options: WriteOptions): string {
  if (options.fieldManager) return options.fieldManager;
  const agent = options.userAgent?.split("/")[0] ?? "";
  return agent.slice(0, 128) || "unknown";
}

/** Parses a request body as JSON, or YAML where the content type says so. */
export function parseBody(body: string, contentType: string): unknown {
  if (body.trim() === "") throw badRequest("the body of the request was empty");
  try {
    return JSON.parse(body);
  } catch {
    if (!/yaml/.test(contentType)) throw badRequest("the body of the request could not be decoded as JSON");
    try {
      return parseYaml(body);
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
  }
}

export class ObjectService {
  private nextClusterIp = 1;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    /** Called after each stored change, for the status simulator. */
    private readonly afterWrite: (type: ResourceType, object: KubeObject) => void = () => {},
    /** How long the namespace controller takes to start emptying a deleted namespace, as a real one does. */
    private readonly namespaceDeletionDelayMs = 300,
  ) {
    store.subscribe((event) => {
      if (event.type !== "DELETED") return;
      setImmediate(() => {
        this.collectDependents(event.object);
        const namespace = event.object.metadata.namespace;
        if (namespace) this.finishNamespace(namespace);
      });
    });
  }

  // ---- reads ----

  get(scope: Scope): KubeObject {
    const obj = this.store.get(storageKey(scope.type), scope.namespace, scope.name ?? "");
    if (!obj) throw notFound(scope.type.plural, scope.type.group, scope.name ?? "");
    return this.asVersion(obj, scope.type);
  }

  find(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.store.get(storageKey(type), namespace, name);
    return obj && this.asVersion(obj, type);
  }

  list(type: ResourceType, namespace?: string): KubeObject[] {
    return this.store.list(storageKey(type), namespace).map((o) => this.asVersion(o, type));
  }

  /** The object as the requested version of its resource (versions of a CRD share storage). */
  asVersion(obj: KubeObject, type: ResourceType): KubeObject {
    const apiVersion = apiVersionOf(type);
    return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
  }

  // ---- writes ----

  create(scope: Scope, body: unknown, options: WriteOptions): KubeObject {
    const obj = this.checkBody(scope, body);
    if (!obj.metadata.name && obj.metadata.generateName) {
      obj.metadata.name = `${obj.metadata.generateName}${randomUUID().replace(/-/g, "").slice(0, 5)}`;
    }
    const name = obj.metadata.name as string | undefined;
    if (name && this.store.get(storageKey(scope.type), scope.namespace, name)) {
      throw alreadyExists(scope.type.plural, scope.type.group, name);
    }
    const managed = recordUpdate(undefined, obj, managerOf(options), this.ownership(scope));
    return this.commit(
      scope,
      undefined,
      { ...obj, metadata: { ...obj.metadata, managedFields: managed } },
      options,
    );
  }

  /** PUT: a whole object, guarded by its resourceVersion. */
  update(scope: Scope, body: unknown, options: WriteOptions): KubeObject {
    const obj = this.checkBody(scope, body);
    const before = this.get(scope);
    const rv = obj.metadata.resourceVersion;
    // Built-in kinds allow an unconditional update (no resourceVersion); custom resources do not.
    if (!rv && scope.type.crd) {
      throw this.invalidError(scope, [
        {
          reason: "FieldValueInvalid",
          field: "metadata.resourceVersion",
          message: "Invalid value: 0x0: must be specified for an update",
        },
      ]);
    }
    if (rv && rv !== before.metadata.resourceVersion)
      throw staleResourceVersion(scope.type.plural, scope.type.group, before.metadata.name);
    return this.commitUpdate(scope, before, obj, options);
  }

  patch(
    scope: Scope,
    contentType: string,
    body: string,
    options: WriteOptions,
  ): { object: KubeObject; created: boolean } {
    const mediaType = contentType.split(";")[0].trim();
    if (mediaType !== "application/apply-patch+yaml" && options.force !== undefined) {
      throw this.invalidError(scope, [
        {
          reason: "FieldValueForbidden",
          field: "force",
          message: "Forbidden: may not be specified for non-apply patch",
        },
      ]);
    }
    if (mediaType === "application/apply-patch+yaml") return this.apply(scope, body, options);
    const before = this.get(scope);
    const patch = parseBody(body, contentType);
    let after: unknown;
    try {
      switch (mediaType) {
        case "application/merge-patch+json":
          after = applyMergePatch(before, patch);
          break;
        case "application/strategic-merge-patch+json":
          if (scope.type.crd) {
            throw new ApiError(
              415,
              "UnsupportedMediaType",
              "strategic merge patch is not supported for custom resources",
            );
          }
          after = applyStrategicMergePatch(before, patch, scope.type.listType);
          break;
        case "application/json-patch+json":
          after = applyJsonPatch(before, patch);
          break;
        default:
          throw unsupportedMediaType(contentType);
      }
    } catch (e) {
      if (e instanceof PatchError) throw new ApiError(422, "Invalid", e.message);
      throw e;
    }
    const patched = after as KubeObject;
    if (
      patched?.metadata?.resourceVersion &&
      patched.metadata.resourceVersion !== before.metadata.resourceVersion
    ) {
      throw staleResourceVersion(scope.type.plural, scope.type.group, before.metadata.name);
    }
    return {
      object: this.commitUpdate(scope, before, this.checkBody(scope, patched), options),
      created: false,
    };
  }

  /** Server-side apply: merge by field ownership; applying to a missing object creates it. */
  private apply(scope: Scope, body: string, options: WriteOptions): { object: KubeObject; created: boolean } {
    if (!options.fieldManager) {
      throw this.invalidError(scope, [
        {
          reason: "FieldValueRequired",
          field: "fieldManager",
          message: "Required value: is required for apply patch",
        },
      ]);
    }
    const applied = parseBody(body, "application/apply-patch+yaml") as KubeObject;
    if (!applied || typeof applied !== "object" || Array.isArray(applied))
      throw badRequest("apply patch must be an object");
    if (applied.metadata?.managedFields !== undefined) throw badRequest("metadata.managedFields must be nil");
    if (applied.apiVersion !== apiVersionOf(scope.type)) {
      throw badRequest(
        `the API version in the data (${applied.apiVersion ?? ""}) does not match the expected API version (${apiVersionOf(scope.type)})`,
      );
    }
    if (applied.kind !== scope.type.kind) {
      throw badRequest(
        `the kind in the data (${applied.kind ?? ""}) does not match the expected kind (${scope.type.kind})`,
      );
    }
    const bodyName = applied.metadata?.name;
    if (bodyName !== undefined && bodyName !== scope.name) {
      throw badRequest(
        `the name of the object (${bodyName}) does not match the name on the URL (${scope.name})`,
      );
    }
    const bodyNamespace = applied.metadata?.namespace;
    if (scope.type.namespaced && bodyNamespace && bodyNamespace !== scope.namespace) {
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    const live = this.find(scope.type, scope.namespace, scope.name ?? "");
    const outcome = applyConfiguration(
      live,
      applied,
      options.fieldManager,
      options.force ?? false,
      this.ownership(scope),
    );
    if (!outcome.ok) throw conflictError(scope, outcome.conflicts);
    const merged: KubeObject = {
      ...outcome.object,
      metadata: { ...(outcome.object.metadata as KubeObject), managedFields: outcome.managedFields },
    };
    if (!live) {
      if (scope.subresource) throw notFound(scope.type.plural, scope.type.group, scope.name ?? "");
      return { object: this.commit(scope, undefined, this.identify(scope, merged), options), created: true };
    }
    return {
      object: this.commit(
        scope,
        live,
        { ...merged, metadata: { ...merged.metadata, ...systemMetadata(live) } },
        options,
      ),
      created: false,
    };
  }

  private commitUpdate(scope: Scope, before: KubeObject, obj: KubeObject, options: WriteOptions): KubeObject {
    const after = { ...obj, metadata: { ...obj.metadata, ...systemMetadata(before) } };
    const reset = this.resetFields(scope, before, after);
    const managed = recordUpdate(
      before,
      applyDefaults(reset, scope.type),
      managerOf(options),
      this.ownership(scope),
    );
    return this.commit(
      scope,
      before,
      { ...reset, metadata: { ...reset.metadata, managedFields: managed } },
      options,
    );
  }

  /** The last steps every write takes: reset fields, defaults, validation, generation, storage. */
  private commit(
    scope: Scope,
    before: KubeObject | undefined,
    obj: KubeObject,
    options: WriteOptions,
  ): KubeObject {
    const { type } = scope;
    let after = applyDefaults(this.resetFields(scope, before, obj), type);
    if (!before) after = this.prepareCreate(scope, after);
    after = this.prepareKind(type, before, after);
    const causes = validateObject(after, before, type);
    if (causes.length > 0) throw this.invalidError(scope, causes, after.metadata.name);
    if (before && type.generation && !isDeepStrictEqual(withoutMeta(before), withoutMeta(after))) {
      after.metadata.generation = (before.metadata.generation ?? 1) + 1;
    }
    if (before && isDeepStrictEqual(before, after)) return before;
    const finished = before?.metadata.deletionTimestamp && (after.metadata.finalizers ?? []).length === 0;
    if (options.dryRun)
      return before ? after : { ...after, metadata: { ...after.metadata, resourceVersion: "" } };
    if (finished) {
      this.store.remove(storageKey(type), after.metadata.namespace, after.metadata.name);
      return after;
    }
    const stored = this.store.put(storageKey(type), after);
    if (type.kind === "CustomResourceDefinition" && type.group === "apiextensions.k8s.io")
      this.registry.serveCrd(stored);
    this.afterWrite(type, stored);
    return this.asVersion(stored, type);
  }

  // ---- deletes ----

  delete(scope: Scope, options: DeleteOptions): { object: KubeObject; gone: boolean } {
    const obj = this.get(scope);
    const { preconditions } = options;
    if (preconditions?.uid && preconditions.uid !== obj.metadata.uid) {
      throw new ApiError(
        409,
        "Conflict",
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${obj.metadata.uid}`,
      );
    }
    if (preconditions?.resourceVersion && preconditions.resourceVersion !== obj.metadata.resourceVersion) {
      throw new ApiError(
        409,
        "Conflict",
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
      );
    }
    const { type } = scope;
    const finalizers: string[] = obj.metadata.finalizers ?? [];
    const isNamespace = storageKey(type) === NAMESPACES;
    if (options.dryRun) return { object: obj, gone: finalizers.length === 0 && !isNamespace };
    if (options.propagationPolicy === "Orphan") this.orphanDependents(obj.metadata.uid);
    if (options.propagationPolicy === "Foreground") this.deleteDependents(obj.metadata.uid);
    if (isNamespace || finalizers.length > 0) {
      if (obj.metadata.deletionTimestamp) return { object: obj, gone: false };
      const terminating = {
        ...obj,
        metadata: {
          ...obj.metadata,
          deletionTimestamp: new Date().toISOString(),
          deletionGracePeriodSeconds: 0,
        },
        ...(isNamespace ? { status: { ...obj.status, phase: "Terminating" } } : {}),
      };
      const stored = this.store.put(storageKey(type), terminating);
      if (isNamespace)
        setTimeout(() => this.emptyNamespace(obj.metadata.name), this.namespaceDeletionDelayMs).unref();
      return { object: this.asVersion(stored, type), gone: false };
    }
    const removed = this.store.remove(
      storageKey(type),
      obj.metadata.namespace,
      obj.metadata.name,
    ) as KubeObject;
    if (storageKey(type) === CRDS) this.removeCrd(removed);
    return { object: this.asVersion(removed, type), gone: true };
  }

  /** Deletes every object a namespace holds; the namespace goes once nothing is left in it. */
  private emptyNamespace(namespace: string): void {
    for (const type of this.storedNamespacedTypes()) {
      for (const obj of this.store.list(storageKey(type), namespace)) {
        if (!obj.metadata.deletionTimestamp) {
          this.delete(
            { type, namespace, name: obj.metadata.name },
            { dryRun: false, propagationPolicy: "Background" },
          );
        }
      }
    }
    this.finishNamespace(namespace);
  }

  private finishNamespace(namespace: string): void {
    const ns = this.store.get(NAMESPACES, undefined, namespace);
    if (!ns?.metadata.deletionTimestamp) return;
    const empty = this.storedNamespacedTypes().every(
      (t) => this.store.list(storageKey(t), namespace).length === 0,
    );
    if (empty) this.store.remove(NAMESPACES, undefined, namespace);
  }

  private storedNamespacedTypes(): ResourceType[] {
    const stored = new Set(this.store.resourceNames());
    const seen = new Set<string>();
    return this.registry.all().filter((t) => {
      const key = storageKey(t);
      if (!t.namespaced || !stored.has(key) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** The objects of `type` whose ownerReferences name `uid`. */
  dependentsOf(uid: string, type: ResourceType): KubeObject[] {
    return this.store
      .dependentsOf(uid)
      .filter((d) => d.resource === storageKey(type))
      .map((d) => this.asVersion(d.object, type));
  }

  private objectsOwnedBy(uid: string): { type: ResourceType; obj: KubeObject }[] {
    return this.store.dependentsOf(uid).flatMap(({ resource, object }) => {
      const type = this.registry.all().find((t) => storageKey(t) === resource);
      return type ? [{ type, obj: object }] : [];
    });
  }

  /** The garbage collector: dependents whose owners are all gone are deleted. */
  private collectDependents(owner: KubeObject): void {
    for (const { type, obj } of this.objectsOwnedBy(owner.metadata.uid)) {
      const remaining = (obj.metadata.ownerReferences as { uid: string }[]).filter((r) =>
        this.ownerExists(r.uid),
      );
      if (remaining.length > 0 || obj.metadata.deletionTimestamp) continue;
      const scope = { type, namespace: obj.metadata.namespace, name: obj.metadata.name };
      if (this.store.get(storageKey(type), scope.namespace, scope.name)) {
        this.delete(scope, { dryRun: false, propagationPolicy: "Background" });
      }
    }
  }

  private ownerExists(uid: string): boolean {
    return this.store.byUidOf(uid) !== undefined;
  }

  private deleteDependents(uid: string): void {
    for (const { type, obj } of this.objectsOwnedBy(uid)) {
      const scope = { type, namespace: obj.metadata.namespace, name: obj.metadata.name };
      this.deleteDependents(obj.metadata.uid);
      if (this.store.get(storageKey(type), scope.namespace, scope.name)) {
        this.delete(scope, { dryRun: false, propagationPolicy: "Foreground" });
      }
    }
  }

  private orphanDependents(uid: string): void {
    for (const { type, obj } of this.objectsOwnedBy(uid)) {
      const ownerReferences = obj.metadata.ownerReferences.filter((r: { uid: string }) => r.uid !== uid);
      this.store.put(storageKey(type), { ...obj, metadata: { ...obj.metadata, ownerReferences } });
    }
  }

  /** Deleting a CRD stops serving its kinds and deletes their objects. */
  private removeCrd(crd: KubeObject): void {
    const spec = crd.spec ?? {};
    for (const obj of this.store.list(storageKey({ group: spec.group, plural: spec.names?.plural }))) {
      this.store.remove(
        storageKey({ group: spec.group, plural: spec.names?.plural }),
        obj.metadata.namespace,
        obj.metadata.name,
      );
    }
    this.registry.removeCrd(crd.metadata.name);
  }

  // ---- helpers of the write path ----

  /** Checks a request body's apiVersion, kind, name and namespace against the URL. */
  private checkBody(scope: Scope, body: unknown): KubeObject {
    if (!body || typeof body !== "object" || Array.isArray(body))
      throw badRequest("the request body must be an object");
    const obj = clone(body) as KubeObject;
    const { type } = scope;
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(type)) {
      throw badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersionOf(type)})`,
      );
    }
    if (obj.kind !== undefined && obj.kind !== type.kind) {
      throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${type.kind})`);
    }
    obj.metadata = { ...(obj.metadata ?? {}) };
    if (scope.name !== undefined && obj.metadata.name !== undefined && obj.metadata.name !== scope.name) {
      throw badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${scope.name})`,
      );
    }
    if (type.namespaced && obj.metadata.namespace && obj.metadata.namespace !== scope.namespace) {
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    return this.identify(scope, obj);
  }

  private identify(scope: Scope, obj: KubeObject): KubeObject {
    const metadata = { ...obj.metadata, name: obj.metadata.name ?? scope.name };
    if (scope.type.namespaced) metadata.namespace = scope.namespace;
    else delete metadata.namespace;
    return { apiVersion: apiVersionOf(scope.type), kind: scope.type.kind, ...obj, metadata };
  }

  /** The main resource ignores status when a status subresource exists; /status changes only status. */
  private resetFields(scope: Scope, before: KubeObject | undefined, obj: KubeObject): KubeObject {
    if (scope.subresource === "status") {
      if (!before) return obj;
      return {
        ...before,
        status: obj.status,
        metadata: { ...before.metadata, managedFields: obj.metadata.managedFields },
      };
    }
    if (!scope.type.statusSubresource) return obj;
    const { status: _ignored, ...rest } = obj;
    return before?.status !== undefined ? { ...rest, status: before.status } : rest;
  }

  private ownership(scope: Scope): OwnershipContext {
    return {
      listType: scope.type.listType,
      apiVersion: apiVersionOf(scope.type),
      now: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      subresource: scope.subresource,
      resetPaths:
        scope.subresource === "status"
          ? [["spec"], ["metadata"], ["data"]]
          : scope.type.statusSubresource
            ? [["status"]]
            : [],
    };
  }

  private prepareCreate(scope: Scope, obj: KubeObject): KubeObject {
    const { type } = scope;
    if (type.namespaced) {
      const ns = this.store.get(NAMESPACES, undefined, scope.namespace ?? "");
      if (!ns) throw notFound("namespaces", "", scope.namespace ?? "");
      if (ns.metadata.deletionTimestamp) {
        throw new ApiError(
          403,
          "Forbidden",
          `${type.plural} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${scope.namespace} because it is being terminated`,
        );
      }
    }
    const metadata = {
      ...obj.metadata,
      uid: randomUUID(),
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      ...(type.generation ? { generation: 1 } : {}),
    };
    delete metadata.deletionTimestamp;
    delete metadata.resourceVersion;
    return { ...obj, metadata };
  }

  /** What the built-in kinds' registry strategies add beyond defaults: cluster IPs and the CRD status. */
  private prepareKind(type: ResourceType, before: KubeObject | undefined, obj: KubeObject): KubeObject {
    const key = storageKey(type);
    if (key === "/services" && obj.spec?.type !== "ExternalName" && !obj.spec?.clusterIP) {
      const clusterIP = before?.spec?.clusterIP ?? this.allocateClusterIp();
      return { ...obj, spec: { ...obj.spec, clusterIP, clusterIPs: [clusterIP] } };
    }
    if (key === CRDS) {
      const names = obj.spec?.names ?? {};
      const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      const condition = (type: string, reason: string, message: string) => ({
        type,
        status: "True",
        lastTransitionTime:
          before?.status?.conditions?.find((c: { type: string }) => c.type === type)?.lastTransitionTime ??
          now,
        reason,
        message,
      });
      const status = {
        conditions: [
          condition("NamesAccepted", "NoConflicts", "no conflicts found"),
          condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        ],
        acceptedNames: {
          plural: names.plural,
          singular: names.singular ?? String(names.kind ?? "").toLowerCase(),
          kind: names.kind,
          listKind: names.listKind ?? `${names.kind}List`,
          ...(names.shortNames ? { shortNames: names.shortNames } : {}),
          ...(names.categories ? { categories: names.categories } : {}),
        },
        storedVersions: (obj.spec?.versions ?? [])
          .filter((v: { storage?: boolean }) => v.storage)
          .map((v: { name: string }) => v.name),
      };
      return { ...obj, status };
    }
    return obj;
  }

  private allocateClusterIp(): string {
    const n = this.nextClusterIp++;
    return `10.96.${Math.floor(n / 250)}.${(n % 250) + 1}`;
  }

  private invalidError(
    scope: Scope,
    causes: { reason: string; field: string; message: string }[],
    name = scope.name ?? "",
  ) {
    return invalid(
      scope.type.kind,
      scope.type.group,
      name,
      invalidMessage(scope.type, name, causes as never),
      causes,
    );
  }
}

/** Fields the server owns: a write never changes them through the body. */
function systemMetadata(live: KubeObject): Record<string, unknown> {
  const m = live.metadata;
  const kept: Record<string, unknown> = {
    uid: m.uid,
    creationTimestamp: m.creationTimestamp,
    resourceVersion: m.resourceVersion,
  };
  if (m.generation !== undefined) kept.generation = m.generation;
  if (m.deletionTimestamp !== undefined) {
    kept.deletionTimestamp = m.deletionTimestamp;
    kept.deletionGracePeriodSeconds = m.deletionGracePeriodSeconds;
  }
  return kept;
}

function withoutMeta(obj: KubeObject): KubeObject {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

/** The 409 a real server answers when an apply touches fields another manager owns. */
export function conflictError(scope: Scope, conflicts: FieldConflict[]): ApiError {
  const who = (c: FieldConflict) =>
    c.operation === "Update" ? `"${c.manager}" using ${c.apiVersion}` : `"${c.manager}"`;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(who(c), [...(byManager.get(who(c)) ?? []), c.field]);
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${who(conflicts[0])}: ${conflicts[0].field}`;
  } else {
    const parts = [...byManager].map(([manager, fields]) =>
      fields.length === 1
        ? `conflict with ${manager}: ${fields[0]}`
        : `conflicts with ${manager}:\n${fields.map((f) => `- ${f}`).join("\n")}`,
    );
    message = `Apply failed with ${conflicts.length} conflicts: ${parts.join("\n")}`;
  }
  return new ApiError(409, "Conflict", message, {
    name: scope.name,
    ...(scope.type.group ? { group: scope.type.group } : {}),
    kind: scope.type.plural,
    causes: conflicts.map((c) => ({
      reason: "FieldManagerConflict",
      message: `conflict with ${who(c)}`,
      field: c.field,
    })),
  });
}

export type { ManagedFieldsEntry };
export { qualifiedResource };

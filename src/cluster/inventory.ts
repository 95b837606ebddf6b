/**
 * What Ferry applied for one unit, kept in the target cluster: a ConfigMap in `ferry-system`
 * holding the inventory (Flux's `<namespace>_<name>_<group>_<kind>` ids with their versions),
 * the last applied revision and a short history. Any replica of Ferry can pick up from it.
 */
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { KubeObject, ObjectRef } from "../model/object.js";
import { compareStrings, inventoryId, parseInventoryId } from "../model/object.js";
import { FIELD_MANAGER } from "./apply.js";
import type { KubeClient } from "./client.js";
import type { UnitOwner } from "./policy.js";
import type { AppliedRecord } from "./record.js";

export const INVENTORY_NAMESPACE = "ferry-system";
const HISTORY_LENGTH = 10;

/** What uninstalling a HelmRelease's release needs once the HelmRelease is gone from Git. */
export interface ReleaseRecord {
  /** The release name and namespace (`releaseName`, `targetNamespace`), which may differ from the HelmRelease's. */
  name: string;
  namespace: string;
  /** `spec.uninstall` as it was last seen. */
  keepHistory?: boolean;
  timeoutMs?: number;
  disableWait?: boolean;
}

/** What the inventory keeps of one object besides its id and version. */
export interface InventoryRecord extends AppliedRecord {
  /** A HelmRelease: the release to uninstall when it is pruned. */
  release?: ReleaseRecord;
  /**
   * A Flux object Ferry reconciles rather than applies (a HelmRelease, a Kustomization), as it was
   * last seen: why pruning it must leave its release or objects alone (`prune: disabled`, `suspend: true`).
   */
  keep?: string;
}

export interface InventoryEntry extends InventoryRecord {
  id: string;
  v: string;
}

export interface HistoryEntry {
  revision: string;
  time: string;
  status: "succeeded" | "failed";
  /** Objects in the inventory after this run. */
  objects: number;
}

export interface Inventory {
  entries: InventoryEntry[];
  revision?: string;
  history: HistoryEntry[];
}

/** Inventory entries for `refs`, without duplicates, sorted by id, with what was recorded of each. */
export function entriesOf(
  refs: ObjectRef[],
  records: ReadonlyMap<string, InventoryRecord> = new Map(),
): InventoryEntry[] {
  const entries = new Map<string, InventoryEntry>();
  for (const ref of refs) {
    const id = inventoryId(ref);
    if (!entries.has(id)) entries.set(id, { id, v: ref.version, ...records.get(id) });
  }
  return [...entries.values()].sort((a, b) => compareStrings(a.id, b.id));
}

/** What the previous run recorded of each object, by inventory id. */
export function recordsOf(inventory: Inventory | undefined): Map<string, InventoryRecord> {
  return new Map((inventory?.entries ?? []).map(({ id, v: _v, ...record }) => [id, record]));
}

/** What the old inventory had and the new one lacks: the entries to prune. */
export function staleEntries(previous: InventoryEntry[], current: InventoryEntry[]): InventoryEntry[] {
  const keep = new Set(current.map((e) => e.id));
  return previous.filter((e) => !keep.has(e.id));
}

/** The objects to prune (`staleEntries` as references). */
export function staleRefs(previous: InventoryEntry[], current: InventoryEntry[]): ObjectRef[] {
  return staleEntries(previous, current).map((e) => parseInventoryId(e.id, e.v));
}

/**
 * `ferry-inventory.<namespace>.<name>`: a namespace has no dots, so no two units share a name.
 * Past the 253-character limit the name is cut and a hash of the whole appended.
 */
export function inventoryName(owner: UnitOwner): string {
  const name = `ferry-inventory.${owner.namespace}.${owner.name}`.toLowerCase().replace(/[^a-z0-9.-]/g, "-");
  if (name.length <= 253) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 12);
  return `${name.slice(0, 240).replace(/[^a-z0-9]+$/, "")}-${hash}`;
}

const inventoryRef = (owner: UnitOwner, namespace: string): ObjectRef => ({
  group: "",
  version: "v1",
  kind: "ConfigMap",
  namespace,
  name: inventoryName(owner),
});

export async function readInventory(
  client: KubeClient,
  owner: UnitOwner,
  namespace = INVENTORY_NAMESPACE,
): Promise<Inventory | undefined> {
  const live = await client.get(inventoryRef(owner, namespace));
  if (!live) return undefined;
  const data = (live.data ?? {}) as Record<string, string>;
  return {
    entries: JSON.parse(data["inventory.json"] ?? "[]"),
    revision: data.revision || undefined,
    history: JSON.parse(data["history.json"] ?? "[]"),
  };
}

/**
 * Stores the inventory (creating the namespace when missing), adding `run` to the history. A run
 * that changes nothing (same entries, same revision, same outcome as the last one) writes nothing.
 */
export async function writeInventory(
  client: KubeClient,
  owner: UnitOwner,
  previous: Inventory | undefined,
  entries: InventoryEntry[],
  run: HistoryEntry,
  namespace = INVENTORY_NAMESPACE,
): Promise<Inventory> {
  const revision = run.status === "succeeded" ? run.revision : previous?.revision;
  if (
    previous &&
    isDeepStrictEqual(previous.entries, entries) &&
    (previous.revision ?? "") === (revision ?? "") &&
    previous.history[0]?.status === run.status &&
    previous.history[0]?.revision === run.revision
  ) {
    return previous;
  }
  const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } };
  if (!(await client.get({ group: "", version: "v1", kind: "Namespace", name: namespace }))) {
    await client.apply(ns, { fieldManager: FIELD_MANAGER, force: true, dryRun: false });
  }
  const history = [run, ...(previous?.history ?? [])].slice(0, HISTORY_LENGTH);
  const stored: Inventory = { entries, ...(revision ? { revision } : {}), history };
  const configMap: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: inventoryName(owner),
      namespace,
      labels: { "app.kubernetes.io/managed-by": "ferry", "ferry.dev/inventory": "true" },
      annotations: { "ferry.dev/unit": `${owner.namespace}/${owner.name}` },
    },
    data: {
      "inventory.json": JSON.stringify(stored.entries),
      revision: stored.revision ?? "",
      "history.json": JSON.stringify(history),
    },
  };
  await client.apply(configMap, { fieldManager: FIELD_MANAGER, force: true, dryRun: false });
  return stored;
}

/** Removes a unit's inventory (once everything it listed is gone); nothing when there is none. */
export async function deleteInventory(
  client: KubeClient,
  owner: UnitOwner,
  namespace = INVENTORY_NAMESPACE,
): Promise<void> {
  const ref = inventoryRef(owner, namespace);
  if (await client.get(ref)) await client.delete(ref, "Background");
}

/**
 * One writer per cluster across Ferry replicas: a `coordination.k8s.io/v1` Lease in `ferry-system`,
 * taken before any write to the cluster and renewed while the run lasts. A replica that finds the
 * lease held (and not expired) waits, polling, until it is released or expires.
 */
import { randomUUID } from "node:crypto";
import type { KubeObject } from "../model/object.js";
import { FIELD_MANAGER } from "./apply.js";
import { KubeApiError, type KubeClient } from "./client.js";
import { INVENTORY_NAMESPACE } from "./inventory.js";

export interface LeaseOptions {
  /** Lease name; one per cluster. */
  name: string;
  namespace?: string;
  /** Who holds it: stable per replica (hostname and process), unique per run by default. */
  holder?: string;
  /** How long a holder that stops renewing keeps it; default 15 s. */
  durationSeconds?: number;
  /** Give up waiting after this long; default 10 minutes. */
  waitTimeoutMs?: number;
  /** Poll interval while waiting; default 500 ms. */
  pollMs?: number;
}

export interface HeldLease {
  holder: string;
  /** How long the caller waited for it. */
  waitedMs: number;
  release(): Promise<void>;
}

/** A MicroTime, as Lease times are written: RFC 3339 with microseconds. */
const now = () => new Date().toISOString().replace("Z", "000Z");

const path = (namespace: string, name?: string) =>
  `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases${name ? `/${name}` : ""}`;

function expired(lease: KubeObject): boolean {
  const spec = (lease.spec ?? {}) as {
    holderIdentity?: string;
    renewTime?: string;
    leaseDurationSeconds?: number;
  };
  if (!spec.holderIdentity) return true;
  const renewed = Date.parse(spec.renewTime ?? "");
  return Number.isNaN(renewed) || renewed + (spec.leaseDurationSeconds ?? 15) * 1000 < Date.now();
}

export async function acquireLease(client: KubeClient, options: LeaseOptions): Promise<HeldLease> {
  const namespace = options.namespace ?? INVENTORY_NAMESPACE;
  const holder = options.holder ?? `ferry-${randomUUID()}`;
  const duration = options.durationSeconds ?? 15;
  const deadline = Date.now() + (options.waitTimeoutMs ?? 600_000);
  const started = Date.now();
  await ensureNamespace(client, namespace);
  const spec = () => ({
    holderIdentity: holder,
    leaseDurationSeconds: duration,
    acquireTime: now(),
    renewTime: now(),
  });

  let lease: KubeObject | undefined;
  for (;;) {
    try {
      lease = await take(client, namespace, options.name, holder, spec());
      if (lease) break;
    } catch (e) {
      // Another replica won the race (create or update conflict): look again.
      if (!(e instanceof KubeApiError && e.code === 409)) throw e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `lease ${namespace}/${options.name} is still held by another Ferry replica after waiting ${Math.round((Date.now() - started) / 1000)}s`,
      );
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
  }

  let current = lease;
  let released = false;
  const renew = setInterval(
    async () => {
      try {
        current = await client.request<KubeObject>("PUT", path(namespace, options.name), {
          body: { ...current, spec: { ...(current.spec as object), renewTime: now() } },
        });
      } catch {
        // A failed renewal is retried on the next tick; the lease outlives a few misses.
      }
    },
    Math.max(1000, (duration * 1000) / 3),
  );
  renew.unref();
  return {
    holder,
    waitedMs: Date.now() - started,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(renew);
      const live = await client.get({
        group: "coordination.k8s.io",
        version: "v1",
        kind: "Lease",
        namespace,
        name: options.name,
      });
      if ((live?.spec as { holderIdentity?: string } | undefined)?.holderIdentity !== holder) return;
      await client.request("PUT", path(namespace, options.name), {
        body: { ...live, spec: { ...(live?.spec as object), holderIdentity: "" } },
      });
    },
  };
}

/** Takes the lease if it is free, expired or ours; undefined when another holder has it. */
async function take(
  client: KubeClient,
  namespace: string,
  name: string,
  holder: string,
  spec: Record<string, unknown>,
): Promise<KubeObject | undefined> {
  const live = await client.get({
    group: "coordination.k8s.io",
    version: "v1",
    kind: "Lease",
    namespace,
    name,
  });
  if (!live) {
    return client.request<KubeObject>("POST", path(namespace), {
      body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace }, spec },
    });
  }
  const ours = (live.spec as { holderIdentity?: string } | undefined)?.holderIdentity === holder;
  if (!ours && !expired(live)) return undefined;
  // PUT with the live resourceVersion: two replicas taking an expired lease at once cannot both win.
  return client.request<KubeObject>("PUT", path(namespace, name), { body: { ...live, spec } });
}

async function ensureNamespace(client: KubeClient, namespace: string): Promise<void> {
  if (await client.get({ group: "", version: "v1", kind: "Namespace", name: namespace })) return;
  await client.apply(
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
    { fieldManager: FIELD_MANAGER, force: true, dryRun: false },
  );
}

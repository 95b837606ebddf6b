/** One writer per cluster: the Lease Ferry replicas take before writing, against the test API server. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KubeClient } from "../../src/cluster/client.js";
import { acquireLease } from "../../src/cluster/lease.js";
import { KubeApiServer } from "../kube-api-server/server.js";

describe("cluster lease", () => {
  let server: KubeApiServer;
  let client: KubeClient;

  beforeEach(async () => {
    server = await KubeApiServer.start();
    client = await KubeClient.connect({ kubeconfigText: server.kubeconfig() });
  });

  afterEach(async () => {
    client.close();
    await server.stop();
  });

  const holderOf = () =>
    server.get("coordination.k8s.io/v1", "Lease", "ferry-system", "ferry-production")?.spec.holderIdentity;

  it("creates the lease (and ferry-system) for its holder, and frees it on release", async () => {
    const lease = await acquireLease(client, { name: "ferry-production", holder: "replica-a" });
    expect(holderOf()).toBe("replica-a");
    expect(server.get("v1", "Namespace", undefined, "ferry-system")).toBeDefined();
    await lease.release();
    expect(holderOf()).toBe("");
  });

  it("makes a second replica wait until the first releases, so their writes never overlap", async () => {
    const a = await acquireLease(client, { name: "ferry-production", holder: "replica-a" });
    const events: string[] = [];
    const b = acquireLease(client, { name: "ferry-production", holder: "replica-b", pollMs: 20 }).then(
      (lease) => {
        events.push("b acquired");
        return lease;
      },
    );
    await new Promise((r) => setTimeout(r, 200));
    events.push("a releases");
    await a.release();
    const held = await b;
    expect(events).toEqual(["a releases", "b acquired"]);
    expect(held.waitedMs).toBeGreaterThanOrEqual(190);
    expect(holderOf()).toBe("replica-b");
    await held.release();
  });

  it("takes over a lease whose holder stopped renewing", async () => {
    const stale = new Date(Date.now() - 60_000).toISOString().replace("Z", "000Z");
    server.objects.create(
      { type: server.type("v1", "Namespace") },
      { metadata: { name: "ferry-system" } },
      { dryRun: false, fieldManager: "test" },
    );
    server.objects.create(
      { type: server.type("coordination.k8s.io/v1", "Lease"), namespace: "ferry-system" },
      {
        metadata: { name: "ferry-production" },
        spec: { holderIdentity: "crashed", leaseDurationSeconds: 15, renewTime: stale, acquireTime: stale },
      },
      { dryRun: false, fieldManager: "test" },
    );
    const lease = await acquireLease(client, { name: "ferry-production", holder: "replica-a" });
    expect(lease.waitedMs).toBeLessThan(1000);
    expect(holderOf()).toBe("replica-a");
    await lease.release();
  });

  it("gives up with a clear error when the lease stays held", async () => {
    const a = await acquireLease(client, { name: "ferry-production", holder: "replica-a" });
    await expect(
      acquireLease(client, { name: "ferry-production", holder: "replica-b", waitTimeoutMs: 150, pollMs: 20 }),
    ).rejects.toThrow(/lease ferry-system\/ferry-production is still held by another Ferry replica/);
    await a.release();
  });

  it("renews the lease while it is held", async () => {
    const lease = await acquireLease(client, {
      name: "ferry-production",
      holder: "replica-a",
      durationSeconds: 3,
    });
    const first = server.get("coordination.k8s.io/v1", "Lease", "ferry-system", "ferry-production")?.spec
      .renewTime;
    await expect
      .poll(
        () =>
          server.get("coordination.k8s.io/v1", "Lease", "ferry-system", "ferry-production")?.spec.renewTime,
        {
          timeout: 3000,
        },
      )
      .not.toBe(first);
    await lease.release();
  });
});

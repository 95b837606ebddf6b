/**
 * A Kustomization's `serviceAccountName`: its objects are read, applied, waited for and pruned as that
 * service account of its namespace (Impersonate-User on every such request), while its inventory stays
 * Ferry's own; without a connection to impersonate with, the unit fails instead of acting as Ferry.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeApiServer } from "../kube-api-server/server.js";
import {
  type HelmFleet,
  openHelmFleet,
  reconcileOnce,
  rootUnit,
  type ScratchRepo,
} from "../support/fleet.js";

const tenant = [
  "apiVersion: kustomize.toolkit.fluxcd.io/v1",
  "kind: Kustomization",
  "metadata: {name: tenant, namespace: team}",
  "spec:",
  "  interval: 10m",
  "  path: ./tenant",
  "  prune: true",
  "  serviceAccountName: deployer",
  "  sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}",
  "",
].join("\n");

describe("a Kustomization with serviceAccountName", () => {
  let server: KubeApiServer;
  let repo: ScratchRepo;
  let kubeconfig: string;
  let fleet: HelmFleet;
  const reconcile = (connection = true) =>
    reconcileOnce(
      server,
      repo,
      rootUnit("team", { wait: false }),
      undefined,
      connection ? { connection: { kubeconfig } } : {},
    );
  const account = "system:serviceaccount:team:deployer";

  beforeAll(async () => {
    fleet = await openHelmFleet("team", "tenant");
    ({ server, repo, kubeconfig } = fleet);
    await repo.write("team/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n");
    await repo.write("team/tenant.yaml", tenant);
    for (const name of ["one", "two"]) {
      await repo.write(
        `tenant/${name}.yaml`,
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: team}\ndata: {a: b}\n`,
      );
    }
  });
  afterAll(async () => {
    await fleet.close();
  });

  it("applies and prunes the unit's objects as its service account, and keeps the inventory Ferry's", async () => {
    let from = server.requests.length;
    const result = await reconcile();
    expect(result.units.map((u) => [u.name, u.status])).toEqual([
      ["ferry-system/team", "succeeded"],
      ["team/tenant", "succeeded"],
    ]);
    const applied = server.requests.slice(from).filter((r) => r.path.includes("/configmaps/one"));
    expect(applied.length).toBeGreaterThan(0);
    expect(applied.every((r) => r.impersonateUser === account)).toBe(true);
    const inventory = server.requests
      .slice(from)
      .filter((r) => r.path.includes("ferry-inventory.team.tenant"));
    expect(inventory.length).toBeGreaterThan(0);
    expect(inventory.every((r) => r.impersonateUser === undefined)).toBe(true);
    // The root unit's own objects stay Ferry's.
    expect(
      server.requests
        .slice(from)
        .filter((r) => r.path.includes("/namespaces/team") && r.path.endsWith("/team") && r.impersonateUser),
    ).toEqual([]);

    await repo.remove("tenant/two.yaml");
    from = server.requests.length;
    const pruned = await reconcile();
    expect(pruned.units.find((u) => u.name === "team/tenant")?.changes).toContainEqual(
      expect.objectContaining({ subject: "ConfigMap/team/two", action: "deleted" }),
    );
    const deletes = server.requests.slice(from).filter((r) => r.method === "DELETE");
    expect(deletes.map((r) => [r.path.split("/").pop(), r.impersonateUser])).toEqual([["two", account]]);
  });

  it("fails the unit rather than act as Ferry when it cannot impersonate", async () => {
    const result = await reconcile(false);
    expect(result.units.find((u) => u.name === "team/tenant")).toMatchObject({
      status: "failed",
      problems: [
        expect.objectContaining({
          message: `spec.serviceAccountName: Ferry cannot act as ${account} here (it was given no connection to the cluster to impersonate with)`,
        }),
      ],
    });
  });
});

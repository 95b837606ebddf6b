/**
 * Prune of what a unit reconciles itself, with the real helm against the test API server: a
 * HelmRelease removed from Git has its release uninstalled (under its own release name and
 * namespace), unless it had `prune: disabled` or `suspend: true`, or the unit does not prune; a
 * failed uninstall stays in the inventory and is tried again; a child Kustomization removed from Git
 * has its objects and releases garbage-collected and its inventory removed.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HelmDriver } from "../../src/helm/driver/helm-driver.js";
import type { ReconcileResult, UnitResult } from "../../src/model/result.js";
import type { UnitDefinition } from "../../src/reconcile/unit.js";
import type { KubeApiServer } from "../kube-api-server/server.js";
import {
  type HelmFleet,
  openHelmFleet,
  reconcileOnce,
  rootUnit,
  type ScratchRepo,
  writesSince,
} from "../support/fleet.js";

const unit = (result: ReconcileResult, name: string) =>
  result.units.find((u) => u.name === name) as UnitResult;
const notUnchanged = (u: UnitResult) =>
  u.changes.filter((c) => c.action !== "unchanged").map((c) => [c.subject, c.action, c.reason]);

/** A HelmRelease of the repository's `hello` chart in namespace `team`. */
function helmRelease(name: string, extra: string[] = [], metadata: string[] = []): string {
  return [
    "apiVersion: helm.toolkit.fluxcd.io/v2",
    "kind: HelmRelease",
    "metadata:",
    `  name: ${name}`,
    "  namespace: team",
    ...metadata,
    "spec:",
    "  interval: 10m",
    "  timeout: 1m",
    "  chart:",
    "    spec:",
    "      chart: ./charts/hello",
    "      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}",
    ...extra,
    "",
  ].join("\n");
}

const namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n";
const nested = [
  "apiVersion: kustomize.toolkit.fluxcd.io/v1",
  "kind: Kustomization",
  "metadata: {name: nested, namespace: flux-system}",
  "spec:",
  "  interval: 10m",
  "  path: ./team-nested",
  "  prune: true",
  "  sourceRef: {kind: GitRepository, name: flux-system}",
  "",
].join("\n");

describe("pruning HelmReleases and Kustomizations removed from Git", () => {
  let server: KubeApiServer;
  let repo: ScratchRepo;
  let kubeconfig: string;
  let fleet: HelmFleet;
  const root = rootUnit("team", { wait: false });
  const reconcile = (unitDefinition: UnitDefinition = root) =>
    reconcileOnce(server, repo, unitDefinition, undefined, { connection: { kubeconfig } });

  async function helm<T>(work: (driver: HelmDriver) => Promise<T>): Promise<T> {
    const driver = await HelmDriver.create({ kubeconfig });
    try {
      return await work(driver);
    } finally {
      await driver.close();
    }
  }
  const statusOf = (name: string, ns = "team") => helm((d) => d.status(name, ns));
  const inventoryIds = (name: string) => {
    const inventory = server.get("v1", "ConfigMap", "ferry-system", name);
    return inventory
      ? JSON.parse(inventory.data["inventory.json"]).map((e: { id: string }) => e.id)
      : undefined;
  };

  const writeReleases = (...releases: string[]) =>
    repo.write("team/releases.yaml", [namespace, ...releases].join("---\n"));
  const one = helmRelease("one", [
    "  releaseName: first",
    "  targetNamespace: team-apps",
    "  install: {createNamespace: true}",
    "  uninstall: {keepHistory: false, timeout: 30s}",
  ]);
  const kept = helmRelease("kept", [], ["  annotations: {kustomize.toolkit.fluxcd.io/prune: disabled}"]);
  const paused = helmRelease("paused");

  beforeAll(async () => {
    fleet = await openHelmFleet("team", "team-nested");
    ({ server, repo, kubeconfig } = fleet);
    await writeReleases(one, kept, paused);
    await repo.write("team/nested.yaml", nested);
    await repo.write(
      "team-nested/objects.yaml",
      [
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nested-settings, namespace: team}\ndata: {a: b}\n",
        helmRelease("inner"),
      ].join("---\n"),
    );
  });
  afterAll(async () => {
    await fleet.close();
  });

  it("records each HelmRelease and child Kustomization in the inventory of the unit that yields it", async () => {
    const result = await reconcile();
    expect(result.units.map((u) => [u.name, u.status])).toEqual([
      ["ferry-system/team", "succeeded"],
      ["flux-system/nested", "succeeded"],
      ["team/kept", "succeeded"],
      ["team/one", "succeeded"],
      ["team/paused", "succeeded"],
      ["team/inner", "succeeded"],
    ]);
    expect(inventoryIds("ferry-inventory.ferry-system.team")).toEqual([
      "_team__Namespace",
      "flux-system_nested_kustomize.toolkit.fluxcd.io_Kustomization",
      "team_kept_helm.toolkit.fluxcd.io_HelmRelease",
      "team_one_helm.toolkit.fluxcd.io_HelmRelease",
      "team_paused_helm.toolkit.fluxcd.io_HelmRelease",
    ]);
    expect(inventoryIds("ferry-inventory.flux-system.nested")).toEqual([
      "team_inner_helm.toolkit.fluxcd.io_HelmRelease",
      "team_nested-settings__ConfigMap",
    ]);
    expect(await statusOf("first", "team-apps")).toMatchObject({ status: "deployed" });
    expect(server.get("apps/v1", "Deployment", "team-apps", "first")).toBeDefined();
  });

  it("uninstalls the release of a HelmRelease removed from Git, under its release name and namespace", async () => {
    await writeReleases(kept, helmRelease("paused", ["  suspend: true"]));
    const result = await reconcile();
    expect(notUnchanged(unit(result, "ferry-system/team"))).toEqual([
      ["HelmRelease/team/one", "deleted", "release team-apps/first uninstalled"],
    ]);
    expect(unit(result, "ferry-system/team").status).toBe("succeeded");
    expect(await statusOf("first", "team-apps")).toBeUndefined();
    expect(server.get("apps/v1", "Deployment", "team-apps", "first")).toBeUndefined();
    expect(inventoryIds("ferry-inventory.ferry-system.team")).not.toContain(
      "team_one_helm.toolkit.fluxcd.io_HelmRelease",
    );
    // Suspended but still in Git: skipped, and its release stays.
    expect(unit(result, "team/paused")).toMatchObject({ status: "skipped" });
    expect(await statusOf("paused")).toMatchObject({ status: "deployed" });
  });

  it("leaves the releases of a HelmRelease with prune: disabled or suspend: true", async () => {
    await writeReleases();
    const result = await reconcile();
    expect(notUnchanged(unit(result, "ferry-system/team"))).toEqual([
      ["HelmRelease/team/kept", "skipped", "kustomize.toolkit.fluxcd.io/prune: disabled"],
      ["HelmRelease/team/paused", "skipped", "spec.suspend is true"],
    ]);
    expect(await statusOf("kept")).toMatchObject({ status: "deployed" });
    expect(await statusOf("paused")).toMatchObject({ status: "deployed" });
  });

  it("leaves the release when the unit does not prune", async () => {
    await writeReleases(helmRelease("two"));
    expect(unit(await reconcile(), "team/two").status).toBe("succeeded");
    await writeReleases();
    const result = await reconcile({ ...root, prune: false });
    expect(notUnchanged(unit(result, "ferry-system/team"))).toEqual([]);
    expect(await statusOf("two")).toMatchObject({ status: "deployed" });
  });

  it("keeps a release whose uninstall failed in the inventory, and uninstalls it on the next run", async () => {
    await writeReleases(helmRelease("three"));
    expect(unit(await reconcile(), "team/three").status).toBe("succeeded");
    await writeReleases();
    // helm cannot remove the release's record (a Secret in its namespace).
    const fault = server.faults.add({
      verb: "delete",
      resource: "secrets",
      namespace: "team",
      times: 1000,
      status: 500,
      message: "etcd is down",
    });
    let failed: ReconcileResult;
    try {
      failed = await reconcile();
    } finally {
      fault();
    }
    const team = unit(failed, "ferry-system/team");
    expect(team.status).toBe("failed");
    expect(team.problems).toEqual([
      expect.objectContaining({
        subject: "HelmRelease/team/three",
        message: expect.stringMatching(/^HelmRelease\/team\/three uninstall failed: .*etcd is down/s),
      }),
    ]);
    expect(inventoryIds("ferry-inventory.ferry-system.team")).toContain(
      "team_three_helm.toolkit.fluxcd.io_HelmRelease",
    );

    const healed = await reconcile();
    expect(unit(healed, "ferry-system/team").status).toBe("succeeded");
    expect(notUnchanged(unit(healed, "ferry-system/team"))).toEqual([
      ["HelmRelease/team/three", "deleted", "release team/three uninstalled"],
    ]);
    expect(await statusOf("three")).toBeUndefined();
    expect(inventoryIds("ferry-inventory.ferry-system.team")).not.toContain(
      "team_three_helm.toolkit.fluxcd.io_HelmRelease",
    );
  });

  it("garbage-collects a Kustomization removed from Git: its releases, its objects, its inventory", async () => {
    expect(server.get("v1", "ConfigMap", "team", "nested-settings")).toBeDefined();
    await repo.remove("team/nested.yaml");
    const result = await reconcile();
    expect(result.units.map((u) => u.name)).toEqual(["ferry-system/team"]);
    expect(notUnchanged(unit(result, "ferry-system/team"))).toEqual([
      ["HelmRelease/team/inner", "deleted", "release team/inner uninstalled"],
      ["ConfigMap/team/nested-settings", "deleted", undefined],
      ["Kustomization/flux-system/nested", "deleted", undefined],
    ]);
    expect(await statusOf("inner")).toBeUndefined();
    expect(server.get("v1", "ConfigMap", "team", "nested-settings")).toBeUndefined();
    expect(inventoryIds("ferry-inventory.flux-system.nested")).toBeUndefined();
  });

  it("leaves a HelmRelease and a Kustomization that moved to a unit built later alone", async () => {
    const kustomization = (name: string, path: string) =>
      nested.replace("name: nested,", `name: ${name},`).replace("./team-nested", path);
    await mkdir(join(repo.dir, "team-later"));
    await mkdir(join(repo.dir, "team-moved"));
    await writeReleases(helmRelease("mover"));
    await repo.write("team/later.yaml", kustomization("later", "./team-later"));
    await repo.write("team/moved.yaml", kustomization("moved", "./team-moved"));
    await repo.write(
      "team-later/placeholder.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: later, namespace: team}\n",
    );
    await repo.write(
      "team-moved/settings.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: moved-settings, namespace: team}\ndata: {a: b}\n",
    );
    expect(unit(await reconcile(), "team/mover").status).toBe("succeeded");

    // Both move from the root unit's build into the child `later`, which runs after the root has pruned.
    await writeReleases();
    await repo.remove("team/moved.yaml");
    await repo.write(
      "team-later/moved.yaml",
      [kustomization("moved", "./team-moved"), helmRelease("mover")].join("---\n"),
    );
    const from = server.requests.length;
    const result = await reconcile();

    expect(unit(result, "team/mover").changes).toEqual([
      expect.objectContaining({ action: "unchanged", reason: "hello@0.1.0 revision 1" }),
    ]);
    expect(unit(result, "flux-system/moved").status).toBe("succeeded");
    expect(notUnchanged(unit(result, "ferry-system/team"))).toEqual([
      ["Kustomization/flux-system/moved", "skipped", "moved to another unit's build"],
      ["HelmRelease/team/mover", "skipped", "moved to another unit's build"],
    ]);
    expect(writesSince(server, from).filter((r) => r.method === "DELETE")).toEqual([]);
    expect(await helm((d) => d.history("mover", "team"))).toHaveLength(1);
    expect(inventoryIds("ferry-inventory.ferry-system.team")).not.toContain(
      "team_mover_helm.toolkit.fluxcd.io_HelmRelease",
    );
    expect(inventoryIds("ferry-inventory.flux-system.later")).toContain(
      "team_mover_helm.toolkit.fluxcd.io_HelmRelease",
    );
  });
});

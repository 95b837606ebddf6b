/**
 * The sync engine's acceptance: a Flux fleet repository (clusters/production → infrastructure →
 * apps with dependsOn, an overlay with patches and images, a SOPS-encrypted Secret, post-build
 * substitution from a ConfigMap in the cluster, an object with prune: disabled) reconciled
 * against the test API server; the infrastructure yields a HelmRelease (a chart of the repository,
 * installed with the real helm) that apps depend on.
 */
import { readFile, rm } from "node:fs/promises";
import { generateIdentity } from "age-encryption";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Workspace } from "../../src/build/workspace.js";
import { KubeClient } from "../../src/cluster/client.js";
import type { ReconcileResult, UnitResult } from "../../src/model/result.js";
import { reconcileTree } from "../../src/reconcile/run.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { fixtures, reconcileOnce, rootUnit, ScratchRepo, writesSince } from "../support/fleet.js";

const unit = (result: ReconcileResult, name: string) =>
  result.units.find((u) => u.name === name) as UnitResult;
const actions = (u: UnitResult) => Object.fromEntries(u.changes.map((c) => [c.subject, c.action]));

describe("a Flux fleet repository reconciled against the test API server", () => {
  let server: KubeApiServer;
  let repo: ScratchRepo;
  let kubeconfig: string;
  const root = rootUnit("clusters/production");
  const reconcile = () => reconcileOnce(server, repo, root, undefined, { connection: { kubeconfig } });

  const setDecryptionKey = async (identity: string) => {
    const type = server.type("v1", "Secret");
    if (server.get("v1", "Secret", "flux-system", "sops-age")) {
      server.objects.delete({ type, namespace: "flux-system", name: "sops-age" }, { dryRun: false });
    }
    server.objects.create(
      { type, namespace: "flux-system" },
      { metadata: { name: "sops-age" }, data: { "age.agekey": Buffer.from(identity).toString("base64") } },
      { dryRun: false, fieldManager: "test" },
    );
  };

  beforeAll(async () => {
    server = await KubeApiServer.start();
    repo = await ScratchRepo.of("fleet");
    kubeconfig = `${repo.dir}.kubeconfig`;
    await server.writeKubeconfig(kubeconfig);
    server.objects.create(
      { type: server.type("v1", "Namespace") },
      { metadata: { name: "flux-system" } },
      { dryRun: false, fieldManager: "test" },
    );
    server.objects.create(
      { type: server.type("v1", "ConfigMap"), namespace: "flux-system" },
      { metadata: { name: "cluster-vars" }, data: { cluster_name: "production" } },
      { dryRun: false, fieldManager: "test" },
    );
    await setDecryptionKey(await readFile(`${fixtures}/fleet/keys/age.agekey`, "utf8"));
  });

  afterAll(async () => {
    await server.stop();
    await repo.cleanup();
    await rm(kubeconfig, { force: true });
  });

  it("creates everything on the first run, in dependsOn order, and health passes", async () => {
    const result = await reconcile();
    // In the order they ran: the release infrastructure yields is installed before apps, which depend on it.
    expect(result.units.map((u) => [u.name, u.status])).toEqual([
      ["ferry-system/clusters-production", "succeeded"],
      ["flux-system/infrastructure", "succeeded"],
      ["flux-system/ingress", "succeeded"],
      ["flux-system/apps", "succeeded"],
    ]);
    expect(actions(unit(result, "flux-system/ingress"))).toEqual({
      "HelmRelease/flux-system/ingress": "created",
    });
    expect(unit(result, "flux-system/ingress").changes[0].reason).toBe("ingress@1.0.0 revision 1");
    expect(server.get("apps/v1", "Deployment", "ingress", "ingress-controller")?.spec.replicas).toBe(2);
    expect(actions(unit(result, "flux-system/infrastructure"))).toEqual({
      "Namespace/monitoring": "created",
      "Namespace/podinfo": "created",
      "ConfigMap/monitoring/dashboards": "created",
      "ConfigMap/monitoring/platform-limits": "created",
    });
    const apps = unit(result, "flux-system/apps");
    expect(actions(apps)).toEqual({
      "ConfigMap/podinfo/podinfo-settings": "created",
      "Secret/podinfo/age": "created",
      "Service/podinfo/podinfo": "created",
      "Deployment/podinfo/podinfo": "created",
    });
    expect(apps.health.map((h) => [h.subject, h.status])).toContainEqual([
      "Deployment/podinfo/podinfo",
      "Current",
    ]);
    expect(result.ok).toBe(true);

    const deployment = server.get("apps/v1", "Deployment", "podinfo", "podinfo");
    expect(deployment?.spec.replicas).toBe(2);
    expect(deployment?.spec.template.spec.containers[0].image).toBe("ghcr.io/stefanprodan/podinfo:6.7.1");
    expect(deployment?.spec.template.spec.containers[0].env).toEqual([
      { name: "CLUSTER", value: "production" },
    ]);
    expect(deployment?.metadata.labels).toMatchObject({
      tier: "frontend",
      "ferry.dev/name": "apps",
      "ferry.dev/namespace": "flux-system",
    });
    expect(server.get("v1", "ConfigMap", "podinfo", "podinfo-settings")?.data).toEqual({
      cluster: "production",
      region: "eu-west-1",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text Flux leaves for $${…}
      escaped: "${not_substituted}",
    });
    const secret = server.get("v1", "Secret", "podinfo", "age");
    expect(Buffer.from(secret?.data.key, "base64").toString()).toBe("value");
    expect(secret?.sops).toBeUndefined();
    const inventory = server.get("v1", "ConfigMap", "ferry-system", "ferry-inventory.flux-system.apps");
    expect(JSON.parse(inventory?.data["inventory.json"])).toContainEqual(
      expect.objectContaining({ id: "podinfo_podinfo_apps_Deployment", v: "v1" }),
    );
  });

  it("reports everything unchanged on the second run and sends no write request", async () => {
    const before = server.requests.length;
    const result = await reconcile();
    expect(result.ok).toBe(true);
    const all = result.units.flatMap((u) => u.changes.map((c) => c.action));
    // 4 infrastructure objects, 4 apps objects, the release.
    expect(all).toHaveLength(9);
    expect(new Set(all)).toEqual(new Set(["unchanged"]));
    expect(writesSince(server, before)).toEqual([]);
    // Nothing changed since Ferry applied it (the inventory's record and managedFields agree): no dry-run either.
    expect(server.requests.slice(before).filter((r) => r.method === "PATCH")).toEqual([]);
  });

  it("reverts a change another field manager made", async () => {
    const type = server.type("apps/v1", "Deployment");
    server.objects.patch(
      { type, namespace: "podinfo", name: "podinfo" },
      "application/merge-patch+json",
      JSON.stringify({ spec: { replicas: 5 } }),
      { dryRun: false, fieldManager: "kubectl-edit" },
    );
    const result = await reconcile();
    expect(actions(unit(result, "flux-system/apps"))["Deployment/podinfo/podinfo"]).toBe("configured");
    expect(server.get("apps/v1", "Deployment", "podinfo", "podinfo")?.spec.replicas).toBe(2);
  });

  it("restores a field another manager removed, though no new manager shows in managedFields", async () => {
    server.objects.patch(
      { type: server.type("v1", "ConfigMap"), namespace: "podinfo", name: "podinfo-settings" },
      "application/json-patch+json",
      JSON.stringify([{ op: "remove", path: "/data/region" }]),
      { dryRun: false, fieldManager: "kubectl-patch" },
    );
    const result = await reconcile();
    expect(actions(unit(result, "flux-system/apps"))["ConfigMap/podinfo/podinfo-settings"]).toBe(
      "configured",
    );
    expect(server.get("v1", "ConfigMap", "podinfo", "podinfo-settings")?.data.region).toBe("eu-west-1");
  });

  it("prunes exactly the object whose file was deleted, and keeps the prune: disabled one", async () => {
    await repo.remove("infrastructure/dashboards.yaml");
    await repo.remove("infrastructure/limits.yaml");
    const result = await reconcile();
    const infrastructure = unit(result, "flux-system/infrastructure");
    expect(infrastructure.changes.filter((c) => c.action !== "unchanged")).toEqual([
      expect.objectContaining({
        subject: "ConfigMap/monitoring/platform-limits",
        action: "skipped",
        reason: "kustomize.toolkit.fluxcd.io/prune: disabled",
      }),
      expect.objectContaining({ subject: "ConfigMap/monitoring/dashboards", action: "deleted" }),
    ]);
    expect(server.get("v1", "ConfigMap", "monitoring", "dashboards")).toBeUndefined();
    expect(server.get("v1", "ConfigMap", "monitoring", "platform-limits")).toBeDefined();
    expect(server.get("v1", "Namespace", undefined, "monitoring")).toBeDefined();
    expect(actions(unit(result, "flux-system/apps"))).not.toContain("deleted");
  });

  it("aborts a unit with an invalid object before any write, naming its file", async () => {
    const settings = await repo.read("apps/production/settings.yaml");
    await repo.write(
      "apps/production/settings.yaml",
      settings.replace("escaped:", "changed: yes\n  escaped:"),
    );
    await repo.write(
      "apps/production/broken.yaml",
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: broken\nspec:\n  selector:\n    matchLabels: {app: broken}\n  template:\n    metadata:\n      labels: {app: broken}\n    spec:\n      containers: []\n",
    );
    await repo.write(
      "apps/production/kustomization.yaml",
      (await repo.read("apps/production/kustomization.yaml")).replace(
        "  - settings.yaml",
        "  - settings.yaml\n  - broken.yaml",
      ),
    );
    const before = server.requests.length;
    const result = await reconcile();
    const apps = unit(result, "flux-system/apps");
    expect(apps.status).toBe("failed");
    expect(apps.problems).toEqual([
      expect.objectContaining({
        subject: "Deployment/podinfo/broken",
        origin: { file: "apps/production/broken.yaml", line: 1 },
        message: expect.stringContaining("spec.template.spec.containers: Required value"),
      }),
    ]);
    expect(writesSince(server, before)).toEqual([]);
    expect(server.get("v1", "ConfigMap", "podinfo", "podinfo-settings")?.data.changed).toBeUndefined();
    await repo.remove("apps/production/broken.yaml");
    await repo.write(
      "apps/production/kustomization.yaml",
      (await repo.read("apps/production/kustomization.yaml")).replace("\n  - broken.yaml", ""),
    );
    await repo.write("apps/production/settings.yaml", settings);
  });

  it("fails a unit whose SOPS key is wrong, with nothing applied", async () => {
    await setDecryptionKey(await generateIdentity());
    const settings = await repo.read("apps/production/settings.yaml");
    await repo.write(
      "apps/production/settings.yaml",
      settings.replace("escaped:", "changed: yes\n  escaped:"),
    );
    const before = server.requests.length;
    const result = await reconcile();
    const apps = unit(result, "flux-system/apps");
    expect(apps.status).toBe("failed");
    expect(apps.problems[0].message).toContain("apps/production/secret.enc.yaml");
    expect(apps.problems[0].message).not.toContain("value");
    expect(writesSince(server, before)).toEqual([]);
    await repo.write("apps/production/settings.yaml", settings);
    await setDecryptionKey(await readFile(`${fixtures}/fleet/keys/age.agekey`, "utf8"));
  });

  it("skips a unit whose dependency failed", async () => {
    await repo.write(
      "infrastructure/bad.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: monitoring\n",
    );
    const result = await reconcile();
    expect(unit(result, "flux-system/infrastructure").status).toBe("failed");
    const apps = unit(result, "flux-system/apps");
    expect(apps.status).toBe("skipped");
    expect(apps.problems[0].message).toBe("dependency flux-system/infrastructure did not succeed");
    await repo.remove("infrastructure/bad.yaml");
  });

  it("skips apps when the infrastructure release they depend on fails", async () => {
    const release = await repo.read("infrastructure/ingress.yaml");
    await repo.write("infrastructure/ingress.yaml", release.replace("./charts/ingress", "./charts/missing"));
    try {
      const result = await reconcile();
      expect(result.units.map((u) => [u.name, u.status])).toEqual([
        ["ferry-system/clusters-production", "succeeded"],
        ["flux-system/infrastructure", "succeeded"],
        ["flux-system/ingress", "failed"],
        ["flux-system/apps", "skipped"],
      ]);
      expect(unit(result, "flux-system/apps").problems[0].message).toBe(
        "dependency flux-system/ingress did not succeed",
      );
    } finally {
      await repo.write("infrastructure/ingress.yaml", release);
    }
  });

  it("still runs the child Kustomizations when the root's own objects fail", async () => {
    await repo.write(
      "clusters/production/bad.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: default\n",
    );
    const result = await reconcile();
    expect(result.units.map((u) => [u.name, u.status])).toEqual([
      ["ferry-system/clusters-production", "failed"],
      ["flux-system/infrastructure", "succeeded"],
      ["flux-system/ingress", "succeeded"],
      ["flux-system/apps", "succeeded"],
    ]);
    expect(unit(result, "ferry-system/clusters-production").problems[0].origin).toEqual({
      file: "clusters/production/bad.yaml",
      line: 1,
    });
    await repo.remove("clusters/production/bad.yaml");
  });

  it("fails only the Kustomization whose source Ferry cannot read", async () => {
    await repo.write(
      "clusters/production/elsewhere.yaml",
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: elsewhere\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./deploy\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: other-repo\n",
    );
    const result = await reconcile();
    const failed = result.units.filter((u) => u.status !== "succeeded");
    expect(failed).toHaveLength(1);
    expect(failed[0].name).toBe("Kustomization/flux-system/elsewhere");
    expect(failed[0].problems[0].message).toContain("other-repo");
    expect(failed[0].problems[0].origin?.file).toBe("clusters/production/elsewhere.yaml");
    expect(unit(result, "flux-system/apps").status).toBe("succeeded");
    await repo.remove("clusters/production/elsewhere.yaml");
  });

  it("refuses a remote base", async () => {
    const kustomization = await repo.read("apps/production/kustomization.yaml");
    await repo.write(
      "apps/production/kustomization.yaml",
      kustomization.replace(
        "  - ../base",
        "  - ../base\n  - https://github.com/stefanprodan/podinfo//kustomize?ref=6.7.1",
      ),
    );
    const result = await reconcile();
    const apps = unit(result, "flux-system/apps");
    expect(apps.status).toBe("failed");
    expect(apps.problems[0].message).toMatch(/remote/i);
    expect(apps.problems[0].origin?.file).toBe("apps/production/kustomization.yaml");
    await repo.write("apps/production/kustomization.yaml", kustomization);
  });
});

describe("namespaces the operator allows", () => {
  it("refuses objects outside them before any request, naming each and its file", async () => {
    const server = await KubeApiServer.start();
    const repo = await ScratchRepo.of("never-ready");
    const client = await KubeClient.connect({ kubeconfigText: server.kubeconfig() });
    const workspace = await Workspace.create(repo.dir);
    try {
      const before = server.requests.length;
      const namespaces = {
        allows: (ns: string) => ns.startsWith("team-"),
        clusterScoped: false,
        describe: 'cluster "prod" for acme/fleet',
      };
      const result = await reconcileTree(
        { client, workspace, sopsKeys: { age: [], pgp: [] }, namespaces },
        rootUnit("."),
      );
      expect(result.units[0].status).toBe("failed");
      expect(result.units[0].problems).toEqual([
        {
          message:
            'Deployment/default/stuck: namespace default is not allowed by cluster "prod" for acme/fleet',
          subject: "Deployment/default/stuck",
          origin: { file: "deployment.yaml", line: 1 },
        },
      ]);
      expect(server.requests.slice(before).filter((r) => r.path.includes("deployments"))).toEqual([]);
    } finally {
      client.close();
      await workspace.dispose();
      await server.stop();
      await repo.cleanup();
    }
  });
});

describe("a stage that fails after an earlier one wrote", () => {
  it("reports the Namespace it created and keeps it in the inventory", async () => {
    const server = await KubeApiServer.start();
    const repo = await ScratchRepo.of("never-ready");
    try {
      await repo.write("deployment.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fresh\n");
      await repo.write(
        "broken.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: broken\n  namespace: fresh\nspec:\n  selector:\n    matchLabels: {app: b}\n  template:\n    metadata:\n      labels: {app: b}\n    spec:\n      containers: []\n",
      );
      const result = await reconcileOnce(server, repo, rootUnit("."));
      const [only] = result.units;
      expect(only.status).toBe("failed");
      expect(only.changes.map((c) => [c.subject, c.action])).toEqual([["Namespace/fresh", "created"]]);
      expect(only.problems[0]).toMatchObject({
        subject: "Deployment/fresh/broken",
        origin: { file: "broken.yaml", line: 1 },
      });
      const inventory = server.get("v1", "ConfigMap", "ferry-system", "ferry-inventory.ferry-system.root");
      expect(JSON.parse(inventory?.data["inventory.json"]).map((e: { id: string }) => e.id)).toEqual([
        "_fresh__Namespace",
      ]);
    } finally {
      await server.stop();
      await repo.cleanup();
    }
  });
});

describe("waiting for health", () => {
  it("fails the wait after the timeout, naming the Deployment that never became ready", async () => {
    const server = await KubeApiServer.start();
    const repo = await ScratchRepo.of("never-ready");
    try {
      const started = Date.now();
      const result = await reconcileOnce(server, repo, rootUnit(".", { timeoutMs: 1500 }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      const [only] = result.units;
      expect(only.status).toBe("failed");
      expect(only.changes.map((c) => [c.subject, c.action])).toEqual([
        ["Deployment/default/stuck", "created"],
      ]);
      expect(only.problems).toEqual([
        expect.objectContaining({
          subject: "Deployment/default/stuck",
          message: expect.stringMatching(
            /^timeout waiting for 1 object\(s\) after 1.5s: Deployment\/default\/stuck is InProgress: /,
          ),
        }),
      ]);
    } finally {
      await server.stop();
      await repo.cleanup();
    }
  });
});

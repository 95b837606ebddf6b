/**
 * `diffTree` with HelmReleases, with the real helm against the test API server: a release helm would
 * install or upgrade shows its rendered objects against the deployed ones, object by object, Secrets
 * masked and values never shown; an unchanged release is not a change; a release prune would
 * uninstall is listed; and nothing in the cluster changes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Workspace } from "../../src/build/workspace.js";
import { KubeClient } from "../../src/cluster/client.js";
import { HelmDriver } from "../../src/helm/driver/helm-driver.js";
import { type DiffResult, diffTree } from "../../src/reconcile/diff.js";
import type { KubeApiServer } from "../kube-api-server/server.js";
import {
  type HelmFleet,
  openHelmFleet,
  reconcileOnce,
  rootUnit,
  type ScratchRepo,
  writesSince,
} from "../support/fleet.js";

const changedLines = (diff: string) =>
  diff.split("\n").filter((l) => /^[-+]/.test(l) && !l.startsWith("---") && !l.startsWith("+++"));

const release = (password: string, replicas: number) =>
  [
    "apiVersion: v1",
    "kind: Namespace",
    "metadata: {name: team}",
    "---",
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata: {name: web-values, namespace: team}",
    "data:",
    "  values.yaml: |",
    "    message: from the configmap",
    "---",
    "apiVersion: helm.toolkit.fluxcd.io/v2",
    "kind: HelmRelease",
    "metadata: {name: web, namespace: team}",
    "spec:",
    "  interval: 10m",
    "  timeout: 1m",
    "  chart:",
    "    spec:",
    "      chart: ./charts/hello",
    "      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}",
    "  valuesFrom:",
    "    - {kind: ConfigMap, name: web-values}",
    "  values:",
    `    replicas: ${replicas}`,
    `    password: ${password}`,
    "",
  ].join("\n");

describe("diffTree with HelmReleases", () => {
  let server: KubeApiServer;
  let repo: ScratchRepo;
  let kubeconfig: string;
  let fleet: HelmFleet;
  let diffWrites = 0;
  const root = rootUnit("team", { wait: false });

  const diff = async (): Promise<DiffResult> => {
    const client = await KubeClient.connect({ kubeconfigText: server.kubeconfig() });
    const workspace = await Workspace.create(repo.dir);
    const before = server.requests.length;
    try {
      return await diffTree(
        { client, workspace, sopsKeys: { age: [], pgp: [] }, connection: { kubeconfig } },
        root,
      );
    } finally {
      diffWrites += writesSince(server, before).length;
      client.close();
      await workspace.dispose();
    }
  };
  const history = async () => {
    const driver = await HelmDriver.create({ kubeconfig });
    try {
      return await driver.history("web", "team");
    } finally {
      await driver.close();
    }
  };

  beforeAll(async () => {
    fleet = await openHelmFleet("team");
    ({ server, repo, kubeconfig } = fleet);
    // The chart gains a Secret, so the diff has one to mask.
    await repo.write(
      "charts/hello/templates/secret.yaml",
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-login\nstringData:\n  password: {{ .Values.password | quote }}\n",
    );
    await repo.write("team/web.yaml", release("hunter2-first", 2));
  });
  afterAll(async () => {
    await fleet.close();
  });

  it("shows a release to install with its rendered objects, values from a ConfigMap the same run creates", async () => {
    const result = await diff();
    expect(result.ok).toBe(true);
    const web = result.units.find((u) => u.name === "team/web");
    expect(web?.changes).toEqual([
      expect.objectContaining({
        subject: "HelmRelease/team/web",
        action: "created",
        reason: "release team/web: hello@0.1.0",
      }),
    ]);
    const text = web?.changes[0].diff ?? "";
    expect(text).toContain("+++ merged/ConfigMap/team/web-config");
    expect(text).toContain("+  message: from the configmap");
    expect(text).toContain("+++ merged/Deployment/team/web");
    expect(text).toContain('+  password: "***"');
    expect(JSON.stringify(result)).not.toContain("hunter2");
    expect(await history()).toEqual([]);
  });

  it("lists nothing for a release in sync", async () => {
    const applied = await reconcileOnce(server, repo, root, undefined, { connection: { kubeconfig } });
    expect(applied.ok).toBe(true);
    const result = await diff();
    expect(result.changed).toBe(false);
    expect(result.units.find((u) => u.name === "team/web")).toEqual({
      name: "team/web",
      path: "./charts/hello",
      changes: [],
      problems: [],
    });
  });

  it("shows an upgrade object by object, the changed Secret masked, no value shown, no new revision", async () => {
    await repo.write("team/web.yaml", release("swordfish-second", 3));
    const result = await diff();
    expect(result.ok).toBe(true);
    const [change] = result.units.find((u) => u.name === "team/web")?.changes ?? [];
    expect(change).toMatchObject({
      subject: "HelmRelease/team/web",
      action: "configured",
      reason: "release team/web: hello@0.1.0 revision 1 → hello@0.1.0",
    });
    expect(changedLines(change.diff)).toEqual([
      '-  password: "*** (before)"',
      '+  password: "*** (after)"',
      "-  replicas: 2",
      "+  replicas: 3",
    ]);
    expect(change.diff).toContain("--- live/Secret/team/web-login");
    expect(change.diff).toContain("--- live/Deployment/team/web");
    expect(change.diff).not.toContain("ConfigMap/team/web-config");
    for (const secret of ["hunter2", "swordfish", Buffer.from("hunter2-first").toString("base64")]) {
      expect(JSON.stringify(result)).not.toContain(secret);
    }
    expect((await history()).map((h) => h.revision)).toEqual([1]);
  });

  it("lists a release prune would uninstall, with its objects", async () => {
    await repo.write("team/web.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n");
    const result = await diff();
    const root = result.units.find((u) => u.name === "ferry-system/team");
    expect(root?.changes.map((c) => [c.subject, c.action, c.reason])).toEqual([
      ["ConfigMap/team/web-values", "deleted", undefined],
      ["HelmRelease/team/web", "deleted", "release team/web would be uninstalled"],
    ]);
    const uninstall = root?.changes[1].diff ?? "";
    expect(uninstall).toContain("--- live/Deployment/team/web");
    expect(uninstall).toContain("+++ /dev/null");
    expect(uninstall).toContain('-  password: "***"');
    expect(JSON.stringify(result)).not.toContain("hunter2");
  });

  it("wrote nothing to the cluster in any of these diffs", async () => {
    expect(diffWrites).toBe(0);
    expect((await history()).map((h) => h.status)).toEqual(["deployed"]);
  });
});

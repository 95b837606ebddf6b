/**
 * `ferry diff` of a path with a HelmRelease, in process, with the real helm against the test API
 * server: exit 1 with the release's rendered objects while it is not installed, 0 once it is in sync.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeApiServer } from "../kube-api-server/server.js";
import { runFerry } from "../support/cli.js";
import {
  type HelmFleet,
  openHelmFleet,
  reconcileOnce,
  rootUnit,
  type ScratchRepo,
  writesSince,
} from "../support/fleet.js";

describe("ferry diff with a HelmRelease", () => {
  let server: KubeApiServer;
  let repo: ScratchRepo;
  let kubeconfig: string;
  let fleet: HelmFleet;
  const diff = async () => {
    const before = server.requests.length;
    const args = [
      "diff",
      repo.path("team"),
      "--repo",
      repo.dir,
      "--kubeconfig",
      kubeconfig,
      "--name",
      "team",
    ];
    const run = await runFerry(args);
    expect(writesSince(server, before)).toEqual([]);
    return run;
  };

  beforeAll(async () => {
    fleet = await openHelmFleet("team");
    ({ server, repo, kubeconfig } = fleet);
    await repo.write(
      "team/web.yaml",
      [
        "apiVersion: v1",
        "kind: Namespace",
        "metadata: {name: team}",
        "---",
        "apiVersion: helm.toolkit.fluxcd.io/v2",
        "kind: HelmRelease",
        "metadata: {name: web, namespace: team}",
        "spec:",
        "  interval: 10m",
        "  chart:",
        "    spec:",
        "      chart: ./charts/hello",
        "      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}",
        "  values: {message: hi}",
        "",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    await fleet.close();
  });

  it("exits 1 showing the release's objects, then 0 once it is installed", async () => {
    const first = await diff();
    expect(first.err).toBe("");
    expect(first.code).toBe(1);
    expect(first.out.split("\n").filter((l) => / would be /.test(l))).toEqual([
      "Namespace/team would be created",
      "HelmRelease/team/web would be created: release team/web: hello@0.1.0",
    ]);
    expect(first.out).toContain("+++ merged/ConfigMap/team/web-config");
    expect(first.out).toContain("+  message: hi");

    const applied = await reconcileOnce(
      server,
      repo,
      rootUnit("team", { owner: { name: "team", namespace: "ferry-system" } }),
      undefined,
      {
        connection: { kubeconfig },
      },
    );
    expect(applied.ok).toBe(true);
    expect(await diff()).toEqual({ code: 0, out: "", err: "" });
  });
});

/**
 * `ferry apply --context NAME` on a path with a HelmRelease: helm uses the same context as Ferry's own
 * client, not the kubeconfig's current one (which here leads nowhere).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { KubeApiServer } from "../kube-api-server/server.js";
import { runFerry } from "../support/cli.js";
import { ScratchRepo } from "../support/fleet.js";

describe("ferry apply --context with a HelmRelease", () => {
  let server: KubeApiServer;
  let repo: ScratchRepo;
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    server = await KubeApiServer.start();
    repo = await ScratchRepo.of("github/helm-repo");
    dir = await mkdtemp(join(tmpdir(), "ferry-cli-helm-context-"));
    kubeconfig = join(dir, "kubeconfig");
    const config = parseYaml(server.kubeconfig());
    config.clusters.push({ name: "nowhere", cluster: { server: "https://127.0.0.1:1" } });
    config.contexts.push({ name: "broken", context: { cluster: "nowhere", user: "test" } });
    config["current-context"] = "broken";
    await writeFile(kubeconfig, toYaml(config), { mode: 0o600 });
  });
  afterAll(async () => {
    await server.stop();
    await repo.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it("installs the release in the context named on the command line", async () => {
    const { code, out, err } = await runFerry([
      "apply",
      repo.path("clusters/production"),
      "--repo",
      repo.dir,
      "--kubeconfig",
      kubeconfig,
      "--context",
      "test",
    ]);

    expect(err).toBe("");
    expect(out).toContain("► team-a/greeter (./charts/greeter): succeeded");
    expect(out).toContain("HelmRelease/team-a/greeter created (greeter@0.2.0 revision 1)");
    expect(code).toBe(0);
    expect(server.get("v1", "ConfigMap", "team-a", "greeter-greeting")?.data).toEqual({
      greeting: "hello from git",
    });
  });
});

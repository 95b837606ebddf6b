/**
 * HelmReleases whose charts come from an OCI registry (the fake registry: token challenge, blobs
 * behind a redirect, charts packaged by the real `helm package`), installed with the real helm 4
 * against the test API server: `chartRef` OCIRepositories by tag, semver range and digest (the
 * release's chart version carrying the digest, as Flux's), a `type: oci` HelmRepository with an
 * exact and a ranged version; unchanged reconciles make no revision, a newer version and a tag
 * pushed again with other content upgrade; a private chart without a login fails alone.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Workspace } from "../../src/build/workspace.js";
import { KubeClient } from "../../src/cluster/client.js";
import { HelmDriver } from "../../src/helm/driver/helm-driver.js";
import type { CredentialLookup } from "../../src/images/registry/index.js";
import type { ReconcileResult } from "../../src/model/result.js";
import { reconcileTree } from "../../src/reconcile/run.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { type FakeRegistry, startFakeRegistry } from "../support/fake-registry.js";
import { rootUnit, ScratchRepo } from "../support/fleet.js";
import { helmPackage, pushChart } from "../support/oci-charts.js";

const LOGIN = { username: "robot", password: "s3cret-registry-password" };
const hex12 = (digest: string) => digest.slice("sha256:".length, "sha256:".length + 12);

describe("HelmReleases with charts from an OCI registry", () => {
  let server: KubeApiServer;
  let registry: FakeRegistry;
  let repo: ScratchRepo;
  let kubeconfig: string;
  const digests: Record<string, string> = {};

  beforeAll(async () => {
    server = await KubeApiServer.start();
    registry = await startFakeRegistry({
      auth: "bearer",
      repositories: {},
      private: ["private/hello"],
      login: LOGIN,
    });
    digests["0.1.0"] = pushChart(registry, "charts/hello", "0.1.0", await helmPackage("0.1.0"));
    digests.private = pushChart(registry, "private/hello", "0.1.0", await helmPackage("0.1.0"));
    repo = await ScratchRepo.of("helm-oci");
    const file = "apps/sources.yaml";
    await repo.write(
      file,
      (await repo.read(file)).replaceAll("REGISTRY", registry.host).replace("DIGEST_0_1_0", digests["0.1.0"]),
    );
    kubeconfig = join(repo.dir, "kubeconfig");
    await server.writeKubeconfig(kubeconfig);
  }, 60_000);
  afterAll(async () => {
    await registry.close();
    await server.stop();
    await repo.cleanup();
  });

  async function reconcile(registryCredentials?: CredentialLookup): Promise<ReconcileResult> {
    const client = await KubeClient.connect({ kubeconfigText: server.kubeconfig() });
    const workspace = await Workspace.create(repo.dir);
    try {
      return await reconcileTree(
        {
          client,
          workspace,
          sopsKeys: { age: [], pgp: [] },
          connection: { kubeconfig },
          chartCacheDir: join(repo.dir, "..", `${repo.dir.split("/").pop()}-charts`),
          ...(registryCredentials ? { registryCredentials } : {}),
        },
        rootUnit("apps"),
      );
    } finally {
      client.close();
      await workspace.dispose();
    }
  }

  /** Each HelmRelease's action and reason (or first problem), by name. */
  function outcomes(result: ReconcileResult): Record<string, string> {
    return Object.fromEntries(
      result.units
        .filter((u) => u.name.startsWith("apps/"))
        .map((u) => [
          u.name.slice("apps/".length),
          u.status === "succeeded"
            ? `${u.changes[0]?.action} ${u.changes[0]?.reason}`
            : `${u.status}: ${u.problems[0]?.message}`,
        ]),
    );
  }

  async function history(name: string) {
    const driver = await HelmDriver.create({ kubeconfig });
    try {
      return await driver.history(name, "apps");
    } finally {
      await driver.close();
    }
  }

  it("installs each chart, the OCIRepository's with the digest in its version; a private one without a login fails alone", async () => {
    const result = await reconcile();
    const v010 = `0.1.0+${hex12(digests["0.1.0"])}`;
    expect(outcomes(result)).toEqual({
      "by-tag": `created hello@${v010} revision 1`,
      "by-range": `created hello@${v010} revision 1`,
      "by-digest": `created hello@${v010} revision 1`,
      exact: "created hello@0.1.0 revision 1",
      ranged: "created hello@0.1.0 revision 1",
      // Its own push: packaged separately, its digest may differ from the public chart's.
      "with-login": `created hello@0.1.0+${hex12(digests.private)} revision 1`,
      denied:
        `failed: HelmRelease/apps/denied: OCIRepository flux-system/private: pulling ${registry.host}/private/hello:0.1.0 ` +
        `refused (HTTP 401: UNAUTHORIZED: authentication required) — give Ferry credentials for ${registry.host} in the operator file (registries)`,
    });
    // helm records the version Flux would: the chart's version with the digest as build metadata.
    expect((await history("by-tag")).map((h) => h.chart)).toEqual([`hello-${v010}`]);
    expect(server.get("apps/v1", "Deployment", "apps", "by-digest")).toBeDefined();
    // The result names where a chartRef release's chart comes from, as others show their chart path.
    expect(result.units.find((u) => u.name === "apps/by-tag")?.path).toBe(
      "OCIRepository/flux-system/hello-tag",
    );
    expect(JSON.stringify(result)).not.toContain(LOGIN.password);
  });

  it("makes no new revision when nothing changed, and pulls no blob again", async () => {
    const blobs = registry.count("blobs");
    const result = await reconcile();
    const actions = Object.values(outcomes(result)).map((text) => text.split(" ")[0]);
    expect(actions.filter((a) => a === "unchanged")).toHaveLength(6);
    expect(registry.count("blobs")).toBe(blobs);
    expect(await history("ranged")).toHaveLength(1);
  });

  it("upgrades to a newer version in the range, and when a tag is pushed again with other content", async () => {
    digests["0.2.0"] = pushChart(registry, "charts/hello", "0.2.0", await helmPackage("0.2.0"));
    const repushed = pushChart(registry, "charts/hello", "0.1.0", await helmPackage("0.1.0", "pushed again"));
    const result = await reconcile();
    const v010 = `0.1.0+${hex12(digests["0.1.0"])}`;
    expect(outcomes(result)).toMatchObject({
      "by-tag": `configured hello@0.1.0+${hex12(repushed)} revision 2`,
      "by-range": `configured hello@0.2.0+${hex12(digests["0.2.0"])} revision 2`,
      // Pinned to the first push's digest.
      "by-digest": `unchanged hello@${v010} revision 1`,
      // A HelmRepository's chart is its version, as Flux's HelmChart: the same version is unchanged.
      exact: "unchanged hello@0.1.0 revision 1",
      ranged: "configured hello@0.2.0 revision 2",
    });
    expect(server.get("v1", "ConfigMap", "apps", "by-tag-config")?.data).toEqual({ message: "pushed again" });
  });

  it("pulls a private chart with the operator's login for the registry", async () => {
    const operator: CredentialLookup = (host) => (host === registry.host ? LOGIN : undefined);
    const result = await reconcile(operator);
    expect(outcomes(result).denied).toBe(`created hello@0.1.0+${hex12(digests.private)} revision 1`);
    expect(result.ok).toBe(true);
  });
});

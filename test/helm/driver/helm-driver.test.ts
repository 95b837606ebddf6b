/** HelmDriver with the real bundled helm against the test API server. */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HelmDriver, type HelmUpgradeRequest } from "../../../src/helm/driver/helm-driver.js";
import { HelmError } from "../../../src/helm/driver/helm-error.js";
import { valuesDigest } from "../../../src/helm/values-digest.js";
import { KubeApiServer } from "../../kube-api-server/server.js";
import { type HelmUnderTest, helmVersions } from "../../support/helm-versions.js";

const hello = join(import.meta.dirname, "..", "..", "fixtures", "charts", "hello");
const tested = join(import.meta.dirname, "charts", "tested");

describe.each(helmVersions)(
  "HelmDriver against the test server (helm $major)",
  ({ major, binary }: HelmUnderTest) => {
    let server: KubeApiServer;
    let dir: string;
    let driver: HelmDriver;

    beforeAll(async () => {
      server = await KubeApiServer.start();
      dir = await mkdtemp(join(tmpdir(), "ferry-driver-test-"));
      const kubeconfig = join(dir, "kubeconfig");
      await server.writeKubeconfig(kubeconfig);
      // The driver's private home lands in `dir`, apart from other test files' drivers running meanwhile.
      vi.stubEnv("TMPDIR", dir);
      try {
        driver = await HelmDriver.create({ kubeconfig, helm: binary });
      } finally {
        vi.unstubAllEnvs();
      }
    });

    afterAll(async () => {
      await driver?.close();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    const request = (values: Record<string, unknown>, extra: Partial<HelmUpgradeRequest> = {}) => ({
      name: "hello",
      namespace: "apps",
      chart: hello,
      values,
      timeoutMs: 60_000,
      wait: true,
      maxHistory: 5,
      ...extra,
    });
    const configMessage = () => server.get("v1", "ConfigMap", "apps", "hello-config")?.data?.message;
    const failure = async (promise: Promise<unknown>): Promise<HelmError> => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(HelmError);
      return error as HelmError;
    };

    it(`detects the binary as helm ${major}`, () => {
      expect(driver.version.major).toBe(major);
      expect(driver.version.version).toMatch(new RegExp(`^v${major}\\.\\d+\\.\\d+`));
    });

    it("reports no status for a release that is not installed", async () => {
      expect(await driver.status("hello", "apps")).toBeUndefined();
      expect(await driver.history("hello", "apps")).toEqual([]);
    });

    it("installs the chart as revision 1, waiting for the Deployment", async () => {
      const result = await driver.upgrade(request({ message: "hola" }, { createNamespace: true }));
      expect(result).toMatchObject({
        revision: 1,
        status: "deployed",
        chartName: "hello",
        chartVersion: "0.1.0",
        valuesDigest: valuesDigest({ message: "hola" }),
      });
      expect(result.manifest).toContain("name: hello-config");
      expect(configMessage()).toBe("hola");
      expect(server.get("apps/v1", "Deployment", "apps", "hello")?.status?.readyReplicas).toBe(1);
    });

    it("reports the installed release with the digest of the values it was given", async () => {
      const status = await driver.status("hello", "apps");
      expect(status).toEqual({
        name: "hello",
        namespace: "apps",
        revision: 1,
        status: "deployed",
        chart: { name: "hello", version: "0.1.0", appVersion: "1.0.0" },
        valuesDigest: valuesDigest({ message: "hola" }),
      });
      expect(status?.valuesDigest).not.toBe(valuesDigest({ message: "bonjour" }));
    });

    it("upgrades with changed values to revision 2, and status follows the values", async () => {
      const result = await driver.upgrade(request({ message: "bonjour", replicas: 2 }));
      expect(result).toMatchObject({ revision: 2, status: "deployed" });
      expect(configMessage()).toBe("bonjour");
      expect(server.get("apps/v1", "Deployment", "apps", "hello")?.status?.readyReplicas).toBe(2);
      const status = await driver.status("hello", "apps");
      expect(status).toMatchObject({ revision: 2, status: "deployed" });
      expect(status?.valuesDigest).toBe(valuesDigest({ replicas: 2, message: "bonjour" }));
      expect(status?.valuesDigest).not.toBe(valuesDigest({ message: "hola" }));
    });

    it("rolls back to revision 1's values as revision 3", async () => {
      const status = await driver.rollback("hello", "apps", 1, { timeoutMs: 60_000 });
      expect(status).toMatchObject({
        revision: 3,
        status: "deployed",
        valuesDigest: valuesDigest({ message: "hola" }),
      });
      expect(configMessage()).toBe("hola");
      const history = await driver.history("hello", "apps");
      expect(history.map((r) => [r.revision, r.status, r.chart])).toEqual([
        [1, "superseded", "hello-0.1.0"],
        [2, "superseded", "hello-0.1.0"],
        [3, "deployed", "hello-0.1.0"],
      ]);
      expect(history[2]?.description).toBe("Rollback to 1");
    });

    it("renders a server dry run without changing the release", async () => {
      const result = await driver.upgrade(request({ message: "dry" }, { dryRun: "server" }));
      expect(result.manifest).toContain('message: "dry"');
      expect(result.status).toBe("pending-upgrade");
      expect(configMessage()).toBe("hola");
      expect(await driver.status("hello", "apps")).toMatchObject({ revision: 3, status: "deployed" });
    });

    it("reads the deployed release's manifest, and nothing for a release that does not exist", async () => {
      const manifest = await driver.manifest("hello", "apps");
      expect(manifest).toContain("kind: Deployment");
      expect(manifest).toContain('message: "hola"');
      expect(await driver.manifest("nobody", "apps")).toBeUndefined();
    });

    it("fails an upgrade whose Deployment never gets ready, with helm's message and no values", async () => {
      server.simulator.setHealth("Deployment", "apps", "hello", "never-ready");
      try {
        const error = await failure(
          driver.upgrade(request({ message: "s3cr3t-password-value" }, { timeoutMs: 2_000 })),
        );
        expect(error.exitCode).toBe(1);
        // Helm 4 names the resource that is not ready; Helm 3 says only that time ran out.
        if (major === 4)
          expect(error.detail).toMatch(/^UPGRADE FAILED: resource Deployment\/apps\/hello not ready/);
        else expect(error.detail).toBe("UPGRADE FAILED: context deadline exceeded");
        expect(error.detail).toContain("context deadline exceeded");
        expect(error.detail).not.toContain("level=WARN");
        expect(error.message).toContain("helm upgrade --install hello");
        expect(error.command).toContain("<values file>");
        expect(error.message).not.toContain("s3cr3t");
        expect(await driver.status("hello", "apps")).toMatchObject({ revision: 4, status: "failed" });
      } finally {
        server.simulator.setHealth("Deployment", "apps", "hello", "ready");
      }
    });

    it("fails an upgrade the API server rejects, saying why", async () => {
      const error = await failure(driver.upgrade(request({ image: ["not-an-image-s3cr3t"] })));
      // Helm 3 says which patch the server refused before the server's own message.
      const refusal = major === 3 ? 'cannot patch "hello" with kind Deployment: ' : "";
      expect(error.detail).toBe(
        `UPGRADE FAILED: ${refusal}Deployment.apps "hello" is invalid: spec.template.spec.containers[0].image: Required value`,
      );
      expect(error.message).not.toContain("s3cr3t");
    });

    it("uninstalls, after which there is no status; a second uninstall finds nothing", async () => {
      expect(await driver.uninstall("hello", "apps", { timeoutMs: 60_000 })).toBe(true);
      expect(await driver.status("hello", "apps")).toBeUndefined();
      expect(server.get("apps/v1", "Deployment", "apps", "hello")).toBeUndefined();
      expect(await driver.uninstall("hello", "apps")).toBe(false);
    });

    it("makes a missing release an error when install is off", async () => {
      const error = await failure(driver.upgrade(request({}, { install: false })));
      expect(error.detail).toMatch(/has no deployed releases|not found/);
      expect(error.command).not.toContain("--install");
    });

    it("refuses a storage namespace other than the target namespace", async () => {
      await expect(driver.upgrade(request({}, { storageNamespace: "flux-system" }))).rejects.toThrow(
        /storageNamespace "flux-system" must equal namespace "apps"/,
      );
    });

    it("redacts a value that helm quotes in its error", async () => {
      const error = await failure(
        driver.upgrade(request({ rejectWith: "hunter2-very-secret" }, { name: "rejected", chart: tested })),
      );
      expect(error.detail).toContain("the chart rejects [redacted]");
      expect(error.message).not.toContain("hunter2");
    });

    it("leaves no values file behind", async () => {
      const entries = await readdir(dir, { withFileTypes: true });
      const homes = entries.filter((e) => e.isDirectory() && e.name.startsWith("ferry-helm-"));
      expect(homes).toHaveLength(1);
      for (const home of homes) {
        const inside = await readdir(join(dir, home.name));
        expect(inside.filter((name) => name.startsWith("values-"))).toEqual([]);
      }
    });

    describe("helm test", () => {
      const install = (values: Record<string, unknown>) =>
        driver.upgrade(
          request(values, { name: "checked", namespace: "tests", chart: tested, createNamespace: true }),
        );

      it("reports each test hook as passed", async () => {
        await install({});
        const result = await driver.test("checked", "tests", { timeoutMs: 30_000 });
        expect(result).toEqual({
          passed: true,
          tests: [
            { name: "checked-connect", kind: "Job", phase: "Succeeded" },
            { name: "checked-smoke", kind: "Job", phase: "Succeeded" },
          ],
        });
      });

      it("reports a failing test as failed, with only the filtered tests", async () => {
        await install({ failSmoke: true });
        const result = await driver.test("checked", "tests", {
          timeoutMs: 30_000,
          filters: [{ name: "checked-smoke" }],
        });
        expect(result.passed).toBe(false);
        expect(result.tests).toEqual([{ name: "checked-smoke", kind: "Job", phase: "Failed" }]);
        // Helm 4: `Job/tests/checked-smoke …`; Helm 3: `job checked-smoke failed: BackoffLimitExceeded`.
        expect(result.detail).toMatch(major === 4 ? /Job\/tests\/checked-smoke/ : /job checked-smoke failed/);
      });

      it("excludes a test with an exclude filter", async () => {
        const result = await driver.test("checked", "tests", {
          timeoutMs: 30_000,
          filters: [{ name: "checked-smoke", exclude: true }],
        });
        expect(result).toEqual({
          passed: true,
          tests: [{ name: "checked-connect", kind: "Job", phase: "Succeeded" }],
        });
      });

      it("is an error for a release that does not exist", async () => {
        const error = await failure(driver.test("missing", "tests"));
        expect(error.detail).toContain("not found");
      });
    });
  },
);

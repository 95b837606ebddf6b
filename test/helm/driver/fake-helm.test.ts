/** HelmDriver's command lines for Helm 3 and Helm 4, checked with a stand-in helm that records its calls. */
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HelmDriver } from "../../../src/helm/driver/helm-driver.js";
import { HelmError } from "../../../src/helm/driver/helm-error.js";

const FAKE_HELM = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
const entry = { args, home: process.env.HOME, cache: process.env.HELM_CACHE_HOME, config: process.env.HELM_CONFIG_HOME, data: process.env.HELM_DATA_HOME };
const valuesAt = args.indexOf("--values");
if (valuesAt >= 0) {
  const file = args[valuesAt + 1];
  entry.valuesFile = file;
  entry.valuesMode = (fs.statSync(file).mode & 0o777).toString(8);
  entry.values = JSON.parse(fs.readFileSync(file, "utf8"));
}
fs.appendFileSync(process.env.FAKE_HELM_LOG, JSON.stringify(entry) + "\\n");
if (args[0] === "version") {
  process.stdout.write(process.env.FAKE_HELM_VERSION);
} else if (process.env.FAKE_HELM_ERROR) {
  process.stderr.write(process.env.FAKE_HELM_ERROR);
  process.exit(1);
} else if (args[0] === "upgrade") {
  process.stdout.write('Release "r" does not exist. Installing it now.\\n' + JSON.stringify({
    name: "r", namespace: "apps", version: 1, info: { status: "deployed", description: "Install complete" },
    chart: { metadata: { name: "c", version: "1.2.3" } }, config: entry.values, manifest: "---\\nkind: ConfigMap\\n",
  }));
}
`;

interface Call {
  args: string[];
  home: string;
  cache: string;
  config: string;
  data: string;
  valuesFile?: string;
  valuesMode?: string;
  values?: unknown;
}

describe("HelmDriver command lines", () => {
  let dir: string;
  let helm: string;
  let log: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-fake-helm-"));
    helm = join(dir, "helm");
    log = join(dir, "calls.jsonl");
    await writeFile(helm, FAKE_HELM);
    await chmod(helm, 0o755);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const driverFor = async (version: string, error?: string) => {
    await writeFile(log, "");
    const env = {
      FAKE_HELM_LOG: log,
      FAKE_HELM_VERSION: version,
      ...(error ? { FAKE_HELM_ERROR: error } : {}),
    };
    return HelmDriver.create({ kubeconfig: "/clusters/one/kubeconfig", helm, env });
  };
  const calls = async (): Promise<Call[]> =>
    (await readFile(log, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  const upgrade = (driver: HelmDriver, wait: boolean, timeoutMs = 90_000) =>
    driver.upgrade({
      name: "r",
      namespace: "apps",
      chart: "/charts/c-1.2.3.tgz",
      values: { password: "s3cr3t-pass", nested: { list: ["a-token-value"] }, big: 2n ** 64n },
      timeoutMs,
      wait,
      maxHistory: 5,
      createNamespace: true,
    });

  it("uses Helm 3's boolean --wait, private helm folders, and a private values file it removes", async () => {
    const driver = await driverFor("v3.15.2");
    try {
      expect(driver.version).toEqual({ major: 3, version: "v3.15.2" });
      const result = await upgrade(driver, true);
      expect(result).toMatchObject({
        revision: 1,
        status: "deployed",
        chartName: "c",
        chartVersion: "1.2.3",
      });
      const [version, call] = await calls();
      expect(version?.args).toEqual(["version", "--template", "{{.Version}}"]);
      expect(call?.args).toEqual([
        "upgrade",
        "--install",
        "r",
        "/charts/c-1.2.3.tgz",
        "--namespace",
        "apps",
        "--values",
        call?.valuesFile,
        "--timeout",
        "90s",
        "--wait",
        "--history-max",
        "5",
        "--create-namespace",
        "--output",
        "json",
        "--kubeconfig",
        "/clusters/one/kubeconfig",
      ]);
      expect(call?.valuesMode).toBe("600");
      expect(call?.values).toEqual({
        password: "s3cr3t-pass",
        nested: { list: ["a-token-value"] },
        big: 2 ** 64,
      });
      await expect(stat(call?.valuesFile ?? "")).rejects.toThrow(/ENOENT/);
      expect(call?.home).not.toBe(process.env.HOME);
      for (const folder of [call?.cache, call?.config, call?.data])
        expect(folder?.startsWith(`${call?.home}/`)).toBe(true);
    } finally {
      await driver.close();
    }
  });

  it("passes Flux's install and upgrade switches, with the force flag each helm names its own way", async () => {
    for (const [version, force] of [
      ["v3.17.2", "--force"],
      ["v4.1.4", "--force-replace"],
    ] as const) {
      const driver = await driverFor(version);
      try {
        await driver.upgrade({
          name: "r",
          namespace: "apps",
          chart: "/charts/c-1.2.3.tgz",
          values: {},
          timeoutMs: 60_000,
          wait: true,
          waitForJobs: true,
          disableHooks: true,
          disableOpenApiValidation: true,
          skipSchemaValidation: true,
          forceReplace: true,
          cleanupOnFail: true,
          maxHistory: 5,
        });
        const args = (await calls())[1]?.args ?? [];
        for (const flag of [
          "--wait-for-jobs",
          "--no-hooks",
          "--disable-openapi-validation",
          "--skip-schema-validation",
          force,
          "--cleanup-on-fail",
        ])
          expect(args).toContain(flag);
      } finally {
        await driver.close();
      }
    }
  });

  it("uses Helm 4's --wait=watcher, leaves waiting out when not asked, and gives odd timeouts in ms", async () => {
    const driver = await driverFor("v4.1.4");
    try {
      expect(driver.version).toEqual({ major: 4, version: "v4.1.4" });
      await upgrade(driver, true);
      await upgrade(driver, false, 1500);
      const [, waiting, notWaiting] = await calls();
      expect(waiting?.args).toContain("--wait=watcher");
      expect(waiting?.args).not.toContain("--wait");
      expect(notWaiting?.args.filter((arg) => arg.startsWith("--wait"))).toEqual([]);
      expect(notWaiting?.args.join(" ")).toContain("--timeout 1500ms");
    } finally {
      await driver.close();
    }
  });

  it("removes its private folder on close", async () => {
    const driver = await driverFor("v4.1.4");
    await upgrade(driver, false);
    const [call] = await calls();
    await stat(call?.home ?? "");
    await driver.close();
    await expect(stat(call?.home ?? "")).rejects.toThrow(/ENOENT/);
  });

  it("refuses a helm that is neither 3 nor 4", async () => {
    await expect(driverFor("v2.17.0")).rejects.toThrow(/helm v2\.17\.0 is not supported/);
  });

  it("reports helm's error without log lines and with every value redacted", async () => {
    const stderr = [
      'level=WARN msg="upgrade failed" name=r error="boom"',
      "Error: UPGRADE FAILED: cannot patch: password s3cr3t-pass and a-token-value rejected",
      "context deadline exceeded",
      "",
    ].join("\n");
    const driver = await driverFor("v4.1.4", stderr);
    try {
      const error = await upgrade(driver, true).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HelmError);
      const helmError = error as HelmError;
      expect(helmError.exitCode).toBe(1);
      expect(helmError.detail).toBe(
        "UPGRADE FAILED: cannot patch: password [redacted] and [redacted] rejected\ncontext deadline exceeded",
      );
      expect(helmError.message).toMatch(
        /^helm upgrade --install r \/charts\/c-1\.2\.3\.tgz --namespace apps --values <values file> /,
      );
      expect(helmError.message).toContain("exited with code 1");
      expect(helmError.message).not.toMatch(/s3cr3t|a-token-value/);
    } finally {
      await driver.close();
    }
  });
});

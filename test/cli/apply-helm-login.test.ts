/**
 * `ferry apply` on a HelmRelease whose chart is in a private Helm repository: the command line logs in
 * with the user's docker config (DOCKER_CONFIG), as helm and docker do; without a login it fails naming
 * the repository and what to do.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeApiServer } from "../kube-api-server/server.js";
import { type ChartServer, packageHello, sha256, startChartServer } from "../support/chart-server.js";
import { runFerry } from "../support/cli.js";

describe("ferry apply with a chart from a private Helm repository", () => {
  let server: KubeApiServer;
  let charts: ChartServer;
  let dir: string;
  const apply = (env: Record<string, string>) =>
    runFerry(
      [
        "apply",
        join(dir, "repo", "apps"),
        "--repo",
        join(dir, "repo"),
        "--kubeconfig",
        join(dir, "kubeconfig"),
      ],
      { env },
    );

  beforeAll(async () => {
    server = await KubeApiServer.start();
    charts = await startChartServer();
    const archive = await packageHello("0.3.0");
    const login = "deploy:chart-pass";
    charts.routes.set("/private/index.yaml", {
      login,
      body: `apiVersion: v1\nentries:\n  hello:\n  - {name: hello, version: 0.3.0, urls: [hello-0.3.0.tgz], digest: ${sha256(archive)}}\n`,
    });
    charts.routes.set("/private/hello-0.3.0.tgz", { login, body: archive });
    dir = await mkdtemp(join(tmpdir(), "ferry-cli-helm-login-"));
    await mkdir(join(dir, "repo", "apps"), { recursive: true });
    await writeFile(
      join(dir, "repo", "apps", "hello.yaml"),
      [
        "apiVersion: source.toolkit.fluxcd.io/v1",
        "kind: HelmRepository",
        "metadata: {name: private, namespace: apps}",
        `spec: {url: "${charts.url}/private", interval: 10m}`,
        "---",
        "apiVersion: helm.toolkit.fluxcd.io/v2",
        "kind: HelmRelease",
        "metadata: {name: hello, namespace: apps}",
        "spec:",
        "  interval: 10m",
        "  timeout: 1m",
        "  install: {createNamespace: true}",
        "  chart: {spec: {chart: hello, version: 0.3.0, sourceRef: {kind: HelmRepository, name: private}}}",
        "",
      ].join("\n"),
    );
    await server.writeKubeconfig(join(dir, "kubeconfig"));
    await mkdir(join(dir, "docker"));
    const auth = Buffer.from(login).toString("base64");
    await writeFile(
      join(dir, "docker", "config.json"),
      JSON.stringify({ auths: { [new URL(charts.url).host]: { auth } } }),
    );
  });
  afterAll(async () => {
    await charts.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("fails without a login, naming the repository", async () => {
    const { code, out } = await apply({ HOME: join(dir, "nobody") });
    expect(code).not.toBe(0);
    expect(out).toMatch(/HelmRelease\/apps\/hello: HelmRepository apps\/private: .*HTTP 401/);
  });

  it("installs the chart with the login of the user's docker config", async () => {
    const { code, out, err } = await apply({ DOCKER_CONFIG: join(dir, "docker") });
    expect(err).toBe("");
    expect(out).toContain("HelmRelease/apps/hello created (hello@0.3.0 revision 1)");
    expect(code).toBe(0);
    expect(out + err).not.toContain("chart-pass");
  });
});

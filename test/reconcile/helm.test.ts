/**
 * HelmReleases in a synced path, reconciled with the real helm against the test API server: the chart
 * from the repository, values from a ConfigMap the same path applies plus inline values; a second
 * reconcile makes no new revision; a values change upgrades; a chart from another repository fails
 * alone and its dependents are skipped; values from ConfigMaps and Secrets in the cluster; a failed
 * upgrade rolled back or uninstalled; an exact and a ranged chart version from a repository index.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Workspace } from "../../src/build/workspace.js";
import { KubeClient } from "../../src/cluster/client.js";
import { HelmDriver } from "../../src/helm/driver/helm-driver.js";
import type { ReconcileResult } from "../../src/model/result.js";
import { reconcileTree } from "../../src/reconcile/run.js";
import type { ReconcileContext } from "../../src/reconcile/unit.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { type ChartServer, packageHello, sha256, startChartServer } from "../support/chart-server.js";
import { ClusterCli } from "../support/cluster-cli.js";
import { type HelmFleet, openHelmFleet, reconcileOnce, rootUnit, ScratchRepo } from "../support/fleet.js";

describe("HelmReleases in a synced path", () => {
  let server: KubeApiServer;
  let repo: ScratchRepo;
  let kubeconfig: string;

  beforeAll(async () => {
    server = await KubeApiServer.start();
    repo = await ScratchRepo.of("helm-fleet");
    kubeconfig = join(repo.dir, "..", `${repo.dir.split("/").pop()}.kubeconfig`);
    await server.writeKubeconfig(kubeconfig);
  });
  afterAll(async () => {
    await server.stop();
    await repo.cleanup();
  });

  async function reconcile(): Promise<ReconcileResult> {
    const client = await KubeClient.connect({ kubeconfigText: server.kubeconfig() });
    const workspace = await Workspace.create(repo.dir);
    try {
      return await reconcileTree(
        { client, workspace, sopsKeys: { age: [], pgp: [] }, revision: "test", connection: { kubeconfig } },
        rootUnit("clusters/production"),
      );
    } finally {
      client.close();
      await workspace.dispose();
    }
  }

  const unit = (result: ReconcileResult, name: string) => result.units.find((u) => u.name === name);

  async function release() {
    const driver = await HelmDriver.create({ kubeconfig });
    try {
      return { status: await driver.status("hello", "web"), history: await driver.history("hello", "web") };
    } finally {
      await driver.close();
    }
  }

  it("installs the chart with the merged values, and fails the foreign one alone", async () => {
    const result = await reconcile();

    expect(unit(result, "ferry-system/clusters-production")?.status).toBe("succeeded");
    const hello = unit(result, "web/hello");
    expect(hello?.status).toBe("succeeded");
    expect(hello?.changes).toEqual([
      expect.objectContaining({
        subject: "HelmRelease/web/hello",
        action: "created",
        reason: "hello@0.1.0 revision 1",
      }),
    ]);
    // valuesFrom (the ConfigMap the same path applied) and inline values, as helm rendered them.
    expect(server.get("v1", "ConfigMap", "web", "hello-config")?.data).toEqual({
      message: "from the configmap",
    });
    expect(server.get("apps/v1", "Deployment", "web", "hello")?.spec.replicas).toBe(2);
    expect((await release()).status).toMatchObject({
      revision: 1,
      status: "deployed",
      chart: { version: "0.1.0" },
    });
    // As a user sees it with the real helm: `helm list` and `helm get values`.
    const cli = await ClusterCli.for(server);
    try {
      const listed = JSON.parse((await cli.helm(["list", "--namespace", "web", "--output", "json"])).stdout);
      expect(listed).toEqual([
        expect.objectContaining({ name: "hello", status: "deployed", chart: "hello-0.1.0", revision: "1" }),
      ]);
      const values = await cli.helm(["get", "values", "hello", "--namespace", "web", "--output", "json"]);
      expect(JSON.parse(values.stdout)).toEqual({ message: "from the configmap", replicas: 2 });
    } finally {
      await cli.cleanup();
    }

    expect(unit(result, "web/elsewhere")).toMatchObject({
      status: "failed",
      problems: [
        expect.objectContaining({
          message: expect.stringContaining("GitRepository web/someone-else is not this repository"),
          origin: expect.objectContaining({ file: "clusters/production/web.yaml" }),
        }),
      ],
    });
    expect(unit(result, "web/after-elsewhere")).toMatchObject({
      status: "skipped",
      problems: [expect.objectContaining({ message: "dependency web/elsewhere did not succeed" })],
    });
    expect(result.ok).toBe(false);
  });

  it("makes no new revision when nothing changed, and upgrades when the values do", async () => {
    const again = await reconcile();
    expect(unit(again, "web/hello")?.changes).toEqual([
      expect.objectContaining({ action: "unchanged", reason: "hello@0.1.0 revision 1" }),
    ]);
    expect((await release()).history).toHaveLength(1);

    const file = "clusters/production/web.yaml";
    await repo.write(file, (await repo.read(file)).replace("replicas: 2", "replicas: 3"));
    const changed = await reconcile();
    expect(unit(changed, "web/hello")?.changes).toEqual([
      expect.objectContaining({ action: "configured", reason: "hello@0.1.0 revision 2" }),
    ]);
    expect(server.get("apps/v1", "Deployment", "web", "hello")?.spec.replicas).toBe(3);
  });

  it("rolls a failed upgrade back to the deployed revision, retrying as remediation.retries says", async () => {
    const file = "clusters/production/web.yaml";
    const text = (await repo.read(file))
      .replace("replicas: 3", "replicas: 4")
      .replace(
        "  timeout: 1m\n",
        "  timeout: 3s\n  upgrade: {remediation: {retries: 1}}\n  rollback: {disableWait: true}\n",
      );
    await repo.write(file, text);
    server.simulator.setHealth("Deployment", "web", "hello", "never-ready");
    try {
      const result = await reconcile();
      const hello = unit(result, "web/hello");
      expect(hello?.status).toBe("failed");
      expect(hello?.problems[0]?.message).toMatch(
        /^Helm upgrade failed for release web\/hello with chart hello@0\.1\.0: [\s\S]*; remediated: rolled back to revision 2, rolled back to revision 2$/,
      );
      const { status, history } = await release();
      expect(status).toMatchObject({ status: "deployed" });
      // 2 deployed, 3 failed, 4 its rollback, 5 failed again, 6 its rollback.
      expect(history.map((h) => h.description)).toContain("Rollback to 2");
      expect(history.at(-1)?.revision).toBe(6);
      expect(server.get("apps/v1", "Deployment", "web", "hello")?.spec.replicas).toBe(3);
    } finally {
      server.simulator.setHealth("Deployment", "web", "hello", "ready");
    }
  });
});

describe("a HelmRelease whose chart comes from a HelmRepository", () => {
  let server: KubeApiServer;
  let charts: ChartServer;
  let dir: string;

  beforeAll(async () => {
    server = await KubeApiServer.start();
    charts = await startChartServer();
    const [v010, v020] = [await packageHello("0.1.0"), await packageHello("0.2.0")];
    charts.routes.set("/charts/index.yaml", {
      body: [
        "apiVersion: v1",
        "entries:",
        "  hello:",
        `  - {name: hello, version: 0.1.0, urls: [hello-0.1.0.tgz], digest: ${sha256(v010)}}`,
        `  - {name: hello, version: 0.2.0, urls: [hello-0.2.0.tgz], digest: ${sha256(v020)}}`,
        "",
      ].join("\n"),
    });
    charts.routes.set("/charts/hello-0.1.0.tgz", { body: v010 });
    charts.routes.set("/charts/hello-0.2.0.tgz", { body: v020 });
    dir = await mkdtemp(join(tmpdir(), "ferry-helm-repo-"));
    await mkdir(join(dir, "repo", "apps"), { recursive: true });
    await writeFile(
      join(dir, "repo", "apps", "hello.yaml"),
      [
        "apiVersion: source.toolkit.fluxcd.io/v1",
        "kind: HelmRepository",
        "metadata: {name: charts, namespace: flux-system}",
        `spec: {url: "${charts.url}/charts", interval: 10m}`,
        "---",
        "apiVersion: helm.toolkit.fluxcd.io/v2",
        "kind: HelmRelease",
        "metadata: {name: hello, namespace: apps}",
        "spec:",
        "  interval: 10m",
        "  timeout: 1m",
        "  install: {createNamespace: true}",
        "  chart:",
        "    spec:",
        "      chart: hello",
        '      version: "0.x"',
        "      sourceRef: {kind: HelmRepository, name: charts, namespace: flux-system}",
        "",
      ].join("\n"),
    );
    await server.writeKubeconfig(join(dir, "kubeconfig"));
  });
  afterAll(async () => {
    await charts.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const reconcile = async (more: Partial<ReconcileContext> = {}) => {
    const client = await KubeClient.connect({ kubeconfigText: server.kubeconfig() });
    const workspace = await Workspace.create(join(dir, "repo"));
    try {
      return await reconcileTree(
        {
          client,
          workspace,
          sopsKeys: { age: [], pgp: [] },
          connection: { kubeconfig: join(dir, "kubeconfig") },
          chartCacheDir: join(dir, "charts"),
          ...more,
        },
        rootUnit("apps"),
      );
    } finally {
      client.close();
      await workspace.dispose();
    }
  };

  it("resolves the newest version in the range, downloads it once, and installs it", async () => {
    const first = await reconcile();
    expect(first.units.find((u) => u.name === "apps/hello")).toMatchObject({
      status: "succeeded",
      changes: [expect.objectContaining({ action: "created", reason: "hello@0.2.0 revision 1" })],
    });
    expect(server.get("apps/v1", "Deployment", "apps", "hello")).toBeDefined();
    const cli = await ClusterCli.for(server);
    try {
      const listed = JSON.parse((await cli.helm(["list", "--namespace", "apps", "--output", "json"])).stdout);
      expect(listed).toEqual([
        expect.objectContaining({ name: "hello", status: "deployed", chart: "hello-0.2.0" }),
      ]);
    } finally {
      await cli.cleanup();
    }

    const again = await reconcile();
    expect(again.units.find((u) => u.name === "apps/hello")?.changes[0]?.action).toBe("unchanged");
    // The archive came from the cache the second time (a new tree run reads the index again).
    expect(charts.requests.filter((r) => r.path.endsWith(".tgz")).map((r) => r.path)).toEqual([
      "/charts/hello-0.2.0.tgz",
    ]);

    // An exact version wins over the newest: the release goes back to 0.1.0.
    const file = join(dir, "repo", "apps", "hello.yaml");
    await writeFile(file, (await readFile(file, "utf8")).replace('version: "0.x"', 'version: "0.1.0"'));
    const exact = await reconcile();
    expect(exact.units.find((u) => u.name === "apps/hello")).toMatchObject({
      status: "succeeded",
      changes: [expect.objectContaining({ action: "configured", reason: "hello@0.1.0 revision 2" })],
    });
  });

  it("logs in to a private repository with its secretRef, or with the operator's login for the host", async () => {
    const v010 = await packageHello("0.1.0");
    const login = "ci:s3cret-pass";
    charts.routes.set("/private/index.yaml", {
      login,
      body: `apiVersion: v1\nentries:\n  hello:\n  - {name: hello, version: 0.1.0, urls: [hello-0.1.0.tgz], digest: ${sha256(v010)}}\n`,
    });
    charts.routes.set("/private/hello-0.1.0.tgz", { login, body: v010 });
    const release = (name: string, source: string) =>
      [
        "apiVersion: helm.toolkit.fluxcd.io/v2",
        "kind: HelmRelease",
        `metadata: {name: ${name}, namespace: apps}`,
        "spec:",
        "  interval: 10m",
        "  timeout: 1m",
        "  install: {createNamespace: true}",
        `  chart: {spec: {chart: hello, version: "0.1.0", sourceRef: {kind: HelmRepository, name: ${source}, namespace: flux-system}}}`,
      ].join("\n");
    await writeFile(
      join(dir, "repo", "apps", "private.yaml"),
      [
        "apiVersion: source.toolkit.fluxcd.io/v1",
        "kind: HelmRepository",
        "metadata: {name: with-secret, namespace: flux-system}",
        `spec: {url: "${charts.url}/private", interval: 10m, secretRef: {name: chart-login}}`,
        "---",
        // The operator's file has a login for this host (the same server by another name).
        "apiVersion: source.toolkit.fluxcd.io/v1",
        "kind: HelmRepository",
        "metadata: {name: operator-login, namespace: flux-system}",
        `spec: {url: "${charts.otherOriginUrl}/private", interval: 10m}`,
        "---",
        release("with-secret", "with-secret"),
        "---",
        release("operator-login", "operator-login"),
        "",
      ].join("\n"),
    );
    const refused = await reconcile();
    expect(refused.units.find((u) => u.name === "apps/with-secret")?.problems[0]?.message).toBe(
      "HelmRelease/apps/with-secret: HelmRepository flux-system/with-secret: its spec.secretRef Secret flux-system/chart-login is not in the cluster; create it with the login",
    );
    expect(refused.units.find((u) => u.name === "apps/operator-login")?.problems[0]?.message).toMatch(
      /^HelmRelease\/apps\/operator-login: HelmRepository flux-system\/operator-login: .*HTTP 401.*secretRef/,
    );

    // The Secret is in Git next to them (SOPS-encrypted in real life), and the operator's login is given.
    await writeFile(
      join(dir, "repo", "apps", "login.yaml"),
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: flux-system}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: chart-login, namespace: flux-system}\nstringData: {username: ci, password: s3cret-pass}\n",
    );
    const host = new URL(charts.otherOriginUrl).host;
    const logged = await reconcile({
      registryCredentials: (registry) =>
        registry === host ? { username: "ci", password: "s3cret-pass" } : undefined,
    });
    for (const name of ["apps/with-secret", "apps/operator-login"]) {
      expect(logged.units.find((u) => u.name === name)).toMatchObject({
        status: "succeeded",
        changes: [expect.objectContaining({ action: "created", reason: "hello@0.1.0 revision 1" })],
      });
    }
    expect(JSON.stringify([refused, logged])).not.toContain("s3cret-pass");
  });
});

describe("a HelmRelease with values from the cluster, and a failed upgrade remediated by uninstalling", () => {
  let server: KubeApiServer;
  let repo: ScratchRepo;
  let kubeconfig: string;
  let fleet: HelmFleet;
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const release = (extra: string[] = []) =>
    [
      "apiVersion: v1",
      "kind: Namespace",
      "metadata: {name: team}",
      "---",
      "apiVersion: helm.toolkit.fluxcd.io/v2",
      "kind: HelmRelease",
      "metadata: {name: values, namespace: team}",
      "spec:",
      "  interval: 10m",
      "  timeout: 1m",
      "  chart:",
      "    spec:",
      "      chart: ./charts/hello",
      "      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}",
      "  valuesFrom:",
      "    - {kind: ConfigMap, name: team-values}",
      "    - {kind: Secret, name: team-secret}",
      "    - {kind: ConfigMap, name: team-values, valuesKey: tag, targetPath: extra.cmPath}",
      "    - {kind: Secret, name: team-secret, valuesKey: token, targetPath: extra.secretPath}",
      "    - {kind: ConfigMap, name: absent, optional: true}",
      "  values:",
      "    extra: {overridden: inline}",
      ...extra,
      "",
    ].join("\n");
  const reconcile = () =>
    reconcileOnce(server, repo, rootUnit("team", { wait: false }), undefined, { connection: { kubeconfig } });

  beforeAll(async () => {
    fleet = await openHelmFleet("team");
    ({ server, repo, kubeconfig } = fleet);
    // The chart gains a ConfigMap showing the `extra` values as rendered.
    await repo.write(
      "charts/hello/templates/extra.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-extra\ndata:\n{{ toYaml .Values.extra | indent 2 }}\n",
    );
    await repo.write("team/release.yaml", release());
    const create = (apiVersion: string, kind: string, object: object) =>
      server.objects.create({ type: server.type(apiVersion, kind), namespace: "team" }, object, {
        dryRun: false,
        fieldManager: "test",
      });
    server.objects.create(
      { type: server.type("v1", "Namespace") },
      { metadata: { name: "team" } },
      { dryRun: false, fieldManager: "test" },
    );
    create("v1", "ConfigMap", {
      metadata: { name: "team-values" },
      data: { "values.yaml": "extra:\n  fromConfigMap: yes-cm\n  overridden: by-cm\n", tag: "v1.2.3" },
    });
    create("v1", "Secret", {
      metadata: { name: "team-secret" },
      data: {
        "values.yaml": b64("replicas: 3\nextra:\n  fromSecret: yes-secret\n"),
        token: b64("s3cret-token"),
      },
    });
  });
  afterAll(async () => {
    await fleet.close();
  });

  it("renders the values of ConfigMaps and Secrets in the cluster, with and without targetPath, skipping a missing optional one", async () => {
    const result = await reconcile();
    expect(result.units.find((u) => u.name === "team/values")).toMatchObject({
      status: "succeeded",
      changes: [expect.objectContaining({ action: "created" })],
    });
    expect(server.get("v1", "ConfigMap", "team", "values-extra")?.data).toEqual({
      fromConfigMap: "yes-cm",
      fromSecret: "yes-secret",
      cmPath: "v1.2.3",
      secretPath: "s3cret-token",
      overridden: "inline",
    });
    expect(server.get("apps/v1", "Deployment", "team", "values")?.spec.replicas).toBe(3);
    // Helm values may be secret: never in the result.
    expect(JSON.stringify(result)).not.toContain("s3cret-token");
  });

  it("uninstalls a failed upgrade with upgrade.remediation.strategy: uninstall", async () => {
    await repo.write(
      "team/release.yaml",
      release([
        "    replicas: 4",
        "  timeout: 3s",
        "  install: {remediation: {retries: 1}}",
        "  upgrade: {remediation: {retries: 1, strategy: uninstall}}",
        "  uninstall: {disableWait: true}",
      ]).replace("  timeout: 1m\n", ""),
    );
    server.simulator.setHealth("Deployment", "team", "values", "never-ready");
    try {
      const result = await reconcile();
      const values = result.units.find((u) => u.name === "team/values");
      expect(values?.status).toBe("failed");
      expect(values?.problems[0]?.message).toMatch(
        /^Helm upgrade failed for release team\/values with chart hello@0\.1\.0: [\s\S]*; remediated: uninstalled, uninstalled$/,
      );
      const driver = await HelmDriver.create({ kubeconfig });
      try {
        expect(await driver.status("values", "team")).toBeUndefined();
        expect(await driver.history("values", "team")).toEqual([]);
      } finally {
        await driver.close();
      }
      expect(server.get("apps/v1", "Deployment", "team", "values")).toBeUndefined();
    } finally {
      server.simulator.setHealth("Deployment", "team", "values", "ready");
    }
  });
});

describe("a HelmRelease with test.enable", () => {
  let server: KubeApiServer;
  let dir: string;
  const file = () => join(dir, "repo", "tests", "release.yaml");
  const release = (extra: string) =>
    [
      "apiVersion: helm.toolkit.fluxcd.io/v2",
      "kind: HelmRelease",
      "metadata: {name: checked, namespace: tests}",
      "spec:",
      "  interval: 10m",
      "  timeout: 1m",
      "  install: {createNamespace: true}",
      "  chart: {spec: {chart: ./charts/tested, sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}}",
      extra,
      "",
    ].join("\n");

  beforeAll(async () => {
    server = await KubeApiServer.start();
    dir = await mkdtemp(join(tmpdir(), "ferry-helm-tests-"));
    await mkdir(join(dir, "repo", "tests"), { recursive: true });
    await cp(
      join(import.meta.dirname, "..", "helm", "driver", "charts", "tested"),
      join(dir, "repo", "charts", "tested"),
      {
        recursive: true,
      },
    );
    await server.writeKubeconfig(join(dir, "kubeconfig"));
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function reconcileChecked() {
    const client = await KubeClient.connect({ kubeconfigText: server.kubeconfig() });
    const workspace = await Workspace.create(join(dir, "repo"));
    try {
      const result = await reconcileTree(
        {
          client,
          workspace,
          sopsKeys: { age: [], pgp: [] },
          connection: { kubeconfig: join(dir, "kubeconfig") },
        },
        rootUnit("tests"),
      );
      return result.units.find((u) => u.name === "tests/checked");
    } finally {
      client.close();
      await workspace.dispose();
    }
  }

  it("runs helm test after the install and reports the tests in the release's line", async () => {
    await writeFile(file(), release("  test: {enable: true}"));
    expect(await reconcileChecked()).toMatchObject({
      status: "succeeded",
      changes: [
        expect.objectContaining({ action: "created", reason: "tested@0.2.0 revision 1; 2 tests passed" }),
      ],
    });
  });

  it("reports a failing test it was told to ignore, and fails the release on one it was not", async () => {
    await writeFile(
      file(),
      release("  test: {enable: true, ignoreFailures: true}\n  values: {failSmoke: true}"),
    );
    expect(await reconcileChecked()).toMatchObject({
      status: "succeeded",
      changes: [
        expect.objectContaining({
          action: "configured",
          reason:
            "tested@0.2.0 revision 2; 1 of 2 tests failed (checked-smoke), ignored as test.ignoreFailures says",
        }),
      ],
    });

    await writeFile(file(), release("  test: {enable: true}\n  values: {failSmoke: true, message: again}"));
    expect(await reconcileChecked()).toMatchObject({
      status: "failed",
      problems: [
        expect.objectContaining({ message: "HelmRelease/tests/checked: helm test failed: checked-smoke" }),
      ],
    });
    // Nothing changed since: still failing, not quietly green.
    expect(await reconcileChecked()).toMatchObject({
      status: "failed",
      changes: [expect.objectContaining({ action: "unchanged", reason: "tested@0.2.0 revision 3" })],
      problems: [
        expect.objectContaining({
          message: "HelmRelease/tests/checked: helm test failed: checked-smoke (revision 3, unchanged since)",
        }),
      ],
    });
  });
});

describe("a HelmRelease with chart valuesFiles", () => {
  let server: KubeApiServer;
  let repo: ScratchRepo;
  let kubeconfig: string;
  let fleet: HelmFleet;
  const release = (files: string[]) =>
    [
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---",
      "apiVersion: helm.toolkit.fluxcd.io/v2",
      "kind: HelmRelease",
      "metadata: {name: hello, namespace: shop}",
      "spec:",
      "  interval: 10m",
      "  timeout: 1m",
      "  chart:",
      "    spec:",
      "      chart: ./charts/hello",
      `      valuesFiles: [${files.join(", ")}]`,
      "      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}",
      "  values: {replicas: 2}",
      "",
    ].join("\n");
  const reconcile = () =>
    reconcileOnce(server, repo, rootUnit("shop", { wait: false }), undefined, { connection: { kubeconfig } });
  const hello = (result: ReconcileResult) => result.units.find((u) => u.name === "shop/hello");

  beforeAll(async () => {
    fleet = await openHelmFleet("shop");
    ({ server, repo, kubeconfig } = fleet);
    await repo.write("charts/hello/values-prod.yaml", "message: from values-prod\nreplicas: 5\n");
    await repo.write("charts/hello/values-eu.yaml", "message: from values-eu\n");
  });
  afterAll(async () => {
    await fleet.close();
  });

  it("merges the files in order beneath the HelmRelease's values, and upgrades when a file changes", async () => {
    await repo.write(
      "shop/release.yaml",
      release(["./charts/hello/values-prod.yaml", "./charts/hello/values-eu.yaml"]),
    );
    expect(hello(await reconcile())?.changes).toEqual([
      expect.objectContaining({ action: "created", reason: "hello@0.1.0 revision 1" }),
    ]);
    expect(server.get("v1", "ConfigMap", "shop", "hello-config")?.data).toEqual({
      message: "from values-eu",
    });
    // Inline values win over the files.
    expect(server.get("apps/v1", "Deployment", "shop", "hello")?.spec.replicas).toBe(2);

    expect(hello(await reconcile())?.changes[0]?.action).toBe("unchanged");
    await repo.write("charts/hello/values-eu.yaml", "message: from values-eu, edited\n");
    expect(hello(await reconcile())?.changes).toEqual([
      expect.objectContaining({ action: "configured", reason: "hello@0.1.0 revision 2" }),
    ]);
    expect(server.get("v1", "ConfigMap", "shop", "hello-config")?.data).toEqual({
      message: "from values-eu, edited",
    });
  });

  it("fails on a file that is not there, unless ignoreMissingValuesFiles is set", async () => {
    await repo.write("shop/release.yaml", release(["./charts/hello/values-qa.yaml"]));
    expect(hello(await reconcile())).toMatchObject({
      status: "failed",
      problems: [
        expect.objectContaining({
          message:
            "HelmRelease/shop/hello: chart.spec.valuesFiles: ./charts/hello/values-qa.yaml is not in the repository; fix the path (relative to the repository) or set ignoreMissingValuesFiles",
        }),
      ],
    });
    await repo.write(
      "shop/release.yaml",
      release(["./charts/hello/values-qa.yaml"]).replace(
        "      valuesFiles:",
        "      ignoreMissingValuesFiles: true\n      valuesFiles:",
      ),
    );
    expect(hello(await reconcile())).toMatchObject({ status: "succeeded" });
    // Without the files, the chart's own message is back.
    expect(server.get("v1", "ConfigMap", "shop", "hello-config")?.data).toEqual({ message: "hello" });
  });

  it("with reconcileStrategy: Revision, upgrades when the chart's files change, its version carrying their digest", async () => {
    const revisioned = release([]).replace(
      "      chart: ./charts/hello",
      "      chart: ./charts/hello\n      reconcileStrategy: Revision",
    );
    await repo.write("shop/release.yaml", revisioned);
    const first = hello(await reconcile())?.changes[0];
    expect(first).toMatchObject({
      action: "configured",
      reason: expect.stringMatching(/^hello@0\.1\.0\+[0-9a-f]{12} revision \d+$/),
    });
    expect(hello(await reconcile())?.changes[0]).toMatchObject({
      action: "unchanged",
      reason: first?.reason,
    });

    // A template edited without a version bump: a new version, so an upgrade.
    const template = "charts/hello/templates/configmap.yaml";
    await repo.write(template, `${await repo.read(template)}  edited: "yes"\n`);
    const second = hello(await reconcile())?.changes[0];
    expect(second).toMatchObject({
      action: "configured",
      reason: expect.stringMatching(/^hello@0\.1\.0\+[0-9a-f]{12} /),
    });
    expect(second?.reason).not.toBe(first?.reason);
    expect(server.get("v1", "ConfigMap", "shop", "hello-config")?.data).toMatchObject({ edited: "yes" });
  });

  it("labels every object with Flux's origin labels and the HelmRelease's commonMetadata, selectors left alone", async () => {
    await repo.write(
      "shop/release.yaml",
      release([]).replace(
        "  values: {replicas: 2}",
        [
          "  values: {replicas: 2}",
          "  commonMetadata:",
          "    labels: {team: shop, helm.toolkit.fluxcd.io/name: not-this}",
          "    annotations: {owner: shop-team}",
        ].join("\n"),
      ),
    );
    expect(hello(await reconcile())?.changes[0]?.action).toBe("configured");
    for (const object of [
      server.get("v1", "ConfigMap", "shop", "hello-config"),
      server.get("apps/v1", "Deployment", "shop", "hello"),
    ]) {
      expect(object?.metadata.labels).toMatchObject({
        team: "shop",
        "helm.toolkit.fluxcd.io/name": "hello",
        "helm.toolkit.fluxcd.io/namespace": "shop",
      });
      expect(object?.metadata.annotations).toMatchObject({ owner: "shop-team" });
    }
    expect(
      server.get("apps/v1", "Deployment", "shop", "hello")?.spec.selector.matchLabels,
    ).not.toHaveProperty("team");
    expect(hello(await reconcile())?.changes[0]?.action).toBe("unchanged");
  });

  it("says, rather than ignores, that driftDetection is not supported yet", async () => {
    await repo.write(
      "shop/release.yaml",
      release([]).replace(
        "  values: {replicas: 2}",
        "  values: {replicas: 2}\n  driftDetection: {mode: enabled}",
      ),
    );
    expect(hello(await reconcile())).toMatchObject({
      status: "succeeded",
      notSupported: [
        expect.objectContaining({
          subject: "HelmRelease/shop/hello",
          reason:
            "spec.driftDetection.mode enabled: Ferry does not yet compare a release's objects with its manifest",
        }),
      ],
    });
  });

  it("runs helm as the HelmRelease's serviceAccountName, and refuses a kubeConfig for another cluster", async () => {
    const base = release([]).replace("  values: {replicas: 2}", "  values: {replicas: 3}");
    await repo.write("shop/release.yaml", base.replace("spec:\n", "spec:\n  serviceAccountName: deployer\n"));
    const before = server.requests.length;
    expect(hello(await reconcile())).toMatchObject({ status: "succeeded" });
    const requests = server.requests.slice(before);
    const helmRequests = requests.filter((r) => r.userAgent?.startsWith("Helm/"));
    expect(helmRequests.length).toBeGreaterThan(0);
    expect(helmRequests.filter((r) => r.impersonateUser !== "system:serviceaccount:shop:deployer")).toEqual(
      [],
    );
    // Ferry's own requests (the unit's objects, values, CRDs) stay Ferry's.
    expect(requests.filter((r) => !r.userAgent?.startsWith("Helm/") && r.impersonateUser)).toEqual([]);

    await repo.write(
      "shop/release.yaml",
      base.replace("spec:\n", "spec:\n  kubeConfig: {secretRef: {name: staging-cluster}}\n"),
    );
    expect(hello(await reconcile())).toMatchObject({
      status: "failed",
      problems: [
        expect.objectContaining({
          message:
            "HelmRelease/shop/hello: spec.kubeConfig points the release at another cluster; Ferry installs it in the cluster the sync target names, so remove spec.kubeConfig and sync this path to that cluster instead",
        }),
      ],
    });
  });
});

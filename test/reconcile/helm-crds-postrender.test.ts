/**
 * HelmReleases with CRD policies and post-renderers, reconciled from a repository with the real helm
 * against the test API server. CRDs are Ferry's work whichever helm runs (helm gets --skip-crds), so
 * the CRD policies run once, with helm 3; the post-render mechanism differs between helm 3 and 4, so
 * it runs with both.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Workspace } from "../../src/build/workspace.js";
import { KubeClient } from "../../src/cluster/client.js";
import type { KubeObject } from "../../src/model/object.js";
import type { ReconcileResult } from "../../src/model/result.js";
import { reconcileTree } from "../../src/reconcile/run.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { rootUnit, ScratchRepo } from "../support/fleet.js";
import { type HelmUnderTest, helm3, helmVersions } from "../support/helm-versions.js";

const RELEASES = "clusters/production/releases.yaml";

/** A HelmRelease of the repository's widgets chart, in namespace `store`. */
function helmRelease(name: string, spec: string[]): string {
  return [
    "apiVersion: helm.toolkit.fluxcd.io/v2",
    "kind: HelmRelease",
    `metadata: {name: ${name}, namespace: store}`,
    "spec:",
    "  interval: 10m",
    "  timeout: 1m",
    "  chart:",
    "    spec:",
    "      chart: charts/widgets",
    "      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}",
    ...spec.map((line) => `  ${line}`),
    "",
  ].join("\n");
}

function harness(helm: HelmUnderTest) {
  const state = {} as { server: KubeApiServer; repo: ScratchRepo; kubeconfig: string };
  beforeAll(async () => {
    state.server = await KubeApiServer.start();
    state.repo = await ScratchRepo.of("helm-crds");
    state.kubeconfig = `${state.repo.dir}.kubeconfig`;
    await state.server.writeKubeconfig(state.kubeconfig);
  });
  afterAll(async () => {
    await state.server?.stop();
    await state.repo?.cleanup();
  });
  // FERRY_HELM is how an operator picks the helm binary.
  beforeEach(() => {
    vi.stubEnv("FERRY_HELM", helm.binary);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  async function reconcile(): Promise<ReconcileResult> {
    const client = await KubeClient.connect({ kubeconfigText: state.server.kubeconfig() });
    const workspace = await Workspace.create(state.repo.dir);
    try {
      return await reconcileTree(
        {
          client,
          workspace,
          sopsKeys: { age: [], pgp: [] },
          revision: "test",
          connection: { kubeconfig: state.kubeconfig },
        },
        rootUnit("clusters/production"),
      );
    } finally {
      client.close();
      await workspace.dispose();
    }
  }
  const unit = (result: ReconcileResult, name: string) => result.units.find((u) => u.name === name);
  const changes = (result: ReconcileResult, name: string) =>
    unit(result, name)?.changes.map((c) => `${c.subject} ${c.action}${c.reason ? ` (${c.reason})` : ""}`);
  return { state, reconcile, unit, changes };
}

const crd = (server: KubeApiServer, name: string) =>
  server.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", undefined, name);

describe("CRD policies (helm 3)", () => {
  const { state, reconcile, unit, changes } = harness(helm3);

  /** An older gadgets CRD someone else put on the cluster: only version v1alpha1. */
  beforeAll(async () => {
    const client = await KubeClient.connect({ kubeconfigText: state.server.kubeconfig() });
    const older: KubeObject = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gadgets.example.com" },
      spec: {
        group: "example.com",
        names: { kind: "Gadget", plural: "gadgets", singular: "gadget", listKind: "GadgetList" },
        scope: "Cluster",
        versions: [
          {
            name: "v1alpha1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    };
    try {
      await client.apply(older, { fieldManager: "someone-else", force: true, dryRun: false });
    } finally {
      client.close();
    }
  });
  const gadgetVersions = () =>
    ((crd(state.server, "gadgets.example.com")?.spec.versions ?? []) as { name: string }[]).map(
      (v) => v.name,
    );

  it("Skip: installs the chart without creating a missing CRD or touching an existing one", async () => {
    await state.repo.write(
      RELEASES,
      helmRelease("skipped", ["install: {crds: Skip}", "values: {widget: false}"]),
    );
    const result = await reconcile();
    expect(unit(result, "store/skipped")?.status).toBe("succeeded");
    expect(changes(result, "store/skipped")).toEqual([
      "HelmRelease/store/skipped created (widgets@0.1.0 revision 1)",
    ]);
    expect(crd(state.server, "widgets.example.com")).toBeUndefined();
    expect(gadgetVersions()).toEqual(["v1alpha1"]);
    expect(state.server.get("apps/v1", "Deployment", "store", "skipped")).toBeDefined();
  });

  it("Create (the install default): creates the missing CRD before the chart's objects of it, leaves the existing one", async () => {
    await state.repo.write(RELEASES, helmRelease("created", []));
    const result = await reconcile();
    expect(unit(result, "store/created")?.status).toBe("succeeded");
    expect(changes(result, "store/created")).toEqual([
      "CustomResourceDefinition/widgets.example.com created",
      "HelmRelease/store/created created (widgets@0.1.0 revision 1)",
    ]);
    expect(crd(state.server, "widgets.example.com")?.metadata.labels).toMatchObject({
      "ferry.dev/name": "created",
      "ferry.dev/namespace": "store",
    });
    expect(state.server.get("example.com/v1", "Widget", "store", "created")?.spec).toEqual({ size: 3 });
    expect(gadgetVersions()).toEqual(["v1alpha1"]);
  });

  it("Skip (the upgrade default): an upgrade leaves a changed chart CRD alone", async () => {
    const file = "charts/widgets/crds/widgets.yaml";
    await state.repo.write(
      file,
      (await state.repo.read(file)).replace(
        "size: {type: integer}",
        "size: {type: integer}\n                color: {type: string}",
      ),
    );
    await state.repo.write(RELEASES, helmRelease("created", ["values: {replicas: 2}"]));
    const result = await reconcile();
    expect(changes(result, "store/created")).toEqual([
      "HelmRelease/store/created configured (widgets@0.1.0 revision 2)",
    ]);
    const properties = crd(state.server, "widgets.example.com")?.spec.versions[0].schema.openAPIV3Schema
      .properties;
    expect(Object.keys(properties.spec.properties)).toEqual(["size"]);
  });

  it("CreateReplace: an upgrade updates existing CRDs (a new field, a new version) before helm runs", async () => {
    await state.repo.write(
      RELEASES,
      helmRelease("created", ["upgrade: {crds: CreateReplace}", "values: {replicas: 3}"]),
    );
    const result = await reconcile();
    expect(unit(result, "store/created")?.status).toBe("succeeded");
    expect(changes(result, "store/created")).toEqual([
      "CustomResourceDefinition/gadgets.example.com configured",
      "CustomResourceDefinition/widgets.example.com configured",
      "HelmRelease/store/created configured (widgets@0.1.0 revision 3)",
    ]);
    const properties = crd(state.server, "widgets.example.com")?.spec.versions[0].schema.openAPIV3Schema
      .properties;
    expect(Object.keys(properties.spec.properties).sort()).toEqual(["color", "size"]);
    // Server-side apply merges CRD versions by name: the chart's v1 is added, v1alpha1 is not deleted.
    expect(gadgetVersions().sort()).toEqual(["v1", "v1alpha1"]);
    expect(crd(state.server, "gadgets.example.com")?.status.conditions).toContainEqual(
      expect.objectContaining({ type: "Established", status: "True" }),
    );
  });
});

describe.each(helmVersions)("postRenderers (helm $major)", (helm: HelmUnderTest) => {
  const { state, reconcile, unit, changes } = harness(helm);
  const withRenderers = (tag: string) =>
    helmRelease("shop", [
      "values: {widget: false}",
      "postRenderers:",
      "  - kustomize:",
      "      patches:",
      "        - target: {kind: ConfigMap}",
      "          patch: |",
      "            apiVersion: v1",
      "            kind: ConfigMap",
      "            metadata: {name: any, labels: {patched: by-ferry}}",
      "        - target: {group: apps, version: v1, kind: Deployment, name: shop}",
      "          patch: |",
      '            [{"op": "replace", "path": "/spec/replicas", "value": 2}]',
      `      images: [{name: nginx, newName: registry.example.com/nginx, newTag: "${tag}"}]`,
    ]);
  const deployment = () => state.server.get("apps/v1", "Deployment", "store", "shop");
  const image = () => deployment()?.spec.template.spec.containers[0].image;

  it("installs with the patches and the image override applied, and not to hooks", async () => {
    await state.repo.write(RELEASES, withRenderers("1.28"));
    const result = await reconcile();
    expect(unit(result, "store/shop")?.status).toBe("succeeded");
    expect(image()).toBe("registry.example.com/nginx:1.28");
    expect(deployment()?.spec.replicas).toBe(2);
    expect(state.server.get("v1", "ConfigMap", "store", "shop-settings")?.metadata.labels?.patched).toBe(
      "by-ferry",
    );
    expect(
      state.server.get("v1", "ConfigMap", "store", "shop-hook")?.metadata.labels?.patched,
    ).toBeUndefined();
  });

  it("makes no new revision when nothing changed, and upgrades when only the post-renderers change", async () => {
    expect(changes(await reconcile(), "store/shop")).toEqual([
      "HelmRelease/store/shop unchanged (widgets@0.1.0 revision 1)",
    ]);
    await state.repo.write(RELEASES, withRenderers("1.29"));
    expect(changes(await reconcile(), "store/shop")).toEqual([
      "HelmRelease/store/shop configured (widgets@0.1.0 revision 2)",
    ]);
    expect(image()).toBe("registry.example.com/nginx:1.29");
    expect(changes(await reconcile(), "store/shop")).toEqual([
      "HelmRelease/store/shop unchanged (widgets@0.1.0 revision 2)",
    ]);
  });

  it("upgrades when the post-renderers are removed, and then stays unchanged", async () => {
    await state.repo.write(RELEASES, helmRelease("shop", ["values: {widget: false}"]));
    expect(changes(await reconcile(), "store/shop")).toEqual([
      "HelmRelease/store/shop configured (widgets@0.1.0 revision 3)",
    ]);
    expect(image()).toBe("nginx:1.27");
    expect(deployment()?.spec.replicas).toBe(1);
    expect(changes(await reconcile(), "store/shop")).toEqual([
      "HelmRelease/store/shop unchanged (widgets@0.1.0 revision 3)",
    ]);
  });

  it("fails the HelmRelease with kustomize's reason when a patch does not apply", async () => {
    await state.repo.write(
      RELEASES,
      helmRelease("shop", [
        "values: {widget: false}",
        "postRenderers:",
        "  - kustomize:",
        "      patches:",
        "        - target: {kind: Deployment}",
        "          patch: |",
        '            [{"op": "replace", "path": "/spec/missing/field", "value": 1}]',
      ]),
    );
    const result = await reconcile();
    expect(unit(result, "store/shop")?.status).toBe("failed");
    expect(unit(result, "store/shop")?.problems[0]?.message).toMatch(
      /^Helm upgrade failed for release store\/shop with chart widgets@0\.1\.0: post-render failed: postRenderers\[0\]: .*missing/s,
    );
    expect(image()).toBe("nginx:1.27");
  });
});

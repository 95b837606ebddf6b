/**
 * Ferry's post-renderer through the real helm 3 and helm 4 (Helm 3's executable form, Helm 4's
 * `postrenderer/v1` plugin), against the test API server: Flux's kustomize `patches` (strategic
 * merge and JSON 6902) and `images`, applied in order to the release's manifest and not to hooks;
 * a failing post-renderer says why.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HelmDriver, type HelmUpgradeRequest } from "../../src/helm/driver/helm-driver.js";
import { HelmError } from "../../src/helm/driver/helm-error.js";
import type { PostRenderer } from "../../src/helm/release.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { type HelmUnderTest, helmVersions } from "../support/helm-versions.js";

const widgets = join(import.meta.dirname, "..", "fixtures", "helm-crds", "charts", "widgets");

const renderers: PostRenderer[] = [
  {
    kustomize: {
      patches: [
        {
          // strategic merge, to every ConfigMap of the manifest
          target: { kind: "ConfigMap" },
          patch: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: any, labels: {patched: by-ferry}}\n",
        },
        {
          // JSON 6902
          target: { group: "apps", version: "v1", kind: "Deployment", name: "shop" },
          patch: '[{"op": "replace", "path": "/spec/replicas", "value": 2}]',
        },
      ],
    },
  },
  // A second renderer sees the first one's output.
  { kustomize: { images: [{ name: "nginx", newName: "registry.example.com/nginx", newTag: "1.28" }] } },
];

describe.each(helmVersions)("post-renderers with helm $major", ({ binary }: HelmUnderTest) => {
  let server: KubeApiServer;
  let dir: string;
  let driver: HelmDriver;

  beforeAll(async () => {
    server = await KubeApiServer.start();
    dir = await mkdtemp(join(tmpdir(), "ferry-post-render-test-"));
    await server.writeKubeconfig(join(dir, "kubeconfig"));
    driver = await HelmDriver.create({ kubeconfig: join(dir, "kubeconfig"), helm: binary });
  });
  afterAll(async () => {
    await driver?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const request = (extra: Partial<HelmUpgradeRequest>): HelmUpgradeRequest => ({
    name: "shop",
    namespace: "store",
    chart: widgets,
    values: {},
    timeoutMs: 60_000,
    wait: true,
    maxHistory: 5,
    createNamespace: true,
    ...extra,
  });

  it("applies patches and images in order to the manifest, not to hooks", async () => {
    const result = await driver.upgrade(request({ postRenderers: renderers }));
    expect(result.status).toBe("deployed");
    const deployment = server.get("apps/v1", "Deployment", "store", "shop");
    expect(deployment?.spec.replicas).toBe(2);
    expect(deployment?.spec.template.spec.containers[0].image).toBe("registry.example.com/nginx:1.28");
    expect(server.get("v1", "ConfigMap", "store", "shop-settings")?.metadata.labels).toMatchObject({
      patched: "by-ferry",
    });
    // The subchart's objects are in the manifest too.
    expect(server.get("v1", "ConfigMap", "store", "shop-gadgets")?.metadata.labels).toMatchObject({
      patched: "by-ferry",
    });
    expect(server.get("v1", "ConfigMap", "store", "shop-hook")?.metadata.labels?.patched).toBeUndefined();
    expect(result.manifest).toContain("registry.example.com/nginx:1.28");
  });

  it("without post-renderers renders the chart as it is", async () => {
    await driver.upgrade(request({}));
    const deployment = server.get("apps/v1", "Deployment", "store", "shop");
    expect(deployment?.spec.replicas).toBe(1);
    expect(deployment?.spec.template.spec.containers[0].image).toBe("nginx:1.27");
  });

  it("fails with kustomize's reason when a patch does not apply, and changes nothing", async () => {
    const broken: PostRenderer[] = [
      {
        kustomize: {
          patches: [
            {
              target: { kind: "Deployment" },
              patch: '[{"op": "replace", "path": "/spec/nothing/here", "value": 1}]',
            },
          ],
        },
      },
    ];
    const error = await driver.upgrade(request({ postRenderers: broken })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HelmError);
    const detail = (error as HelmError).detail;
    expect(detail).toMatch(/^post-render failed: postRenderers\[0\]: /);
    expect(detail).toMatch(/nothing/);
    expect((error as HelmError).command).toContain("<post-render configuration>");
    expect(await driver.status("shop", "store")).toMatchObject({ revision: 2, status: "deployed" });
  });
});

import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { BuildError } from "../../src/build/errors.js";
import { applyOverlay } from "../../src/build/overlay.js";
import { Workspace } from "../../src/build/workspace.js";
import type { KubeObject, Manifest } from "../../src/model/object.js";
import { root } from "../support/build.js";

const fixtures = join(root, "test", "fixtures", "build");

let workspace: Workspace;
beforeAll(async () => {
  workspace = await Workspace.create(fixtures);
});
afterAll(async () => {
  await workspace.dispose();
});

const find = (manifests: Manifest[], kind: string): KubeObject => {
  const found = manifests.find((m) => m.object.kind === kind);
  if (!found) throw new Error(`no ${kind} in the build`);
  return found.object;
};
type Container = { image: string };
const imageOf = (deployment: KubeObject) =>
  (deployment.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0].image;

describe("Flux Kustomization overlay fields", () => {
  it("targetNamespace sets every object's namespace", async () => {
    const manifests = await workspace.build("overlay/app", { targetNamespace: "production" });
    expect(manifests.map((m) => m.object.metadata.namespace)).toEqual(manifests.map(() => "production"));
  });

  it("namePrefix and nameSuffix rename every object (and the references kustomize knows)", async () => {
    const manifests = await workspace.build("overlay/app", { namePrefix: "eu-", nameSuffix: "-v2" });
    expect(find(manifests, "Deployment").metadata.name).toBe("eu-app-v2");
    expect(find(manifests, "Service").metadata.name).toBe("eu-app-v2");
    expect(find(manifests, "ConfigMap").metadata.name).toMatch(/^eu-app-config-v2-[a-z0-9]+$/);
  });

  it("patches apply to their target only", async () => {
    const manifests = await workspace.build("overlay/app", {
      patches: [
        {
          patch: "- op: replace\n  path: /spec/replicas\n  value: 3\n",
          target: { kind: "Deployment", name: "app" },
        },
        {
          patch: "apiVersion: v1\nkind: Service\nmetadata:\n  name: app\n  labels:\n    patched: strategic\n",
        },
      ],
    });
    expect((find(manifests, "Deployment").spec as { replicas: number }).replicas).toBe(3);
    expect(find(manifests, "Service").metadata.labels).toEqual({ patched: "strategic" });
    expect(find(manifests, "Deployment").metadata.labels).toEqual({ app: "app" });
  });

  it("images merge with the kustomization's own entry by name", async () => {
    const renamed = await workspace.build("overlay/app", {
      images: [{ name: "nginx", newName: "registry.example.com/nginx" }],
    });
    // newTag 1.27 comes from the kustomization file; the overlay only renames.
    expect(imageOf(find(renamed, "Deployment"))).toBe("registry.example.com/nginx:1.27");

    const pinned = await workspace.build("overlay/app", {
      images: [
        { name: "nginx", digest: "sha256:0000000000000000000000000000000000000000000000000000000000000000" },
      ],
    });
    // A digest replaces the file's newTag rather than producing name:tag@digest.
    expect(imageOf(find(pinned, "Deployment"))).toBe(
      "nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    );
  });

  it("components are added relative to the Kustomization path", async () => {
    const without = await workspace.build("overlay/app");
    expect(without.map((m) => m.object.metadata.name)).not.toContain("extra");
    const manifests = await workspace.build("overlay/app", { components: ["../components/extra"] });
    const extra = manifests.find((m) => m.object.metadata.name === "extra");
    expect(extra?.origin).toEqual({ file: "overlay/components/extra/extra.yaml", line: 1 });
  });

  it("a missing component fails the build, unless ignoreMissingComponents", async () => {
    await expect(workspace.build("overlay/app", { components: ["../components/missing"] })).rejects.toThrow(
      /kustomize build failed for overlay\/app/,
    );
    const manifests = await workspace.build("overlay/app", {
      components: ["../components/missing", "../components/extra"],
      ignoreMissingComponents: true,
    });
    expect(manifests.map((m) => m.object.metadata.name)).toContain("extra");
  });

  it("a component must be local and inside the repository", async () => {
    await expect(
      workspace.build("overlay/app", { components: ["https://github.com/acme/c//x"] }),
    ).rejects.toThrow(
      "component path 'https://github.com/acme/c//x' must be local and relative to the Kustomization path overlay/app",
    );
    await expect(
      workspace.build("overlay/app", { components: ["../../../elsewhere"] }),
    ).rejects.toBeInstanceOf(BuildError);
  });

  it("commonMetadata labels and annotates every object's own metadata, not selectors or templates", async () => {
    const manifests = await workspace.build("overlay/app", {
      commonMetadata: { labels: { team: "payments", app: "overridden" }, annotations: { owner: "ops" } },
    });
    for (const { object } of manifests) {
      expect(object.metadata.labels).toMatchObject({ team: "payments" });
      expect(object.metadata.annotations).toEqual({ owner: "ops" });
    }
    const deployment = find(manifests, "Deployment");
    expect(deployment.metadata.labels).toEqual({ app: "overridden", team: "payments" });
    const spec = deployment.spec as { selector: unknown; template: { metadata: unknown } };
    expect(spec.selector).toEqual({ matchLabels: { app: "app" } });
    expect(spec.template.metadata).toEqual({ labels: { app: "app" } });
    expect((find(manifests, "Service").spec as { selector: unknown }).selector).toEqual({ app: "app" });
  });

  it("v1beta2 patchesStrategicMerge and patchesJson6902 still apply", async () => {
    const manifests = await workspace.build("overlay/app", {
      patchesStrategicMerge: [
        { apiVersion: "v1", kind: "Service", metadata: { name: "app", labels: { sm: "yes" } } },
      ],
      patchesJson6902: [
        {
          target: { kind: "Deployment", name: "app" },
          patch: [{ op: "replace", path: "/spec/replicas", value: 5 }],
        },
      ],
    });
    expect(find(manifests, "Service").metadata.labels).toEqual({ sm: "yes" });
    expect((find(manifests, "Deployment").spec as { replicas: number }).replicas).toBe(5);
  });
});

describe("applyOverlay on the kustomization file", () => {
  const context = { file: "app/kustomization.yaml", path: "app", root: "/repo", dir: "/repo/app" };

  it("writes the fields as Flux's generator does, keeping the file's other content", () => {
    const doc = parseDocument(
      "# keep me\nresources:\n  - a.yaml\nnamespace: old\nnamePrefix: old-\nimages:\n  - name: nginx\n    newTag: '1'\n    digest: sha256:abc\n  - name: redis\n    newTag: '7'\n",
    );
    applyOverlay(
      doc,
      {
        targetNamespace: "new",
        namePrefix: "new-",
        nameSuffix: "-sfx",
        patches: [{ patch: "p", target: { kind: "Deployment", name: "" } }],
        images: [
          { name: "nginx", newTag: "2" },
          { name: "busybox", newName: "mirror/busybox" },
        ],
        components: ["../c"],
        buildMetadata: ["transformerAnnotations"],
      },
      context,
    );
    expect(doc.toString().startsWith("# keep me\n")).toBe(true);
    expect(doc.toJS()).toEqual({
      resources: ["a.yaml"],
      namespace: "new",
      namePrefix: "new-",
      nameSuffix: "-sfx",
      images: [
        { name: "nginx", newTag: "2" },
        { name: "redis", newTag: "7" },
        { name: "busybox", newName: "mirror/busybox" },
      ],
      patches: [{ patch: "p", target: { kind: "Deployment" } }],
      components: ["../c"],
      buildMetadata: ["transformerAnnotations"],
    });
  });

  it("appends to lists the file already has", () => {
    const doc = parseDocument("patches:\n  - path: p.yaml\ncomponents: [../a]\n");
    applyOverlay(doc, { patches: [{ patch: "q" }], components: ["../b"] }, context);
    expect(doc.toJS()).toEqual({
      patches: [{ path: "p.yaml" }, { patch: "q" }],
      components: ["../a", "../b"],
    });
  });
});

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classify, sameRepository } from "../../src/build/flux.js";
import { Workspace } from "../../src/build/workspace.js";
import { type KubeObject, type Manifest, refOf, subjectOf } from "../../src/model/object.js";
import { root } from "../support/build.js";

const object = (
  apiVersion: string,
  kind: string,
  name: string,
  extra: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: "flux-system" },
  ...extra,
});
const manifest = (o: KubeObject, line = 1): Manifest => ({
  object: o,
  origin: { file: "clusters/prod/all.yaml", line },
});
const kustomization = (
  name: string,
  spec: Record<string, unknown>,
  apiVersion = "kustomize.toolkit.fluxcd.io/v1",
) =>
  object(apiVersion, "Kustomization", name, {
    spec: {
      interval: "10m",
      prune: true,
      sourceRef: { kind: "GitRepository", name: "flux-system" },
      ...spec,
    },
  });

describe("classify", () => {
  it("turns Kustomizations on this repository into child units with a normalized path", () => {
    const { children, apply, problems } = classify(
      [manifest(kustomization("apps", { path: "./apps/production/" }), 7)],
      { sourceNames: ["flux-system"] },
    );
    expect(problems).toEqual([]);
    expect(apply).toEqual([]);
    expect(children).toHaveLength(1);
    expect(children[0]).toMatchObject({
      name: "apps",
      namespace: "flux-system",
      path: "apps/production",
      origin: { file: "clusters/prod/all.yaml", line: 7 },
    });
    expect(children[0].spec.interval).toBe(600_000);
  });

  it("reads v1beta2 Kustomizations too, and defaults a missing path to the repository root", () => {
    const { children } = classify(
      [manifest(kustomization("root", {}, "kustomize.toolkit.fluxcd.io/v1beta2"))],
      {
        sourceNames: ["flux-system"],
      },
    );
    expect(children.map((c) => [c.name, c.path])).toEqual([["root", "."]]);
  });

  it("accepts GitRepositories found in the same build as this repository's sources", () => {
    const repo = object("source.toolkit.fluxcd.io/v1", "GitRepository", "fleet", {
      spec: { url: "https://github.com/acme/fleet" },
    });
    const ks = kustomization("apps", { path: "apps", sourceRef: { kind: "GitRepository", name: "fleet" } });
    const result = classify([manifest(repo), manifest(ks)], { sourceNames: [] });
    expect(result.children.map((c) => c.name)).toEqual(["apps"]);
    expect(result.consumed.map((m) => m.object.kind)).toEqual(["GitRepository"]);
    // Unless the build's GitRepository points at another repository than this one.
    const other = classify([manifest(repo), manifest(ks)], {
      sourceNames: [],
      url: "git@github.com:acme/other.git",
    });
    expect(other.children).toEqual([]);
    expect(other.problems).toHaveLength(1);
  });

  it("makes a Kustomization on a source Ferry cannot read a problem of this unit only", () => {
    const foreign = kustomization("podinfo", { sourceRef: { kind: "OCIRepository", name: "podinfo" } });
    const otherGit = kustomization("tenant", { sourceRef: { kind: "GitRepository", name: "tenant-repo" } });
    const fine = kustomization("apps", { path: "apps" });
    const result = classify([manifest(foreign, 3), manifest(otherGit, 20), manifest(fine, 40)], {
      sourceNames: ["flux-system"],
    });
    expect(result.children.map((c) => c.name)).toEqual(["apps"]);
    expect(result.problems.map((p) => [p.subject, p.origin?.line])).toEqual([
      ["Kustomization/flux-system/podinfo", 3],
      ["Kustomization/flux-system/tenant", 20],
    ]);
    expect(result.problems[0].message).toMatch(
      /^source OCIRepository\/flux-system\/podinfo cannot be read by Ferry/,
    );
    expect(result.problems[1].message).toMatch(
      /^source GitRepository\/flux-system\/tenant-repo cannot be read by Ferry/,
    );
  });

  it("matches a namespace-qualified source name against the sourceRef's namespace (default: the Kustomization's)", () => {
    const here = kustomization("a", { sourceRef: { kind: "GitRepository", name: "fleet" } });
    const there = kustomization("b", {
      sourceRef: { kind: "GitRepository", name: "fleet", namespace: "other" },
    });
    const result = classify([manifest(here), manifest(there)], { sourceNames: ["flux-system/fleet"] });
    expect(result.children.map((c) => c.name)).toEqual(["a"]);
    expect(result.problems.map((p) => p.subject)).toEqual(["Kustomization/flux-system/b"]);
  });

  it("reports an invalid spec with the key, and leaves the Kustomization out", () => {
    const result = classify([manifest(kustomization("apps", { interval: "often" }), 12)], {
      sourceNames: ["flux-system"],
      lineOf: (origin, path) => (origin?.line === 12 && path.join(".") === "spec.interval" ? 19 : undefined),
    });
    expect(result.children).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({
      subject: "Kustomization/flux-system/apps",
      origin: { file: "clusters/prod/all.yaml", line: 19 },
    });
    expect(result.problems[0].message).toMatch(/^spec\.interval: "often" is not a duration/);
  });

  it("refuses a path that leaves the repository, and two Kustomizations with one name", () => {
    const result = classify(
      [
        manifest(kustomization("up", { path: "../x" })),
        manifest(kustomization("apps", {})),
        manifest(kustomization("apps", {})),
      ],
      { sourceNames: ["flux-system"] },
    );
    expect(result.children.map((c) => c.name)).toEqual(["apps"]);
    expect(result.problems.map((p) => p.message)).toEqual([
      "spec.path ../x leaves the repository",
      "the build has two Kustomizations named flux-system/apps; rename one of them",
    ]);
  });

  it("hands HelmReleases to the Helm flow, consumes chart sources, and reports HelmChart as not supported yet", () => {
    const kinds = [
      ["helm.toolkit.fluxcd.io/v2", "HelmRelease"],
      ["source.toolkit.fluxcd.io/v1", "HelmRepository"],
      ["source.toolkit.fluxcd.io/v1beta2", "OCIRepository"],
      ["source.toolkit.fluxcd.io/v1", "HelmChart"],
    ];
    const result = classify(
      kinds.map(([apiVersion, kind], i) => manifest(object(apiVersion, kind, "x"), i + 1)),
      { sourceNames: ["flux-system"] },
    );
    expect(result.helmReleases.map((m) => m.object.kind)).toEqual(["HelmRelease"]);
    expect(result.consumed.map((m) => m.object.kind)).toEqual(["HelmRepository", "OCIRepository"]);
    expect(result.notSupported).toEqual([
      {
        subject: "HelmChart/flux-system/x",
        reason: "HelmChart is not supported yet",
        origin: { file: "clusters/prod/all.yaml", line: 4 },
      },
    ]);
    expect(result.apply).toEqual([]);
  });

  it("consumes sources, image automation and notification objects of any toolkit group version", () => {
    const kinds = [
      ["source.toolkit.fluxcd.io/v1", "GitRepository"],
      ["source.toolkit.fluxcd.io/v1beta2", "Bucket"],
      ["image.toolkit.fluxcd.io/v1beta2", "ImageRepository"],
      ["image.toolkit.fluxcd.io/v1", "ImagePolicy"],
      ["image.toolkit.fluxcd.io/v1", "ImageUpdateAutomation"],
      ["notification.toolkit.fluxcd.io/v1beta3", "Alert"],
      ["notification.toolkit.fluxcd.io/v1beta3", "Provider"],
      ["notification.toolkit.fluxcd.io/v1", "Receiver"],
    ];
    const result = classify(
      kinds.map(([apiVersion, kind]) => manifest(object(apiVersion, kind, "x"))),
      { sourceNames: [] },
    );
    expect(result.consumed.map((m) => m.object.kind)).toEqual(kinds.map(([, kind]) => kind));
    expect(result.apply).toEqual([]);
  });

  it("applies everything else, including look-alike kinds outside the toolkit groups", () => {
    const objects = [
      object("v1", "ConfigMap", "c"),
      object("apps/v1", "Deployment", "d"),
      object("example.com/v1", "Alert", "not-flux"),
      object("kustomize.config.k8s.io/v1beta1", "Kustomization", "not-flux-either"),
    ];
    const result = classify(
      objects.map((o) => manifest(o)),
      { sourceNames: ["flux-system"] },
    );
    expect(result.apply.map((m) => m.object)).toEqual(objects);
    expect([result.children, result.consumed, result.notSupported, result.problems]).toEqual([
      [],
      [],
      [],
      [],
    ]);
  });

  it("reads a Flux fleet repository as Flux would", async () => {
    const workspace = await Workspace.create(join(root, "test", "fixtures", "build", "fleet"));
    try {
      const manifests = await workspace.build("clusters/production");
      const result = classify(manifests, {
        sourceNames: ["flux-system"],
        lineOf: (origin, path) => workspace.lineOf(origin, path),
      });
      expect(result.problems).toEqual([]);
      expect(result.children.map((c) => [c.name, c.path, c.spec.dependsOn.map((d) => d.name)])).toEqual([
        ["apps", "apps/production", ["infra-controllers"]],
        ["flux-system", "clusters/production", []],
        ["infra-controllers", "infrastructure/controllers", []],
      ]);
      expect(result.consumed.map((m) => m.origin)).toEqual([
        { file: "clusters/production/flux-system/gotk-sync.yaml", line: 3 },
      ]);

      const infra = classify(await workspace.build("infrastructure/controllers"), {
        sourceNames: ["flux-system"],
      });
      expect(infra.apply.map((m) => m.object.kind)).toEqual(["Namespace"]);
      expect(infra.helmReleases.map((m) => subjectOf(refOf(m.object)))).toEqual([
        "HelmRelease/ingress-nginx/ingress-nginx",
      ]);
      expect(infra.consumed.map((m) => subjectOf(refOf(m.object)))).toEqual([
        "HelmRepository/ingress-nginx/ingress-nginx",
      ]);
      expect(infra.notSupported).toEqual([]);
    } finally {
      await workspace.dispose();
    }
  });
});

describe("sameRepository", () => {
  it.each([
    ["https://github.com/acme/fleet", "https://github.com/acme/fleet.git", true],
    ["ssh://git@github.com/acme/fleet", "git@github.com:acme/fleet.git", true],
    ["https://github.com/Acme/Fleet/", "git@github.com:acme/fleet", true],
    ["https://github.com/acme/fleet", "https://github.com/acme/other", false],
    ["https://gitlab.com/acme/fleet", "https://github.com/acme/fleet", false],
  ])("%s and %s: %s", (a, b, same) => {
    expect(sameRepository(a, b)).toBe(same);
  });
});

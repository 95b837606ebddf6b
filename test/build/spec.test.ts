import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/build/duration.js";
import { overlayOf, parseKustomizationSpec } from "../../src/build/spec.js";

const minimal = { interval: "10m", prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" } };

function parsed(input: unknown) {
  const result = parseKustomizationSpec(input);
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join("\n"));
  return result.spec;
}

describe("Kustomization spec defaults (Flux's)", () => {
  it("fills in what Flux fills in", () => {
    expect(parsed(minimal)).toEqual({
      sourceRef: { kind: "GitRepository", name: "flux-system" },
      path: "",
      prune: true,
      interval: 600_000,
      retryInterval: 600_000,
      timeout: 570_000,
      wait: false,
      force: false,
      suspend: false,
      dependsOn: [],
      patches: [],
      images: [],
      components: [],
      ignoreMissingComponents: false,
      healthChecks: [],
      deletionPolicy: "MirrorPrune",
    });
  });

  it("timeout: the interval minus 30s, never under 30s; an explicit timeout wins but keeps the floor", () => {
    expect(parsed({ ...minimal, interval: "1h" }).timeout).toBe(3_570_000);
    expect(parsed({ ...minimal, interval: "45s" }).timeout).toBe(30_000);
    expect(parsed({ ...minimal, interval: "1h", timeout: "5m" }).timeout).toBe(300_000);
    expect(parsed({ ...minimal, timeout: "10s" }).timeout).toBe(30_000);
  });

  it("retryInterval defaults to the interval", () => {
    expect(parsed({ ...minimal, interval: "5m" }).retryInterval).toBe(300_000);
    expect(parsed({ ...minimal, retryInterval: "1m" }).retryInterval).toBe(60_000);
  });

  it("postBuild and substituteFrom get their defaults", () => {
    const spec = parsed({ ...minimal, postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "vars" }] } });
    expect(spec.postBuild).toEqual({
      substituteStrategy: "WithVariables",
      substitute: {},
      substituteFrom: [{ kind: "ConfigMap", name: "vars", optional: false }],
    });
  });

  it("reads every field Ferry uses", () => {
    const spec = parsed({
      ...minimal,
      path: "./apps",
      wait: true,
      force: true,
      suspend: true,
      dependsOn: [{ name: "infra", namespace: "flux-system" }],
      targetNamespace: "apps",
      namePrefix: "a-",
      nameSuffix: "-z",
      patches: [{ patch: "x", target: { kind: "Deployment" } }],
      images: [{ name: "nginx", newTag: "1" }],
      components: ["../c"],
      commonMetadata: { labels: { a: "b" }, annotations: { c: "d" } },
      postBuild: { substitute: { A: "1" } },
      decryption: { provider: "sops", secretRef: { name: "sops-age" } },
      healthChecks: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "apps" }],
      serviceAccountName: "deployer",
    });
    expect(overlayOf(spec)).toEqual({
      targetNamespace: "apps",
      namePrefix: "a-",
      nameSuffix: "-z",
      patches: [{ patch: "x", target: { kind: "Deployment" } }],
      images: [{ name: "nginx", newTag: "1" }],
      components: ["../c"],
      ignoreMissingComponents: false,
      commonMetadata: { labels: { a: "b" }, annotations: { c: "d" } },
    });
    expect(spec.decryption).toEqual({ provider: "sops", secretRef: { name: "sops-age" } });
    expect(spec.serviceAccountName).toBe("deployer");
  });
});

describe("Kustomization spec errors", () => {
  const source = {
    origin: { file: "clusters/prod/apps.yaml", line: 3 },
    subject: "Kustomization/flux-system/apps",
    lineOf: (path: readonly (string | number)[]) => (path.join(".") === "spec.interval" ? 9 : undefined),
  };

  it("name the file, the line of the key, the key, and what to write", () => {
    const result = parseKustomizationSpec({ ...minimal, interval: "ten minutes" }, source);
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          message:
            'spec.interval: "ten minutes" is not a duration; write it as a number and a unit (ms, s, m, h), such as 10m, 1h30m or 90s',
          subject: "Kustomization/flux-system/apps",
          origin: { file: "clusters/prod/apps.yaml", line: 9 },
        },
      ],
    });
  });

  it("fall back to the object's line when the key's line is unknown", () => {
    const result = parseKustomizationSpec({ interval: "1m", sourceRef: minimal.sourceRef }, source);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      {
        message: "spec.prune is required; add it (true or false)",
        subject: "Kustomization/flux-system/apps",
        origin: { file: "clusters/prod/apps.yaml", line: 3 },
      },
    ]);
  });

  it.each([
    [{ ...minimal, prune: "yes" }, 'spec.prune must be true or false, not "yes"'],
    [
      { prune: true, sourceRef: minimal.sourceRef },
      "spec.interval is required; add it as a duration, such as 10m",
    ],
    [{ ...minimal, timeout: 5 }, "spec.timeout: 5 is not a duration"],
    [{ ...minimal, targetNamespce: "x" }, "spec.targetNamespce is not a field of a Flux Kustomization"],
    [{ ...minimal, sourceRef: { kind: "HelmRepository", name: "x" } }, "spec.sourceRef.kind must be"],
    [{ ...minimal, dependsOn: [{ namespace: "x" }] }, "spec.dependsOn[0].name is required"],
    [{ ...minimal, targetNamespace: "" }, "spec.targetNamespace must not be empty"],
    [
      { ...minimal, postBuild: { substituteFrom: [{ kind: "Map", name: "x" }] } },
      'spec.postBuild.substituteFrom[0].kind must be "ConfigMap" or "Secret", not "Map"',
    ],
    [
      { ...minimal, decryption: { provider: "vault" } },
      'spec.decryption.provider must be "sops", not "vault"',
    ],
  ])("%j: %s", (input, message) => {
    const result = parseKustomizationSpec(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.message).join("\n")).toContain(message);
  });
});

describe("durations", () => {
  it.each([
    ["10m", 600_000],
    ["1h30m", 5_400_000],
    ["1.5s", 1_500],
    ["250ms", 250],
    ["1m0s", 60_000],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "10", "ten", "5 m", "-1m", "1d"])("%j is not a duration", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it("formats as Go does", () => {
    expect([300_000, 5_430_000, 1_500, 0, 30_000].map(formatDuration)).toEqual([
      "5m0s",
      "1h30m30s",
      "1.5s",
      "0s",
      "30s",
    ]);
  });
});

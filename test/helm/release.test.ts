/** HelmRelease and its chart sources as Ferry reads them: Flux's defaults, and problems naming the key. */
import { describe, expect, it } from "vitest";
import { type HelmRelease, isHelmObject, readHelmObject } from "../../src/helm/release.js";

const release = (spec: object, apiVersion = "helm.toolkit.fluxcd.io/v2") => ({
  apiVersion,
  kind: "HelmRelease",
  metadata: { name: "podinfo", namespace: "apps" },
  spec,
});
const chart = { spec: { chart: "podinfo", sourceRef: { kind: "HelmRepository", name: "podinfo" } } };

function problems(object: unknown): string[] {
  try {
    readHelmObject(object);
  } catch (error) {
    return (error as { problems: { message: string }[] }).problems.map((p) => p.message);
  }
  throw new Error("expected problems");
}

describe("readHelmObject", () => {
  it("fills in Flux's defaults", () => {
    const read = readHelmObject(release({ interval: "10m", chart })) as HelmRelease;
    expect(read.spec).toMatchObject({
      chart: { spec: { chart: "podinfo", version: "*", reconcileStrategy: "ChartVersion" } },
      timeout: "5m",
      maxHistory: 5,
      suspend: false,
      dependsOn: [],
      install: { crds: "Create", createNamespace: false, remediation: { retries: 0 } },
      upgrade: { crds: "Skip", remediation: { retries: 0, strategy: "rollback" } },
      test: { enable: false, ignoreFailures: false, filters: [] },
      valuesFrom: [],
      postRenderers: [],
    });
  });

  it("reads v2beta2 too, and puts objects without a namespace in default", () => {
    const object = release({ interval: "1m", chart }, "helm.toolkit.fluxcd.io/v2beta2");
    const read = readHelmObject({ ...object, metadata: { name: "podinfo" } });
    expect(read.metadata).toEqual({ name: "podinfo", namespace: "default" });
  });

  it("reads HelmRepository and OCIRepository", () => {
    const repository = readHelmObject({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "HelmRepository",
      metadata: { name: "podinfo", namespace: "flux-system" },
      spec: { url: "https://stefanprodan.github.io/podinfo", interval: "1h" },
    });
    expect(repository.spec).toMatchObject({ type: "default" });
    expect(
      isHelmObject({ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "OCIRepository" }) &&
        !isHelmObject({ apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "HelmRelease" }),
    ).toBe(true);
  });

  it.each([
    {
      name: "neither chart nor chartRef",
      spec: { interval: "5m" },
      expected: ["spec.chart is one of two ways to name the chart: set exactly one of chart and chartRef"],
    },
    {
      name: "both chart and chartRef",
      spec: { interval: "5m", chart, chartRef: { kind: "OCIRepository", name: "podinfo" } },
      expected: ["spec.chartRef is one of two ways to name the chart: set exactly one of chart and chartRef"],
    },
    {
      name: "a missing interval and a bad CRD policy",
      spec: { chart, install: { crds: "Always" } },
      expected: [
        "spec.interval is required; add it (a string)",
        'spec.install.crds must be "Skip" or "Create" or "CreateReplace", not "Always"',
      ],
    },
    {
      name: "a valuesFrom of another kind",
      spec: { interval: "5m", chart, valuesFrom: [{ kind: "Deployment", name: "x" }] },
      expected: ['spec.valuesFrom[0].kind must be "ConfigMap" or "Secret", not "Deployment"'],
    },
    {
      name: "a release name over Helm's 53 characters",
      spec: { interval: "5m", chart, releaseName: "r".repeat(54) },
      expected: ["spec.releaseName must be at most 53 characters long"],
    },
  ])("names each problem: $name", ({ spec, expected }) => {
    expect(problems(release(spec))).toEqual(expected);
  });

  it("names the object in the error", () => {
    expect(() => readHelmObject(release({ chart }))).toThrow(
      "HelmRelease/apps/podinfo: spec.interval is required; add it (a string)",
    );
  });
});

import { describe, expect, it } from "vitest";
import { ImageObjectError, isImageObject, readImageObject } from "../../src/images/kinds.js";
import { selectLatestTag } from "../../src/images/policy/index.js";

const v1 = "image.toolkit.fluxcd.io/v1";
const v1beta2 = "image.toolkit.fluxcd.io/v1beta2";

const repository = (spec: unknown, apiVersion = v1) => ({
  apiVersion,
  kind: "ImageRepository",
  metadata: { name: "web", namespace: "apps" },
  spec,
});
const policy = (spec: unknown, apiVersion = v1) => ({
  apiVersion,
  kind: "ImagePolicy",
  metadata: { name: "web", namespace: "apps" },
  spec,
});
const automation = (spec: unknown, apiVersion = v1) => ({
  apiVersion,
  kind: "ImageUpdateAutomation",
  metadata: { name: "apps", namespace: "flux-system" },
  spec,
});

function problems(object: unknown): string[] {
  try {
    readImageObject(object);
  } catch (error) {
    if (error instanceof ImageObjectError) return error.problems.map((p) => `${p.subject}: ${p.message}`);
    throw error;
  }
  throw new Error("expected an ImageObjectError");
}

describe("readImageObject", () => {
  it.each([v1, v1beta2])("reads an ImageRepository (%s) and fills in the CRD's defaults", (apiVersion) => {
    expect(readImageObject(repository({ image: "ghcr.io/org/web", interval: "5m" }, apiVersion))).toEqual({
      apiVersion,
      kind: "ImageRepository",
      metadata: { name: "web", namespace: "apps" },
      spec: { image: "ghcr.io/org/web", interval: "5m", exclusionList: ["^.*\\.sig$"], provider: "generic" },
    });
  });

  it("reads every ImageRepository field and keeps unknown ones", () => {
    const spec = {
      image: "123.dkr.ecr.eu-west-1.amazonaws.com/web",
      interval: "1h30m",
      timeout: "1m30s",
      secretRef: { name: "pull" },
      certSecretRef: { name: "ca" },
      exclusionList: ["^.*-debug$"],
      provider: "aws",
      insecure: true,
      suspend: false,
      someFutureField: { a: 1 },
    };
    expect(readImageObject(repository(spec)).spec).toEqual(spec);
  });

  it.each([v1, v1beta2])("reads an ImagePolicy (%s)", (apiVersion) => {
    const object = readImageObject(
      policy(
        {
          imageRepositoryRef: { name: "web", namespace: "images" },
          policy: { semver: { range: ">=1.0.0 <2.0.0" } },
          filterTags: { pattern: "^v(?P<version>.*)$", extract: "$version" },
        },
        apiVersion,
      ),
    );
    expect(object).toEqual({
      apiVersion,
      kind: "ImagePolicy",
      metadata: { name: "web", namespace: "apps" },
      spec: {
        imageRepositoryRef: { name: "web", namespace: "images" },
        policy: { semver: { range: ">=1.0.0 <2.0.0" } },
        filterTags: { pattern: "^v(?P<version>.*)$", extract: "$version" },
        digestReflectionPolicy: "Never",
      },
    });
  });

  it.each([
    [{ alphabetical: {} }, { alphabetical: { order: "asc" } }],
    [{ numerical: { order: "desc" } }, { numerical: { order: "desc" } }],
  ])("defaults the order of %j", (choice, expected) => {
    const object = readImageObject(policy({ imageRepositoryRef: { name: "web" }, policy: choice }));
    expect(object.kind === "ImagePolicy" && object.spec.policy).toEqual(expected);
  });

  it("accepts interval with digestReflectionPolicy Always", () => {
    const object = readImageObject(
      policy({
        imageRepositoryRef: { name: "web" },
        policy: { semver: { range: "*" } },
        digestReflectionPolicy: "Always",
        interval: "10m",
      }),
    );
    expect(object.spec).toMatchObject({ digestReflectionPolicy: "Always", interval: "10m" });
  });

  it.each([v1, v1beta2])(
    "reads an ImageUpdateAutomation (%s) and fills in the CRD's defaults",
    (apiVersion) => {
      const spec = {
        sourceRef: { name: "fleet" },
        interval: "30m",
        git: {
          checkout: { ref: { branch: "main" } },
          commit: {
            author: { name: "Ferry", email: "ferry@example.com" },
            messageTemplate: "Update images",
            messageTemplateValues: { env: "prod" },
            signingKey: { secretRef: { name: "gpg" } },
          },
          push: {
            branch: "image-updates",
            refspec: "refs/heads/image-updates:refs/heads/main",
            options: { ci: "skip" },
          },
        },
        update: { path: "./clusters/prod" },
        policySelector: {
          matchLabels: { team: "web" },
          matchExpressions: [{ key: "tier", operator: "In", values: ["frontend"] }],
        },
        suspend: false,
      };
      expect(readImageObject(automation(spec, apiVersion))).toEqual({
        apiVersion,
        kind: "ImageUpdateAutomation",
        metadata: { name: "apps", namespace: "flux-system" },
        spec: {
          ...spec,
          sourceRef: { kind: "GitRepository", name: "fleet" },
          update: { strategy: "Setters", path: "./clusters/prod" },
        },
      });
    },
  );

  it("defaults update to the Setters strategy", () => {
    const object = readImageObject(
      automation({ sourceRef: { kind: "GitRepository", name: "fleet" }, interval: "5m" }),
    );
    expect(object.spec).toEqual({
      sourceRef: { kind: "GitRepository", name: "fleet" },
      interval: "5m",
      update: { strategy: "Setters" },
    });
  });

  it.each([
    [
      "a missing image",
      repository({ interval: "5m" }),
      ["ImageRepository/apps/web: spec.image is required; add it (a string)"],
    ],
    [
      "an interval that is not a duration",
      repository({ image: "web", interval: "5 minutes" }),
      ["ImageRepository/apps/web: spec.interval must be a duration such as 5m, 1h30m or 30s"],
    ],
    [
      "a timeout in hours",
      repository({ image: "web", interval: "5m", timeout: "1h" }),
      ["ImageRepository/apps/web: spec.timeout must be a duration in ms, s or m, such as 30s or 1m30s"],
    ],
    [
      "an unknown provider",
      repository({ image: "web", interval: "5m", provider: "oci" }),
      ['ImageRepository/apps/web: spec.provider must be "generic" or "aws" or "azure" or "gcp", not "oci"'],
    ],
    [
      "an exclusion pattern Go refuses",
      repository({ image: "web", interval: "5m", exclusionList: ["ok", "(?<=x)"] }),
      [
        "ImageRepository/apps/web: spec.exclusionList[1] is not a valid Go regular expression: lookaround (?<=…) is not part of Go's regexp syntax (RE2)",
      ],
    ],
    [
      "more than 25 exclusions",
      repository({
        image: "web",
        interval: "5m",
        exclusionList: Array.from({ length: 26 }, (_, i) => `t${i}`),
      }),
      ["ImageRepository/apps/web: spec.exclusionList may list at most 25 entries"],
    ],
    [
      "a policy without a choice",
      policy({ imageRepositoryRef: { name: "web" }, policy: {} }),
      ["ImagePolicy/apps/web: spec.policy must set one of semver, alphabetical or numerical"],
    ],
    [
      "a semver policy without a range",
      policy({ imageRepositoryRef: { name: "web" }, policy: { semver: {} } }),
      ["ImagePolicy/apps/web: spec.policy.semver.range is required; add it (a string)"],
    ],
    [
      "an invalid semver range",
      policy({ imageRepositoryRef: { name: "web" }, policy: { semver: { range: "1.0.0p" } } }),
      [
        'ImagePolicy/apps/web: spec.policy.semver.range is not a valid semver range: "1.0.0p" is not a list of comparisons such as ">=1.2.3 <2.0.0", "~1.2", "^1.2" or "1.2.x"',
      ],
    ],
    [
      "an unknown order",
      policy({ imageRepositoryRef: { name: "web" }, policy: { alphabetical: { order: "ASC" } } }),
      ['ImagePolicy/apps/web: spec.policy.alphabetical.order must be "asc" or "desc", not "ASC"'],
    ],
    [
      "an invalid filter pattern and a missing repository name",
      policy({ imageRepositoryRef: {}, policy: { numerical: {} }, filterTags: { pattern: "(" } }),
      [
        "ImagePolicy/apps/web: spec.imageRepositoryRef.name is required; add it (a string)",
        "ImagePolicy/apps/web: spec.filterTags.pattern is not a valid Go regular expression: missing closing )",
      ],
    ],
    [
      "an interval without digestReflectionPolicy Always",
      policy({ imageRepositoryRef: { name: "web" }, policy: { numerical: {} }, interval: "5m" }),
      ["ImagePolicy/apps/web: spec.interval is only accepted when digestReflectionPolicy is Always"],
    ],
    [
      "digestReflectionPolicy Always without an interval",
      policy({
        imageRepositoryRef: { name: "web" },
        policy: { numerical: {} },
        digestReflectionPolicy: "Always",
      }),
      ["ImagePolicy/apps/web: spec.interval is required when digestReflectionPolicy is Always"],
    ],
    [
      "an automation on another kind of source, with a bad update strategy",
      automation({
        sourceRef: { kind: "OCIRepository", name: "x" },
        interval: "5m",
        update: { strategy: "Kustomize" },
      }),
      [
        'ImageUpdateAutomation/flux-system/apps: spec.sourceRef.kind must be "GitRepository", not "OCIRepository"',
        'ImageUpdateAutomation/flux-system/apps: spec.update.strategy must be "Setters", not "Kustomize"',
      ],
    ],
    [
      "a commit without an author email, a checkout without a ref",
      automation({
        sourceRef: { name: "x" },
        interval: "5m",
        git: { checkout: {}, commit: { author: { name: "a" } } },
      }),
      [
        "ImageUpdateAutomation/flux-system/apps: spec.git.checkout.ref is required; add it (a mapping)",
        "ImageUpdateAutomation/flux-system/apps: spec.git.commit.author.email is required; add it (a string)",
      ],
    ],
    [
      "a missing interval and a bad selector operator",
      automation({
        sourceRef: { name: "x" },
        policySelector: { matchExpressions: [{ key: "a", operator: "Is" }] },
      }),
      [
        "ImageUpdateAutomation/flux-system/apps: spec.interval is required; add it (a string)",
        'ImageUpdateAutomation/flux-system/apps: spec.policySelector.matchExpressions[0].operator must be "In" or "NotIn" or "Exists" or "DoesNotExist", not "Is"',
      ],
    ],
    [
      "a missing spec and name",
      { apiVersion: v1, kind: "ImagePolicy", metadata: { namespace: "apps" } },
      [
        "ImagePolicy/apps: metadata.name is required; add it (a string)",
        "ImagePolicy/apps: spec is required; add it (a mapping)",
      ],
    ],
    [
      "an apiVersion from another release",
      { ...policy({}), apiVersion: "image.toolkit.fluxcd.io/v1alpha1" },
      [
        'ImagePolicy/apps/web: apiVersion "image.toolkit.fluxcd.io/v1alpha1" is not supported for ImagePolicy; use image.toolkit.fluxcd.io/v1 or image.toolkit.fluxcd.io/v1beta2',
      ],
    ],
    [
      "another kind",
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } },
      [
        'ConfigMap/x: kind "ConfigMap" is not an image automation kind (ImageRepository, ImagePolicy, ImageUpdateAutomation)',
      ],
    ],
  ])("refuses %s, naming the object and the field", (_, object, expected) => {
    expect(problems(object)).toEqual(expected);
  });

  it("puts every problem in the error message", () => {
    expect(() => readImageObject(repository({}))).toThrow(
      "ImageRepository/apps/web: spec.image is required; add it (a string)\n" +
        "ImageRepository/apps/web: spec.interval is required; add it (a string)",
    );
  });

  it("gives specs the policy selection accepts as they are", () => {
    const repo = readImageObject(repository({ image: "web", interval: "5m", exclusionList: ["-debug$"] }));
    const pol = readImageObject(
      policy({
        imageRepositoryRef: { name: "web" },
        policy: { numerical: {} },
        filterTags: { pattern: "^b(\\d+)", extract: "$1" },
      }),
    );
    if (repo.kind !== "ImageRepository" || pol.kind !== "ImagePolicy") throw new Error("wrong kinds");
    const tags = ["b1", "b3", "b9-debug", "b2", "latest"];
    expect(selectLatestTag({ ...pol.spec, exclusionList: repo.spec.exclusionList }, tags)).toBe("b3");
  });
});

describe("isImageObject", () => {
  it.each([
    [{ apiVersion: v1, kind: "ImagePolicy" }, true],
    [{ apiVersion: v1beta2, kind: "ImageRepository" }, true],
    [{ apiVersion: "image.toolkit.fluxcd.io/v1beta1", kind: "ImageUpdateAutomation" }, true],
    [{ apiVersion: v1, kind: "ImageThing" }, false],
    [{ apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "ImagePolicy" }, false],
    [{ apiVersion: v1, kind: "toString" }, false],
    [{ kind: "ImagePolicy" }, false],
  ])("%j → %s", (object, expected) => {
    expect(isImageObject(object)).toBe(expected);
  });
});

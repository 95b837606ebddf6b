/** The update plan: which policies each pull request covers, its branch, and what each policy picks. */
import { describe, expect, it } from "vitest";
import type { ImagePolicy, ImageRepository, ImageUpdateAutomation } from "../../src/images/kinds.js";
import { type ImageObject, readImageObject } from "../../src/images/kinds.js";
import { planGroups } from "../../src/images/plan.js";
import { type PolicyOutcome, resolvePolicies } from "../../src/images/resolve.js";
import { imageUpdateTitle } from "../../src/report/image-update.js";

const API = "image.toolkit.fluxcd.io/v1";

function read<T extends ImageObject>(
  kind: T["kind"],
  namespace: string,
  name: string,
  spec: object,
  labels = {},
): T {
  return readImageObject({ apiVersion: API, kind, metadata: { name, namespace, labels }, spec }) as T;
}
const policy = (namespace: string, name: string, labels = {}) =>
  read<ImagePolicy>(
    "ImagePolicy",
    namespace,
    name,
    { imageRepositoryRef: { name }, policy: { semver: { range: "1.x" } } },
    labels,
  );
const automation = (namespace: string, name: string, spec: object = {}) =>
  read<ImageUpdateAutomation>("ImageUpdateAutomation", namespace, name, {
    interval: "30m",
    sourceRef: { kind: "GitRepository", name: "flux-system" },
    git: { commit: { author: { email: "bot@example.com" } } },
    update: { path: "./clusters" },
    ...spec,
  });
const outcome = (p: ImagePolicy): PolicyOutcome => ({
  key: `${p.metadata.namespace}:${p.metadata.name}`,
  policy: p,
  image: `ghcr.io/acme/${p.metadata.name}`,
  result: { image: `ghcr.io/acme/${p.metadata.name}`, tag: "1.2.3" },
});
const settings = {
  groupBy: "automation" as const,
  branch: "ferry/images/{automation}",
  syncedPaths: ["clusters/prod"],
};
const names = (o: PolicyOutcome[]) => o.map((x) => x.key);

describe("planGroups", () => {
  const web = outcome(policy("flux-system", "web", { tier: "frontend" }));
  const api = outcome(policy("flux-system", "api", { tier: "backend" }));
  const other = outcome(policy("team-a", "worker"));

  it.each([
    {
      name: "without automations: one group over the synced paths with every policy",
      automations: [],
      groupBy: "automation" as const,
      expected: [
        {
          name: "all",
          branch: "ferry/images/all",
          paths: ["clusters/prod"],
          policies: ["flux-system:web", "flux-system:api", "team-a:worker"],
        },
      ],
    },
    {
      name: "an automation takes the policies of its namespace, at its update path",
      automations: [automation("flux-system", "apps")],
      groupBy: "automation" as const,
      expected: [
        {
          name: "apps",
          branch: "ferry/images/apps",
          paths: ["./clusters"],
          policies: ["flux-system:web", "flux-system:api"],
        },
      ],
    },
    {
      name: "a policySelector picks by labels within the namespace",
      automations: [
        automation("flux-system", "front", { policySelector: { matchLabels: { tier: "frontend" } } }),
      ],
      groupBy: "automation" as const,
      expected: [
        { name: "front", branch: "ferry/images/front", paths: ["./clusters"], policies: ["flux-system:web"] },
      ],
    },
    {
      name: "matchExpressions too",
      automations: [
        automation("flux-system", "not-front", {
          policySelector: { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["frontend"] }] },
        }),
      ],
      groupBy: "automation" as const,
      expected: [
        {
          name: "not-front",
          branch: "ferry/images/not-front",
          paths: ["./clusters"],
          policies: ["flux-system:api"],
        },
      ],
    },
    {
      name: "git.push.branch names the pull request's branch",
      automations: [
        automation("team-a", "workers", {
          git: { commit: { author: { email: "b@x" } }, push: { branch: "image-updates" } },
        }),
      ],
      groupBy: "automation" as const,
      expected: [
        { name: "workers", branch: "image-updates", paths: ["./clusters"], policies: ["team-a:worker"] },
      ],
    },
    {
      name: "a suspended automation makes no pull request",
      automations: [automation("flux-system", "apps", { suspend: true }), automation("team-a", "workers")],
      groupBy: "automation" as const,
      expected: [
        {
          name: "workers",
          branch: "ferry/images/workers",
          paths: ["./clusters"],
          policies: ["team-a:worker"],
        },
      ],
    },
    {
      name: "groupBy policy: one pull request per policy",
      automations: [automation("flux-system", "apps")],
      groupBy: "policy" as const,
      branch: "ferry/images/{automation}-{policy}",
      expected: [
        {
          name: "web",
          branch: "ferry/images/apps-web",
          paths: ["./clusters"],
          policies: ["flux-system:web"],
        },
        {
          name: "api",
          branch: "ferry/images/apps-api",
          paths: ["./clusters"],
          policies: ["flux-system:api"],
        },
      ],
    },
  ])("$name", ({ automations, groupBy, branch, expected }) => {
    const groups = planGroups(automations, [web, api, other], {
      ...settings,
      groupBy,
      ...(branch ? { branch } : {}),
    });
    expect(
      groups.map((g) => ({ name: g.name, branch: g.branch, paths: g.paths, policies: names(g.policies) })),
    ).toEqual(expected);
  });
});

describe("resolvePolicies", () => {
  const repository = (name: string, spec: object = {}) =>
    read<ImageRepository>("ImageRepository", "flux-system", name, {
      image: `ghcr.io/acme/${name}`,
      interval: "5m",
      ...spec,
    });

  it("picks each policy's tag from its ImageRepository's tags, less the repository's exclusions", async () => {
    const [result] = await resolvePolicies(
      [policy("flux-system", "web")],
      [repository("web", { exclusionList: ["^1\\.9\\."] })],
      async () => ({ tags: ["1.2.0", "1.9.0", "1.3.0", "2.0.0"] }),
    );
    expect(result?.result).toEqual({ image: "ghcr.io/acme/web", tag: "1.3.0" });
  });

  it("names a missing ImageRepository, and a policy that matches nothing, without failing the others", async () => {
    const results = await resolvePolicies(
      [policy("flux-system", "web"), policy("flux-system", "api"), policy("flux-system", "gone")],
      [repository("web"), repository("api")],
      async (_r, image) => ({ tags: image.endsWith("/web") ? ["1.0.0"] : ["2.0.0"] }),
    );
    expect(results.map((r) => [r.key, r.result?.tag ?? r.error])).toEqual([
      ["flux-system:web", "1.0.0"],
      ["flux-system:api", expect.stringContaining("1.x")],
      ["flux-system:gone", "its ImageRepository flux-system/gone is not in the repository's synced paths"],
    ]);
  });

  it("reflects a known digest, and says when it is not known", async () => {
    const reflecting = read<ImagePolicy>("ImagePolicy", "flux-system", "web", {
      imageRepositoryRef: { name: "web" },
      policy: { semver: { range: "1.x" } },
      digestReflectionPolicy: "IfNotPresent",
    });
    const digest = `sha256:${"a".repeat(64)}`;
    const [known] = await resolvePolicies([reflecting], [repository("web")], async () => ({
      tags: ["1.0.0"],
      digests: new Map([["1.0.0", digest]]),
    }));
    expect(known?.result).toEqual({ image: "ghcr.io/acme/web", tag: "1.0.0", digest });
    const [unknown] = await resolvePolicies([reflecting], [repository("web")], async () => ({
      tags: ["1.0.0"],
    }));
    expect(unknown?.result).toEqual({ image: "ghcr.io/acme/web", tag: "1.0.0" });
    expect(unknown?.note).toBe("the digest of ghcr.io/acme/web:1.0.0 is not known; only the tag is set");
  });

  it("lists each ImageRepository once, however many policies use it", async () => {
    let listings = 0;
    await resolvePolicies(
      [
        policy("flux-system", "web"),
        read<ImagePolicy>("ImagePolicy", "flux-system", "web-pre", {
          imageRepositoryRef: { name: "web" },
          policy: { semver: { range: ">=1.0.0-0" } },
        }),
      ],
      [repository("web")],
      async () => {
        listings += 1;
        return { tags: ["1.0.0"] };
      },
    );
    expect(listings).toBe(1);
  });
});

describe("imageUpdateTitle", () => {
  const change = (key: string, file: string) => ({
    file,
    line: 1,
    oldValue: "1.0.0",
    newValue: "1.2.3",
    setter: `${key}:tag`,
  });
  const group = (policies: PolicyOutcome[]) => ({ name: "all", branch: "b", paths: ["."], policies });

  it.each([
    { name: "one image", policies: ["web"], expected: "Update ghcr.io/acme/web to 1.2.3" },
    {
      name: "several",
      policies: ["web", "api"],
      expected: "Update 2 images: ghcr.io/acme/web to 1.2.3, ghcr.io/acme/api to 1.2.3",
    },
  ])("$name", ({ policies, expected }) => {
    const outcomes = policies.map((n) => outcome(policy("flux-system", n)));
    const files = [
      { path: "a.yaml", before: "", after: "", changes: outcomes.map((o) => change(o.key, "a.yaml")) },
    ];
    expect(imageUpdateTitle({ group: group(outcomes), files, problems: [] })).toBe(expected);
  });
});

/** The operator file and `.github/ferry.yml`: defaults, problems with key and line, globs, single-tenant mode. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allowsAllNamespaces,
  type ClusterConfig,
  clusterAllows,
  clusterFor,
  loadOperatorConfig,
  namespaceAllowed,
  type OperatorConfig,
  parseOperatorConfig,
  singleTenantConfig,
} from "../../src/github/config/operator.js";
import { ConfigError, type ConfigProblem, formatProblem } from "../../src/github/config/problems.js";
import {
  parseRepositoryConfig,
  type RepositoryConfig,
  repositoryConfigFromObject,
  targetsForBranch,
} from "../../src/github/config/repository.js";
import { parseByteSize } from "../../src/github/config/values.js";

const lines = (...text: string[]) => `${text.join("\n")}\n`;

function repository(text: string): RepositoryConfig {
  const result = parseRepositoryConfig(text);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join("\n"));
  return result.config;
}

function repositoryProblems(text: string): ConfigProblem[] {
  const result = parseRepositoryConfig(text);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.config)}`);
  return result.problems;
}

function operator(text: string, file = "/etc/ferry/config.yaml"): OperatorConfig {
  const result = parseOperatorConfig(text, file);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join("\n"));
  return result.config;
}

function operatorProblems(text: string): ConfigProblem[] {
  const result = parseOperatorConfig(text, "/etc/ferry/config.yaml");
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.config)}`);
  return result.problems;
}

const defaultImages = {
  enabled: false,
  allowed: true,
  pullRequests: { branch: "ferry/images/{automation}", groupBy: "automation", labels: [] },
};

describe(".github/ferry.yml", () => {
  it("reads the documented example, durations in milliseconds", () => {
    const config = repository(
      lines(
        "sync:",
        "  - cluster: production",
        "    path: clusters/production",
        "    branch: main",
        "    prune: true",
        "    wait: true",
        "    timeout: 5m",
        "    interval: 10m",
        "comments: failures",
        "images:",
        "  pullRequests:",
        "    branch: ferry/images/{automation}",
        "    groupBy: policy",
        "    labels: [dependencies]",
      ),
    );
    expect(config).toEqual({
      sync: [
        {
          cluster: "production",
          path: "clusters/production",
          branch: "main",
          prune: true,
          wait: true,
          timeout: 300_000,
          interval: 600_000,
        },
      ],
      comments: "failures",
      images: {
        enabled: true,
        allowed: true,
        pullRequests: { branch: "ferry/images/{automation}", groupBy: "policy", labels: ["dependencies"] },
      },
    });
  });

  it("fills in every default", () => {
    expect(repository(lines("sync:", "  - cluster: default", "    path: ."))).toEqual({
      sync: [{ cluster: "default", path: ".", prune: true, wait: true, timeout: 300_000, interval: 600_000 }],
      comments: "failures",
      images: defaultImages,
    });
  });

  it.each([
    ["an empty file", ""],
    ["only a comment", "# nothing yet\n"],
  ])("%s: nothing to sync, defaults", (_name, text) => {
    expect(repository(text)).toEqual({ sync: [], comments: "failures", images: defaultImages });
  });

  it.each([
    ["./clusters/production/", "clusters/production"],
    ["/clusters/production", "clusters/production"],
    ["clusters/./production", "clusters/production"],
    ["./", "."],
  ])("path %s is read as %s", (written, read) => {
    expect(repository(lines("sync:", "  - cluster: a", `    path: ${written}`)).sync[0].path).toBe(read);
  });

  it.each([
    ["0", 0],
    ['"0"', 0],
    ["0s", 0],
    ["90s", 90_000],
    ["1h30m", 5_400_000],
  ])("interval %s is %d ms (0 = off)", (written, ms) => {
    const config = repository(lines("sync:", "  - cluster: a", "    path: b", `    interval: ${written}`));
    expect(config.sync[0].interval).toBe(ms);
  });

  it.each([
    ["always", "always"],
    ["never", "never"],
  ])("comments: %s", (written, read) => {
    expect(repository(`comments: ${written}\n`).comments).toBe(read);
  });

  it("accepts _extends (Probot merges it) and leaves it out of the result", () => {
    const config = repository(lines("_extends: fleet-defaults", "comments: never"));
    expect(config).toEqual({ sync: [], comments: "never", images: defaultImages });
    expect(config).not.toHaveProperty("_extends");
  });

  it("selects the targets a push to a branch syncs", () => {
    const config = repository(
      lines(
        "sync:",
        "  - {cluster: a, path: x}",
        "  - {cluster: b, path: x, branch: develop}",
        "  - {cluster: c, path: x, branch: main}",
      ),
    );
    expect(targetsForBranch(config, "main", "main").map((t) => t.cluster)).toEqual(["a", "c"]);
    expect(targetsForBranch(config, "develop", "main").map((t) => t.cluster)).toEqual(["b"]);
    expect(targetsForBranch(config, "main", "trunk").map((t) => t.cluster)).toEqual(["c"]);
  });

  // [what, file, key, line, part of the message]
  const problems: [string, string, string, number, string][] = [
    [
      "a duration in words",
      lines("sync:", "  - cluster: production", "    path: clusters/production", "    timeout: 5 minutes"),
      "sync[0].timeout",
      4,
      '"5 minutes" is not a duration; write it as a number and a unit (ms, s, m, h), such as 10m',
    ],
    [
      "a duration without a unit",
      lines("sync:", "  - cluster: a", "    path: b", "    interval: 7"),
      "sync[0].interval",
      4,
      "7 is not a duration",
    ],
    [
      "a zero timeout",
      lines("sync:", "  - cluster: a", "    path: b", "    timeout: 0s"),
      "sync[0].timeout",
      4,
      "must be longer than 0s",
    ],
    [
      "a misspelt key in a target",
      lines("sync:", "  - cluster: a", "    path: b", "    tiemout: 5m"),
      "sync[0].tiemout",
      4,
      "is not a known key; did you mean timeout?",
    ],
    [
      "a misspelt top-level key",
      lines("comment: always"),
      "comment",
      1,
      "is not a known key; did you mean comments?",
    ],
    [
      "an unknown key with nothing close",
      lines("clusters: []"),
      "clusters",
      1,
      "is not a known key; remove it, or use one of: _extends, sync, comments, images",
    ],
    [
      "a misspelt key deep down",
      lines("images:", "  pullRequests:", "    lables: [deps]"),
      "images.pullRequests.lables",
      3,
      "did you mean labels?",
    ],
    [
      "an unknown comments value",
      lines("comments: sometimes"),
      "comments",
      1,
      'must be "failures" or "always" or "never", not "sometimes"',
    ],
    [
      "a boolean written as a word",
      lines("sync:", "  - cluster: a", "    path: b", '    prune: "yes"'),
      "sync[0].prune",
      4,
      'must be true or false, not "yes"',
    ],
    [
      "a missing cluster (the target's line)",
      lines("comments: never", "sync:", "  - path: clusters/production", "    wait: false"),
      "sync[0].cluster",
      3,
      "is required; add a cluster name from the operator file",
    ],
    [
      "a missing path in a second target",
      lines("sync:", "  - {cluster: a, path: b}", "  - cluster: c"),
      "sync[1].path",
      3,
      "is required",
    ],
    [
      "a path leaving the repository",
      lines("sync:", "  - cluster: a", "    path: ../other"),
      "sync[0].path",
      3,
      '"../other" leaves the repository',
    ],
    [
      "a bad cluster name",
      lines("sync:", "  - cluster: prod cluster", "    path: b"),
      "sync[0].cluster",
      2,
      '"prod cluster" is not a cluster name',
    ],
    [
      "a ref instead of a branch",
      lines("sync:", "  - cluster: a", "    path: b", "    branch: refs/heads/main"),
      "sync[0].branch",
      4,
      "write the name alone, such as main",
    ],
    [
      "the same target twice",
      lines("sync:", "  - {cluster: a, path: b}", "  - {cluster: a, path: ./b/}"),
      "sync[1]",
      3,
      "repeats sync[0] (same cluster, path and branch)",
    ],
    [
      "sync as a mapping",
      lines("sync:", "  cluster: a", "  path: b"),
      "sync",
      1,
      "must be a list, not a mapping",
    ],
    [
      "groupBy out of its choices",
      lines("images:", "  pullRequests:", "    groupBy: repository"),
      "images.pullRequests.groupBy",
      3,
      'must be "automation" or "policy", not "repository"',
    ],
    [
      "an unknown placeholder in the branch template",
      lines("images:", "  pullRequests:", "    branch: ferry/{image}"),
      "images.pullRequests.branch",
      3,
      "may only use the placeholders {automation} and {policy}",
    ],
    ["a list instead of a mapping", lines("- cluster: a"), "", 1, "the file must be a mapping, not a list"],
    ["broken YAML", lines("sync:", "  - cluster: [a", "comments: never"), "", 3, "is not valid YAML"],
    [
      "a key twice",
      lines("comments: never", "sync: []", "comments: always"),
      "",
      3,
      "a key appears twice in one mapping",
    ],
  ];

  it.each(problems)("%s: names the key and its line", (_what, text, key, line, message) => {
    const found = repositoryProblems(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ key, line, file: ".github/ferry.yml" });
    expect(found[0].message).toContain(message);
    if (key) expect(found[0].message.startsWith(key)).toBe(true);
  });

  it("reports every problem at once, in line order", () => {
    const found = repositoryProblems(
      lines(
        "sync:",
        "  - cluster: production",
        "    path: clusters/production",
        "    timeout: 5 minutes",
        "    interval: 10",
        "comments: sometimes",
      ),
    );
    expect(found.map((p) => [p.key, p.line])).toEqual([
      ["sync[0].timeout", 4],
      ["sync[0].interval", 5],
      ["comments", 6],
    ]);
    expect(formatProblem(found[0])).toBe(
      '.github/ferry.yml:4: sync[0].timeout: "5 minutes" is not a duration; write it as a number and a unit (ms, s, m, h), such as 10m, 1h30m or 90s',
    );
  });

  it("names another file when asked to", () => {
    const result = parseRepositoryConfig("comments: loud\n", "org/.github:ferry.yml");
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'org/.github:ferry.yml:1: comments must be "failures" or "always" or "never", not "loud"',
    ]);
  });

  describe("from a value Probot's context.config parsed", () => {
    it("validates and fills in defaults", () => {
      const result = repositoryConfigFromObject({ sync: [{ cluster: "a", path: "./b", interval: 0 }] });
      expect(result).toEqual({
        ok: true,
        config: {
          sync: [{ cluster: "a", path: "b", prune: true, wait: true, timeout: 300_000, interval: 0 }],
          comments: "failures",
          images: defaultImages,
        },
      });
    });

    it.each([null, undefined])("%s (no file): nothing to sync", (value) => {
      expect(repositoryConfigFromObject(value)).toEqual({
        ok: true,
        config: { sync: [], comments: "failures", images: defaultImages },
      });
    });

    it("names the key; the line is unknown", () => {
      const result = repositoryConfigFromObject({ sync: [{ cluster: "a", path: "b", timeout: "soon" }] });
      expect(result).toEqual({
        ok: false,
        problems: [
          {
            key: "sync[0].timeout",
            file: ".github/ferry.yml",
            message:
              'sync[0].timeout: "soon" is not a duration; write it as a number and a unit (ms, s, m, h), such as 10m, 1h30m or 90s',
          },
        ],
      });
    });
  });
});

describe("the operator file", () => {
  const example = lines(
    "clusters:",
    "  production:",
    "    kubeconfig: /etc/ferry/production.kubeconfig",
    "    context: prod",
    "    serviceAccount: ferry-tenant",
    '    repositories: ["acme/fleet", "acme/apps-*"]',
    '    namespaces: ["*"]',
    "sops:",
    "  ageKeyFiles: [/etc/ferry/age.key]",
    "registries:",
    "  ghcr.io: {username: ferry-bot, passwordFile: /etc/ferry/ghcr-token}",
    "allowRemoteBases: false",
  );

  it("reads the documented example", () => {
    expect(operator(example)).toEqual({
      mode: "file",
      file: "/etc/ferry/config.yaml",
      clusters: {
        production: {
          name: "production",
          kubeconfig: "/etc/ferry/production.kubeconfig",
          context: "prod",
          inCluster: false,
          serviceAccount: {
            namespace: "ferry-system",
            name: "ferry-tenant",
            user: "system:serviceaccount:ferry-system:ferry-tenant",
          },
          repositories: ["acme/fleet", "acme/apps-*"],
          namespaces: ["*"],
        },
      },
      sops: { ageKeyFiles: ["/etc/ferry/age.key"], pgpKeyFiles: [] },
      registries: { "ghcr.io": { username: "ferry-bot", passwordFile: "/etc/ferry/ghcr-token" } },
      allowRemoteBases: false,
      tarballSizeLimit: 200_000_000,
    } satisfies OperatorConfig);
  });

  it("fills in every default", () => {
    const config = operator(
      lines("clusters:", "  home:", "    inCluster: true", "    repositories: [me/home]"),
    );
    expect(config).toEqual({
      mode: "file",
      file: "/etc/ferry/config.yaml",
      clusters: {
        home: { name: "home", inCluster: true, repositories: ["me/home"], namespaces: ["*"] },
      },
      sops: { ageKeyFiles: [], pgpKeyFiles: [] },
      registries: {},
      allowRemoteBases: false,
      tarballSizeLimit: 200_000_000,
    });
  });

  it("reads relative paths from the file's folder", () => {
    const config = operator(
      lines(
        "clusters:",
        "  a: {kubeconfig: kube/a.yaml, repositories: [x/y]}",
        "sops: {ageKeyFiles: [age.key], pgpKeyFiles: [../keys/pgp.asc]}",
        "registries:",
        "  registry.example.com:5000: {username: u, passwordFile: secrets/token}",
      ),
      "/srv/ferry/config/ferry.yaml",
    );
    expect(config.clusters.a.kubeconfig).toBe("/srv/ferry/config/kube/a.yaml");
    expect(config.sops).toEqual({
      ageKeyFiles: ["/srv/ferry/config/age.key"],
      pgpKeyFiles: ["/srv/ferry/keys/pgp.asc"],
    });
    expect(config.registries["registry.example.com:5000"].passwordFile).toBe(
      "/srv/ferry/config/secrets/token",
    );
  });

  it("impersonates namespace/name service accounts", () => {
    const config = operator(
      lines("clusters:", "  a: {inCluster: true, serviceAccount: team-a/deployer, repositories: [x/y]}"),
    );
    expect(config.clusters.a.serviceAccount).toEqual({
      namespace: "team-a",
      name: "deployer",
      user: "system:serviceaccount:team-a:deployer",
    });
  });

  it.each([
    ["200MB", 200_000_000],
    ["1.5GB", 1_500_000_000],
    ["512MiB", 536_870_912],
    ["1Gi", 1_073_741_824],
    ["100k", 100_000],
    ["1000", 1000],
    ["4096", 4096],
  ])("tarballSizeLimit %s is %d bytes", (written, bytes) => {
    const config = operator(
      lines("clusters: {a: {inCluster: true, repositories: [x/y]}}", `tarballSizeLimit: ${written}`),
    );
    expect(config.tarballSizeLimit).toBe(bytes);
  });

  it.each(["200 megs", "MB", "1.5.2GB"])("parseByteSize refuses %s", (text) => {
    expect(parseByteSize(text)).toBeUndefined();
  });

  // [what, file, key, line, part of the message]
  const problems: [string, string, string, number, string][] = [
    [
      "kubeconfig and inCluster both",
      lines(
        "clusters:",
        "  production:",
        "    kubeconfig: /etc/ferry/production.kubeconfig",
        "    inCluster: true",
        "    repositories: [acme/fleet]",
      ),
      "clusters.production.inCluster",
      4,
      "is set together with kubeconfig; keep one",
    ],
    [
      "neither kubeconfig nor inCluster",
      lines("clusters:", "  production:", "    context: prod", "    repositories: [acme/fleet]"),
      "clusters.production",
      2,
      "needs kubeconfig: FILE (with an optional context) or inCluster: true",
    ],
    [
      "inCluster: false without kubeconfig",
      lines("clusters:", "  production:", "    inCluster: false", "    repositories: [acme/fleet]"),
      "clusters.production",
      2,
      "needs kubeconfig: FILE",
    ],
    [
      "a context with inCluster",
      lines("clusters:", "  p:", "    inCluster: true", "    context: prod", "    repositories: [a/b]"),
      "clusters.p.context",
      4,
      "is only read from a kubeconfig",
    ],
    [
      "no repositories",
      lines("clusters:", "  p:", "    inCluster: true"),
      "clusters.p.repositories",
      2,
      "is required; list the repositories that may deploy here",
    ],
    [
      "an empty repository list",
      lines("clusters:", "  p:", "    inCluster: true", "    repositories: []"),
      "clusters.p.repositories",
      4,
      "must list at least one repository glob",
    ],
    [
      'a bare "*" for every repository',
      lines("clusters:", "  p:", "    inCluster: true", '    repositories: ["*"]'),
      "clusters.p.repositories[0]",
      4,
      '"*" is not an owner/name glob; write one such as "acme/fleet" or "acme/apps-*" (every repository: "*/*")',
    ],
    [
      "a namespace glob with capitals",
      lines(
        "clusters:",
        "  p:",
        "    inCluster: true",
        "    repositories: [a/b]",
        "    namespaces: [Team-A]",
      ),
      "clusters.p.namespaces[0]",
      5,
      '"Team-A" is not a namespace glob',
    ],
    [
      "a bad service account",
      lines(
        "clusters:",
        "  p:",
        "    inCluster: true",
        "    repositories: [a/b]",
        "    serviceAccount: a/b/c",
      ),
      "clusters.p.serviceAccount",
      5,
      '"a/b/c" is not a service account; write its name (in ferry-system) or namespace/name',
    ],
    [
      "a bad cluster name",
      lines("clusters:", "  prod cluster:", "    inCluster: true", "    repositories: [a/b]"),
      'clusters["prod cluster"]',
      2,
      '"prod cluster" is not a cluster name',
    ],
    ["no clusters", lines("clusters: {}"), "clusters", 1, "must name at least one cluster"],
    [
      "no clusters key",
      lines("allowRemoteBases: true"),
      "clusters",
      1,
      "is required; name each cluster and say how to reach it",
    ],
    [
      "a misspelt cluster key",
      lines("clusters:", "  p:", "    inCluster: true", "    repositories: [a/b]", "    namespace: [x]"),
      "clusters.p.namespace",
      5,
      "did you mean namespaces?",
    ],
    [
      "a misspelt top-level key",
      lines("clusters: {p: {inCluster: true, repositories: [a/b]}}", "allowRemoteBase: true"),
      "allowRemoteBase",
      2,
      "did you mean allowRemoteBases?",
    ],
    [
      "a misspelt sops key",
      lines("clusters: {p: {inCluster: true, repositories: [a/b]}}", "sops:", "  ageKeyFile: /k"),
      "sops.ageKeyFile",
      3,
      "did you mean ageKeyFiles?",
    ],
    [
      "a registry URL instead of a host",
      lines(
        "clusters: {p: {inCluster: true, repositories: [a/b]}}",
        "registries:",
        "  https://ghcr.io: {username: u, passwordFile: /p}",
      ),
      'registries["https://ghcr.io"]',
      3,
      "write the host alone, such as ghcr.io",
    ],
    [
      "a registry without its password file",
      lines(
        "clusters: {p: {inCluster: true, repositories: [a/b]}}",
        "registries:",
        "  ghcr.io:",
        "    username: u",
      ),
      'registries["ghcr.io"].passwordFile',
      3,
      "is required; add the path of a file holding the password or token",
    ],
    [
      "allowRemoteBases as a word",
      lines("clusters: {p: {inCluster: true, repositories: [a/b]}}", "allowRemoteBases: sometimes"),
      "allowRemoteBases",
      2,
      'must be true or false, not "sometimes"',
    ],
    [
      "a size in words",
      lines("clusters: {p: {inCluster: true, repositories: [a/b]}}", "tarballSizeLimit: 200 megs"),
      "tarballSizeLimit",
      2,
      '"200 megs" is not a size; write a number of bytes, or a number and a unit',
    ],
    [
      "a size of zero",
      lines("clusters: {p: {inCluster: true, repositories: [a/b]}}", "tarballSizeLimit: 0"),
      "tarballSizeLimit",
      2,
      "0 is not a size",
    ],
  ];

  it.each(problems)("%s: names the key and its line", (_what, text, key, line, message) => {
    const found = operatorProblems(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ key, line, file: "/etc/ferry/config.yaml" });
    expect(found[0].message).toContain(message);
    expect(found[0].message.startsWith(key)).toBe(true);
  });
});

describe("which repositories and namespaces a cluster allows", () => {
  const cluster = (repositories: string[], namespaces: string[] = ["*"]) => ({ repositories, namespaces });

  it.each([
    [["acme/*"], "acme/fleet", true],
    [["acme/*"], "acme-x/fleet", false],
    [["acme/*"], "ACME/Fleet", true],
    [["acme/apps-*"], "acme/apps-web", true],
    [["acme/apps-*"], "acme/apps-", true],
    [["acme/apps-*"], "acme/apps", false],
    [["acme/apps-*"], "acme/fleet", false],
    [["acme/fleet"], "acme/fleet", true],
    [["acme/fleet"], "Acme/Fleet", true],
    [["acme/fleet"], "acme/fleet2", false],
    [["acme/fleet"], "other/fleet", false],
    [["acme/a.b"], "acme/axb", false],
    [["acme/app?"], "acme/app1", true],
    [["acme/app?"], "acme/app12", false],
    [["*/*"], "anyone/anything", true],
    [["*/fleet"], "acme/fleet", true],
    [["*/fleet"], "acme/fleet-2", false],
    [["acme/fleet", "acme/apps-*"], "acme/apps-api", true],
    [["acme/fleet", "acme/apps-*"], "acme/infra", false],
  ])("repositories %j allow %s: %s", (repositories, repository, allowed) => {
    expect(clusterAllows(cluster(repositories), repository)).toBe(allowed);
  });

  it.each([
    [["*"], "kube-system", true],
    [["*"], "team-a", true],
    [["team-a"], "team-a", true],
    [["team-a"], "team-ab", false],
    [["team-a-*"], "team-a-web", true],
    [["team-a-*"], "team-a", false],
    [["team-a-*"], "team-b-web", false],
    [["team-a", "team-a-*"], "team-a", true],
    [["apps-?"], "apps-1", true],
    [["apps-?"], "apps-10", false],
  ])("namespaces %j allow %s: %s", (namespaces, namespace, allowed) => {
    expect(namespaceAllowed(cluster(["a/b"], namespaces), namespace)).toBe(allowed);
  });

  it("cluster-scoped objects need every namespace", () => {
    expect(allowsAllNamespaces(cluster(["a/b"], ["*"]))).toBe(true);
    expect(allowsAllNamespaces(cluster(["a/b"], ["team-*"]))).toBe(false);
  });

  it("names a sync target's cluster, or why it cannot be used", () => {
    const config = operator(
      lines(
        "clusters:",
        "  production: {inCluster: true, repositories: [acme/fleet]}",
        "  staging: {inCluster: true, repositories: [acme/*]}",
      ),
    );
    const found = clusterFor(config, "production", "acme/fleet");
    expect(found.ok && found.cluster.name).toBe("production");
    expect(clusterFor(config, "production", "acme/app")).toEqual({
      ok: false,
      reason: 'the operator does not allow acme/app to deploy to cluster "production"',
    });
    expect(clusterFor(config, "qa", "acme/fleet")).toEqual({
      ok: false,
      reason: `cluster "qa" is not one of the operator's clusters (production, staging)`,
    });
    expect(clusterFor(config, "toString", "acme/fleet").ok).toBe(false);
  });
});

describe("loading the operator configuration", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-config-"));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the file FERRY_CONFIG names", async () => {
    const file = join(dir, "ferry.config.yaml");
    await writeFile(
      file,
      lines("clusters:", "  prod:", "    kubeconfig: prod.kubeconfig", "    repositories: [a/*]"),
    );
    const config = await loadOperatorConfig({ FERRY_CONFIG: file, KUBERNETES_SERVICE_HOST: "10.0.0.1" });
    expect(config.mode).toBe("file");
    expect(config.file).toBe(file);
    expect(Object.keys(config.clusters)).toEqual(["prod"]);
    expect(config.clusters.prod.kubeconfig).toBe(join(dir, "prod.kubeconfig"));
  });

  it("refuses an invalid file, naming file, line and key", async () => {
    const file = join(dir, "invalid.yaml");
    await writeFile(
      file,
      lines("clusters:", "  prod:", "    kubeconfig: k", "    inCluster: true", "    repositories: [a/b]"),
    );
    const error = await loadOperatorConfig({ FERRY_CONFIG: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => [p.key, p.line])).toEqual([
      ["clusters.prod.inCluster", 4],
    ]);
    expect((error as ConfigError).message).toContain(
      `${file}:4: clusters.prod.inCluster is set together with`,
    );
  });

  it("says so when the file cannot be read", async () => {
    const file = join(dir, "missing.yaml");
    await expect(loadOperatorConfig({ FERRY_CONFIG: file })).rejects.toThrow(
      `${file}: the file FERRY_CONFIG names cannot be read (ENOENT)`,
    );
  });

  describe("single-tenant mode (no FERRY_CONFIG)", () => {
    let home: string;
    let emptyHome: string;

    beforeAll(async () => {
      home = join(dir, "home");
      emptyHome = join(dir, "empty-home");
      await mkdir(join(home, ".kube"), { recursive: true });
      await mkdir(emptyHome);
      await writeFile(join(home, ".kube", "config"), "apiVersion: v1\nkind: Config\n");
    });

    const reach = (c: ClusterConfig) => ({ kubeconfig: c.kubeconfig, inCluster: c.inCluster });

    it("one cluster named default, open to every repository and namespace", async () => {
      const config = await loadOperatorConfig({ HOME: home });
      expect(config).toEqual({
        mode: "single-tenant",
        clusters: {
          default: {
            name: "default",
            kubeconfig: join(home, ".kube", "config"),
            inCluster: false,
            repositories: ["*/*"],
            namespaces: ["*"],
          },
        },
        sops: { ageKeyFiles: [], pgpKeyFiles: [] },
        registries: {},
        allowRemoteBases: false,
        tarballSizeLimit: 200_000_000,
      });
      const cluster = config.clusters.default;
      expect(clusterAllows(cluster, "anyone/anything")).toBe(true);
      expect(namespaceAllowed(cluster, "kube-system")).toBe(true);
      expect(clusterFor(config, "production", "acme/fleet")).toEqual({
        ok: false,
        reason:
          'cluster "production" is unknown: Ferry runs without an operator file (single-tenant mode), so the only cluster is "default"',
      });
    });

    // [how, environment, with ~/.kube/config present, expected]
    const ways: [string, Record<string, string>, boolean, (home: string) => object][] = [
      [
        "the first file in KUBECONFIG, before anything else",
        { KUBECONFIG: "/k/one.yaml:/k/two.yaml", KUBERNETES_SERVICE_HOST: "10.0.0.1" },
        true,
        () => ({ kubeconfig: "/k/one.yaml", inCluster: false }),
      ],
      [
        "the first non-empty KUBECONFIG entry",
        { KUBECONFIG: ":/k/two.yaml" },
        false,
        () => ({ kubeconfig: "/k/two.yaml", inCluster: false }),
      ],
      [
        "~/.kube/config when it exists, even in a pod",
        { KUBERNETES_SERVICE_HOST: "10.0.0.1" },
        true,
        (h) => ({ kubeconfig: join(h, ".kube", "config"), inCluster: false }),
      ],
      [
        "the in-cluster service account in a pod without a kubeconfig",
        { KUBERNETES_SERVICE_HOST: "10.0.0.1" },
        false,
        () => ({ kubeconfig: undefined, inCluster: true }),
      ],
      [
        "~/.kube/config outside a pod, even when missing",
        {},
        false,
        (h) => ({ kubeconfig: join(h, ".kube", "config"), inCluster: false }),
      ],
    ];

    it.each(ways)("reaches the cluster with %s", async (_how, env, withKubeconfig, expected) => {
      const useHome = withKubeconfig ? home : emptyHome;
      const config = await loadOperatorConfig({ ...env, HOME: useHome, FERRY_CONFIG: "" });
      expect(config.mode).toBe("single-tenant");
      expect(reach(config.clusters.default)).toEqual(expected(useHome));
    });

    it("singleTenantConfig is what loadOperatorConfig gives without the file", async () => {
      const env = { HOME: emptyHome, KUBERNETES_SERVICE_HOST: "10.0.0.1" };
      expect(await loadOperatorConfig(env)).toEqual(await singleTenantConfig(env));
    });
  });
});

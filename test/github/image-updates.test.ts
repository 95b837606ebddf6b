/**
 * Image update pull requests, end to end through the app: a `registry_package` event for an image a
 * repository's ImagePolicy follows opens a pull request with the rewritten file (Git data API, never a
 * push to the base branch); a newer tag updates the same pull request; the same event again does
 * nothing, an older tag changes nothing; once the base branch has the tag the pull request is closed. Tags are listed from a
 * registry over real HTTP behind a token challenge; a registry that refuses falls back to the tags
 * the events announced, and the pull request says so.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import type { Probot } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { parseRepositoryConfig } from "../../src/github/config/repository.js";
import type { ImageUpdateService } from "../../src/github/image-updates.js";
import type { GitHub } from "../../src/github/sync.js";
import { RegistryClient, type TagLister } from "../../src/images/registry/index.js";
import { type FakeRegistry, startFakeRegistry } from "../support/fake-registry.js";
import { fixtures } from "../support/fleet.js";
import {
  deliver,
  ferryApp,
  type GitHubMock,
  INSTALLATION,
  installationToken,
  mockGitHub,
  OWNER,
  operatorConfig,
  REPO,
  repositoryConfig,
  restoreNetwork,
  sha,
  tarballDownload,
  tarballOf,
} from "../support/github.js";

const BASE = sha("1");
const BASE_WITH_TAG = sha("2");
const IMAGE = "ghcr.io/acme/web";
const BRANCH = "ferry/images/web-updates";
const REPO_PATH = `/repos/${OWNER}/${REPO}`;
const digest = (n: string) => `sha256:${n.repeat(64)}`;

/** GitHub's `registry_package` delivery for a tag of ghcr.io/acme/web, linked to Codertocat/Hello-World. */
function published(tag: string, image = "web"): Record<string, unknown> {
  return {
    action: "published",
    registry_package: {
      name: image,
      namespace: "acme",
      package_type: "CONTAINER",
      package_version: {
        version: digest("a"),
        package_url: `ghcr.io/acme/${image}:${tag}`,
        container_metadata: { tag: { name: tag, digest: digest(tag.replaceAll(".", "").slice(-1)) } },
      },
    },
    repository: { name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } },
    sender: { login: OWNER },
    installation: { id: INSTALLATION },
  };
}

describe("image update pull requests", () => {
  let dir: string;
  let registry: FakeRegistry;
  let app: { probot: Probot; images: ImageUpdateService };
  let config: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-images-"));
    // ghcr.io/acme/web is served by a local registry (Bearer token challenge, three tags a page);
    // it has not listed 1.5.0 and 1.6.0 yet (registries lag behind their events); acme/private refuses.
    registry = await startFakeRegistry({
      auth: "bearer",
      repositories: { "acme/web": ["1.3.0", "1.4.0", "1.4.1", "2.0.0", "1.4.2-rc.1", "latest", "1.4.2"] },
      refused: ["acme/private"],
      login: { username: "ferry", password: "never-used" },
    });
    const client = new RegistryClient({ insecureRegistries: [registry.host] });
    const local: TagLister = {
      listTags: (image) =>
        client.listTags(String(image).replace(/^(ghcr\.io|registry\.example\.com)\//, `${registry.host}/`)),
    };
    await writeFile(join(dir, "kubeconfig"), "apiVersion: v1\nkind: Config\n");
    app = await ferryApp({
      operator: operatorConfig(
        `clusters:\n  production:\n    kubeconfig: ${join(dir, "kubeconfig")}\n    repositories: ["${OWNER}/*"]\n`,
      ),
      cacheDir: join(dir, "cache"),
      registry: local,
    });
    config = await repositoryConfig("images-repo");
  });
  afterEach(() => restoreNetwork());
  afterAll(async () => {
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The calls every update starts with: the config, the default branch, its head and tarball. */
  async function baseCalls(github: GitHubMock, head: string, archive: Buffer) {
    github.api
      .get(`${REPO_PATH}/contents/.github%2Fferry.yml`)
      .reply(200, config)
      .get(REPO_PATH)
      .reply(200, { name: REPO, default_branch: "master" })
      .get(`${REPO_PATH}/branches/master`)
      .reply(200, { name: "master", commit: { sha: head, commit: { tree: { sha: "tree-0" } } } });
    tarballDownload(github, head, archive);
  }

  /** The new tree, and Ferry's branch as it stands: at commit `head`, holding `headTree`. */
  function branchCalls(github: GitHubMock, branch: { tree: string; head: string; headTree: string }) {
    github.api
      .post(`${REPO_PATH}/git/trees`)
      .reply(201, { sha: branch.tree })
      .get(/\/git\/ref\/heads(%2F|\/)ferry/)
      .reply(200, { object: { sha: branch.head } })
      .get(`${REPO_PATH}/git/commits/${branch.head}`)
      .reply(200, { sha: branch.head, tree: { sha: branch.headTree } });
  }

  /** The calls that open pull request `pull`: tree, commit, a new branch, the pull request, labels, check run. */
  function openingCalls(github: GitHubMock, made: { tree: string; commit: string; pull: number }) {
    github.api
      .post(`${REPO_PATH}/git/trees`)
      .reply(201, { sha: made.tree })
      .get(/\/git\/ref\/heads(%2F|\/)ferry/)
      .reply(404, { message: "Not Found" })
      .post(`${REPO_PATH}/git/commits`)
      .reply(201, { sha: made.commit, tree: { sha: made.tree } })
      .post(`${REPO_PATH}/git/refs`)
      .reply(201, { ref: `refs/heads/${BRANCH}` })
      .get(`${REPO_PATH}/pulls`)
      .query({ head: `${OWNER}:${BRANCH}`, state: "open", per_page: 1 })
      .reply(200, [])
      .post(`${REPO_PATH}/pulls`)
      .reply(201, {
        number: made.pull,
        html_url: `https://github.com/pull/${made.pull}`,
        head: { sha: made.commit },
        title: "",
        body: "",
      })
      .post(`${REPO_PATH}/issues/${made.pull}/labels`)
      .reply(200, [])
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: made.pull * 10 });
  }

  const fixture = join(fixtures, "github", "images-repo");
  const pending = () => expect(nock.pendingMocks()).toEqual([]);

  it("opens a pull request with the rewritten file when a newer tag is published", async () => {
    const github = mockGitHub();
    installationToken(github.api);
    await baseCalls(github, BASE, await tarballOf(fixture, BASE));
    openingCalls(github, { tree: "tree-1", commit: "c".repeat(40), pull: 7 });

    await deliver(app.probot, "package-150", "registry_package", published("1.5.0"));
    await app.images.idle();

    pending();
    expect(github.unmatched).toEqual([]);
    const call = (method: string, path: string) =>
      github.calls.find((c) => c.method === method && c.path === `${REPO_PATH}${path}`)?.body;
    const tree = call("POST", "/git/trees");
    expect(tree.base_tree).toBe("tree-0");
    expect(tree.tree).toHaveLength(1);
    expect(tree.tree[0]).toMatchObject({
      path: "clusters/production/app.yaml",
      mode: "100644",
      type: "blob",
    });
    const before = await readFile(join(fixture, "clusters/production/app.yaml"), "utf8");
    // Only the marked value changed, comment and all else byte for byte.
    expect(tree.tree[0].content).toBe(before.replace("ghcr.io/acme/web:1.4.1 #", "ghcr.io/acme/web:1.5.0 #"));
    const commit = call("POST", "/git/commits");
    expect(commit).toEqual({
      message: "Update web images\n- ghcr.io/acme/web:1.4.1 -> ghcr.io/acme/web:1.5.0",
      tree: "tree-1",
      parents: [BASE],
    });
    expect(call("POST", "/git/refs")).toEqual({ ref: `refs/heads/${BRANCH}`, sha: "c".repeat(40) });
    const pull = call("POST", "/pulls");
    expect(pull).toMatchObject({ title: `Update ${IMAGE} to 1.5.0`, head: BRANCH, base: "master" });
    expect(pull.body).toContain(
      `| [${IMAGE}](https://${IMAGE}) | \`flux-system/web\` | \`1.4.1\` | \`1.5.0\` |`,
    );
    expect(call("POST", "/issues/7/labels")).toEqual({ labels: ["dependencies"] });
    expect(call("POST", "/check-runs")).toMatchObject({
      name: "Ferry / image update",
      head_sha: "c".repeat(40),
      conclusion: "success",
      output: { title: `Update ${IMAGE} to 1.5.0` },
    });
    // No branch of the repository but Ferry's own was written.
    expect(
      github.calls.filter((c) => c.method !== "GET" && c.path.includes("/git/refs/heads/master")),
    ).toEqual([]);
    // Tags were listed across the registry's three pages, after its token challenge (a 401 first).
    expect(registry.count("token")).toBe(1);
    expect(registry.count("tags")).toBe(4);
  });

  let lastBody = "";

  it("updates the same pull request for a newer tag", async () => {
    const github = mockGitHub();
    await baseCalls(github, BASE, await tarballOf(fixture, BASE));
    branchCalls(github, { tree: "tree-2", head: "c".repeat(40), headTree: "tree-1" });
    github.api
      .post(`${REPO_PATH}/git/commits`)
      .reply(201, { sha: "d".repeat(40), tree: { sha: "tree-2" } })
      .patch(/\/git\/refs\/heads(%2F|\/)ferry/)
      .reply(200, {})
      .get(`${REPO_PATH}/pulls`)
      .query({ head: `${OWNER}:${BRANCH}`, state: "open", per_page: 1 })
      .reply(200, [
        {
          number: 7,
          html_url: "https://github.com/pull/7",
          head: { sha: "c".repeat(40) },
          title: `Update ${IMAGE} to 1.5.0`,
          body: "old",
        },
      ])
      .patch(`${REPO_PATH}/pulls/7`)
      .reply(200, {})
      .post(`${REPO_PATH}/check-runs`)
      .reply(201, { id: 71 });

    await deliver(app.probot, "package-160", "registry_package", published("1.6.0"));
    await app.images.idle();

    pending();
    expect(github.unmatched).toEqual([]);
    const ref = github.calls.find((c) => c.method === "PATCH" && c.path.includes("/git/refs/"));
    expect(ref?.body).toEqual({ sha: "d".repeat(40), force: true });
    const edit = github.calls.find((c) => c.method === "PATCH" && c.path.endsWith("/pulls/7"));
    expect(edit?.body.title).toBe(`Update ${IMAGE} to 1.6.0`);
    expect(edit?.body.body).toContain("`1.4.1` | `1.6.0`");
    lastBody = edit?.body.body;
    expect(github.calls.some((c) => c.method === "POST" && c.path.endsWith("/pulls"))).toBe(false);
    // Listed once per the ImageRepository's interval (5m): the event's tag came from the event.
    expect(registry.count("tags")).toBe(4);
  });

  it("the same event again does nothing at all", async () => {
    const github = mockGitHub();
    await deliver(app.probot, "package-160-redelivered", "registry_package", published("1.6.0"));
    await app.images.idle();
    expect(github.calls).toEqual([]);
    expect(github.unmatched).toEqual([]);
  });

  it("an older tag published leaves the pull request as it is: its branch holds the same tree", async () => {
    const github = mockGitHub();
    await baseCalls(github, BASE, await tarballOf(fixture, BASE));
    branchCalls(github, { tree: "tree-2", head: "d".repeat(40), headTree: "tree-2" });
    github.api
      .get(`${REPO_PATH}/pulls`)
      .query({ head: `${OWNER}:${BRANCH}`, state: "open", per_page: 1 })
      .reply(200, [
        {
          number: 7,
          html_url: "https://github.com/pull/7",
          head: { sha: "d".repeat(40) },
          title: `Update ${IMAGE} to 1.6.0`,
          body: lastBody,
        },
      ]);

    await deliver(app.probot, "package-151", "registry_package", published("1.5.1"));
    await app.images.idle();

    pending();
    expect(github.unmatched).toEqual([]);
    expect(github.calls.filter((c) => c.method !== "GET" && !c.path.endsWith("/git/trees"))).toEqual([]);
  });

  it("closes the pull request once the base branch has the tag", async () => {
    const current = join(dir, "current");
    await cp(fixture, current, { recursive: true });
    const file = join(current, "clusters/production/app.yaml");
    await writeFile(file, (await readFile(file, "utf8")).replace("web:1.4.1", "web:1.6.0"));
    const github = mockGitHub();
    await baseCalls(github, BASE_WITH_TAG, await tarballOf(current, BASE_WITH_TAG));
    github.api
      .get(`${REPO_PATH}/pulls`)
      .query({ head: `${OWNER}:${BRANCH}`, state: "open", per_page: 1 })
      .reply(200, [
        {
          number: 7,
          html_url: "https://github.com/pull/7",
          head: { sha: "d".repeat(40) },
          title: "",
          body: "",
        },
      ])
      .post(`${REPO_PATH}/issues/7/comments`)
      .reply(201, {})
      .patch(`${REPO_PATH}/pulls/7`)
      .reply(200, {})
      .delete(/\/git\/refs\/heads(%2F|\/)ferry/)
      .reply(204);

    await deliver(app.probot, "package-152", "registry_package", published("1.5.2"));
    await app.images.idle();

    pending();
    expect(github.unmatched).toEqual([]);
    const close = github.calls.find((c) => c.method === "PATCH" && c.path.endsWith("/pulls/7"));
    expect(close?.body).toEqual({ state: "closed" });
    const comment = github.calls.find((c) => c.path.endsWith("/issues/7/comments"));
    expect(comment?.body.body).toContain("master already has these image versions (ghcr.io/acme/web:1.6.0)");
    expect(github.calls.some((c) => c.path.endsWith("/git/trees"))).toBe(false);
  });

  it("does not open again a pull request someone closed for the same change", async () => {
    const github = mockGitHub();
    await baseCalls(github, BASE, await tarballOf(fixture, BASE));
    const declined = "f".repeat(40);
    branchCalls(github, { tree: "tree-9", head: declined, headTree: "tree-9" });
    github.api
      .get(`${REPO_PATH}/pulls`)
      .query({ head: `${OWNER}:${BRANCH}`, state: "open", per_page: 1 })
      .reply(200, [])
      .get(`${REPO_PATH}/pulls`)
      .query({ head: `${OWNER}:${BRANCH}`, state: "closed", per_page: 10 })
      .reply(200, [
        {
          number: 9,
          html_url: "https://github.com/pull/9",
          head: { sha: declined },
          title: "",
          body: "",
          merged_at: null,
        },
      ]);

    await deliver(app.probot, "package-161", "registry_package", published("1.6.1"));
    await app.images.idle();

    pending();
    expect(github.unmatched).toEqual([]);
    expect(github.calls.filter((c) => c.method !== "GET" && !c.path.endsWith("/git/trees"))).toEqual([]);
  });

  it("falls back to the event's tag when the registry refuses to list, and says so", async () => {
    const refused = join(dir, "refused");
    await cp(fixture, refused, { recursive: true });
    for (const name of ["app.yaml", "images.yaml"]) {
      const file = join(refused, "clusters/production", name);
      await writeFile(file, (await readFile(file, "utf8")).replaceAll("acme/web", "acme/private"));
    }
    const github = mockGitHub();
    await baseCalls(github, BASE, await tarballOf(refused, BASE));
    openingCalls(github, { tree: "tree-3", commit: "e".repeat(40), pull: 8 });

    await deliver(app.probot, "package-private", "registry_package", published("1.5.0", "private"));
    await app.images.idle();

    pending();
    expect(github.unmatched).toEqual([]);
    const pull = github.calls.find((c) => c.method === "POST" && c.path.endsWith("/pulls"))?.body;
    expect(pull.title).toBe("Update ghcr.io/acme/private to 1.5.0");
    expect(pull.body).toContain("refused (HTTP 403");
    expect(pull.body).toContain("used the tags registry events announced (1.5.0)");
  });

  it("looks again at the ImageRepository's interval when its registry sends no events", async () => {
    const quiet = join(dir, "quiet-registry");
    await cp(fixture, quiet, { recursive: true });
    for (const name of ["app.yaml", "images.yaml"]) {
      const file = join(quiet, "clusters/production", name);
      const text = (await readFile(file, "utf8")).replaceAll(
        "ghcr.io/acme/web",
        "registry.example.com/acme/web",
      );
      // Already at the newest tag: nothing to propose.
      await writeFile(file, text.replace("web:1.4.1", "web:1.4.2"));
    }
    const github = mockGitHub();
    github.api
      .post(`/app/installations/${INSTALLATION}/access_tokens`)
      .optionally()
      .reply(201, { token: "test-token", permissions: {} })
      .get(`${REPO_PATH}/branches/master`)
      .reply(200, { name: "master", commit: { sha: BASE, commit: { tree: { sha: "tree-0" } } } })
      .get(`${REPO_PATH}/pulls`)
      .query({ head: `${OWNER}:${BRANCH}`, state: "open", per_page: 1 })
      .reply(200, []);
    tarballDownload(github, BASE, await tarballOf(quiet, BASE));
    const parsed = parseRepositoryConfig(config);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const octokit = (await app.probot.auth(INSTALLATION)) as unknown as GitHub;

    const result = await app.images.update(octokit, { owner: OWNER, repo: REPO }, parsed.config, "master");

    pending();
    expect(result.groups).toEqual([{ branch: BRANCH, action: "nothing" }]);
    // registry.example.com sends no events: its ImageRepository's interval (5m) says when to look again.
    expect(result.rescanMs).toBe(300_000);
  });

  it("reschedules a repository's rescan rather than adding timers", async () => {
    vi.useFakeTimers();
    try {
      const runs: string[] = [];
      app.images.rescan({ owner: OWNER, repo: REPO }, 60_000, () => runs.push("first"));
      app.images.rescan({ owner: OWNER, repo: REPO }, 120_000, () => runs.push("second"));
      await vi.advanceTimersByTimeAsync(60_000);
      expect(runs).toEqual([]);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(runs).toEqual(["second"]);
      app.images.rescan({ owner: OWNER, repo: REPO }, 60_000, () => runs.push("third"));
      app.images.stop();
      await vi.advanceTimersByTimeAsync(120_000);
      expect(runs).toEqual(["second"]);
    } finally {
      vi.useRealTimers();
    }
  });
});

/**
 * GitHub's side of the app benchmarks as a local node:http server, answering at once: installation
 * tokens, `.github/ferry.yml` as raw text, check runs (created and updated), the tarball endpoint's
 * 302 to a codeload-like path on the same server, and commit comments; for image update pull requests,
 * the repository and its branches, the Git data API (trees, commits, refs) and pull requests with
 * labels, kept as state per repository so a second update finds the first one's branch and pull
 * request. Any other route is logged loudly and recorded, so the benchmark can fail on a call it did
 * not expect.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A repository as the fake serves it: its `.github/ferry.yml`, and its tarball at a commit. */
export interface FakeRepository {
  config: string;
  tarball(sha: string): Promise<Buffer>;
  /** The default branch; default `master`, as in the example payloads. */
  defaultBranch?: string;
  /** The default branch's head commit (the benchmark moves it); without it the branch is unknown. */
  head?: string;
}

/** A request a route answered, as `record()` keeps it. */
export interface Received {
  /** The route, `POST /repos/:owner/:repo/pulls`. */
  route: string;
  params: string[];
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are checked field by field
  body: Record<string, any>;
  status: number;
  /** `performance.now()` when the request's body had arrived. */
  at: number;
}

export interface Recording {
  requests: Received[];
  stop(): void;
}

/** A check run's completing PATCH, as received. */
export interface Completion {
  id: number;
  sha: string;
  conclusion: string;
  output: { title: string; summary: string; text?: string };
  /** `performance.now()` when the PATCH's body had arrived. */
  at: number;
}

export interface FakeGitHub {
  url: string;
  /** Requests answered, by route (`POST /repos/:owner/:repo/check-runs`, …). */
  counts: Map<string, number>;
  /** Check runs completed, by conclusion. */
  conclusions: Map<string, number>;
  /** `METHOD path` of every request no route matched. */
  unknown: string[];
  /** Resolves with the first completion of a check run on `sha` from now on. */
  completion(sha: string): Promise<Completion>;
  /** Keeps every answered request from now until `stop()`. */
  record(): Recording;
  /** Deletes a branch of `owner/repo` as GitHub does: its open pull requests are closed. */
  deleteBranch(fullName: string, branch: string): void;
  close(): Promise<void>;
}

/** A repository's Git data and pull requests, as Ferry made them. */
interface GitState {
  commits: Map<string, { tree: string; parents: string[]; message: string }>;
  /** `heads/<branch>` → commit. */
  refs: Map<string, string>;
  pulls: PullRequest[];
  lastNumber: number;
}

interface PullRequest {
  number: number;
  state: "open" | "closed";
  title: string;
  body: string;
  head: string;
  base: string;
  /** The head commit, as of the last time the branch was there. */
  sha: string;
  labels: string[];
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function startFakeGitHub(repositories: Map<string, FakeRepository>): Promise<FakeGitHub> {
  const counts = new Map<string, number>();
  const unknown: string[] = [];
  const conclusions = new Map<string, number>();
  const checkRuns = new Map<number, string>();
  const waiting = new Map<string, (completion: Completion) => void>();
  const recordings = new Set<Received[]>();
  const states = new Map<string, GitState>();
  let nextId = 1;
  let url = "";

  const repository = (owner: string, repo: string) => repositories.get(`${owner}/${repo}`);
  const notFound: Answer = { status: 404, body: { message: "Not Found" } };
  const invalid = (message: string): Answer => ({ status: 422, body: { message } });

  function git(owner: string, repo: string): GitState {
    const key = `${owner}/${repo}`;
    let state = states.get(key);
    if (!state) {
      state = { commits: new Map(), refs: new Map(), pulls: [], lastNumber: 0 };
      states.set(key, state);
    }
    return state;
  }

  /** A branch's head: the default one's from the repository, others from the refs Ferry made. */
  function branchHead(owner: string, repo: string, branch: string): string | undefined {
    const found = repository(owner, repo);
    if (found && branch === (found.defaultBranch ?? "master")) return found.head;
    return git(owner, repo).refs.get(`heads/${branch}`);
  }

  /** A commit Ferry made, or the default branch's head (its tree named after it). */
  function commitOf(owner: string, repo: string, sha: string) {
    const made = git(owner, repo).commits.get(sha);
    if (made) return made;
    if (sha !== repository(owner, repo)?.head) return undefined;
    return { tree: hash("tree", sha), parents: [], message: "" };
  }

  function pullRequest(owner: string, repo: string, pull: PullRequest) {
    pull.sha = git(owner, repo).refs.get(`heads/${pull.head}`) ?? pull.sha;
    return {
      number: pull.number,
      html_url: `https://github.com/${owner}/${repo}/pull/${pull.number}`,
      state: pull.state,
      title: pull.title,
      body: pull.body,
      head: { ref: pull.head, sha: pull.sha, label: `${owner}:${pull.head}` },
      base: { ref: pull.base },
      labels: pull.labels.map((name) => ({ name })),
      merged_at: null,
    };
  }

  type Route = (params: string[], body: Record<string, unknown>, query: URLSearchParams) => Promise<Answer>;
  // Each route: `METHOD /path/:param`, and its answer from the path's parameters, the JSON body and the query.
  const routes: [string, Route][] = [
    [
      "POST /app/installations/:id/access_tokens",
      async () => ({
        status: 201,
        body: {
          token: "bench-token",
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          permissions: { checks: "write", contents: "read" },
          repository_selection: "all",
        },
      }),
    ],
    [
      "GET /repos/:owner/:repo/contents/:path",
      async ([owner, repo, path]) => {
        const found = repository(owner, repo);
        if (!found || path !== ".github/ferry.yml") return notFound;
        return { status: 200, body: found.config, headers: { "content-type": "text/plain; charset=utf-8" } };
      },
    ],
    [
      "POST /repos/:owner/:repo/check-runs",
      async ([owner, repo], body) => {
        const id = nextId++;
        const sha = String(body.head_sha);
        checkRuns.set(id, sha);
        if (body.status === "completed") settle(id, body);
        return { status: 201, body: checkRun(owner, repo, id, sha) };
      },
    ],
    [
      "PATCH /repos/:owner/:repo/check-runs/:id",
      async ([owner, repo, id], body) => {
        const sha = checkRuns.get(Number(id));
        if (sha === undefined) return notFound;
        if (body.status === "completed") settle(Number(id), body);
        return { status: 200, body: checkRun(owner, repo, Number(id), sha) };
      },
    ],
    [
      "GET /repos/:owner/:repo/tarball/:sha",
      async ([owner, repo, sha]) =>
        repository(owner, repo)
          ? { status: 302, headers: { location: `${url}/codeload/${owner}/${repo}/legacy.tar.gz/${sha}` } }
          : notFound,
    ],
    [
      "GET /codeload/:owner/:repo/legacy.tar.gz/:sha",
      async ([owner, repo, sha]) => {
        const found = repository(owner, repo);
        if (!found) return notFound;
        return {
          status: 200,
          body: await found.tarball(sha),
          headers: { "content-type": "application/x-gzip" },
        };
      },
    ],
    ["GET /repos/:owner/:repo/commits/:sha/comments", async () => ({ status: 200, body: [] })],
    [
      "POST /repos/:owner/:repo/commits/:sha/comments",
      async () => ({ status: 201, body: { id: nextId++, body: "" } }),
    ],
    [
      "PATCH /repos/:owner/:repo/comments/:id",
      async ([, , id]) => ({ status: 200, body: { id: Number(id), body: "" } }),
    ],
    [
      "GET /repos/:owner/:repo",
      async ([owner, repo]) => {
        const found = repository(owner, repo);
        if (!found) return notFound;
        const body = {
          name: repo,
          full_name: `${owner}/${repo}`,
          default_branch: found.defaultBranch ?? "master",
        };
        return { status: 200, body };
      },
    ],
    [
      "GET /repos/:owner/:repo/branches/:branch",
      async ([owner, repo, branch]) => {
        const sha = branchHead(owner, repo, branch);
        const tree = sha ? commitOf(owner, repo, sha)?.tree : undefined;
        return sha
          ? { status: 200, body: { name: branch, commit: { sha, commit: { tree: { sha: tree } } } } }
          : notFound;
      },
    ],
    [
      "GET /repos/:owner/:repo/git/commits/:sha",
      async ([owner, repo, sha]) => {
        const commit = commitOf(owner, repo, sha);
        if (!commit) return notFound;
        const parents = commit.parents.map((parent) => ({ sha: parent }));
        return { status: 200, body: { sha, tree: { sha: commit.tree }, parents, message: commit.message } };
      },
    ],
    [
      "POST /repos/:owner/:repo/git/trees",
      async (_, body) => {
        // Named after its content, as Git does: the same change twice is the same tree.
        const entries = (body.tree ?? []) as { path: string; mode: string; type: string; content: string }[];
        const tree = entries.map(({ path, mode, type, content }) => ({
          path,
          mode,
          type,
          sha: hash(content),
        }));
        return { status: 201, body: { sha: hash("tree", JSON.stringify(body)), tree } };
      },
    ],
    [
      "POST /repos/:owner/:repo/git/commits",
      async ([owner, repo], body) => {
        const commit = {
          tree: String(body.tree),
          parents: (body.parents ?? []) as string[],
          message: String(body.message),
        };
        // A new commit each time, as a commit's time makes it in Git.
        const sha = hash("commit", JSON.stringify(body), String(nextId++));
        git(owner, repo).commits.set(sha, commit);
        const parents = commit.parents.map((parent) => ({ sha: parent }));
        return { status: 201, body: { sha, tree: { sha: commit.tree }, parents, message: commit.message } };
      },
    ],
    [
      "GET /repos/:owner/:repo/git/ref/:ref",
      async ([owner, repo, ref]) => {
        const sha = git(owner, repo).refs.get(ref);
        return sha
          ? { status: 200, body: { ref: `refs/${ref}`, object: { sha, type: "commit" } } }
          : notFound;
      },
    ],
    [
      "POST /repos/:owner/:repo/git/refs",
      async ([owner, repo], body) => {
        const { refs } = git(owner, repo);
        const ref = String(body.ref).replace(/^refs\//, "");
        const sha = String(body.sha);
        if (refs.has(ref)) return invalid("Reference already exists");
        if (!commitOf(owner, repo, sha)) return invalid("Object does not exist");
        refs.set(ref, sha);
        return { status: 201, body: { ref: `refs/${ref}`, object: { sha, type: "commit" } } };
      },
    ],
    [
      "PATCH /repos/:owner/:repo/git/refs/:ref",
      async ([owner, repo, ref], body) => {
        const { refs } = git(owner, repo);
        const sha = String(body.sha);
        if (!refs.has(ref)) return invalid("Reference does not exist");
        if (!commitOf(owner, repo, sha)) return invalid("Object does not exist");
        refs.set(ref, sha);
        return { status: 200, body: { ref: `refs/${ref}`, object: { sha, type: "commit" } } };
      },
    ],
    [
      "GET /repos/:owner/:repo/pulls",
      async ([owner, repo], _, query) => {
        const head = query.get("head");
        const state = query.get("state") ?? "open";
        const found = git(owner, repo).pulls.filter(
          (p) => (head === null || head === `${owner}:${p.head}`) && (state === "all" || state === p.state),
        );
        const page = found.slice(0, Number(query.get("per_page") ?? 30));
        return { status: 200, body: page.map((p) => pullRequest(owner, repo, p)) };
      },
    ],
    [
      "POST /repos/:owner/:repo/pulls",
      async ([owner, repo], body) => {
        const state = git(owner, repo);
        const head = String(body.head);
        const sha = state.refs.get(`heads/${head}`);
        if (!sha) return invalid(`head: no branch ${head}`);
        if (state.pulls.some((p) => p.state === "open" && p.head === head)) {
          return invalid(`A pull request already exists for ${owner}:${head}.`);
        }
        const pull: PullRequest = {
          number: ++state.lastNumber,
          state: "open",
          title: String(body.title),
          body: String(body.body ?? ""),
          head,
          base: String(body.base),
          sha,
          labels: [],
        };
        state.pulls.push(pull);
        return { status: 201, body: pullRequest(owner, repo, pull) };
      },
    ],
    [
      "PATCH /repos/:owner/:repo/pulls/:number",
      async ([owner, repo, number], body) => {
        const pull = git(owner, repo).pulls.find((p) => p.number === Number(number));
        if (!pull) return notFound;
        if (typeof body.title === "string") pull.title = body.title;
        if (typeof body.body === "string") pull.body = body.body;
        if (body.state === "open" || body.state === "closed") pull.state = body.state;
        return { status: 200, body: pullRequest(owner, repo, pull) };
      },
    ],
    [
      "POST /repos/:owner/:repo/issues/:number/labels",
      async ([owner, repo, number], body) => {
        const pull = git(owner, repo).pulls.find((p) => p.number === Number(number));
        if (!pull) return notFound;
        pull.labels = [...new Set([...pull.labels, ...((body.labels ?? []) as string[])])];
        return { status: 200, body: pull.labels.map((name) => ({ name })) };
      },
    ],
  ];
  const compiled = routes.map(([name, answer]) => {
    const [method, path] = name.split(" ");
    const pattern = new RegExp(`^${path.replaceAll(".", "\\.").replace(/:\w+/g, "([^/]+)")}$`);
    return { name, method, pattern, answer };
  });

  function checkRun(owner: string, repo: string, id: number, sha: string) {
    return { id, head_sha: sha, html_url: `https://github.com/${owner}/${repo}/runs/${id}` };
  }

  function settle(id: number, body: Record<string, unknown>): void {
    const at = performance.now();
    const conclusion = String(body.conclusion);
    conclusions.set(conclusion, (conclusions.get(conclusion) ?? 0) + 1);
    const sha = checkRuns.get(id) ?? "";
    const resolve = waiting.get(sha);
    if (!resolve) return;
    waiting.delete(sha);
    resolve({
      id,
      sha,
      conclusion,
      output: body.output as Completion["output"],
      at,
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const at = performance.now();
    const text = Buffer.concat(chunks).toString();
    const { pathname: path, searchParams } = new URL(req.url ?? "/", "http://fake");
    for (const { name, method, pattern, answer } of compiled) {
      const match = method === req.method ? pattern.exec(path) : null;
      if (!match) continue;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      const params = match.slice(1).map(decodeURIComponent);
      const body = text ? JSON.parse(text) : {};
      const answered = await answer(params, body, searchParams);
      for (const requests of recordings) {
        requests.push({ route: name, params, body, status: answered.status, at });
      }
      return send(res, answered);
    }
    unknown.push(`${req.method} ${path}`);
    console.error(`fake GitHub: no route for ${req.method} ${path}`);
    send(res, notFound);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error("fake GitHub: failed to answer", error);
      send(res, { status: 500, body: { message: String(error) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    counts,
    conclusions,
    unknown,
    completion: (sha) => new Promise((resolve) => waiting.set(sha, resolve)),
    record: () => {
      const requests: Received[] = [];
      recordings.add(requests);
      return { requests, stop: () => recordings.delete(requests) };
    },
    deleteBranch: (fullName, branch) => {
      const [owner = "", repo = ""] = fullName.split("/");
      const state = git(owner, repo);
      for (const pull of state.pulls) {
        if (pull.state !== "open" || pull.head !== branch) continue;
        pull.sha = state.refs.get(`heads/${branch}`) ?? pull.sha;
        pull.state = "closed";
      }
      state.refs.delete(`heads/${branch}`);
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function send(res: ServerResponse, { status, body, headers = {} }: Answer): void {
  const payload =
    body === undefined ? "" : Buffer.isBuffer(body) || typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    ...headers,
    "content-length": Buffer.byteLength(payload),
  });
  res.end(payload);
}

const hash = (...parts: string[]) => createHash("sha1").update(parts.join("\0")).digest("hex");

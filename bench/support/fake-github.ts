/**
 * GitHub's side of the app benchmarks as a local node:http server, answering at once: installation
 * tokens, `.github/ferry.yml` as raw text, check runs (created and updated), the tarball endpoint's
 * 302 to a codeload-like path on the same server, and commit comments. Any other route is logged
 * loudly and recorded, so the benchmark can fail on a call it did not expect.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A repository as the fake serves it: its `.github/ferry.yml`, and its tarball at a commit. */
export interface FakeRepository {
  config: string;
  tarball(sha: string): Promise<Buffer>;
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
  close(): Promise<void>;
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
  let nextId = 1;
  let url = "";

  const repository = (owner: string, repo: string) => repositories.get(`${owner}/${repo}`);
  const notFound: Answer = { status: 404, body: { message: "Not Found" } };

  // Each route: `METHOD /path/:param`, and its answer from the path's parameters and the JSON body.
  const routes: [string, (params: string[], body: Record<string, unknown>) => Promise<Answer>][] = [
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
    const text = Buffer.concat(chunks).toString();
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    for (const { name, method, pattern, answer } of compiled) {
      const match = method === req.method ? pattern.exec(path) : null;
      if (!match) continue;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return send(res, await answer(match.slice(1).map(decodeURIComponent), text ? JSON.parse(text) : {}));
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

/**
 * The GitHub side of the push tests: a Probot app loaded with Ferry (generated key, silent logs,
 * no retries), push payloads from `@octokit/webhooks-examples`, fixture repositories served as
 * GitHub's tarball endpoint does (302 to codeload, one gzipped top folder), and nock scopes that
 * record every request with its body so tests can assert what Ferry sent.
 */
import { generateKeyPairSync } from "node:crypto";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { create as createTar } from "tar";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type OperatorConfig, parseOperatorConfig } from "../../src/github/config/operator.js";
import type { ImageUpdateService } from "../../src/github/image-updates.js";
import type { SyncService } from "../../src/github/sync.js";
import type { TagLister } from "../../src/images/registry/index.js";
import { createFerryApp } from "../../src/index.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { fixtures } from "./fleet.js";

export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const API = "https://api.github.com";
export const CODELOAD = "https://codeload.github.com";
/** The installation of the example push payload. */
export const INSTALLATION = 1;

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

/** A sha made of one hex digit repeated, easy to tell apart in assertions: `sha("a")`. */
export const sha = (digit: string): string => digit.repeat(40);

/** GitHub's push to `refs/heads/master` of Codertocat/Hello-World (installation 1), at `after`. */
export function pushPayload(after: string): Record<string, unknown> {
  const definition = examples.find((d) => d.name === "push");
  const payload = ((definition?.examples ?? []) as Record<string, unknown>[]).find(
    (p) => p.ref === "refs/heads/master" && p.installation !== undefined,
  );
  if (!payload) throw new Error("@octokit/webhooks-examples has no push to a branch with an installation");
  return { ...structuredClone(payload), after };
}

/** A repository on GitHub: Codertocat/Hello-World, the example payloads' one, unless a test says. */
export interface Repo {
  owner: string;
  repo: string;
}

const HELLO_WORLD: Repo = { owner: OWNER, repo: REPO };

/**
 * `test/fixtures/github/<fixture>` as GitHub's tarball endpoint serves it at `commit`: one top
 * folder named `<owner>-<repo>-<sha7>`, gzipped.
 */
export async function tarball(fixture: string, commit: string, repository = HELLO_WORLD): Promise<Buffer> {
  return tarballOf(join(fixtures, "github", fixture), commit, repository);
}

/** The folder `source` as GitHub's tarball endpoint serves a repository at `commit`. */
export async function tarballOf(source: string, commit: string, repository = HELLO_WORLD): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), "ferry-tarball-"));
  try {
    const top = `${repository.owner}-${repository.repo}-${commit.slice(0, 7)}`;
    await cp(source, join(dir, top), { recursive: true });
    const file = join(dir, "repo.tar.gz");
    await createTar({ gzip: true, cwd: dir, file }, [top]);
    return await readFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The fixture's `.github/ferry.yml`, as the contents API answers Probot's `context.config`. */
export function repositoryConfig(fixture: string): Promise<string> {
  return readFile(join(fixtures, "github", fixture, ".github", "ferry.yml"), "utf8");
}

/** An operator file (FERRY_CONFIG) from its YAML text; throws on a problem. */
export function operatorConfig(text: string): OperatorConfig {
  const parsed = parseOperatorConfig(text, "ferry.config.yaml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}

/** A Probot with Ferry loaded: the app and its sync service (tests wait on `service.idle()`). */
export async function ferryApp(options: {
  operator: OperatorConfig;
  cacheDir: string;
  /** Receives every log record (JSON); default: logs are dropped. */
  logs?: Record<string, unknown>[];
  /** Run the start-up run on load (default: no, tests drive it themselves). */
  startup?: boolean;
  /** Lists registry tags instead of the OCI client (a registry served by the test). */
  registry?: TagLister;
}): Promise<{ probot: Probot; service: SyncService; images: ImageUpdateService }> {
  const { logs, ...settings } = options;
  const probot = new Probot({
    appId: 123,
    privateKey,
    ...(logs
      ? {
          logLevel: "info" as const,
          log: pino({ level: "info" }, { write: (line: string) => logs.push(JSON.parse(line)) }),
        }
      : { log: pino({ level: "silent" }) }),
    Octokit: ProbotOctokit.defaults((defaults: Record<string, unknown>) => ({
      ...defaults,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
  let service: SyncService | undefined;
  let images: ImageUpdateService | undefined;
  await probot.load(
    createFerryApp({
      startup: false,
      ...settings,
      onReady: (s, i) => {
        service = s;
        images = i;
      },
    }),
  );
  if (!service || !images) throw new Error("Ferry did not hand over its services");
  return { probot, service, images };
}

/** Delivers a webhook as GitHub would, with its delivery id. */
export async function deliver(
  probot: Probot,
  id: string,
  name: string,
  payload: Record<string, unknown>,
): Promise<void> {
  await probot.receive({ id, name, payload } as unknown as Parameters<Probot["receive"]>[0]);
}

/** A request nock answered, with its JSON body parsed (undefined without one). */
export interface GitHubCall {
  method: string;
  /** `api.github.com` or `codeload.github.com`. */
  host: string;
  path: string;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are asserted on field by field
  body: any;
}

/** GitHub as nock: the API and codeload scopes, what they answered, and what they could not. */
export interface GitHubMock {
  api: nock.Scope;
  codeload: nock.Scope;
  /** Every request an interceptor answered, in order. */
  calls: GitHubCall[];
  /** `METHOD https://host/path` of each request to GitHub no interceptor matched (nock refused it). */
  unmatched: string[];
}

let stopRecordingUnmatched: (() => void) | undefined;

/**
 * GitHub's API and codeload as nock scopes, network otherwise off (but for the test API server on
 * 127.0.0.1), with every request recorded in order: answered ones with their bodies, and the
 * unexpected ones nock refused (which Ferry may have swallowed into a check run).
 */
export function mockGitHub(): GitHubMock {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  const calls: GitHubCall[] = [];
  const unmatched: string[] = [];
  const record = (scope: nock.Scope) =>
    scope.on("request", (req: Request, _interceptor: unknown, body: string) => {
      const url = new URL(req.url);
      calls.push({
        method: req.method,
        host: url.host,
        path: url.pathname,
        body: body ? JSON.parse(body) : undefined,
      });
    });
  const noMatch = (req: Request) => {
    const url = new URL(req.url);
    if (url.hostname !== "127.0.0.1") unmatched.push(`${req.method} ${url.origin}${url.pathname}`);
  };
  stopRecordingUnmatched?.();
  nock.emitter.on("no match", noMatch);
  stopRecordingUnmatched = () => nock.emitter.removeListener("no match", noMatch);
  return { api: record(nock(API)), codeload: record(nock(CODELOAD)), calls, unmatched };
}

/** Undoes mockGitHub: interceptors removed, the network back on. */
export function restoreNetwork(): void {
  stopRecordingUnmatched?.();
  stopRecordingUnmatched = undefined;
  nock.cleanAll();
  nock.enableNetConnect();
}

/** The installation token Probot asks for before its first call for an installation. */
export function installationToken(api: nock.Scope): nock.Scope {
  return api
    .post(`/app/installations/${INSTALLATION}/access_tokens`)
    .reply(201, { token: "test-token", permissions: {} });
}

/**
 * The tarball endpoint's redirect to codeload, and codeload's answer: `archive`. With `hold`, the
 * redirect waits for that promise, so the run downloading it stays busy until the test lets go.
 */
export function tarballDownload(
  scopes: { api: nock.Scope; codeload: nock.Scope },
  commit: string,
  archive: Buffer,
  options: { hold?: Promise<void>; repository?: Repo } = {},
): void {
  const { owner, repo } = options.repository ?? HELLO_WORLD;
  const codeloadPath = `/${owner}/${repo}/legacy.tar.gz/${commit}`;
  const redirect = [302, "", { location: `${CODELOAD}${codeloadPath}` }] as const;
  scopes.api.get(tarballPath(commit, options.repository)).reply(async () => {
    await options.hold;
    return [...redirect];
  });
  scopes.codeload.get(codeloadPath).reply(200, archive);
}

/** The API path of the tarball of `commit`. */
export const tarballPath = (commit: string, { owner, repo } = HELLO_WORLD) =>
  `/repos/${owner}/${repo}/tarball/${commit}`;

export const checkRunUrl = (id: number, { owner, repo } = HELLO_WORLD) =>
  `https://github.com/${owner}/${repo}/runs/${id}`;

/** Check-run calls (create and updates) in the order Ferry made them. */
export function checkRunCalls(calls: GitHubCall[]): GitHubCall[] {
  return calls.filter((c) => /\/check-runs(\/\d+)?$/.test(c.path));
}

/** The updates of one check run, in order. */
export function updatesOf(calls: GitHubCall[], id: number): GitHubCall[] {
  return calls.filter((c) => c.method === "PATCH" && c.path.endsWith(`/check-runs/${id}`));
}

/** What `useFerryApp` sets up for a describe block: filled in by its beforeAll. */
export interface FerryTestApp {
  /** Every log record of the app, in order. */
  logs: Record<string, unknown>[];
  server: KubeApiServer;
  dir: string;
  kubeconfig: string;
  probot: Probot;
  service: SyncService;
}

/**
 * A test API server standing for cluster `production`, and Ferry loaded with an operator file
 * (default: `production` open to every repository of OWNER); GitHub's mocks reset after each test.
 */
export function useFerryApp(
  prefix: string,
  operator: (kubeconfig: string) => string = (kubeconfig) =>
    `clusters:\n  production:\n    kubeconfig: ${kubeconfig}\n    repositories: ["${OWNER}/*"]\n`,
): FerryTestApp {
  const app = { logs: [] } as unknown as FerryTestApp;
  beforeAll(async () => {
    app.server = await KubeApiServer.start();
    app.dir = await mkdtemp(join(tmpdir(), prefix));
    app.kubeconfig = join(app.dir, "production.kubeconfig");
    await app.server.writeKubeconfig(app.kubeconfig);
    Object.assign(
      app,
      await ferryApp({
        operator: operatorConfig(operator(app.kubeconfig)),
        cacheDir: join(app.dir, "cache"),
        logs: app.logs,
      }),
    );
  });
  afterEach(() => restoreNetwork());
  afterAll(async () => {
    app.service.stop();
    await app.server.stop();
    await rm(app.dir, { recursive: true, force: true });
  });
  return app;
}

/**
 * A push, end to end: the GitHub App receives a real push payload, GitHub is answered by nock
 * (every expected call must happen), and the cluster is the test API server.
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
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseOperatorConfig } from "../../src/github/config/operator.js";
import type { SyncService } from "../../src/github/sync.js";
import { createFerryApp } from "../../src/index.js";
import { KubeApiServer } from "../kube-api-server/server.js";
import { fixtures } from "../support/fleet.js";

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

const OWNER = "Codertocat";
const REPO = "Hello-World";
const SHA = "0123456789abcdef0123456789abcdef01234567";

function pushPayload(): Record<string, unknown> {
  const definition = examples.find((d) => d.name === "push");
  const payload = structuredClone(
    ((definition?.examples ?? []) as Record<string, unknown>[]).find(
      (p) => p.ref === "refs/heads/master" && p.installation !== undefined,
    ),
  ) as Record<string, unknown>;
  return { ...payload, after: SHA };
}

/** The fixture repository as GitHub's tarball endpoint serves it: one top folder, gzipped. */
async function tarball(dir: string): Promise<Buffer> {
  const top = join(dir, `${OWNER}-${REPO}-${SHA.slice(0, 7)}`);
  await cp(join(fixtures, "github", "app-repo"), top, { recursive: true });
  const file = join(dir, "repo.tar.gz");
  await createTar({ gzip: true, cwd: dir, file }, [`${OWNER}-${REPO}-${SHA.slice(0, 7)}`]);
  return readFile(file);
}

interface CheckRunBody {
  name?: string;
  status?: string;
  conclusion?: string;
  output: { title: string; summary: string; text?: string };
}

describe("a push to a repository with a sync target", () => {
  let server: KubeApiServer;
  let dir: string;
  let archive: Buffer;
  let probot: Probot;
  let service: SyncService;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1"); // the test API server
    server = await KubeApiServer.start();
    dir = await mkdtemp(join(tmpdir(), "ferry-push-"));
    const kubeconfig = join(dir, "production.kubeconfig");
    await server.writeKubeconfig(kubeconfig);
    archive = await tarball(dir);
    const parsed = parseOperatorConfig(
      `clusters:\n  production:\n    kubeconfig: ${kubeconfig}\n    repositories: ["${OWNER}/*"]\n`,
      join(dir, "ferry.config.yaml"),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    probot = new Probot({
      appId: 123,
      privateKey,
      log: pino({ level: "silent" }),
      Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
        ...options,
        retry: { enabled: false },
        throttle: { enabled: false },
      })),
    });
    await probot.load(
      createFerryApp({
        operator: parsed.config,
        cacheDir: join(dir, "cache"),
        onReady: (s) => (service = s),
      }),
    );
  });

  afterEach(() => {
    nock.cleanAll();
  });

  afterAll(async () => {
    nock.enableNetConnect();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("opens a check run in progress, applies the target, and completes it with the per-unit table", async () => {
    const payload = pushPayload();
    const installation = (payload.installation as { id: number }).id;
    const checkRuns: { method: string; body: CheckRunBody }[] = [];
    const config = await readFile(join(fixtures, "github", "app-repo", ".github", "ferry.yml"), "utf8");
    nock("https://api.github.com")
      .post(`/app/installations/${installation}/access_tokens`)
      .reply(201, { token: "test-token", permissions: {} })
      .get(`/repos/${OWNER}/${REPO}/contents/.github%2Fferry.yml`)
      .reply(200, config)
      .post(`/repos/${OWNER}/${REPO}/check-runs`, (body) => {
        checkRuns.push({ method: "POST", body });
        return true;
      })
      .reply(201, { id: 42, html_url: `https://github.com/${OWNER}/${REPO}/runs/42` })
      .get(`/repos/${OWNER}/${REPO}/tarball/${SHA}`)
      .reply(302, "", { location: `https://codeload.github.com/${OWNER}/${REPO}/legacy.tar.gz/${SHA}` })
      .patch(`/repos/${OWNER}/${REPO}/check-runs/42`, (body) => {
        checkRuns.push({ method: "PATCH", body });
        return true;
      })
      .reply(200, { id: 42, html_url: `https://github.com/${OWNER}/${REPO}/runs/42` });
    nock("https://codeload.github.com").get(`/${OWNER}/${REPO}/legacy.tar.gz/${SHA}`).reply(200, archive);

    await probot.receive({ id: "delivery-1", name: "push", payload } as unknown as Parameters<
      Probot["receive"]
    >[0]);
    await service.queue.idle();

    expect(nock.pendingMocks()).toEqual([]);
    expect(checkRuns[0]).toMatchObject({
      method: "POST",
      body: { name: "Ferry / production", head_sha: SHA, status: "in_progress" },
    });
    expect(checkRuns[1].method).toBe("PATCH");
    expect(checkRuns[1].body).toMatchObject({ status: "completed", conclusion: "success" });
    expect(checkRuns[1].body.output.summary).toContain("deploy");
    expect(checkRuns[1].body.output.text).toContain("Deployment/hello/hello");
    expect(server.get("apps/v1", "Deployment", "hello", "hello")?.status?.readyReplicas).toBe(1);
    expect(server.get("v1", "ConfigMap", "hello", "hello-settings")?.data).toEqual({ greeting: "hello" });
    expect(
      server.get("coordination.k8s.io/v1", "Lease", "ferry-system", "ferry-production")?.spec.holderIdentity,
    ).toBe("");
  });
});

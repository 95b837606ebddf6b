// The Probot app receives real example payloads through probot.receive and logs them,
// without touching the network.
import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { singleTenantConfig } from "../../src/github/config/operator.js";
import { createFerryApp } from "../../src/index.js";

// The package's main is a JSON file (api.github.com/index.json): load it the CommonJS way.
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

/** A delivery for probot.receive; example payloads are plain JSON, so the type is asserted here. */
function delivery(
  id: string,
  name: string,
  payload: Record<string, unknown>,
): Parameters<Probot["receive"]>[0] {
  return { id, name, payload } as unknown as Parameters<Probot["receive"]>[0];
}

function example(name: string, pick: (payload: Record<string, unknown>) => boolean): Record<string, unknown> {
  const definition = examples.find((d) => d.name === name);
  const payload = (definition?.examples as Record<string, unknown>[] | undefined)?.find(pick);
  if (!payload) throw new Error(`no ${name} example in @octokit/webhooks-examples`);
  return structuredClone(payload);
}

async function createApp(): Promise<{ probot: Probot; records: LogRecord[] }> {
  const records: LogRecord[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => records.push(JSON.parse(line)) });
  const probot = new Probot({
    appId: 123,
    privateKey,
    logLevel: "info",
    log,
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
  await probot.load(createFerryApp({ operator: await singleTenantConfig({}) }));
  return { probot, records };
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
});

describe("Ferry app", () => {
  it("logs a push: repository, ref and after sha, and syncs nothing without a .github/ferry.yml", async () => {
    const payload = example("push", (p) => p.ref === "refs/heads/master" && p.installation !== undefined);
    const installation = (payload.installation as { id: number }).id;
    const github = nock("https://api.github.com")
      .post(`/app/installations/${installation}/access_tokens`)
      .reply(201, { token: "test-token", permissions: {} })
      .get("/repos/Codertocat/Hello-World/contents/.github%2Fferry.yml")
      .reply(404)
      .get("/repos/Codertocat/.github/contents/.github%2Fferry.yml")
      .reply(404);
    const { probot, records } = await createApp();

    await probot.receive(delivery("push-1", "push", payload));
    expect(github.isDone()).toBe(true);

    const line = records.find((r) => r.event === "push");
    expect(line).toMatchObject({
      level: 30,
      repository: "Codertocat/Hello-World",
      ref: "refs/heads/master",
      after: "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
      msg: "push to Codertocat/Hello-World refs/heads/master at 6113728f27ae82c7b1a177c8d03f9e96e0adf246",
    });
    expect(line?.id).toBe("push-1");
  });

  it("logs a published registry_package: package name, version and tag", async () => {
    // @octokit/webhooks-examples has no registry_package example; apps receive the `package`
    // payload's shape keyed as `registry_package`. Shaped like a ghcr.io container push.
    const { package: pkg, ...rest } = example("package", (p) => p.action === "published");
    const registryPackage = pkg as {
      name: string;
      package_type: string;
      package_version: Record<string, unknown>;
    };
    registryPackage.package_type = "CONTAINER";
    registryPackage.package_version.container_metadata = { tag: { name: "1.4.2", digest: "sha256:abc" } };
    const payload = { ...rest, registry_package: registryPackage };
    const { probot, records } = await createApp();

    await probot.receive(delivery("package-1", "registry_package", payload));

    const line = records.find((r) => r.event === "registry_package");
    expect(line).toMatchObject({
      level: 30,
      action: "published",
      package: "hello-world-npm",
      version: "1.0.0",
      tag: "1.4.2",
      msg: "registry_package published: hello-world-npm:1.4.2 (1.0.0)",
    });
  });

  it("logs an untagged registry_package without a tag", async () => {
    const { package: pkg, ...rest } = example("package", (p) => p.action === "published");
    const { probot, records } = await createApp();

    await probot.receive(delivery("package-2", "registry_package", { ...rest, registry_package: pkg }));

    expect(records.find((r) => r.event === "registry_package")).toMatchObject({
      package: "hello-world-npm",
      tag: null,
      msg: "registry_package published: hello-world-npm (1.0.0)",
    });
  });
});

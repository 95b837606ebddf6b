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

const DIGEST = `sha256:${"ab".repeat(32)}`;

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

async function createApp(): Promise<{
  probot: Probot;
  records: LogRecord[];
  idle: () => Promise<void>;
}> {
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
  let idle = async () => {};
  await probot.load(
    createFerryApp({
      operator: await singleTenantConfig({}),
      startup: false,
      onReady: (sync, images) => {
        idle = async () => {
          await sync.idle();
          await images.idle();
        };
      },
    }),
  );
  return { probot, records, idle: () => idle() };
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
    const { probot, records, idle } = await createApp();

    await probot.receive(delivery("push-1", "push", payload));
    await idle();
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

  it("announces a published container tag and brings the package repository's image updates up to date", async () => {
    // @octokit/webhooks-examples has no registry_package example; apps receive the `package`
    // payload's shape keyed as `registry_package`. Shaped like a ghcr.io container push.
    const { package: pkg, ...rest } = example("package", (p) => p.action === "published");
    const registryPackage = pkg as {
      name: string;
      package_type: string;
      package_version: Record<string, unknown>;
    };
    // As ghcr.io sends it: the owner as namespace, the image name, and its package_url.
    Object.assign(registryPackage, {
      name: "hello-world",
      namespace: "Codertocat",
      package_type: "CONTAINER",
    });
    registryPackage.package_version.package_url = "ghcr.io/codertocat/hello-world:1.4.2";
    registryPackage.package_version.container_metadata = { tag: { name: "1.4.2", digest: DIGEST } };
    // Deliveries to an app carry its installation (the example, from a repository webhook, has none).
    const installation = 42;
    const payload = { ...rest, installation: { id: installation }, registry_package: registryPackage };
    // The package's repository has no .github/ferry.yml: nothing to update, and no tarball fetched.
    const github = nock("https://api.github.com")
      .post(`/app/installations/${installation}/access_tokens`)
      .reply(201, { token: "test-token", permissions: {} })
      .get("/repos/Codertocat/hello-world-npm/contents/.github%2Fferry.yml")
      .reply(404)
      .get("/repos/Codertocat/.github/contents/.github%2Fferry.yml")
      .reply(404);
    const { probot, records, idle } = await createApp();

    await probot.receive(delivery("package-1", "registry_package", payload));
    await idle();

    expect(github.isDone()).toBe(true);
    expect(records.find((r) => r.event === "registry_package")).toMatchObject({
      level: 30,
      image: "ghcr.io/codertocat/hello-world",
      tag: "1.4.2",
      digest: DIGEST,
      msg: "registry_package: ghcr.io/codertocat/hello-world:1.4.2 published",
    });
  });

  it("ignores an untagged registry_package (a per-platform manifest), saying why", async () => {
    const { package: pkg, ...rest } = example("package", (p) => p.action === "published");
    const registryPackage = pkg as { package_type: string; package_version: Record<string, unknown> };
    registryPackage.package_type = "CONTAINER";
    registryPackage.package_version.container_metadata = { tag: { name: "", digest: DIGEST } };
    const { probot, records, idle } = await createApp();

    await probot.receive(
      delivery("package-2", "registry_package", { ...rest, registry_package: registryPackage }),
    );
    await idle();

    const line = records.find((r) => r.event === "registry_package");
    expect(line?.msg).toMatch(/^registry_package ignored: .*untagged|^registry_package ignored: .*tag/);
  });
});

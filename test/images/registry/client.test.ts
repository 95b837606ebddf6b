// RegistryClient against a registry over real HTTP on 127.0.0.1 (fake-registry.ts), and against
// undici's MockAgent for the hosts a test cannot listen on (HTTPS, Docker Hub).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { MockAgent } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  dockerConfigLogins,
  RegistryClient,
  type RegistryClientOptions,
  RegistryError,
} from "../../../src/images/registry/index.js";
import {
  type FakeRegistry,
  type FakeRegistryOptions,
  SERVICE,
  startFakeRegistry,
} from "../../support/fake-registry.js";

const LOGIN = { username: "ferry-bot", password: "s3cret-Pa55word" };
const TAGS = ["1.0.0", "1.0.1", "1.1.0", "1.2.0", "2.0.0-rc.1", "2.0.0", "latest"];
const REPOSITORIES = { "acme/app": TAGS, "acme/private": ["0.1.0", "0.2.0"], "acme/refused": ["1.0.0"] };

const registries: FakeRegistry[] = [];
/** Every error message a test saw: none may hold a password or token. */
const messages: string[] = [];

async function start(options: Partial<FakeRegistryOptions> = {}): Promise<FakeRegistry> {
  const registry = await startFakeRegistry({
    auth: "bearer",
    repositories: REPOSITORIES,
    private: ["acme/private"],
    refused: ["acme/refused"],
    hanging: ["acme/slow"],
    login: LOGIN,
    ...options,
  });
  registries.push(registry);
  return registry;
}

function client(options: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient({ timeoutMs: 5_000, ...options });
}

const withLogin = (login = LOGIN) => ({ credentials: () => login });

/** The RegistryError a listing ends with. */
async function failure(listing: Promise<unknown>): Promise<RegistryError> {
  const error = await listing.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  messages.push((error as Error).message);
  return error as RegistryError;
}

afterAll(async () => {
  await Promise.all(registries.map((r) => r.close()));
  const secrets = [LOGIN.password, "wrong-password", ...registries.flatMap((r) => r.tokens)];
  expect(secrets.length).toBeGreaterThan(2);
  for (const message of messages) for (const secret of secrets) expect(message).not.toContain(secret);
});

describe("RegistryClient with a Bearer token service", () => {
  it("lists every tag across pages, after an anonymous token for the repository's scope", async () => {
    const registry = await start();
    const tags = await client().listTags(`${registry.host}/acme/app`);

    expect(tags).toEqual(TAGS);
    expect(registry.requests.map((r) => r.path)).toEqual([
      "/v2/acme/app/tags/list",
      `/token?service=${SERVICE}&scope=repository%3Aacme%2Fapp%3Apull`,
      "/v2/acme/app/tags/list",
      "/v2/acme/app/tags/list?n=3&last=1.1.0",
      "/v2/acme/app/tags/list?n=3&last=2.0.0",
    ]);
    expect(registry.requests[1]?.authorization).toBeUndefined();
    expect(registry.requests.slice(2).every((r) => r.authorization === `Bearer ${registry.tokens[0]}`)).toBe(
      true,
    );
  });

  it("reuses the token for the next listing of the repository", async () => {
    const registry = await start();
    const registryClient = client();
    await registryClient.listTags(`${registry.host}/acme/app`);
    expect(await registryClient.listTags(`${registry.host}/acme/app:1.0.0`)).toEqual(TAGS);

    expect(registry.count("token")).toBe(1);
    expect(registry.count("tags")).toBe(4 + 3);
  });

  it("takes a new token once the last one expired (expires_in)", async () => {
    const registry = await start({ expiresIn: 60 });
    let now = Date.parse("2025-01-01T00:00:00Z");
    const registryClient = client({ now: () => now });
    await registryClient.listTags(`${registry.host}/acme/app`);
    now += 30_000;
    await registryClient.listTags(`${registry.host}/acme/app`);
    expect(registry.count("token")).toBe(1);
    now += 31_000;
    expect(await registryClient.listTags(`${registry.host}/acme/app`)).toEqual(TAGS);
    expect(registry.count("token")).toBe(2);
  });

  it("reads OAuth's access_token when the answer has no token", async () => {
    const registry = await start({ tokenField: "access_token" });
    expect(await client().listTags(`${registry.host}/acme/app`)).toEqual(TAGS);
  });

  it("asks for the page size with ?n= and follows the registry's links", async () => {
    const registry = await start();
    expect(await client().listTags(`${registry.host}/acme/app`, { pageSize: 2 })).toEqual(TAGS);
    expect(registry.requests.filter((r) => r.authorization).map((r) => r.path)).toEqual([
      "/v2/acme/app/tags/list?n=2",
      "/v2/acme/app/tags/list?n=2&last=1.0.1",
      "/v2/acme/app/tags/list?n=2&last=1.2.0",
      "/v2/acme/app/tags/list?n=2&last=2.0.0",
    ]);
  });

  it("gets a token for a private repository with the login, which only the token service sees", async () => {
    const registry = await start();
    const tags = await client(withLogin()).listTags(`${registry.host}/acme/private`);

    expect(tags).toEqual(["0.1.0", "0.2.0"]);
    const basic = `Basic ${Buffer.from(`${LOGIN.username}:${LOGIN.password}`).toString("base64")}`;
    expect(registry.requests.filter((r) => r.authorization === basic).map((r) => r.path)).toEqual([
      `/token?service=${SERVICE}&scope=repository%3Aacme%2Fprivate%3Apull`,
    ]);
  });

  it("takes the login from a .dockerconfigjson", async () => {
    const registry = await start();
    const auth = Buffer.from(`${LOGIN.username}:${LOGIN.password}`).toString("base64");
    const credentials = dockerConfigLogins(
      JSON.stringify({ auths: { [`http://${registry.host}`]: { auth } } }),
    );
    expect(await client({ credentials }).listTags(`${registry.host}/acme/private`)).toEqual([
      "0.1.0",
      "0.2.0",
    ]);
  });

  it("says to give Ferry credentials when a private repository refuses the anonymous token", async () => {
    const registry = await start();
    const error = await failure(client().listTags(`${registry.host}/acme/private`));
    expect(error).toMatchObject({
      reason: "unauthorized",
      status: 401,
      image: `${registry.host}/acme/private`,
    });
    expect(error.message).toBe(
      `listing tags of ${registry.host}/acme/private refused (HTTP 401: UNAUTHORIZED: authentication required) — give Ferry credentials for ${registry.host} in the operator file`,
    );
  });

  it("says the login was refused when the token service rejects it", async () => {
    const registry = await start();
    const error = await failure(
      client(withLogin({ username: "ferry-bot", password: "wrong-password" })).listTags(
        `${registry.host}/acme/private`,
      ),
    );
    expect(error).toMatchObject({ reason: "unauthorized", status: 401 });
    expect(error.message).toBe(
      `listing tags of ${registry.host}/acme/private failed: the token service of ${registry.host} refused the credentials Ferry has for ${registry.host} (HTTP 401: UNAUTHORIZED: incorrect username or password) — check that they are current in the operator file`,
    );
  });

  it("reports a refused repository (HTTP 403)", async () => {
    const registry = await start();
    const anonymous = await failure(client().listTags(`${registry.host}/acme/refused`));
    expect(anonymous).toMatchObject({ reason: "unauthorized", status: 403 });
    expect(anonymous.message).toBe(
      `listing tags of ${registry.host}/acme/refused refused (HTTP 403: DENIED: requested access to the resource is denied) — give Ferry credentials for ${registry.host} in the operator file`,
    );
    const withCredentials = await failure(client(withLogin()).listTags(`${registry.host}/acme/refused`));
    expect(withCredentials.message).toBe(
      `listing tags of ${registry.host}/acme/refused refused (HTTP 403: DENIED: requested access to the resource is denied) with the credentials Ferry has for ${registry.host} — check that they are current and may read this repository`,
    );
  });

  it("reports a missing repository (HTTP 404)", async () => {
    const registry = await start();
    const error = await failure(client().listTags(`${registry.host}/acme/missing`));
    expect(error).toMatchObject({ reason: "not-found", status: 404 });
    expect(error.message).toBe(
      `listing tags of ${registry.host}/acme/missing failed: no such repository at ${registry.host} (HTTP 404: NAME_UNKNOWN: repository name not known to registry) — check the image name`,
    );
  });

  it("stops at the page and tag limits", async () => {
    const registry = await start();
    const pages = await failure(client({ maxPages: 2 }).listTags(`${registry.host}/acme/app`));
    expect(pages.reason).toBe("too-many-tags");
    expect(pages.message).toBe(
      `listing tags of ${registry.host}/acme/app stopped: the tag list has more than 2 pages, the most Ferry follows in one listing — delete old tags from the repository`,
    );
    const tags = await failure(client({ maxTags: 5 }).listTags(`${registry.host}/acme/app`));
    expect(tags.message).toBe(
      `listing tags of ${registry.host}/acme/app stopped: the repository has more than 5 tags, the most Ferry reads in one listing — delete old tags from it`,
    );
    expect(await client({ maxPages: 3, maxTags: 7 }).listTags(`${registry.host}/acme/app`)).toEqual(TAGS);
  });

  it("gives up on a registry that does not answer in time", async () => {
    const registry = await start();
    const error = await failure(client({ timeoutMs: 300 }).listTags(`${registry.host}/acme/slow`));
    expect(error.reason).toBe("timeout");
    expect(error.message).toBe(
      `listing tags of ${registry.host}/acme/slow failed: ${registry.host} sent no answer within 300ms`,
    );
  });
});

describe("RegistryClient with a Basic registry", () => {
  it("answers the Basic challenge with the login, and sends it first from then on", async () => {
    const registry = await start({ auth: "basic" });
    const registryClient = client(withLogin());
    expect(await registryClient.listTags(`${registry.host}/acme/app`)).toEqual(TAGS);
    expect(await registryClient.listTags(`${registry.host}/acme/app`)).toEqual(TAGS);

    expect(registry.count("tags")).toBe(1 + 3 + 3);
    expect(registry.count("token")).toBe(0);
  });

  it("says to give Ferry credentials when it has none, and that they were refused when wrong", async () => {
    const registry = await start({ auth: "basic" });
    const anonymous = await failure(client().listTags(`${registry.host}/acme/app`));
    expect(anonymous.message).toBe(
      `listing tags of ${registry.host}/acme/app refused (HTTP 401: UNAUTHORIZED: authentication required) — give Ferry credentials for ${registry.host} in the operator file`,
    );
    const wrong = await failure(
      client(withLogin({ username: "ferry-bot", password: "wrong-password" })).listTags(
        `${registry.host}/acme/app`,
      ),
    );
    expect(wrong).toMatchObject({ reason: "unauthorized", status: 401 });
    expect(wrong.message).toContain("with the credentials Ferry has for");
    expect(registry.count("tags")).toBe(1 + 2);
  });
});

describe("RegistryClient connections", () => {
  it("reports a registry it cannot reach", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));

    const error = await failure(new RegistryClient().listTags(`127.0.0.1:${port}/acme/app`));
    expect(error.reason).toBe("unreachable");
    expect(error.message).toMatch(
      new RegExp(
        `^listing tags of 127\\.0\\.0\\.1:${port}/acme/app failed: cannot reach 127\\.0\\.0\\.1:${port} \\(http://127\\.0\\.0\\.1:${port}\\): .*ECONNREFUSED`,
      ),
    );
  });
});

describe("RegistryClient over HTTPS (undici MockAgent)", () => {
  let agent: MockAgent;

  beforeAll(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
  });

  afterEach(() => {
    agent.assertNoPendingInterceptors();
  });

  afterAll(async () => {
    await agent.close();
  });

  it("lists Docker Hub's library/nginx at registry-1.docker.io with a token from auth.docker.io", async () => {
    agent
      .get("https://registry-1.docker.io")
      .intercept({ path: "/v2/library/nginx/tags/list" })
      .reply(401, "", {
        headers: {
          "www-authenticate":
            'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
        },
      });
    agent
      .get("https://auth.docker.io")
      .intercept({
        path: "/token?service=registry.docker.io&scope=repository%3Alibrary%2Fnginx%3Apull",
        headers: { authorization: `Basic ${Buffer.from("hub-user:hub-pass").toString("base64")}` },
      })
      .reply(200, { token: "hub-token", access_token: "hub-token", expires_in: 300 });
    agent
      .get("https://registry-1.docker.io")
      .intercept({ path: "/v2/library/nginx/tags/list", headers: { authorization: "Bearer hub-token" } })
      .reply(200, { name: "library/nginx", tags: ["1.27", "1.27.1"] });

    const asked: string[] = [];
    const registryClient = new RegistryClient({
      dispatcher: agent,
      credentials: (registry) => {
        asked.push(registry);
        return { username: "hub-user", password: "hub-pass" };
      },
    });
    expect(await registryClient.listTags("nginx:1.27")).toEqual(["1.27", "1.27.1"]);
    expect(asked).toEqual(["docker.io"]);
  });

  it("speaks plain HTTP to a registry marked insecure, and HTTPS otherwise", async () => {
    agent
      .get("http://registry.internal:5000")
      .intercept({ path: "/v2/team/app/tags/list" })
      .reply(200, { name: "team/app", tags: ["a"] });
    agent
      .get("https://registry.internal:5000")
      .intercept({ path: "/v2/team/app/tags/list" })
      .reply(200, { name: "team/app", tags: ["b"] });
    const insecure = new RegistryClient({ dispatcher: agent, insecureRegistries: ["registry.internal"] });
    expect(await insecure.listTags("registry.internal:5000/team/app")).toEqual(["a"]);
    expect(
      await new RegistryClient({ dispatcher: agent }).listTags("registry.internal:5000/team/app"),
    ).toEqual(["b"]);
  });

  it("sends nothing to a token service on plain HTTP", async () => {
    agent
      .get("https://registry.example.com")
      .intercept({ path: "/v2/acme/app/tags/list" })
      .reply(401, "", {
        headers: { "www-authenticate": 'Bearer realm="http://auth.example.com/token",service="r"' },
      });
    const error = await failure(
      new RegistryClient({ dispatcher: agent, ...withLogin() }).listTags("registry.example.com/acme/app"),
    );
    expect(error.message).toBe(
      "listing tags of registry.example.com/acme/app failed: the token service of registry.example.com is at http://auth.example.com, not HTTPS — mark auth.example.com insecure to allow that",
    );
  });

  it("follows no next page on another host, and no page twice", async () => {
    const registry = agent.get("https://registry.example.com");
    registry
      .intercept({ path: "/v2/acme/app/tags/list" })
      .reply(
        200,
        { tags: ["1"] },
        { headers: { link: '<https://elsewhere.example.com/v2/acme/app/tags/list?last=1>; rel="next"' } },
      );
    registry
      .intercept({ path: "/v2/acme/loop/tags/list" })
      .reply(200, { tags: ["1"] }, { headers: { link: '</v2/acme/loop/tags/list?last=1>; rel="next"' } });
    registry
      .intercept({ path: "/v2/acme/loop/tags/list?last=1" })
      .reply(200, { tags: ["2"] }, { headers: { link: '</v2/acme/loop/tags/list?last=1>; rel="next"' } });
    const registryClient = new RegistryClient({ dispatcher: agent });

    const elsewhere = await failure(registryClient.listTags("registry.example.com/acme/app"));
    expect(elsewhere.message).toBe(
      "listing tags of registry.example.com/acme/app failed: registry.example.com sent the next page on another host (https://elsewhere.example.com); Ferry follows pages on https://registry.example.com only",
    );
    const loop = await failure(registryClient.listTags("registry.example.com/acme/loop"));
    expect(loop.message).toBe(
      "listing tags of registry.example.com/acme/loop failed: registry.example.com sent a next page it had sent before",
    );
  });

  it("takes the password out of what a registry says", async () => {
    agent
      .get("https://registry.example.com")
      .intercept({ path: "/v2/acme/echo/tags/list" })
      .reply(
        401,
        { errors: [{ code: "UNAUTHORIZED", message: `bad password ${LOGIN.password}` }] },
        {
          headers: { "www-authenticate": 'Basic realm="r"' },
        },
      )
      .times(2);
    const error = await failure(
      new RegistryClient({ dispatcher: agent, ...withLogin() }).listTags("registry.example.com/acme/echo"),
    );
    expect(error.message).toBe(
      "listing tags of registry.example.com/acme/echo refused (HTTP 401: UNAUTHORIZED: bad password [redacted]) with the credentials Ferry has for registry.example.com — check that they are current and may read this repository",
    );
  });

  it("reports an answer that is not a tag list, and a registry that is failing", async () => {
    const registry = agent.get("https://registry.example.com");
    registry.intercept({ path: "/v2/acme/html/tags/list" }).reply(200, "<html>hello</html>");
    registry
      .intercept({ path: "/v2/acme/down/tags/list" })
      .reply(503, { errors: [{ code: "UNAVAILABLE", message: "service unavailable" }] });
    const registryClient = new RegistryClient({ dispatcher: agent });

    const html = await failure(registryClient.listTags("registry.example.com/acme/html"));
    expect(html).toMatchObject({ reason: "bad-response", status: 200 });
    expect(html.message).toBe(
      'listing tags of registry.example.com/acme/html failed: registry.example.com answered with something other than a tag list ({"name": …, "tags": [...]})',
    );
    const down = await failure(registryClient.listTags("registry.example.com/acme/down"));
    expect(down).toMatchObject({ reason: "unavailable", status: 503 });
    expect(down.message).toBe(
      "listing tags of registry.example.com/acme/down failed: registry.example.com answered HTTP 503: UNAVAILABLE: service unavailable — try again later",
    );
  });
});

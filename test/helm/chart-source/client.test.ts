import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { list } from "tar";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ChartRepositoryClient,
  type ChartRepositoryClientOptions,
  ChartSourceError,
} from "../../../src/helm/chart-source/index.js";
import { type ChartServer, packageHello, sha256, startChartServer } from "../../support/chart-server.js";

let v010: Buffer;
let v020: Buffer;
beforeAll(async () => {
  v010 = await packageHello("0.1.0");
  v020 = await packageHello("0.2.0");
});

let server: ChartServer;
let cacheDir: string;
beforeEach(async () => {
  server = await startChartServer();
  cacheDir = await mkdtemp(join(tmpdir(), "ferry-chart-cache-"));
});
afterEach(async () => {
  await server.close();
  await rm(cacheDir, { recursive: true, force: true });
});

interface Entry {
  version: string;
  url: string;
  digest?: string;
}

function indexYaml(entries: Entry[]): string {
  const lines = ["apiVersion: v1", "entries:", "  hello:"];
  for (const entry of entries) {
    lines.push(
      `  - name: hello`,
      `    version: ${entry.version}`,
      `    urls: [${JSON.stringify(entry.url)}]`,
    );
    if (entry.digest) lines.push(`    digest: ${entry.digest}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Serves an index under `prefix` with 0.1.0 and 0.2.0, archives relative to it. */
function serveRepository(prefix = "/charts", extra: Partial<{ login: string }> = {}): void {
  server.routes.set(`${prefix}/index.yaml`, {
    body: indexYaml([
      { version: "0.1.0", url: "hello-0.1.0.tgz", digest: sha256(v010) },
      { version: "0.2.0", url: "hello-0.2.0.tgz", digest: `sha256:${sha256(v020)}` },
    ]),
    ...extra,
  });
  server.routes.set(`${prefix}/hello-0.1.0.tgz`, { body: v010, ...extra });
  server.routes.set(`${prefix}/hello-0.2.0.tgz`, { body: v020, ...extra });
}

function client(options: Partial<ChartRepositoryClientOptions> = {}): ChartRepositoryClient {
  return new ChartRepositoryClient({ cacheDir, timeoutMs: 5000, ...options });
}

async function chartYamlIn(archive: string): Promise<string[]> {
  const paths: string[] = [];
  await list({ file: archive, onReadEntry: (entry) => paths.push(entry.path) });
  return paths;
}

async function failure(promise: Promise<unknown>): Promise<ChartSourceError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ChartSourceError);
  return error as ChartSourceError;
}

describe("ChartRepositoryClient", () => {
  it("downloads the highest version into the cache, keyed by its sha256", async () => {
    serveRepository();
    const chart = await client().resolve({ url: `${server.url}/charts` }, "hello");
    expect(chart).toEqual({
      name: "hello",
      version: "0.2.0",
      archive: join(cacheDir, `${sha256(v020)}.tgz`),
      digest: `sha256:${sha256(v020)}`,
    });
    expect(sha256(await readFile(chart.archive))).toBe(sha256(v020));
    expect(await chartYamlIn(chart.archive)).toContain("hello/Chart.yaml");
    expect(server.requests.map((r) => r.path)).toEqual(["/charts/index.yaml", "/charts/hello-0.2.0.tgz"]);
    expect(await readdir(cacheDir)).toEqual([`${sha256(v020)}.tgz`]);
  });

  it("a trailing slash in the URL and a version range", async () => {
    serveRepository();
    const chart = await client().resolve({ url: `${server.url}/charts/` }, "hello", "<0.2.0");
    expect(chart.version).toBe("0.1.0");
    expect(chart.digest).toBe(`sha256:${sha256(v010)}`);
    expect(server.requests.map((r) => r.path)).toEqual(["/charts/index.yaml", "/charts/hello-0.1.0.tgz"]);
  });

  it("a second resolution makes no HTTP request", async () => {
    serveRepository();
    const charts = client();
    const first = await charts.resolve({ url: `${server.url}/charts` }, "hello", "0.1.0");
    const count = server.requests.length;
    const second = await charts.resolve({ url: `${server.url}/charts` }, "hello", "0.1.0");
    expect(second).toEqual(first);
    expect(server.requests.length).toBe(count);
  });

  it("another client with the same cache folder fetches the index but not the archive", async () => {
    serveRepository();
    await client().resolve({ url: `${server.url}/charts` }, "hello");
    server.requests.length = 0;
    const chart = await client().resolve({ url: `${server.url}/charts` }, "hello");
    expect(chart.version).toBe("0.2.0");
    expect(server.requests.map((r) => r.path)).toEqual(["/charts/index.yaml"]);
  });

  it("fetches the index again once the interval has passed", async () => {
    serveRepository();
    let now = 1_000_000;
    const charts = client({ now: () => now });
    const repository = { url: `${server.url}/charts`, intervalMs: 10 * 60_000 };
    await charts.index(repository);
    now += 9 * 60_000;
    await charts.index(repository);
    expect(server.requests.length).toBe(1);
    now += 60_000;
    await charts.index(repository);
    expect(server.requests.length).toBe(2);
  });

  it("does not keep a failed index", async () => {
    const charts = client();
    await failure(charts.index({ url: `${server.url}/charts` }));
    serveRepository();
    expect((await charts.index({ url: `${server.url}/charts` })).entries.get("hello")).toHaveLength(2);
  });

  it("refuses a tampered archive and caches nothing", async () => {
    serveRepository();
    server.routes.set("/charts/hello-0.2.0.tgz", { body: v010 });
    const error = await failure(client().resolve({ url: `${server.url}/charts` }, "hello"));
    expect(error.reason).toBe("digest-mismatch");
    expect(error.message).toBe(
      `the archive of chart "hello" 0.2.0 from ${server.url}/charts (${server.url}/charts/hello-0.2.0.tgz) ` +
        `has sha256 ${sha256(v010)}, but the index says ${sha256(v020)}; the archive was changed after the ` +
        "index was made: regenerate the repository's index (helm repo index)",
    );
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it("refuses an index digest that is not a sha256", async () => {
    server.routes.set("/charts/index.yaml", {
      body: indexYaml([{ version: "0.1.0", url: "hello-0.1.0.tgz", digest: "sha256:1234567890" }]),
    });
    const error = await failure(client().resolve({ url: `${server.url}/charts` }, "hello"));
    expect(error.reason).toBe("bad-entry");
    expect(error.message).toMatch(/has digest "sha256:1234567890", which is not a sha256/);
  });

  it("without a digest in the index: downloads once per client and keys the cache by content", async () => {
    server.routes.set("/charts/index.yaml", {
      body: indexYaml([{ version: "0.1.0", url: "hello-0.1.0.tgz" }]),
    });
    server.routes.set("/charts/hello-0.1.0.tgz", { body: v010 });
    const charts = client();
    const first = await charts.resolve({ url: `${server.url}/charts` }, "hello");
    expect(first.archive).toBe(join(cacheDir, `${sha256(v010)}.tgz`));
    await charts.resolve({ url: `${server.url}/charts` }, "hello");
    expect(server.requests.map((r) => r.path)).toEqual(["/charts/index.yaml", "/charts/hello-0.1.0.tgz"]);
  });

  it("downloads from an absolute URL and follows redirects", async () => {
    server.routes.set("/charts/index.yaml", {
      body: indexYaml([
        { version: "0.1.0", url: `${server.url}/releases/hello-0.1.0.tgz`, digest: sha256(v010) },
      ]),
    });
    server.routes.set("/releases/hello-0.1.0.tgz", { status: 302, headers: { location: "/objects/abc" } });
    server.routes.set("/objects/abc", { body: v010 });
    const chart = await client().resolve({ url: `${server.url}/charts` }, "hello");
    expect(chart.version).toBe("0.1.0");
    expect(server.requests.map((r) => r.path)).toEqual([
      "/charts/index.yaml",
      "/releases/hello-0.1.0.tgz",
      "/objects/abc",
    ]);
  });

  describe("basic auth", () => {
    const login = { username: "ferry", password: "s3cret-pass" };

    it("is refused without a login, with advice and no secret", async () => {
      serveRepository("/charts", { login: "ferry:s3cret-pass" });
      const error = await failure(client().resolve({ url: `${server.url}/charts` }, "hello"));
      expect(error).toMatchObject({ reason: "unauthorized", status: 401, source: `${server.url}/charts` });
      expect(error.message).toBe(
        `the Helm repository ${server.url}/charts answered HTTP 401: it refused the request; set the ` +
          "HelmRepository's secretRef to a username and password it accepts",
      );
    });

    it("sends the caller's login for the index and archives on the same host", async () => {
      serveRepository("/charts", { login: "ferry:s3cret-pass" });
      const asked: string[] = [];
      const charts = client({
        credentials: (url) => {
          asked.push(url);
          return login;
        },
      });
      const chart = await charts.resolve({ url: `${server.url}/charts` }, "hello");
      expect(chart.version).toBe("0.2.0");
      expect(asked).toContain(`${server.url}/charts`);
      const expected = `Basic ${Buffer.from("ferry:s3cret-pass").toString("base64")}`;
      expect(server.requests.map((r) => r.authorization)).toEqual([expected, expected]);
    });

    it("a wrong password fails without showing it", async () => {
      serveRepository("/charts", { login: "ferry:s3cret-pass" });
      const charts = client({ credentials: () => ({ username: "ferry", password: "wrong-pass" }) });
      const error = await failure(charts.resolve({ url: `${server.url}/charts` }, "hello"));
      expect(error.reason).toBe("unauthorized");
      expect(error.message).not.toContain("wrong-pass");
      expect(error.message).not.toContain(Buffer.from("ferry:wrong-pass").toString("base64"));
    });

    it("is not sent to archives on another host unless passCredentials is set", async () => {
      server.routes.set("/charts/index.yaml", {
        body: indexYaml([
          {
            version: "0.1.0",
            url: `${server.otherOriginUrl}/elsewhere/hello-0.1.0.tgz`,
            digest: sha256(v010),
          },
        ]),
      });
      server.routes.set("/elsewhere/hello-0.1.0.tgz", { body: v010 });
      await client({ credentials: () => login }).resolve({ url: `${server.url}/charts` }, "hello");
      expect(server.requests.map((r) => [r.path, r.authorization !== undefined])).toEqual([
        ["/charts/index.yaml", true],
        ["/elsewhere/hello-0.1.0.tgz", false],
      ]);

      server.requests.length = 0;
      await rm(join(cacheDir, `${sha256(v010)}.tgz`));
      await client({ credentials: () => login }).resolve(
        { url: `${server.url}/charts`, passCredentials: true },
        "hello",
      );
      expect(server.requests.map((r) => r.authorization !== undefined)).toEqual([true, true]);
    });
  });

  it("a missing index names the URL and what to fix", async () => {
    const error = await failure(client().index({ url: `${server.url}/nothing` }));
    expect(error).toMatchObject({ reason: "not-found", status: 404 });
    expect(error.message).toBe(
      `the Helm repository ${server.url}/nothing answered HTTP 404: there is no ${server.url}/nothing/index.yaml; ` +
        "check the HelmRepository's spec.url (the folder holding index.yaml)",
    );
  });

  it("sends the repository URL's query with the index request but never shows it", async () => {
    const error = await failure(client().index({ url: `${server.url}/charts?sig=query-secret` }));
    expect(server.requests.map((r) => r.path)).toEqual(["/charts/index.yaml?sig=query-secret"]);
    expect(error.message).toContain(`there is no ${server.url}/charts/index.yaml?…;`);
    expect(error.message).not.toContain("query-secret");
  });

  it("a missing archive", async () => {
    serveRepository();
    server.routes.delete("/charts/hello-0.2.0.tgz");
    const error = await failure(client().resolve({ url: `${server.url}/charts` }, "hello"));
    expect(error).toMatchObject({ reason: "not-found", status: 404 });
    expect(error.message).toMatch(
      /^cannot download chart "hello" 0\.2\.0 from .*hello-0\.2\.0\.tgz answered HTTP 404/,
    );
  });

  it("a failing repository", async () => {
    server.routes.set("/charts/index.yaml", { status: 503, body: "down" });
    const error = await failure(client().index({ url: `${server.url}/charts` }));
    expect(error).toMatchObject({ reason: "unavailable", status: 503 });
    expect(error.message).toMatch(/answered HTTP 503; try again later$/);
  });

  it("a bad index names the index URL", async () => {
    server.routes.set("/charts/index.yaml", { body: "entries: {}\n" });
    const error = await failure(client().index({ url: `${server.url}/charts` }));
    expect(error.reason).toBe("bad-index");
    expect(error.message).toContain(`${server.url}/charts/index.yaml: it has no apiVersion`);
  });

  it("refuses an archive over the size limit", async () => {
    serveRepository();
    const error = await failure(
      client({ maxChartBytes: v020.length - 1 }).resolve({ url: `${server.url}/charts` }, "hello"),
    );
    expect(error.reason).toBe("too-large");
    expect(error.message).toMatch(
      /^cannot download chart "hello" 0\.2\.0 .*: it is larger than the limit of \d+ bytes/,
    );
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it("an unreachable repository", async () => {
    const url = server.url;
    await server.close();
    server = await startChartServer();
    const error = await failure(client().index({ url }));
    expect(error.reason).toBe("unreachable");
    expect(error.message).toMatch(
      /^cannot fetch the index of the Helm repository http:\/\/127\.0\.0\.1:\d+\/: /,
    );
  });

  it("refuses a repository URL that is not http(s), without showing its password", async () => {
    const error = await failure(client().index({ url: "oci://user:hunter2@ghcr.io/acme/charts" }));
    expect(error.reason).toBe("bad-entry");
    expect(error.message).toMatch(/is not http\(s\); an oci:\/\/ repository needs spec.type: oci/);
    expect(error.message).not.toContain("hunter2");
  });
});

/** A small Helm chart repository on node:http for the client tests, and chart archives to serve. */
import { createHash } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { create } from "tar";

const helloChart = fileURLToPath(new URL("../fixtures/charts/hello", import.meta.url));

/** `helm package`'s shape: a gzipped tar with one top folder named after the chart. */
export async function packageHello(version: string): Promise<Buffer> {
  const work = await mkdtemp(join(tmpdir(), "ferry-chart-"));
  try {
    await cp(helloChart, join(work, "hello"), { recursive: true });
    const chartYaml = join(work, "hello", "Chart.yaml");
    const text = await readFile(chartYaml, "utf8");
    await writeFile(chartYaml, text.replace(/^version: .*$/m, `version: ${version}`));
    const archive = join(work, "hello.tgz");
    await create({ gzip: true, portable: true, cwd: work, file: archive }, ["hello"]);
    return await readFile(archive);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex");

export interface Route {
  status?: number;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** The Basic login required: `user:password`. */
  login?: string;
}

export interface ChartServer {
  url: string;
  /** Same server, other host name: another origin for the client. */
  otherOriginUrl: string;
  routes: Map<string, Route>;
  requests: { path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

export async function startChartServer(): Promise<ChartServer> {
  const routes = new Map<string, Route>();
  const requests: ChartServer["requests"] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = req.url ?? "/";
    requests.push({ path, authorization: req.headers.authorization });
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404).end("not found");
      return;
    }
    if (route.login && req.headers.authorization !== `Basic ${Buffer.from(route.login).toString("base64")}`) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="charts"' }).end("unauthorized");
      return;
    }
    res.writeHead(route.status ?? 200, route.headers ?? {}).end(route.body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    otherOriginUrl: `http://localhost:${port}`,
    routes,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

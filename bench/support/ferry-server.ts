/**
 * Ferry served over HTTP as in production: Probot with Ferry loaded through `createNodeMiddleware`
 * (so `/healthz` and `/metrics` are served beside the webhook route), on 127.0.0.1, with GitHub's
 * API at `githubUrl`. Logs go through pino at info, so their cost is paid, but only warnings and
 * errors are printed.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import type { OperatorConfig } from "../../src/github/config/operator.js";
import type { ImageUpdateService } from "../../src/github/image-updates.js";
import type { SyncService } from "../../src/github/sync.js";
import type { TagLister } from "../../src/images/registry/index.js";
import { createFerryApp } from "../../src/index.js";

export interface FerryServer {
  /** Where deliveries are POSTed. */
  webhookUrl: string;
  service: SyncService;
  images: ImageUpdateService;
  close(): Promise<void>;
}

// Probot logs a delivery with a wrong signature as an error, payload included; the benchmark sends some on purpose.
const FORGED = '"msg":"[@octokit/webhooks] signature does not match event payload and secret"';

function printUnexpected(line: string): void {
  if (!line.includes(FORGED)) process.stderr.write(line);
}

export async function startFerryServer(options: {
  githubUrl: string;
  secret: string;
  operator: OperatorConfig;
  cacheDir: string;
  /** Keep Probot's Octokit throttling (GitHub's one write a second); default off, as in the tests. */
  throttle?: boolean;
  /** Lists registry tags instead of the OCI client (a registry served by the benchmark). */
  registry?: TagLister;
}): Promise<FerryServer> {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const log = pino(
    { level: "info" },
    pino.multistream([
      { level: "info", stream: { write: () => {} } },
      { level: "warn", stream: { write: (line: string) => printUnexpected(line) } },
    ]),
  );
  const probot = new Probot({
    appId: 1,
    privateKey,
    secret: options.secret,
    baseUrl: options.githubUrl,
    log,
    Octokit: ProbotOctokit.defaults((defaults: Record<string, unknown>) => ({
      ...defaults,
      retry: { enabled: false },
      ...(options.throttle ? {} : { throttle: { enabled: false } }),
    })),
  });
  let service: SyncService | undefined;
  let images: ImageUpdateService | undefined;
  const app = createFerryApp({
    operator: options.operator,
    cacheDir: options.cacheDir,
    startup: false,
    ...(options.registry ? { registry: options.registry } : {}),
    onReady: (s, i) => {
      service = s;
      images = i;
    },
  });
  const middleware = await createNodeMiddleware(app, { probot });
  if (!service || !images) throw new Error("Ferry did not hand over its services");
  const imageUpdates = images;
  const server = createServer((req, res) => {
    middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const ready = service;
  return {
    webhookUrl: `http://127.0.0.1:${port}/api/github/webhooks`,
    service: ready,
    images: imageUpdates,
    close: async () => {
      ready.stop();
      // Deliveries are answered before their work is done: let it finish.
      await ready.idle();
      await imageUpdates.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

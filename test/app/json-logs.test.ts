/**
 * Production logs: the built app run as the image runs it (`probot run`, LOG_FORMAT=json) writes
 * one JSON object per line, the lines of a delivery's work carry its delivery id, and neither the
 * private key nor the webhook secret appears anywhere in the output. GitHub is a local server that
 * refuses every call (401, which Octokit does not retry), so the start-up run and the push handler
 * fail at once, and are logged as such.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freePort, waitForPage } from "../support/app-process.js";
import { root } from "../support/build.js";

const SECRET = "webhook-secret-never-logged";
const DELIVERY = "72d3162e-cc78-11e3-81ab-4c9367dc0958";

describe("JSON logs in production", () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let output = "";
  let github: Server;
  const refused: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-json-logs-"));
    github = createServer((req, res) => {
      refused.push(`${req.method} ${req.url}`);
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Bad credentials" }));
    });
    await new Promise<void>((ok) => github.listen(0, "127.0.0.1", ok));
  });
  afterAll(async () => {
    github.close();
    if (child?.exitCode === null) {
      const exited = new Promise((ok) => child?.once("exit", ok));
      child.kill("SIGTERM");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it("writes one JSON object per line, with the delivery id on its lines and no secret", async () => {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    await writeFile(join(dir, "production.kubeconfig"), "apiVersion: v1\nkind: Config\n");
    await writeFile(
      join(dir, "ferry.config.yaml"),
      'clusters:\n  production:\n    kubeconfig: production.kubeconfig\n    repositories: ["*/*"]\n',
    );
    const port = await freePort();
    const address = github.address();
    if (typeof address !== "object" || !address) throw new Error("no GitHub port");
    child = spawn(
      process.execPath,
      [join(root, "node_modules/probot/bin/probot.js"), "run", "./dist/index.js"],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: "production",
          LOG_FORMAT: "json",
          LOG_LEVEL: "info",
          HOST: "127.0.0.1",
          PORT: String(port),
          APP_ID: "123",
          PRIVATE_KEY: privateKey,
          WEBHOOK_SECRET: SECRET,
          GHE_HOST: `127.0.0.1:${address.port}`,
          GHE_PROTOCOL: "http",
          FERRY_CONFIG: join(dir, "ferry.config.yaml"),
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    await waitForPage(`http://127.0.0.1:${port}/healthz`, child, () => output);

    const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];
    const push = (examples.find((d) => d.name === "push")?.examples ?? []).find(
      (p) => (p as { ref?: string }).ref === "refs/heads/master" && "installation" in p,
    );
    const body = JSON.stringify(push);
    await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": DELIVERY,
        "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
      },
      body,
    });
    await vi.waitFor(() => expect(output).toContain("start-up run failed"), { timeout: 10_000 });
    expect(refused).toContain("GET /api/v3/app/installations?per_page=100&page=1");
    await vi.waitFor(() => expect(output).toMatch(/"level":50.*72d3162e|72d3162e.*"level":50/), {
      timeout: 10_000,
    });

    const lines = output.split("\n").filter((line) => line.trim() !== "");
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
    // The push handler's own line and the error its failure logged both carry the delivery id.
    const ofDelivery = records.filter((r) => JSON.stringify(r).includes(DELIVERY));
    expect(ofDelivery.some((r) => String(r.msg).startsWith("push to "))).toBe(true);
    // Probot's access log line carries it as the request's id.
    const idOf = (r: Record<string, unknown>) => r.id ?? (r.req as { id?: unknown } | undefined)?.id;
    expect(ofDelivery.filter((r) => idOf(r) !== DELIVERY)).toEqual([]);
    expect(records.some((r) => r.msg === "start-up run failed")).toBe(true);
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain(privateKey.split("\n")[1]);
  });
});

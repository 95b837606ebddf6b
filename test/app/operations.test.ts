// `/healthz` and `/metrics` beside Probot's webhook route, and deliveries counted by event.
import { createHmac, generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { Probot, Server } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ferry from "../../src/index.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

describe("operations endpoints", () => {
  let server: Server;
  let base: string;
  const secret = "test-secret";

  beforeAll(async () => {
    server = new Server({
      Probot: Probot.defaults({ appId: 123, privateKey, secret, log: pino({ level: "silent" }) }),
      port: 0,
      host: "127.0.0.1",
      log: pino({ level: "silent" }),
    });
    await server.load(ferry);
    const http = await server.start();
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(() => server.stop());

  it("answers /healthz with 200", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok\n");
  });

  it("counts signed deliveries by event in /metrics", async () => {
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const delivered = await fetch(`${base}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "ping",
        "x-github-delivery": "delivery-1",
        "x-hub-signature-256": signature,
      },
      body,
    });
    expect(delivered.status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('ferry_webhook_deliveries_total{event="ping"} 1');
    expect(metrics).toContain("ferry_sync_queue_depth 0");
  });
});

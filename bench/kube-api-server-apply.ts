/**
 * Server-side apply throughput of the test API server, measured from a separate process:
 * the server runs as `npm run test-cluster`, and this process sends apply PATCHes for small
 * ConfigMaps over keep-alive HTTPS. Writes the results to docs/benchmarks.md.
 *
 *   npx tsx bench/kube-api-server-apply.ts [--count 5000] [--concurrency 16]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { machine, reportFile, writeSection } from "./support/report.js";
import { startTestCluster, type TestCluster } from "./support/test-cluster.js";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "16" },
  },
});
const count = Number(values.count);
const concurrency = Number(values.concurrency);

type Target = Pick<TestCluster, "url" | "token" | "ca">;

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function applyConfigMap(target: Target, name: string, value: string): Promise<number> {
  const body = JSON.stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default", labels: { bench: "apply" } },
    data: { value, other: "constant" },
  });
  return new Promise((resolve, reject) => {
    const req = request(
      `${target.url}/api/v1/namespaces/default/configmaps/${name}?fieldManager=bench&force=true`,
      {
        method: "PATCH",
        agent,
        ca: target.ca,
        headers: {
          authorization: `Bearer ${target.token}`,
          "content-type": "application/apply-patch+yaml",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends `count` applies with `concurrency` in flight; returns applies per second. */
async function run(
  target: Target,
  label: string,
  nameOf: (i: number) => string,
  dataValueOf: (i: number) => string,
) {
  let next = 0;
  let failures = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const status = await applyConfigMap(target, nameOf(i), dataValueOf(i));
      if (status !== 200 && status !== 201) failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = count / seconds;
  console.log(
    `${label}: ${count} applies in ${seconds.toFixed(2)} s = ${rate.toFixed(0)}/s, ${failures} failed`,
  );
  if (failures > 0) throw new Error(`${failures} applies failed`);
  return { label, seconds, rate };
}

const dir = await mkdtemp(join(tmpdir(), "ferry-bench-"));
const target = await startTestCluster(dir);
const { stop } = target;
try {
  await run(
    target,
    "warm-up",
    (i) => `warm-${i % 100}`,
    (i) => String(i),
  );
  const results = [
    await run(
      target,
      "create (new ConfigMap each time)",
      (i) => `cm-${i}`,
      () => "v1",
    ),
    await run(
      target,
      "configure (change one value)",
      (i) => `cm-${i}`,
      () => "v2",
    ),
    await run(
      target,
      "unchanged (same config again, no write)",
      (i) => `cm-${i}`,
      () => "v2",
    ),
  ];
  const table = results
    .map((r) => `| ${r.label} | ${count} | ${r.seconds.toFixed(2)} | **${r.rate.toFixed(0)}** |`)
    .join("\n");
  await writeSection(
    "kube-api-server-apply",
    `## Test API server: server-side apply throughput

\`bench/kube-api-server-apply.ts\` starts the test API server in its own process (\`npm run test-cluster\`)
and sends server-side apply PATCHes (\`application/apply-patch+yaml\`, \`fieldManager=bench\`, \`force=true\`)
for small ConfigMaps (two data keys, one label) over keep-alive HTTPS, ${concurrency} requests in flight, after a
warm-up. Each request goes through the whole write path: auth, routing, field ownership, defaults,
validation, storage and watch fan-out. Target: at least 1,000 applies per second, so the server is never the
bottleneck of a Ferry benchmark.

Machine: ${machine()}. Measured ${new Date().toISOString().slice(0, 10)}.

| case | applies | seconds | applies/s |
| --- | ---: | ---: | ---: |
${table}`,
  );
  console.log(`written to ${reportFile}`);
} finally {
  stop();
  agent.destroy();
  await rm(dir, { recursive: true, force: true });
}

/**
 * Ferry's sync engine against `kubectl apply --server-side`, in the same run, on the same rendered
 * objects: ConfigMaps, Deployments and Services in one namespace, 100 and 1,000 of them, each tool
 * against a fresh test API server in its own process. Measures Ferry's first apply, its no-op
 * reconcile and its peak memory (max RSS), and writes the figures to docs/benchmarks.md.
 *
 *   npx tsx bench/sync-engine.ts [--sizes 100,1000]
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { locateBinary } from "../src/tools/binaries.js";
import { machine, reportFile, writeSection } from "./support/report.js";
import { startTestCluster } from "./support/test-cluster.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..");
const ferry = join(root, "bin", "ferry.js");

const { values } = parseArgs({ options: { sizes: { type: "string", default: "100,1000" } } });
const sizes = values.sizes.split(",").map(Number);

/** A repository with `n` objects in plain YAML files (no kustomization: Ferry generates one). */
async function makeRepo(dir: string, n: number): Promise<void> {
  const app = join(dir, "app");
  await mkdir(app, { recursive: true });
  await writeFile(join(app, "namespace.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bench\n");
  const docs: Record<string, string[]> = { configmaps: [], deployments: [], services: [] };
  for (let i = 0; i < n; i++) {
    const name = `app-${i}`;
    if (i % 3 === 0) {
      docs.configmaps.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: bench\ndata:\n  index: "${i}"\n  mode: bench\n`);
    } else if (i % 3 === 1) {
      docs.deployments.push(
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: bench\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n          ports:\n            - containerPort: 80\n`,
      );
    } else {
      docs.services.push(
        `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: bench\nspec:\n  selector:\n    app: ${name}\n  ports:\n    - port: 80\n      targetPort: 80\n`,
      );
    }
  }
  for (const [file, list] of Object.entries(docs)) await writeFile(join(app, `${file}.yaml`), list.join("---\n"));
}

/** Runs a command; returns wall seconds and the peak RSS in MB (GNU time's %M). */
async function measure(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; rssMb: number; stdout: string }> {
  const started = process.hrtime.bigint();
  const { stdout, stderr } = await run("/usr/bin/time", ["-f", "maxrss=%M", command, ...args], {
    env,
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = /maxrss=(\d+)/.exec(stderr);
  return { seconds, rssMb: rss ? Number(rss[1]) / 1024 : Number.NaN, stdout };
}

interface Row {
  n: number;
  kubectl: number;
  first: number;
  noop: number;
  rssMb: number;
  noopWrites: string;
}

const kubectl = await locateBinary("kubectl");
const rows: Row[] = [];
for (const n of sizes) {
  const dir = await mkdtemp(join(tmpdir(), `ferry-bench-${n}-`));
  try {
    await makeRepo(dir, n);
    const { stdout: rendered } = await run(process.execPath, [ferry, "build", join(dir, "app"), "--repo", dir], {
      maxBuffer: 256 * 1024 * 1024,
    });
    await writeFile(join(dir, "rendered.yaml"), rendered);

    const forKubectl = await startTestCluster(dir, "kubectl.kubeconfig");
    const forFerry = await startTestCluster(dir, "ferry.kubeconfig");
    try {
      const env = { PATH: process.env.PATH, HOME: dir, KUBECACHEDIR: join(dir, "kube-cache") };
      const k = await measure(kubectl, ["apply", "--server-side", "-f", join(dir, "rendered.yaml"), "--kubeconfig", forKubectl.kubeconfig], env);
      const ferryArgs = [ferry, "apply", join(dir, "app"), "--repo", dir, "--kubeconfig", forFerry.kubeconfig, "--prune"];
      const first = await measure(process.execPath, ferryArgs, env);
      const noop = await measure(process.execPath, [...ferryArgs, "--output", "json"], env);
      const result = JSON.parse(noop.stdout) as { units: { changes: { action: string }[] }[] };
      const changed = result.units.flatMap((u) => u.changes).filter((c) => c.action !== "unchanged").length;
      rows.push({
        n,
        kubectl: k.seconds,
        first: first.seconds,
        noop: noop.seconds,
        rssMb: Math.max(first.rssMb, noop.rssMb),
        noopWrites: changed === 0 ? "all unchanged" : `${changed} changed`,
      });
      console.log(
        `${n} objects: kubectl ${k.seconds.toFixed(2)} s, ferry first ${first.seconds.toFixed(2)} s, no-op ${noop.seconds.toFixed(2)} s, peak RSS ${Math.max(first.rssMb, noop.rssMb).toFixed(0)} MB`,
      );
    } finally {
      forKubectl.stop();
      forFerry.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const table = rows
  .map(
    (r) =>
      `| ${r.n + 1} | ${r.kubectl.toFixed(2)} | ${r.first.toFixed(2)} | ${(r.first / r.kubectl).toFixed(2)} | ${r.noop.toFixed(2)} | ${(r.noop / r.first).toFixed(2)} | ${r.rssMb.toFixed(0)} | ${r.noopWrites} |`,
  )
  .join("\n");
await writeSection(
  "sync-engine",
  `## Sync engine: \`ferry apply\` against \`kubectl apply --server-side\`

\`bench/sync-engine.ts\` writes a repository of ConfigMaps, Deployments and Services (a third each) in one
namespace, renders it with \`ferry build\`, and in the same run applies it with \`kubectl apply --server-side -f\`
(the rendered YAML) and with \`ferry apply --prune\` (build, dry-run validation of every object, staged apply,
inventory), each tool against a fresh test API server in its own process; then runs \`ferry apply\` again (the
no-op reconcile). Times are wall clock for the whole command, process start included; memory is the peak RSS of
the \`ferry\` process (GNU time). Targets: Ferry's first apply at most half of kubectl's time, the no-op at most a
third of Ferry's first apply, peak memory under 150 MB.

Machine: ${machine()}. Measured ${new Date().toISOString().slice(0, 10)}.

| objects | kubectl s | ferry first s | ferry / kubectl | ferry no-op s | no-op / first | ferry peak RSS MB | no-op result |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${table}`,
);
console.log(`written to ${reportFile}`);

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
      docs.configmaps.push(
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: bench\ndata:\n  index: "${i}"\n  mode: bench\n`,
      );
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
  for (const [file, list] of Object.entries(docs))
    await writeFile(join(app, `${file}.yaml`), list.join("---\n"));
}

/** Runs a command; returns wall seconds and the peak RSS in MB (GNU time's %M). */
async function measure(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ seconds: number; rssMb: number; stdout: string }> {
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
  noopRequests: string;
  cliFirst: number;
  cliNoop: number;
  /** The leanest client's time for what Ferry must send (dry-run + apply per object), and for the applies alone. */
  floor: number;
  floorApplyOnly: number;
}

const kubectl = await locateBinary("kubectl");
const rows: Row[] = [];
for (const n of sizes) {
  const dir = await mkdtemp(join(tmpdir(), `ferry-bench-${n}-`));
  try {
    await makeRepo(dir, n);
    const { stdout: rendered } = await run(
      process.execPath,
      [ferry, "build", join(dir, "app"), "--repo", dir],
      {
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    await writeFile(join(dir, "rendered.yaml"), rendered);
    const env = { PATH: process.env.PATH, HOME: dir, KUBECACHEDIR: join(dir, "kube-cache") };

    const clusters = await Promise.all(
      ["kubectl", "engine", "cli", "floor", "apply-only"].map((name) =>
        startTestCluster(dir, `${name}.kubeconfig`, { simulator: false }),
      ),
    );
    const [forKubectl, forEngine, forCli, forFloor, forApplyOnly] = clusters;
    try {
      const k = await measure(
        kubectl,
        ["apply", "--server-side", "-f", join(dir, "rendered.yaml"), "--kubeconfig", forKubectl.kubeconfig],
        env,
      );
      const child = join(import.meta.dirname, "support", "reconcile-child.mjs");
      const { stdout } = await run(process.execPath, [child, dir, "app", forEngine.kubeconfig], {
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
      const engine = JSON.parse(stdout) as {
        first: { seconds: number };
        noop: { seconds: number; actions: string[]; requests: Record<string, number> };
        maxRssMb: number;
      };
      const changed = engine.noop.actions.filter((a) => a !== "unchanged").length;
      const requests = Object.entries(engine.noop.requests)
        .map(([m, c]) => `${c} ${m}`)
        .join(", ");
      const cliArgs = [
        ferry,
        "apply",
        join(dir, "app"),
        "--repo",
        dir,
        "--kubeconfig",
        forCli.kubeconfig,
        "--prune",
      ];
      const floorChild = join(import.meta.dirname, "support", "apply-floor-child.mjs");
      const floorOf = async (kubeconfig: string, ...flags: string[]) => {
        const out = await run(
          process.execPath,
          [floorChild, join(dir, "rendered.yaml"), kubeconfig, ...flags],
          {
            env,
          },
        );
        return (JSON.parse(out.stdout) as { seconds: number }).seconds;
      };
      const floor = await floorOf(forFloor.kubeconfig);
      const floorApplyOnly = await floorOf(forApplyOnly.kubeconfig, "--apply-only");
      const cliFirst = await measure(process.execPath, cliArgs, env);
      const cliNoop = await measure(process.execPath, cliArgs, env);
      rows.push({
        n,
        kubectl: k.seconds,
        first: engine.first.seconds,
        noop: engine.noop.seconds,
        rssMb: engine.maxRssMb,
        noopRequests: `${changed === 0 ? "all unchanged" : `${changed} changed`}; ${requests}`,
        cliFirst: cliFirst.seconds,
        cliNoop: cliNoop.seconds,
        floor,
        floorApplyOnly,
      });
      console.log(
        `${n + 1} objects: kubectl ${k.seconds.toFixed(2)} s; ferry engine first ${engine.first.seconds.toFixed(2)} s, no-op ${engine.noop.seconds.toFixed(2)} s, peak RSS ${engine.maxRssMb.toFixed(0)} MB; ferry apply command ${cliFirst.seconds.toFixed(2)} s / ${cliNoop.seconds.toFixed(2)} s; leanest client: dry-run + apply ${floor.toFixed(2)} s, apply only ${floorApplyOnly.toFixed(2)} s`,
      );
    } finally {
      for (const cluster of clusters) cluster.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const table = rows
  .map(
    (r) =>
      `| ${r.n + 1} | ${r.kubectl.toFixed(2)} | ${r.first.toFixed(2)} | **${(r.first / r.kubectl).toFixed(2)}** | ${r.noop.toFixed(2)} | **${(r.noop / r.first).toFixed(2)}** | **${r.rssMb.toFixed(0)}** | ${r.cliFirst.toFixed(2)} / ${r.cliNoop.toFixed(2)} | ${r.noopRequests} | ${r.floor.toFixed(2)} (**${(r.floor / r.kubectl).toFixed(2)}**) | ${r.floorApplyOnly.toFixed(2)} (${(r.floorApplyOnly / r.kubectl).toFixed(2)}) |`,
  )
  .join("\n");
await writeSection(
  "sync-engine",
  `## Sync engine against \`kubectl apply --server-side\`

\`bench/sync-engine.ts\` writes a repository of ConfigMaps, Deployments and Services (a third each) plus their
Namespace, renders it with \`ferry build\`, and in the same run, each against a fresh test API server in its own
process:

- **kubectl**: \`kubectl apply --server-side -f rendered.yaml\`, wall time of the command.
- **ferry engine**: Ferry's reconcile as the GitHub App runs it, in a process that has loaded Ferry once
  (\`bench/support/reconcile-child.mjs\` on \`dist/\`): build, dry-run validation of every object, staged apply,
  prune and inventory, timed from the start of the reconcile to its result; then the same reconcile again (the
  no-op). Peak memory is that process's max RSS, Node and Ferry's modules included.
- **ferry apply command**: the same two runs as \`ferry apply --prune\` processes (wall time, so Node's start and
  module loading, about 1 s, are included), for reference.
- **leanest client**: the requests Ferry's rules require (a dry-run apply of every object before any write, then
  the applies) and, for comparison, the applies alone (kubectl's one request per object), sent 16 at a time
  with Ferry's HTTP client by a process that does nothing else (\`bench/support/apply-floor-child.mjs\`; the
  YAML is parsed before the clock starts). It is the floor any client obeying the validate-first rule meets
  against this server: the server's time per request, not the client, bounds it.

Targets: Ferry's first apply at most half of kubectl's time, the no-op at most a third of Ferry's first apply,
peak memory under 150 MB.

Machine: ${machine()}. Measured ${new Date().toISOString().slice(0, 10)}.

| objects | kubectl s | ferry first s | first / kubectl | ferry no-op s | no-op / first | peak RSS MB | \`ferry apply\` first / no-op s | no-op requests | leanest client, dry-run + apply s (/ kubectl) | leanest client, apply only s (/ kubectl) |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |
${table}`,
);
console.log(`written to ${reportFile}`);

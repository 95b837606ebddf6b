// Ferry's engine as the GitHub App runs it: modules loaded once, then reconciles timed in-process.
// Plain JavaScript on the built dist/ (`npm install` builds it), so nothing but Ferry is in the process.
// Usage: node bench/support/reconcile-child.mjs REPO PATH KUBECONFIG
import { readFile } from "node:fs/promises";
import { Workspace } from "../../dist/build/workspace.js";
import { KubeClient } from "../../dist/cluster/client.js";
import { reconcileTree } from "../../dist/reconcile/run.js";

const [repo, path, kubeconfig] = process.argv.slice(2);
const root = {
  owner: { name: "bench", namespace: "ferry-system" },
  path,
  overlay: {},
  prune: true,
  wait: false,
  timeoutMs: 300_000,
  force: false,
  suspend: false,
  dependsOn: [],
  healthChecks: [],
};

async function once() {
  const started = performance.now();
  const client = await KubeClient.connect({ kubeconfigText: await readFile(kubeconfig, "utf8") });
  const workspace = await Workspace.create(repo);
  try {
    const result = await reconcileTree({ client, workspace, sopsKeys: { age: [], pgp: [] } }, root);
    if (!result.ok) throw new Error(JSON.stringify(result.units.map((u) => u.problems)));
    const actions = result.units.flatMap((u) => u.changes.map((c) => c.action));
    return {
      seconds: (performance.now() - started) / 1000,
      actions,
      requests: Object.fromEntries(client.requestCounts),
    };
  } finally {
    client.close();
    await workspace.dispose();
  }
}

const first = await once();
const noop = await once();
process.stdout.write(`${JSON.stringify({ first, noop, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);

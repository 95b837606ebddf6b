// The fewest requests Ferry's rules allow, from the leanest client: every object of a rendered file
// dry-run applied, then applied, 16 in flight, with Ferry's HTTP client and no other work (the YAML is
// parsed before the clock starts). `--apply-only` sends just the applies, as kubectl does (one each).
// Usage: node bench/support/apply-floor-child.mjs RENDERED.yaml KUBECONFIG [--apply-only]
import { readFile } from "node:fs/promises";
import pLimit from "p-limit";
import { parseAllDocuments } from "yaml";
import { KubeClient } from "../../dist/cluster/client.js";

const [rendered, kubeconfig, mode] = process.argv.slice(2);
const objects = parseAllDocuments(await readFile(rendered, "utf8")).map((doc) => doc.toJS());
const namespaces = objects.filter((o) => o.kind === "Namespace");
const rest = objects.filter((o) => o.kind !== "Namespace");

const started = performance.now();
const client = await KubeClient.connect({ kubeconfigText: await readFile(kubeconfig, "utf8") });
const limit = pLimit(16);
const apply = (o, dryRun) => client.apply(o, { fieldManager: "ferry", force: true, dryRun });
try {
  // The namespace must exist before objects in it can be dry-run.
  for (const ns of namespaces) await apply(ns, false);
  if (mode !== "--apply-only") await Promise.all(rest.map((o) => limit(() => apply(o, true))));
  await Promise.all(rest.map((o) => limit(() => apply(o, false))));
} finally {
  client.close();
}
process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000 })}\n`);

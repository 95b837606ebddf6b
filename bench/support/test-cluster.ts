/** The test API server in a process of its own, as `npm run test-cluster` runs it. */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";

export interface TestCluster {
  kubeconfig: string;
  url: string;
  token: string;
  ca: string;
  stop(): void;
}

export async function startTestCluster(
  dir: string,
  name = "kubeconfig",
  options: { simulator?: boolean } = {},
): Promise<TestCluster> {
  const kubeconfig = join(dir, name);
  const main = join(import.meta.dirname, "..", "..", "test", "kube-api-server", "main.ts");
  const flags = options.simulator === false ? ["--no-simulator"] : [];
  const child = spawn(process.execPath, ["--import", "tsx", main, "--kubeconfig", kubeconfig, ...flags], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (c: Buffer) => c.toString().includes("kubeconfig written") && resolve());
    child.on("exit", (code) => reject(new Error(`test-cluster exited with ${code}`)));
  });
  const config = parseYaml(await readFile(kubeconfig, "utf8"));
  const cluster = config.clusters[0].cluster;
  return {
    kubeconfig,
    url: cluster.server,
    token: config.users[0].user.token,
    ca: Buffer.from(cluster["certificate-authority-data"], "base64").toString(),
    stop: () => child.kill("SIGTERM"),
  };
}

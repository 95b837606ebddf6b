/** The test API server as the cluster a pod runs in: its service account's files and environment. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { vi } from "vitest";
import type { KubeApiServer } from "../kube-api-server/server.js";

/** The files Kubernetes mounts in a pod for its service account: token, CA and namespace. */
export async function writeServiceAccount(server: KubeApiServer, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, "token"), server.token, { mode: 0o600 });
  await writeFile(join(folder, "ca.crt"), server.certificate);
  await writeFile(join(folder, "namespace"), "ferry-system");
}

/** The environment Kubernetes gives a pod: where its API server is (undone by `vi.unstubAllEnvs()`). */
export function stubInCluster(server: KubeApiServer): void {
  const url = new URL(server.url);
  vi.stubEnv("KUBERNETES_SERVICE_HOST", url.hostname);
  vi.stubEnv("KUBERNETES_SERVICE_PORT", url.port);
}

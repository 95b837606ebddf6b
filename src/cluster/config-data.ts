/** The data of a ConfigMap or a Secret in the cluster, as text. */
import type { KubeClient } from "./client.js";

/** A ConfigMap's `data`, or a Secret's decoded from base64; undefined when the object is not there. */
export async function readConfigData(
  client: KubeClient,
  ref: { kind: "ConfigMap" | "Secret"; namespace: string; name: string },
): Promise<Record<string, string> | undefined> {
  const live = await client.get({ group: "", version: "v1", ...ref });
  if (!live) return undefined;
  const data = (live.data ?? {}) as Record<string, string>;
  if (ref.kind === "ConfigMap") return data;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, Buffer.from(value, "base64").toString("utf8")]),
  );
}

/**
 * Which post-renderers a deployed release was made with: a label on the release (`helm upgrade
 * --labels`), which helm keeps on its storage Secret and carries into rollbacks. Ferry is stateless,
 * so this is how a change of `postRenderers` alone is seen as a change, and no change as none.
 */
import type { KubeClient } from "../../cluster/client.js";

export const POST_RENDERERS_LABEL = "ferry.dev/post-renderers";

/** The digest a release revision was labelled with (helm's Secret storage); undefined for none. */
export async function deployedPostRenderersDigest(
  client: KubeClient,
  release: { name: string; namespace: string; revision: number },
): Promise<string | undefined> {
  const storage = await client.get({
    group: "",
    version: "v1",
    kind: "Secret",
    namespace: release.namespace,
    name: `sh.helm.release.v1.${release.name}.v${release.revision}`,
  });
  const value = storage?.metadata.labels?.[POST_RENDERERS_LABEL];
  return value && value !== "null" ? value : undefined;
}

/** The `--labels` for an upgrade: the new digest, or removing a digest the release had. */
export function postRenderersLabels(
  desired: string | undefined,
  deployed: string | undefined,
): Record<string, string> {
  if (desired) return { [POST_RENDERERS_LABEL]: desired };
  return deployed ? { [POST_RENDERERS_LABEL]: "null" } : {};
}

/**
 * What each ImagePolicy picks: its ImageRepository's tags (from the caller: a registry listing, the
 * tags of registry events, or both), less the repository's exclusions, ordered by the policy. The
 * digest is reflected when the policy asks for it and the caller knows it. One policy's failure is
 * its own: the others still resolve.
 */
import type { ImagePolicy, ImageRepository } from "./kinds.js";
import { selectLatestTag } from "./policy/index.js";
import { parseImageReference } from "./registry/index.js";
import type { Located } from "./scan.js";
import type { PolicyResult } from "./setters/index.js";

/** The tags known for an image, with the digests known for some of them. */
export interface KnownTags {
  tags: readonly string[];
  digests?: ReadonlyMap<string, string>;
  /** Said in the report: how the tags were found when not by listing them (e.g. listing refused). */
  note?: string;
}

export interface PolicyOutcome {
  /** `<namespace>:<name>`, as markers name the policy. */
  key: string;
  policy: Located<ImagePolicy>;
  /** The image of the policy's ImageRepository, `ghcr.io/acme/app`. */
  image?: string;
  result?: PolicyResult;
  note?: string;
  /** Why the policy picked nothing; its markers are left as they are. */
  error?: string;
}

/** Namespaced objects without a namespace land in `default`, as kubectl and Flux apply them. */
export const namespaceOf = (object: { metadata: { namespace?: string } }) =>
  object.metadata.namespace ?? "default";
export const policyKey = (policy: ImagePolicy) => `${namespaceOf(policy)}:${policy.metadata.name}`;

/** The image an ImageRepository watches, as registry events and listings name it. */
export function imageOf(repository: ImageRepository): string {
  return parseImageReference(repository.spec.image).name;
}

export async function resolvePolicies(
  policies: readonly Located<ImagePolicy>[],
  repositories: readonly ImageRepository[],
  tagsOf: (repository: ImageRepository, image: string) => Promise<KnownTags>,
): Promise<PolicyOutcome[]> {
  const known = new Map<string, Promise<KnownTags>>();
  return Promise.all(
    policies.map(async (policy): Promise<PolicyOutcome> => {
      const key = policyKey(policy);
      const ref = policy.spec.imageRepositoryRef;
      const namespace = ref.namespace ?? namespaceOf(policy);
      const repository = repositories.find(
        (r) => r.metadata.name === ref.name && namespaceOf(r) === namespace,
      );
      if (!repository) {
        return {
          key,
          policy,
          error: `its ImageRepository ${namespace}/${ref.name} is not in the repository's synced paths`,
        };
      }
      let image: string;
      try {
        image = imageOf(repository);
      } catch (error) {
        return { key, policy, error: `ImageRepository ${namespace}/${ref.name}: ${messageOf(error)}` };
      }
      const id = `${namespace}/${ref.name}`;
      if (!known.has(id)) known.set(id, tagsOf(repository, image));
      try {
        const tags = await (known.get(id) as Promise<KnownTags>);
        const tag = selectLatestTag(
          {
            policy: policy.spec.policy,
            ...(policy.spec.filterTags ? { filterTags: policy.spec.filterTags } : {}),
            ...(repository.spec.exclusionList ? { exclusionList: repository.spec.exclusionList } : {}),
          },
          tags.tags,
        );
        const digest = policy.spec.digestReflectionPolicy ?? "Never";
        const reflected = digest === "Never" ? undefined : tags.digests?.get(tag);
        return {
          key,
          policy,
          image,
          result: { image, tag, ...(reflected ? { digest: reflected } : {}) },
          ...(tags.note ? { note: tags.note } : {}),
          ...(digest !== "Never" && !reflected
            ? {
                note: [tags.note, `the digest of ${image}:${tag} is not known; only the tag is set`]
                  .filter(Boolean)
                  .join("; "),
              }
            : {}),
        };
      } catch (error) {
        return { key, policy, image, error: messageOf(error) };
      }
    }),
  );
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

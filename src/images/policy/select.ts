/**
 * Flux's ImagePolicy tag selection (image-reflector-controller `internal/policy`): drop the tags the
 * ImageRepository excludes, keep those `filterTags.pattern` matches, order the values `extract`
 * makes of them by the policy, and return the original tag of the latest one.
 */
import { type Constraint, ConstraintError, highestMatching, parseConstraint } from "../../semver/index.js";
import { latestAlphabetical } from "./alphabetical.js";
import { PolicyError } from "./errors.js";
import { compileExclusions, compileTagFilter, DEFAULT_EXCLUSION_LIST, type TagFilter } from "./filter.js";
import { latestNumerical } from "./numerical.js";

export type PolicyOrder = "asc" | "desc";

/** `spec.policy` of an ImagePolicy; when several are set, the first of semver, alphabetical, numerical counts. */
export interface PolicyChoice {
  semver?: { range: string };
  alphabetical?: { order?: PolicyOrder };
  numerical?: { order?: PolicyOrder };
}

export interface TagPolicySpec {
  policy: PolicyChoice;
  filterTags?: TagFilter;
  /** The ImageRepository's `exclusionList`; absent or empty means Flux's default, `^.*\.sig$`. */
  exclusionList?: readonly string[];
}

/** What a policy sees: the values, and how to name one in a message. */
interface Candidates {
  /** Never empty. */
  values: readonly string[];
  /** `3 tags`, or `3 values extracted by filterTags`. */
  count: string;
  describe: (value: string) => string;
}

type Policy = (candidates: Candidates) => string;

function descending(order: string | undefined, field: string): boolean {
  // Flux upper-cases the order before checking it.
  const normalized = (order || "asc").toLowerCase();
  if (normalized !== "asc" && normalized !== "desc") {
    throw new PolicyError(`${field} must be asc or desc, not ${JSON.stringify(order)}`, "invalid");
  }
  return normalized === "desc";
}

function compilePolicy(choice: PolicyChoice): Policy {
  if (choice.semver) {
    const range = choice.semver.range;
    let constraint: Constraint;
    try {
      constraint = parseConstraint(range);
    } catch (error) {
      if (!(error instanceof ConstraintError)) throw error;
      throw new PolicyError(`policy.semver.range: ${error.message}`, "invalid", { cause: error });
    }
    return ({ values, count }) => {
      const latest = highestMatching(values, constraint, (value) => value);
      if (latest === undefined) {
        throw new PolicyError(
          `none of the ${count} is a version in the range ${JSON.stringify(range)} ` +
            "(versions have three parts, such as 1.2.3 or v1.2.3-rc.1)",
          "no-match",
        );
      }
      return latest;
    };
  }
  if (choice.alphabetical) {
    const desc = descending(choice.alphabetical.order, "policy.alphabetical.order");
    return ({ values }) => latestAlphabetical(values, desc) ?? "";
  }
  if (choice.numerical) {
    const desc = descending(choice.numerical.order, "policy.numerical.order");
    return ({ values, describe }) => latestNumerical(values, desc, describe) ?? "";
  }
  throw new PolicyError("policy must set one of semver, alphabetical or numerical", "invalid");
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * The latest tag under an ImagePolicy. Throws a PolicyError when the policy is invalid, no tag is
 * left after the exclusions and the filter, the semver range matches none, or the numerical policy
 * meets a tag that is not a number.
 */
export function selectLatestTag(spec: TagPolicySpec, tags: readonly string[]): string {
  const policy = compilePolicy(spec.policy);
  const excluded = compileExclusions(spec.exclusionList);
  const filter = spec.filterTags ? compileTagFilter(spec.filterTags) : undefined;

  if (tags.length === 0) throw new PolicyError("the image repository has no tags", "no-tags");
  const kept = tags.filter((tag) => !excluded(tag));
  if (kept.length === 0) {
    const list = spec.exclusionList?.length ? spec.exclusionList : DEFAULT_EXCLUSION_LIST;
    throw new PolicyError(
      `all ${plural(tags.length, "tag")} match the exclusion list (${list.map((p) => JSON.stringify(p)).join(", ")})`,
      "no-tags",
    );
  }
  if (!filter) {
    return policy({
      values: kept,
      count: plural(kept.length, "tag"),
      describe: (tag) => `tag ${JSON.stringify(tag)}`,
    });
  }

  // As Flux: each extracted value once, standing for the last tag that produced it.
  const originals = new Map<string, string>();
  for (const tag of kept) {
    const value = filter(tag);
    if (value !== undefined) originals.set(value, tag);
  }
  if (originals.size === 0) {
    throw new PolicyError(
      `none of the ${plural(kept.length, "tag")} matches filterTags.pattern ${JSON.stringify(spec.filterTags?.pattern ?? "")}`,
      "no-tags",
    );
  }
  const latest = policy({
    values: [...originals.keys()],
    count: `${plural(originals.size, "value")} extracted by filterTags`,
    describe: (value) =>
      `${JSON.stringify(value)} (extracted from tag ${JSON.stringify(originals.get(value))})`,
  });
  return originals.get(latest) ?? latest;
}

/**
 * The two tag filters Flux applies before a policy: the ImageRepository's `exclusionList` (tags
 * matching any pattern are dropped) and the ImagePolicy's `filterTags` (only tags matching the
 * pattern are kept, rewritten by `extract`). Patterns are Go regexps and unanchored: `rc` matches
 * `1.0-rc1`.
 */
import { PolicyError } from "./errors.js";
import { compileTemplate } from "./expand.js";
import { compileGoRegexp, type GoRegexp, GoRegexpError } from "./go-regexp.js";

/** Flux's `exclusionList` when the ImageRepository sets none (or an empty list): cosign signatures. */
export const DEFAULT_EXCLUSION_LIST: readonly string[] = ["^.*\\.sig$"];

/** `filterTags` of an ImagePolicy. */
export interface TagFilter {
  /** A Go regexp; empty or absent keeps every tag. */
  pattern?: string;
  /** A Go `Expand` template (`$1`, `${name}`); empty or absent keeps the tag as it is. */
  extract?: string;
}

function compileField(pattern: string, field: string): GoRegexp {
  try {
    return compileGoRegexp(pattern);
  } catch (error) {
    if (!(error instanceof GoRegexpError)) throw error;
    const message = `${field} ${JSON.stringify(pattern)} is not a valid Go regular expression: ${error.reason}`;
    throw new PolicyError(message, "invalid", { cause: error });
  }
}

/** A test for excluded tags; an absent or empty list means Flux's default. */
export function compileExclusions(exclusionList: readonly string[] | undefined): (tag: string) => boolean {
  const list = exclusionList && exclusionList.length > 0 ? exclusionList : DEFAULT_EXCLUSION_LIST;
  const patterns = list.map((pattern, i) => compileField(pattern, `exclusionList[${i}]`));
  return (tag) => patterns.some((pattern) => pattern.test(tag));
}

/** The value a tag is ordered by, or undefined when the pattern does not match it. */
export function compileTagFilter(filter: TagFilter): (tag: string) => string | undefined {
  const regexp = compileField(filter.pattern ?? "", "filterTags.pattern");
  const expand = filter.extract ? compileTemplate(filter.extract, regexp) : undefined;
  return (tag) => {
    const match = regexp.exec(tag);
    if (!match) return undefined;
    return expand ? expand(match) : tag;
  };
}

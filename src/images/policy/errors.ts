/** Why no tag could be chosen. */
export type PolicyErrorReason =
  /** The policy itself is wrong: a bad semver range, regular expression or order. */
  | "invalid"
  /** No tag is left to choose from (none listed, all excluded, none matching `filterTags`). */
  | "no-tags"
  /** The semver policy found no tag in its range. */
  | "no-match"
  /** The numerical policy met a tag that is not a number. */
  | "not-numeric";

/** An ImagePolicy that cannot pick a tag; the message says why and what to change. */
export class PolicyError extends Error {
  override readonly name = "PolicyError";

  constructor(
    message: string,
    readonly reason: PolicyErrorReason,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Flux ImagePolicy tag selection: exclusions, `filterTags`, and the semver, alphabetical and numerical policies. */
export { PolicyError, type PolicyErrorReason } from "./errors.js";
export { compileExclusions, compileTagFilter, DEFAULT_EXCLUSION_LIST, type TagFilter } from "./filter.js";
export { compileGoRegexp, type GoRegexp, GoRegexpError } from "./go-regexp.js";
export { type PolicyChoice, type PolicyOrder, selectLatestTag, type TagPolicySpec } from "./select.js";

/**
 * Semantic versions and ranges with Masterminds/semver v3 semantics: what Flux's image policies and
 * Helm's chart resolution use. Versions are strict (three parts, optional `v`).
 */
export { type Constraint, ConstraintError, parseConstraint } from "./constraint.js";
export { highestMatching } from "./highest.js";
export { compareVersions, parseVersion, type Version } from "./version.js";

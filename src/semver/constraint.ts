/**
 * Version ranges with Masterminds/semver v3 semantics (v3.3 and later), the ones Flux's ImagePolicy
 * `semver.range` and Helm's chart `version` use; npm's ranges differ in places (see the notes below).
 *
 * - Comparisons `=`, `!=`, `>`, `<`, `>=`, `<=`, and `=>`/`=<` as aliases; no operator means `=`.
 * - AND by spaces or commas, OR by `||`; hyphen ranges `1.2 - 1.4.5` (spaces around the hyphen).
 * - Wildcards `x`, `X`, `*`, and missing parts: `1.2`, `1.2.x` and `1.2.*` are the same range.
 * - Tilde `~1.2.3` = `>=1.2.3 <1.3.0` (`~>` too); caret `^1.2.3` = `<2.0.0`, `^0.2.3` = `<0.3.0`,
 *   `^0.0.3` = `0.0.3` only.
 * - A prerelease version matches an AND group only when a comparator of that group has a prerelease;
 *   then prereleases of any major.minor.patch can match (`>=1.0.0-0` admits them all).
 */

import type { Version } from "./version.js";
import { comparePrerelease, compareVersions, isValidPrerelease, parseUint64 } from "./version.js";

/** A parsed range. */
export interface Constraint {
  /** The range as written. */
  readonly text: string;
  matches(version: Version): boolean;
}

/** A range that cannot be parsed; the message names it and the part at fault. */
export class ConstraintError extends Error {
  override readonly name = "ConstraintError";

  constructor(
    readonly range: string,
    /** What is wrong, without the range: `"1x" is not a version`. */
    readonly reason: string,
  ) {
    super(`invalid semver range ${JSON.stringify(range)}: ${reason}`);
  }
}

type Operator = "=" | "!=" | ">" | "<" | ">=" | "<=" | "~" | "^";

/** One comparator, with the parts that were wildcards or missing ("dirty" in Masterminds). */
interface Comparator {
  readonly operator: Operator;
  /** The version written, wildcards as 0 (`1.2.x` → 1.2.0); keeps a prerelease. */
  readonly version: Version;
  /** The major was a wildcard (`*`, `x`): every part is open. */
  readonly anyMajor: boolean;
  /** The minor was a wildcard or missing (`1`, `1.x`). */
  readonly anyMinor: boolean;
  /** The patch was a wildcard or missing (`1.2`, `1.2.x`). */
  readonly anyPatch: boolean;
}

const aliases: Record<string, Operator> = {
  "": "=",
  "=": "=",
  "!=": "!=",
  ">": ">",
  "<": "<",
  ">=": ">=",
  "=>": ">=",
  "<=": "<=",
  "=<": "<=",
  "~": "~",
  "~>": "~",
  "^": "^",
};

// The grammar Masterminds accepts, as regular expressions so that odd inputs are accepted or refused
// exactly as Flux does (Go's regexp picks the same leftmost-first matches as JavaScript's here).
// Go's `\s` is ASCII `[\t\n\f\r ]`; the version part admits `|` in its number class, as Masterminds'.
const space = "[\\t\\n\\f\\r ]";
const number = "[0-9|xX*]+";
const identifiers = "[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*";
/** Groups: 1 major, 2 `.minor`, 3 `.patch`, 4 `-prerelease`, 5 `+build`. */
const versionPattern = `v?(${number})(\\.${number})?(\\.${number})?(-${identifiers})?(\\+${identifiers})?`;
const versionSkeleton = versionPattern.replace(/\((?!\?)/g, "(?:");
// The empty alternative is second, as in Masterminds: `>=` is found by backtracking past `=` and ``.
const operatorPattern = "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^";
// The two global ones are used only through `replace` and `match`, which reset their lastIndex.
const hyphenRange = new RegExp(
  `${space}*(${versionSkeleton})${space}+-${space}+(${versionSkeleton})${space}*`,
  "g",
);
const validGroup = new RegExp(
  `^${space}*(?:${operatorPattern})${space}*${versionSkeleton}${space}*` +
    `(?:(?:${space}+|,${space}*)(?:${operatorPattern})${space}*${versionSkeleton}${space}*)*$`,
);
const findComparator = new RegExp(`(?:${operatorPattern})${space}*${versionSkeleton}`, "g");
const comparatorPattern = new RegExp(`^${space}*(${operatorPattern})${space}*(${versionPattern})${space}*$`);
/** Masterminds' `NewVersion` in its default (coercing) mode: parts may be missing or have leading zeros. */
const looseVersion = new RegExp(
  `^v?([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:-(${identifiers}))?(?:\\+(${identifiers}))?$`,
);

const isWildcard = (part: string): boolean => part === "x" || part === "X" || part === "*";

function looseParse(text: string): Version | undefined {
  const m = looseVersion.exec(text);
  if (!m) return undefined;
  const major = parseUint64(m[1]);
  const minor = m[2] === undefined ? 0n : parseUint64(m[2]);
  const patch = m[3] === undefined ? 0n : parseUint64(m[3]);
  const prerelease = m[4] ?? "";
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  // The pattern admits numeric identifiers with leading zeros; SemVer does not.
  if (prerelease !== "" && !isValidPrerelease(prerelease)) return undefined;
  return { major, minor, patch, prerelease, build: m[5] ?? "", original: text };
}

function parseComparator(text: string, range: string): Comparator {
  const m = comparatorPattern.exec(text);
  if (!m) throw new ConstraintError(range, `${JSON.stringify(text.trim())} is not a comparison`);
  const [, operatorText, written, major, minorPart = "", patchPart = "", prerelease = ""] = m;
  const minor = minorPart.slice(1);
  const patch = patchPart.slice(1);
  const anyMajor = isWildcard(major);
  const anyMinor = !anyMajor && (minor === "" || isWildcard(minor));
  const anyPatch = !anyMajor && !anyMinor && (patch === "" || isWildcard(patch));
  // Wildcards become zeros; the prerelease stays and build metadata goes (Masterminds' `parseConstraint`).
  const base = anyMajor
    ? `0.0.0${prerelease}`
    : anyMinor
      ? `${major}.0.0${prerelease}`
      : anyPatch
        ? `${major}.${minor}.0${prerelease}`
        : written;
  const version = looseParse(base);
  if (!version) throw new ConstraintError(range, `${JSON.stringify(written)} is not a version`);
  return { operator: aliases[operatorText], version, anyMajor, anyMinor, anyPatch };
}

/** Rewrites `A - B` as `>= A, <= B ` (each occurrence in place). */
const rewriteHyphenRanges = (text: string): string =>
  text.replace(hyphenRange, (_match, from: string, to: string) => `>= ${from}, <= ${to} `);

/**
 * Parses a range; throws a ConstraintError naming it when it is not one (`1.0.0p`, `1x`, `>= bar`,
 * `1.2.3.4`, an empty string).
 */
export function parseConstraint(text: string): Constraint {
  const groups = rewriteHyphenRanges(text)
    .split("||")
    .map((group) => {
      if (!validGroup.test(group)) {
        const shown = group.trim() === "" ? "an empty range" : JSON.stringify(group.trim());
        throw new ConstraintError(
          text,
          `${shown} is not a list of comparisons such as ">=1.2.3 <2.0.0", "~1.2", "^1.2" or "1.2.x"`,
        );
      }
      const comparators = (group.match(findComparator) ?? []).map((part) => parseComparator(part, text));
      return { comparators, prereleases: comparators.some((c) => c.version.prerelease !== "") };
    });
  return {
    text,
    matches: (version) =>
      groups.some(
        ({ comparators, prereleases }) =>
          (prereleases || version.prerelease === "") && comparators.every((c) => satisfies(version, c)),
      ),
  };
}

/** One comparator; prereleases were already let through or refused for the whole group. */
function satisfies(v: Version, c: Comparator): boolean {
  const con = c.version;
  const dirty = c.anyMajor || c.anyMinor || c.anyPatch;
  switch (c.operator) {
    case "=":
      return dirty ? tilde(v, c) : compareVersions(v, con) === 0;
    case "!=":
      return notEqual(v, c);
    case ">":
      if (!dirty || c.anyMajor) return v.major > con.major || compareVersions(v, con) > 0;
      // `>1` needs 2 or above, `>1.2` needs 1.3 or above.
      if (v.major !== con.major) return v.major > con.major;
      return c.anyPatch && v.minor > con.minor;
    case "<":
      return compareVersions(v, con) < 0;
    case ">=":
      return compareVersions(v, con) >= 0;
    case "<=":
      if (!dirty) return compareVersions(v, con) <= 0;
      // `<=1` admits all of 1.x, `<=1.2` all of 1.2.x; the wildcard parts are ignored.
      if (v.major > con.major) return false;
      return !(v.major === con.major && v.minor > con.minor && !c.anyMinor);
    case "~":
      return tilde(v, c);
    case "^":
      return caret(v, c);
  }
}

/** `~1.2.3`: at least the version, same major, and same minor unless the minor was open. */
function tilde(v: Version, c: Comparator): boolean {
  const con = c.version;
  if (compareVersions(v, con) < 0) return false;
  // `~0.0.0` (and `~*`) admit everything.
  if (con.major === 0n && con.minor === 0n && con.patch === 0n && !c.anyMinor && !c.anyPatch) return true;
  if (v.major !== con.major) return false;
  return c.anyMinor || v.minor === con.minor;
}

/** `^1.2.3` <2.0.0, `^0.2.3` <0.3.0, `^0.0.3` =0.0.3; `^0` and `^0.0` keep the major (and minor) only. */
function caret(v: Version, c: Comparator): boolean {
  const con = c.version;
  if (compareVersions(v, con) < 0) return false;
  if (con.major > 0n || c.anyMinor) return v.major === con.major;
  if (v.major > 0n) return false;
  if (con.minor > 0n || c.anyPatch) return v.minor === con.minor;
  if (v.minor > 0n) return false;
  return v.patch === con.patch;
}

/** `!=1.2.3`; `!=1.2` (or `!=1.2.x`) refuses all of 1.2.x, `!=1` all of 1.x. */
function notEqual(v: Version, c: Comparator): boolean {
  const con = c.version;
  if (c.anyMajor || c.anyMinor || c.anyPatch) {
    if (con.major !== v.major) return true;
    if (c.anyMinor) return false;
    if (con.minor !== v.minor) return true;
    if (c.anyPatch) {
      // A prerelease on either side decides, as in Masterminds: `!=4.1-alpha` admits 4.1.0.
      if (v.prerelease !== "" || con.prerelease !== "")
        return comparePrerelease(v.prerelease, con.prerelease) !== 0;
      return false;
    }
    if (con.patch !== v.patch) return true;
  }
  return compareVersions(v, con) !== 0;
}

/**
 * Semantic versions as Masterminds/semver v3 reads and orders them (the library behind Flux's image
 * policies and Helm), not as npm does. Parsing is strict: three numeric parts without leading zeros,
 * an optional prerelease and build metadata per SemVer 2, and one optional leading `v`, which is
 * Flux's `version.ParseVersion` (Masterminds' `StrictNewVersion` plus the `v`).
 */

/** A parsed version; the parts are `bigint` because Masterminds holds them as uint64. */
export interface Version {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  /** The identifiers after `-`, dot-separated; `""` for a release. */
  readonly prerelease: string;
  /** The identifiers after `+`; ignored by precedence. */
  readonly build: string;
  /** The text as given, `v` prefix included. */
  readonly original: string;
}

const MAX_UINT64 = "18446744073709551615";

/** Whether `text` is all ASCII digits (and not empty). */
function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Whether `text[start, end)` is a non-empty `[0-9A-Za-z-]+`; a prerelease identifier made of
 * digits only must also not start with 0.
 */
function validIdentifier(text: string, start: number, end: number, prerelease: boolean): boolean {
  if (end === start) return false;
  let numeric = true;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    numeric = false;
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45)) return false;
  }
  return !(prerelease && numeric && end - start > 1 && text.charCodeAt(start) === 48);
}

/** Whether a digit string fits in a uint64 once its leading zeros are dropped. */
function fitsUint64(digits: string): boolean {
  let start = 0;
  while (start < digits.length - 1 && digits.charCodeAt(start) === 48) start++;
  const length = digits.length - start;
  return length < MAX_UINT64.length || (length === MAX_UINT64.length && digits.slice(start) <= MAX_UINT64);
}

/**
 * A version part as Go's `strconv.ParseUint(text, 10, 64)` reads it (leading zeros allowed here;
 * strict parsing refuses them before calling this); undefined when it is not one.
 */
export function parseUint64(text: string): bigint | undefined {
  return isDigits(text) && fitsUint64(text) ? BigInt(text) : undefined;
}

/**
 * SemVer prerelease identifiers: none empty, only `[0-9A-Za-z-]`, numeric ones without leading zeros.
 * (Masterminds' `validatePrerelease`.)
 */
export function isValidPrerelease(text: string): boolean {
  let start = 0;
  for (;;) {
    const dot = text.indexOf(".", start);
    const end = dot < 0 ? text.length : dot;
    if (!validIdentifier(text, start, end, true)) return false;
    if (dot < 0) return true;
    start = dot + 1;
  }
}

/** SemVer build identifiers: none empty, only `[0-9A-Za-z-]`. */
function isValidBuild(text: string): boolean {
  let start = 0;
  for (;;) {
    const dot = text.indexOf(".", start);
    const end = dot < 0 ? text.length : dot;
    if (!validIdentifier(text, start, end, false)) return false;
    if (dot < 0) return true;
    start = dot + 1;
  }
}

/** A strict numeric part `text[start, end)`: digits, no leading zero, at most 2^64-1. */
function strictPart(text: string, start: number, end: number): bigint | undefined {
  const length = end - start;
  if (length === 0 || (length > 1 && text.charCodeAt(start) === 48)) return undefined;
  // Up to 15 digits fit a double exactly, and BigInt of a number is cheaper than of a string.
  if (length <= 15) {
    let value = 0;
    for (let i = start; i < end; i++) value = value * 10 + (text.charCodeAt(i) - 48);
    return BigInt(value);
  }
  return parseUint64(text.slice(start, end));
}

/** The end of the run of ASCII digits starting at `from`. */
function digitsEnd(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i));
  return i;
}

/**
 * Parses `1.2.3`, `v1.2.3`, `1.2.3-rc.1+build.5`; undefined for anything else (`1.2`, `1.2.3.4`,
 * `01.2.3`, `1.2.3-01`, `vv1.2.3`, `V1.2.3`, an empty string).
 */
export function parseVersion(text: string): Version | undefined {
  const majorStart = text.charCodeAt(0) === 118 /* v */ ? 1 : 0;
  const majorEnd = digitsEnd(text, majorStart);
  if (text.charCodeAt(majorEnd) !== 46 /* . */) return undefined;
  const minorEnd = digitsEnd(text, majorEnd + 1);
  if (text.charCodeAt(minorEnd) !== 46) return undefined;
  const patchEnd = digitsEnd(text, minorEnd + 1);
  // After the patch: the end, `-prerelease`, `+build`, or `-prerelease+build` (the first `+` splits).
  let prerelease = "";
  let build = "";
  const next = text.charCodeAt(patchEnd);
  if (next === 45 /* - */ || next === 43 /* + */) {
    const plus = text.indexOf("+", patchEnd);
    if (next === 45) {
      prerelease = text.slice(patchEnd + 1, plus < 0 ? undefined : plus);
      if (!isValidPrerelease(prerelease)) return undefined;
    }
    if (plus >= 0) {
      build = text.slice(plus + 1);
      if (!isValidBuild(build)) return undefined;
    }
  } else if (patchEnd !== text.length) return undefined;
  const major = strictPart(text, majorStart, majorEnd);
  const minor = strictPart(text, majorEnd + 1, minorEnd);
  const patch = strictPart(text, minorEnd + 1, patchEnd);
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  return { major, minor, patch, prerelease, build, original: text };
}

/** A prerelease identifier counts as a number when `ParseUint` reads it (so not past 2^64-1). */
function numericIdentifier(part: string): boolean {
  return isDigits(part) && fitsUint64(part);
}

function compareIdentifiers(a: string, b: string): number {
  if (a === b) return 0;
  // A missing identifier (the shorter prerelease) sorts first.
  if (a === "") return -1;
  if (b === "") return 1;
  const aNumeric = numericIdentifier(a);
  const bNumeric = numericIdentifier(b);
  if (aNumeric && bNumeric) {
    // Valid numeric identifiers have no leading zeros: the longer is the larger.
    if (a.length !== b.length) return a.length < b.length ? -1 : 1;
    return a < b ? -1 : 1;
  }
  // Numbers sort before words; words compare byte-wise (they are ASCII).
  if (aNumeric) return -1;
  if (bNumeric) return 1;
  return a < b ? -1 : 1;
}

/** Orders two prerelease strings identifier by identifier (Masterminds' `comparePrerelease`). */
export function comparePrerelease(a: string, b: string): number {
  if (a === b) return 0;
  const aParts = a.split(".");
  const bParts = b.split(".");
  const length = Math.max(aParts.length, bParts.length);
  for (let i = 0; i < length; i++) {
    const order = compareIdentifiers(aParts[i] ?? "", bParts[i] ?? "");
    if (order !== 0) return order;
  }
  return 0;
}

/** SemVer precedence: -1, 0 or 1. A release sorts after its prereleases; build metadata is ignored. */
export function compareVersions(a: Version, b: Version): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === "") return 1;
  if (b.prerelease === "") return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

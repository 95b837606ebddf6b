// The shell pattern matcher envsubst uses for ${var#pattern} and friends: Go's path.Match as Flux's
// envsubst changed it, so that `*` and `?` also match `/`, and a trailing `*` matches the rest at
// once. Works on bytes as Go does. A malformed pattern is reported, and the trim then leaves the
// value as it is.

import { decodeRune, RUNE_ERROR } from "./bytes.js";

const STAR = 0x2a;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const CARET = 0x5e;
const MINUS = 0x2d;

export class BadPatternError extends Error {}

interface ChunkMatch {
  rest: Uint8Array;
  ok: boolean;
  bad: boolean;
}

const NO_MATCH: ChunkMatch = { rest: new Uint8Array(0), ok: false, bad: false };
const BAD: ChunkMatch = { rest: new Uint8Array(0), ok: false, bad: true };

/** Whether `name` matches all of `pattern`; throws BadPatternError for a malformed pattern. */
export function globMatch(pattern: Uint8Array, name: Uint8Array): boolean {
  let rest = pattern;
  let subject = name;
  next: while (rest.length > 0) {
    const { star, chunk, after } = splitChunk(rest);
    rest = after;
    if (star && chunk.length === 0) return true;
    const here = matchChunk(chunk, subject);
    if (here.ok && (here.rest.length === 0 || rest.length > 0)) {
      subject = here.rest;
      continue;
    }
    if (here.bad) throw new BadPatternError("syntax error in pattern");
    if (star) {
      for (let skip = 0; skip < subject.length; skip++) {
        const later = matchChunk(chunk, subject.subarray(skip + 1));
        if (later.ok) {
          // The last chunk must use up the name; otherwise the star may still stretch further.
          if (rest.length === 0 && later.rest.length > 0) continue;
          subject = later.rest;
          continue next;
        }
        if (later.bad) throw new BadPatternError("syntax error in pattern");
      }
    }
    return false;
  }
  return subject.length === 0;
}

/** The next run of the pattern: leading stars dropped, then everything up to the next star. */
function splitChunk(pattern: Uint8Array): { star: boolean; chunk: Uint8Array; after: Uint8Array } {
  let start = 0;
  while (start < pattern.length && pattern[start] === STAR) start++;
  const star = start > 0;
  const body = pattern.subarray(start);
  let inRange = false;
  let i = 0;
  for (; i < body.length; i++) {
    const c = body[i];
    if (c === BACKSLASH) {
      if (i + 1 < body.length) i++;
    } else if (c === LBRACKET) {
      inRange = true;
    } else if (c === RBRACKET) {
      inRange = false;
    } else if (c === STAR && !inRange) {
      break;
    }
  }
  return { star, chunk: body.subarray(0, i), after: body.subarray(i) };
}

/** Matches a star-free chunk against the start of `subject`; returns what is left of it. */
function matchChunk(pattern: Uint8Array, subject: Uint8Array): ChunkMatch {
  let chunk = pattern;
  let s = subject;
  while (chunk.length > 0) {
    if (s.length === 0) return NO_MATCH;
    const c = chunk[0];
    if (c === LBRACKET) {
      const [rune, width] = decodeRune(s, 0);
      s = s.subarray(width);
      chunk = chunk.subarray(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === CARET) {
        negated = true;
        chunk = chunk.subarray(1);
      }
      let matched = false;
      let ranges = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === RBRACKET && ranges > 0) {
          chunk = chunk.subarray(1);
          break;
        }
        const low = classChar(chunk);
        if (!low) return BAD;
        chunk = low.rest;
        let high = low;
        if (chunk[0] === MINUS) {
          const upper = classChar(chunk.subarray(1));
          if (!upper) return BAD;
          high = upper;
          chunk = upper.rest;
        }
        if (low.rune <= rune && rune <= high.rune) matched = true;
        ranges++;
      }
      if (matched === negated) return NO_MATCH;
    } else if (c === QUESTION) {
      const [, width] = decodeRune(s, 0);
      s = s.subarray(width);
      chunk = chunk.subarray(1);
    } else {
      if (c === BACKSLASH) {
        chunk = chunk.subarray(1);
        if (chunk.length === 0) return BAD;
      }
      if (chunk[0] !== s[0]) return NO_MATCH;
      s = s.subarray(1);
      chunk = chunk.subarray(1);
    }
  }
  return { rest: s, ok: true, bad: false };
}

/** One possibly escaped character of a character class; undefined when the class is malformed. */
function classChar(chunk: Uint8Array): { rune: number; rest: Uint8Array } | undefined {
  if (chunk.length === 0 || chunk[0] === MINUS || chunk[0] === RBRACKET) return undefined;
  let body = chunk;
  if (body[0] === BACKSLASH) {
    body = body.subarray(1);
    if (body.length === 0) return undefined;
  }
  const [rune, width] = decodeRune(body, 0);
  if (rune === RUNE_ERROR && width === 1) return undefined;
  const rest = body.subarray(width);
  if (rest.length === 0) return undefined;
  return { rune, rest };
}

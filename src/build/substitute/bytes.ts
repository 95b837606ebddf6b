// Byte-string helpers. Flux's envsubst works on Go strings, which are UTF-8 bytes: lengths, offsets
// and slices count bytes, and a rune is decoded where Go decodes one. These helpers give the same
// view of a JavaScript string.

const encoder = new TextEncoder();
const lenientDecoder = new TextDecoder("utf-8");
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

export const EMPTY = new Uint8Array(0);

/** The replacement rune Go decodes an invalid UTF-8 byte to. */
export const RUNE_ERROR = 0xfffd;

export function toBytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8, turning invalid bytes into U+FFFD as Go's conversions do. */
export function fromBytes(bytes: Uint8Array): string {
  return lenientDecoder.decode(bytes);
}

/** Decodes UTF-8, or returns undefined when the bytes are not valid UTF-8. */
export function fromBytesStrict(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export function runeBytes(rune: number): Uint8Array {
  // A surrogate is not a rune; Go encodes it as U+FFFD, and so does TextEncoder.
  return encoder.encode(String.fromCodePoint(rune));
}

function continuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/**
 * Decodes the rune at `at`, as Go's utf8.DecodeRune: returns [rune, width]; an invalid or
 * truncated sequence decodes to [U+FFFD, 1]; past the end it is [U+FFFD, 0].
 */
export function decodeRune(bytes: Uint8Array, at: number): [number, number] {
  if (at >= bytes.length) return [RUNE_ERROR, 0];
  const b0 = bytes[at];
  if (b0 < 0x80) return [b0, 1];
  const b1 = bytes[at + 1];
  if (b0 >= 0xc2 && b0 < 0xe0) {
    return continuation(b1) ? [((b0 & 0x1f) << 6) | (b1 & 0x3f), 2] : [RUNE_ERROR, 1];
  }
  const b2 = bytes[at + 2];
  if (b0 >= 0xe0 && b0 < 0xf0) {
    const low = b0 === 0xe0 ? 0xa0 : 0x80;
    const high = b0 === 0xed ? 0x9f : 0xbf;
    if (b1 === undefined || b1 < low || b1 > high || !continuation(b2)) return [RUNE_ERROR, 1];
    return [((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f), 3];
  }
  const b3 = bytes[at + 3];
  if (b0 >= 0xf0 && b0 < 0xf5) {
    const low = b0 === 0xf0 ? 0x90 : 0x80;
    const high = b0 === 0xf4 ? 0x8f : 0xbf;
    if (b1 === undefined || b1 < low || b1 > high || !continuation(b2) || !continuation(b3)) {
      return [RUNE_ERROR, 1];
    }
    return [((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f), 4];
  }
  return [RUNE_ERROR, 1];
}

/** The runes of a byte string, invalid bytes as U+FFFD (Go's []rune(s)). */
export function runesOf(bytes: Uint8Array): number[] {
  const runes: number[] = [];
  for (let at = 0; at < bytes.length; ) {
    const [rune, width] = decodeRune(bytes, at);
    runes.push(rune);
    at += width;
  }
  return runes;
}

export function runesToBytes(runes: number[]): Uint8Array {
  return concat(runes.map(runeBytes));
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Index of `needle` in `haystack` at or after `from`, or -1. */
export function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  if (needle.length === 0) return from <= haystack.length ? from : -1;
  const last = haystack.length - needle.length;
  outer: for (let i = from; i <= last; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export function hasPrefix(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && equal(bytes.subarray(0, prefix.length), prefix);
}

export function hasSuffix(bytes: Uint8Array, suffix: Uint8Array): boolean {
  return bytes.length >= suffix.length && equal(bytes.subarray(bytes.length - suffix.length), suffix);
}

/** Go's unicode.IsLetter. */
export function isLetter(rune: number): boolean {
  if (rune < 0x80) return (rune >= 0x41 && rune <= 0x5a) || (rune >= 0x61 && rune <= 0x7a);
  return /\p{L}/u.test(String.fromCodePoint(rune));
}

/** Go's unicode.IsDigit (decimal digits of any script). */
export function isDigit(rune: number): boolean {
  if (rune < 0x80) return rune >= 0x30 && rune <= 0x39;
  return /\p{Nd}/u.test(String.fromCodePoint(rune));
}

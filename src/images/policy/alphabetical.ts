/**
 * Go's string order: byte-wise over UTF-8, which is code point order. JavaScript's `<` compares
 * UTF-16 code units, which disagrees for characters above U+FFFF against U+E000–U+FFFF.
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** A code unit's place in code point order: surrogates (characters above U+FFFF) go after U+FFFF. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  if (unit <= 0xdfff) return unit + 0x2000;
  return unit - 0x800;
}

/** Flux's alphabetical policy: `asc` picks the greatest string, `desc` the smallest. */
export function latestAlphabetical(values: readonly string[], descending: boolean): string | undefined {
  let latest = values[0];
  for (let i = 1; i < values.length; i++) {
    const order = compareBytes(values[i], latest);
    if (descending ? order < 0 : order > 0) latest = values[i];
  }
  return latest;
}

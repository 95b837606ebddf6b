/** Chart values: a YAML/JSON map whose leaves are strings, numbers, booleans, null or lists. */
export type Values = { [key: string]: unknown };

export function isValuesMap(value: unknown): value is Values {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Own properties only, so keys such as `__proto__` or `constructor` are plain keys. */
export function hasKey(map: Values, key: string): boolean {
  return Object.hasOwn(map, key);
}

export function setKey(map: Values, key: string, value: unknown): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Flux's `chartutil.MergeMaps`: a new top-level map with `b` over `a`; maps present on both sides
 * are merged recursively, anything else from `b` replaces. Like the Go code it shares (does not
 * copy) the nested maps and lists it takes over, and values composition relies on that aliasing.
 */
export function mergeMaps(a: Values, b: Values | undefined): Values {
  const out: Values = {};
  for (const [key, value] of Object.entries(a)) setKey(out, key, value);
  for (const [key, value] of Object.entries(b ?? {})) {
    const current = hasKey(out, key) ? out[key] : undefined;
    setKey(out, key, isValuesMap(value) && isValuesMap(current) ? mergeMaps(current, value) : value);
  }
  return out;
}

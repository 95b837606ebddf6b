import type { Policies } from "./types.js";

/** The token a file must contain to be looked at (Flux screens files for it, quotes included). */
export const MARKER_TOKEN = '"$imagepolicy"';

/**
 * The setter a comment names, as kyaml reads `# {"$imagepolicy": "ns:name"}`: leading `#`s dropped,
 * the rest a JSON object whose values are all strings (or null), with a non-empty `$imagepolicy`.
 * Anything else (trailing text, a second comment, a number among the values) is an ordinary comment.
 */
export function parseMarker(comment: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(comment.replace(/^#+/, ""));
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const values = Object.values(json);
  if (!values.every((value) => typeof value === "string" || value === null)) return undefined;
  const setter = (json as Record<string, unknown>).$imagepolicy;
  return typeof setter === "string" && setter !== "" ? setter : undefined;
}

/**
 * The value a setter writes, or undefined when it names no known policy: `ns:name` gives
 * `image:tag` (with `@digest` when there is one), `:tag` the tag, `:name` the image, `:digest` the
 * digest, which is empty when the policy has none (Flux writes `""` then).
 */
export function setterValue(setter: string, policies: Policies): string | undefined {
  const whole = policies.get(setter);
  if (whole) return `${whole.image}:${whole.tag}${whole.digest ? `@${whole.digest}` : ""}`;
  const colon = setter.lastIndexOf(":");
  const policy = colon < 0 ? undefined : policies.get(setter.slice(0, colon));
  if (!policy) return undefined;
  switch (setter.slice(colon + 1)) {
    case "tag":
      return policy.tag;
    case "name":
      return policy.image;
    case "digest":
      return policy.digest ?? "";
    default:
      return undefined;
  }
}

import { createHash } from "node:crypto";
import { canonicalJson } from "../model/canonical-json.js";
import type { Values } from "./values-map.js";

/**
 * A stable digest of composed values, `sha256:<hex>` over canonical JSON (keys sorted, no
 * whitespace), so equal values give equal digests whatever their key order.
 */
export function valuesDigest(values: Values): string {
  return `sha256:${createHash("sha256").update(canonicalJson(values)).digest("hex")}`;
}

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Policies } from "../../../src/images/setters/index.js";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/images/setters/", import.meta.url));

export const fixture = (...path: string[]) => readFileSync(join(FIXTURES, ...path), "utf8");

export const DIGEST = "sha256:6745aaad46d795c9836632e1fb62f24b7e7f4c843144da8e47a5465c411a14be";

/** The policies of Flux's own TestUpdateWithSetters. */
export const fluxPolicies: Policies = new Map([
  ["automation-ns:policy", { image: "index.repo.fake/updated", tag: "v1.0.1" }],
  ["automation-ns:unchanged", { image: "image", tag: "v1.0.0" }],
  ["automation-ns:policy-with-digest", { image: "image", tag: "v1.0.0", digest: DIGEST }],
]);

/** The policies the fixtures under text/ name. */
export const policies: Policies = new Map([
  ["apps:web", { image: "ghcr.io/acme/web", tag: "1.5.0" }],
  ["apps:sidecar", { image: "ghcr.io/acme/sidecar", tag: "2.0.0" }],
  ["apps:worker", { image: "ghcr.io/acme/worker", tag: "1.10" }],
  ["apps:podinfo", { image: "registry.acme.io/mirror/podinfo", tag: "6.5.4" }],
  ["jobs:report", { image: "ghcr.io/acme/report", tag: "3.2.0", digest: DIGEST }],
]);

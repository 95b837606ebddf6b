import { describe, expect, it } from "vitest";
import { renderScalar, type ScalarStyle } from "../../../src/images/setters/render.js";

const cases: Array<[string, ScalarStyle, boolean, string]> = [
  // Plain stays plain while it reads back as the same string.
  ["ghcr.io/acme/web:1.5.0", "plain", false, "ghcr.io/acme/web:1.5.0"],
  [`image:v1.0.0@sha256:${"a".repeat(64)}`, "plain", false, `image:v1.0.0@sha256:${"a".repeat(64)}`],
  ["v1.0.1", "plain", false, "v1.0.1"],
  ["1.2.3", "plain", false, "1.2.3"],
  ["ghcr.io/acme/web:1.5.0", "plain", true, "ghcr.io/acme/web:1.5.0"],
  // Numbers, booleans, nulls and dates (to go-yaml, YAML 1.1 flavoured) get double quotes, as kyaml gives them.
  ["1.10", "plain", false, '"1.10"'],
  ["10", "plain", false, '"10"'],
  ["0777", "plain", false, '"0777"'],
  ["1_000", "plain", false, '"1_000"'],
  ["1e3", "plain", false, '"1e3"'],
  [".inf", "plain", false, '".inf"'],
  ["yes", "plain", false, '"yes"'],
  ["off", "plain", false, '"off"'],
  ["true", "plain", false, '"true"'],
  ["null", "plain", false, '"null"'],
  ["~", "plain", false, '"~"'],
  ["2024-01-02", "plain", false, '"2024-01-02"'],
  ["", "plain", false, '""'],
  // So do strings a plain scalar cannot hold where the value stands.
  ["a: b", "plain", false, '"a: b"'],
  ["a #b", "plain", false, '"a #b"'],
  ["- a", "plain", false, '"- a"'],
  ["*alias", "plain", false, '"*alias"'],
  [" padded", "plain", false, '" padded"'],
  ["a,b", "plain", false, "a,b"],
  ["a,b", "plain", true, '"a,b"'],
  ["a]", "plain", true, '"a]"'],
  // Quoted values keep their quotes.
  ["ghcr.io/acme/web:1.5.0", "double", false, '"ghcr.io/acme/web:1.5.0"'],
  ["1.10", "double", false, '"1.10"'],
  ['say "hi"', "double", false, '"say \\"hi\\""'],
  ["ghcr.io/acme/web:1.5.0", "single", true, "'ghcr.io/acme/web:1.5.0'"],
  ["", "single", false, "''"],
  ["it's", "single", false, "'it''s'"],
  ["tab\there", "single", false, '"tab\\there"'],
];

describe("renderScalar", () => {
  it.each(cases)("%j as %s (flow: %s)", (value, style, inFlow, expected) => {
    expect(renderScalar(value, style, inFlow)).toBe(expected);
  });
});

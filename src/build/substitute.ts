// Post-build variable substitution as Flux's kustomize-controller does it (fluxcd/pkg
// kustomize/kustomize_varsub.go with fluxcd/pkg/envsubst):
//
// 1. Variables: substituteFrom ConfigMaps and Secrets in order (later wins), then the inline
//    postBuild.substitute (wins over all); every value loses its "\n" characters.
// 2. Per object, unless it is labelled or annotated kustomize.toolkit.fluxcd.io/substitute: disabled,
//    and only when there is at least one variable (or substituteStrategy is Always): every variable
//    name is checked against ^[_[:alpha:]][_[:alpha:][:digit:]]*$, the object is written out as YAML
//    the way Flux writes it, envsubst runs on that text, and the text is read back as YAML.
//
// Because substitution works on the text, a value lands unquoted wherever the string it sits in
// was unquoted: `replicas: ${n}` with n=3 gives the number 3, and a value like "a: b" breaks the
// YAML. Quotes in the source file do not help (the object was parsed before), quotes in the value
// do: n='"3"' gives the string "3".

import { fromBytesStrict, toBytes } from "./substitute/bytes.js";
import { envsubst, envsubstBytes, type Lookup } from "./substitute/envsubst.js";
import { SubstitutionError } from "./substitute/errors.js";
import { toFluxYaml } from "./substitute/yaml-emit.js";
import { readFluxYaml } from "./substitute/yaml-read.js";

export { SubstitutionError } from "./substitute/errors.js";

/** The label or annotation that turns substitution off for an object, with the value "disabled". */
export const SUBSTITUTE_KEY = "kustomize.toolkit.fluxcd.io/substitute";
const DISABLED = "disabled";

/** Flux's variable name pattern, as Flux prints it. */
export const VARIABLE_NAME_PATTERN = "^[_[:alpha:]][_[:alpha:][:digit:]]*$";
// Go's RE2 classes are ASCII-only: [:alpha:] is [A-Za-z], [:digit:] is [0-9].
const VARIABLE_NAME = /^[_A-Za-z][_A-Za-z0-9]*$/;

/** Variable names must match Flux's pattern `^[_[:alpha:]][_[:alpha:][:digit:]]*$`; throws naming the bad key and its source. */
export function checkVariableName(name: string, source: string): void {
  if (VARIABLE_NAME.test(name)) return;
  throw new SubstitutionError(
    `'${name}' var name is invalid, must match '${VARIABLE_NAME_PATTERN}' (key in ${source}); ` +
      "rename the key to letters, digits and underscores, not starting with a digit",
  );
}

/** A substituteFrom reference with the data the caller read from the cluster. */
export interface SubstituteSource {
  kind: "ConfigMap" | "Secret";
  name: string;
  optional?: boolean;
  /** The ConfigMap's data, or the Secret's data still base64-encoded; undefined when the object was not found. */
  data?: Record<string, string>;
}

function withoutNewlines(value: string): string {
  return value.replaceAll("\n", "");
}

/** Decodes a Secret data value as Go's JSON decoder does ([]byte from standard base64, line breaks ignored). */
function decodeSecretValue(value: string, key: string, source: string): string {
  const compact = value.replace(/[\r\n]/g, "");
  const valid =
    compact.length % 4 === 0 && /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact);
  if (!valid) {
    throw new SubstitutionError(
      `substitute from '${source}' error: the value of key '${key}' is not valid base64; Secret data must be ` +
        "base64-encoded (use stringData for plain text)",
    );
  }
  return Buffer.from(compact, "base64").toString("utf8");
}

/**
 * Builds the variable map as Flux does: substituteFrom sources in order (later wins), then inline
 * substitute (wins over all); values lose newlines ("\n" removed, as Flux does). `sources` entries
 * carry the data already read from the cluster (the caller reads ConfigMaps/Secrets); a missing
 * source with optional=false is an error naming it, optional=true is skipped. Secret data arrives
 * base64-encoded (decode it). Every key is checked with checkVariableName.
 */
export function collectVariables(
  inline: Record<string, string> | undefined,
  sources: SubstituteSource[],
): Record<string, string> {
  const vars = new Map<string, string>();
  for (const source of sources) {
    const ref = `${source.kind}/${source.name}`;
    if (source.data === undefined) {
      if (source.optional) continue;
      throw new SubstitutionError(
        `substitute from '${ref}' error: ${source.kind} '${source.name}' not found; create it in the ` +
          "Kustomization's namespace, or mark the reference optional: true",
      );
    }
    for (const [key, value] of Object.entries(source.data)) {
      checkVariableName(key, ref);
      const text = source.kind === "Secret" ? decodeSecretValue(value, key, ref) : value;
      vars.set(key, withoutNewlines(text));
    }
  }
  for (const [key, value] of Object.entries(inline ?? {})) {
    checkVariableName(key, "postBuild.substitute");
    vars.set(key, withoutNewlines(value));
  }
  return Object.fromEntries(vars);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True unless the object is labelled or annotated kustomize.toolkit.fluxcd.io/substitute: disabled. */
export function substitutionEnabled(obj: Record<string, unknown>): boolean {
  const metadata = obj.metadata;
  if (!isRecord(metadata)) return true;
  for (const field of [metadata.labels, metadata.annotations]) {
    if (isRecord(field) && field[SUBSTITUTE_KEY] === DISABLED) return false;
  }
  return true;
}

export interface SubstituteOptions {
  /** An undefined variable without a default is an error (the controller's StrictPostBuildSubstitutions). */
  strict?: boolean;
  /**
   * Substitute even with no variables (postBuild.substituteStrategy: Always). By default, as in
   * Flux, an empty variable map leaves the object alone, so `${var:=default}` is not expanded.
   */
  always?: boolean;
}

function lookupIn(vars: Record<string, string>): Lookup {
  return (name) => (Object.hasOwn(vars, name) ? vars[name] : undefined);
}

function describe(obj: Record<string, unknown>): string {
  const metadata = isRecord(obj.metadata) ? obj.metadata : {};
  const kind = typeof obj.kind === "string" ? obj.kind : "object";
  const name = typeof metadata.name === "string" ? metadata.name : "";
  const namespace =
    typeof metadata.namespace === "string" && metadata.namespace ? `${metadata.namespace}/` : "";
  return name ? `${kind}/${namespace}${name}` : kind;
}

/**
 * Substitutes one object as Flux does: serialize to YAML, run envsubst on the text (only `${…}`
 * forms — a bare `$var` is left alone — after checking every variable name against Flux's
 * pattern), parse back. Returns the object itself when substitution is disabled for it, when
 * there are no variables and not `always`, or when the text did not change. Throws
 * SubstitutionError for a bad name, an undefined variable in strict mode, an expression envsubst
 * cannot parse, or a result that is not valid YAML or not an object.
 */
export function substituteObject<T extends Record<string, unknown>>(
  obj: T,
  vars: Record<string, string>,
  options: SubstituteOptions = {},
): T {
  if (!substitutionEnabled(obj)) return obj;
  const names = Object.keys(vars);
  if (names.length === 0 && !options.always) return obj;
  for (const name of names) checkVariableName(name, "the substitution variables");

  const subject = describe(obj);
  const text = toFluxYaml(obj);
  const output = envsubstBytes(toBytes(text), lookupIn(vars), { strict: options.strict, subject });
  const substituted = fromBytesStrict(output);
  if (substituted === undefined) {
    throw new SubstitutionError(
      `after substitution, ${subject} is not valid UTF-8: a substring or trim cut a multi-byte character ` +
        "(envsubst counts bytes); adjust the offsets",
    );
  }
  if (substituted === text) return obj;
  const result = readFluxYaml(substituted, subject);
  if (!isRecord(result)) {
    throw new SubstitutionError(
      `after substitution, ${subject} is no longer a YAML mapping; check the variables used at its top level`,
    );
  }
  return result as T;
}

/** The string-level envsubst, exported for tests. */
export function substituteText(
  text: string,
  vars: Record<string, string>,
  options: { strict?: boolean } = {},
): string {
  return envsubst(text, lookupIn(vars), { strict: options.strict });
}

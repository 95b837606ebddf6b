/**
 * Post-build variable substitution failed: a bad variable name, a missing ConfigMap or Secret, an
 * undefined variable in strict mode, an expression envsubst cannot parse, or a result that is no
 * longer valid YAML. The message names the variable, key or object and says what to do.
 */
export class SubstitutionError extends Error {
  override readonly name = "SubstitutionError";
}

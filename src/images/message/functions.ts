import type { Value } from "./values.js";

/**
 * A template function. Its parameter types are Go's, and the executor checks arguments against
 * them as Go does: `string`, `int`, `bool`, `float64`, `interface {}` (anything; a missing value
 * arrives as nil), `reflect.Value` (anything, a missing value as undefined), or a slice or map type
 * name (`map[string]interface {}`) that the argument's type must equal.
 */
export interface GoFunction {
  readonly params: readonly string[];
  /** The last parameter is `...`: it takes any number of arguments of its type. */
  readonly variadic?: boolean;
  /** `and` and `or` evaluate their arguments one by one and stop at the first that decides. */
  readonly shortCircuit?: "and" | "or";
  /** The result; throwing fails the template with `error calling NAME: MESSAGE`. */
  readonly call: (args: Value[]) => Value;
}

export type FunctionMap = ReadonlyMap<string, GoFunction>;

export function goFunction(
  params: readonly string[],
  call: (args: Value[]) => Value,
  variadic = false,
): GoFunction {
  return { params, call, variadic };
}

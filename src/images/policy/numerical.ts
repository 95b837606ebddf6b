import { PolicyError } from "./errors.js";
import { parseGoFloat } from "./go-float.js";

/**
 * Flux's numerical policy: every value is read as a Go float64, and one that is not a number fails
 * the whole policy. `asc` picks the largest, `desc` the smallest; of equal numbers the last one wins,
 * and comparisons with NaN come out as Go's do (a NaN is replaced by whatever follows it).
 * `describe` names a value in the error (`tag "latest"`).
 */
export function latestNumerical(
  values: readonly string[],
  descending: boolean,
  describe: (value: string) => string,
): string | undefined {
  let latest: string | undefined;
  let latestNumber = 0;
  for (const value of values) {
    const number = parseGoFloat(value);
    if (number === undefined) {
      throw new PolicyError(
        `${describe(value)} is not a number, and the numerical policy needs every tag to be one; ` +
          "keep only numeric tags with filterTags.pattern (such as ^[0-9]+$)",
        "not-numeric",
      );
    }
    if (latest !== undefined && (descending ? number > latestNumber : number < latestNumber)) continue;
    latest = value;
    latestNumber = number;
  }
  return latest;
}

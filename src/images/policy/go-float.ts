/**
 * Go's `strconv.ParseFloat(text, 64)`, which Flux's numerical policy applies to every tag: decimal
 * (`12`, `-1.5`, `.5`, `5.`, `1e10`), hexadecimal with a `p` exponent (`0x1p4`), `_` between digits
 * (`1_000`), and `Inf`, `Infinity`, `NaN` in any case. A number too large for a float64 is an error
 * in Go (`1e400`), so it is not a number here either.
 */

const digits = "[0-9](?:_?[0-9])*";
const hexDigits = "[0-9a-fA-F](?:_?[0-9a-fA-F])*";
const decimal = new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:[eE][+-]?${digits})?$`);
// After `0x` an underscore may come before the first digit (Go counts the prefix as a digit).
const hexadecimal = new RegExp(`^([+-]?)0[xX](_?${hexDigits})?(?:\\.(${hexDigits})?)?[pP]([+-]?${digits})$`);
const special = /^(?:([+-]?)(?:inf|infinity)|nan)$/i;

/** The float64 Go reads from `text`; undefined when Go returns an error. */
export function parseGoFloat(text: string): number | undefined {
  if (decimal.test(text)) {
    const value = Number(text.includes("_") ? text.replaceAll("_", "") : text);
    return Number.isFinite(value) ? value : undefined;
  }
  const hex = hexadecimal.exec(text);
  if (hex) return parseHexFloat(hex[1], hex[2] ?? "", hex[3] ?? "", hex[4]);
  const named = special.exec(text);
  if (named) return named[1] === undefined ? Number.NaN : named[1] === "-" ? -Infinity : Infinity;
  return undefined;
}

function parseHexFloat(sign: string, whole: string, fraction: string, exponent: string): number | undefined {
  const mantissaDigits = (whole + fraction).replaceAll("_", "");
  if (mantissaDigits === "") return undefined;
  // mantissa × 2^(exponent − 4 × fraction digits); BigInt keeps the mantissa exact before one rounding.
  const mantissa = BigInt(`0x${mantissaDigits}`);
  let power = Number(exponent.replaceAll("_", "")) - 4 * fraction.replaceAll("_", "").length;
  let value = Number(mantissa);
  // Scale in steps so that the intermediate powers of two stay finite.
  while (power > 0 && Number.isFinite(value) && value !== 0) {
    const step = Math.min(power, 1000);
    value *= 2 ** step;
    power -= step;
  }
  while (power < 0 && value !== 0) {
    const step = Math.max(power, -1000);
    value *= 2 ** step;
    power -= step;
  }
  if (!Number.isFinite(value)) return undefined;
  return sign === "-" ? -value : value;
}

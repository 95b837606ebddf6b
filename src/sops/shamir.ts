/**
 * Shamir's secret sharing over GF(2^8) as SOPS uses it for several key groups (HashiCorp Vault's
 * scheme): each share is the polynomial values of every secret byte followed by its x coordinate.
 */

/** Multiplication in GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1. */
function mult(a: number, b: number): number {
  let result = 0;
  let x = a;
  let y = b;
  while (y > 0) {
    if (y & 1) result ^= x;
    x = (x << 1) ^ (x & 0x80 ? 0x11b : 0);
    y >>= 1;
  }
  return result & 0xff;
}

/** a^254 = a^-1. */
function inverse(a: number): number {
  let result = 1;
  for (let i = 0; i < 254; i++) result = mult(result, a);
  return result;
}

/** Lagrange interpolation at x = 0. */
function interpolateAtZero(xs: readonly number[], ys: readonly number[]): number {
  let result = 0;
  for (let i = 0; i < xs.length; i++) {
    let basis = 1;
    for (let j = 0; j < xs.length; j++) {
      if (i === j) continue;
      const xi = xs[i] ?? 0;
      const xj = xs[j] ?? 0;
      basis = mult(basis, mult(xj, inverse(xi ^ xj)));
    }
    result ^= mult(ys[i] ?? 0, basis);
  }
  return result;
}

/** Recombines shares into the secret; throws on malformed shares. */
export function combineShares(shares: readonly Uint8Array[]): Uint8Array {
  if (shares.length < 2) throw new Error("less than two shares cannot rebuild the secret");
  const length = shares[0]?.length ?? 0;
  if (length < 2 || shares.some((share) => share.length !== length)) {
    throw new Error("shares must have the same length of at least two bytes");
  }
  const xs = shares.map((share) => share[length - 1] ?? 0);
  if (new Set(xs).size !== xs.length) throw new Error("duplicate share");
  const secret = new Uint8Array(length - 1);
  for (let i = 0; i < secret.length; i++) {
    secret[i] = interpolateAtZero(
      xs,
      shares.map((share) => share[i] ?? 0),
    );
  }
  return secret;
}

/** Splits a secret into `parts` shares, any `threshold` of which rebuild it (used by tests). */
export function splitSecret(
  secret: Uint8Array,
  parts: number,
  threshold: number,
  random: (n: number) => Uint8Array,
): Uint8Array[] {
  const shares = Array.from({ length: parts }, (_, i) => {
    const share = new Uint8Array(secret.length + 1);
    share[secret.length] = i + 1;
    return share;
  });
  secret.forEach((byte, index) => {
    const coefficients = [byte, ...random(threshold - 1)];
    shares.forEach((share, i) => {
      const x = i + 1;
      let y = 0;
      for (let c = coefficients.length - 1; c >= 0; c--) y = mult(y, x) ^ (coefficients[c] ?? 0);
      share[index] = y;
    });
  });
  return shares;
}

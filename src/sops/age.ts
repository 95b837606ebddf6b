// age-encryption loads only when a SOPS file is decrypted: most builds have none.
const age = () => import("age-encryption");

/**
 * age master keys: `sops.age[].enc` is an armored age file whose plaintext is the data key (or its
 * Shamir share). Identities are `AGE-SECRET-KEY-1…` (X25519) or `AGE-SECRET-KEY-PQ-1…` (ML-KEM-768 +
 * X25519); SSH and plugin identities are not supported.
 */

export interface AgeIdentity {
  identity: string;
  /** The public recipient (`age1…`, `age1pq1…`) of the identity. */
  recipient: string;
}

/** Validated identities with their recipients; undefined entries are invalid identities. */
export async function parseAgeIdentities(
  identities: readonly string[],
): Promise<(AgeIdentity | undefined)[]> {
  return Promise.all(
    identities.map(async (identity) => {
      try {
        return { identity, recipient: await (await age()).identityToRecipient(identity) };
      } catch {
        return undefined;
      }
    }),
  );
}

export type AgeResult = { ok: true; dataKey: Uint8Array } | { ok: false; reason: string };

/** Decrypts one `enc` with any of the identities. */
export async function decryptAgeKey(enc: string, identities: readonly AgeIdentity[]): Promise<AgeResult> {
  if (identities.length === 0) return { ok: false, reason: "no age identity was given" };
  const { armor, Decrypter } = await age();
  let file: Uint8Array;
  try {
    file = armor.decode(enc.trim());
  } catch {
    return { ok: false, reason: "its enc is not an armored age file" };
  }
  const decrypter = new Decrypter();
  for (const { identity } of identities) decrypter.addIdentity(identity);
  try {
    return { ok: true, dataKey: await decrypter.decrypt(file) };
  } catch (error) {
    const noMatch = error instanceof Error && /no identity matched/i.test(error.message);
    return { ok: false, reason: noMatch ? "none of the age identities matches" : "age decryption failed" };
  }
}

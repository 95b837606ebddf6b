import type * as OpenPgp from "openpgp";

// openpgp loads only when a PGP-encrypted SOPS file is decrypted.
const pgp = () => import("openpgp");

/**
 * PGP master keys: `sops.pgp[].enc` is an armored OpenPGP message whose plaintext is the data key (or
 * its Shamir share). Private keys are armored (or binary) OpenPGP keys without a passphrase.
 */

export interface PgpKeys {
  keys: OpenPgp.PrivateKey[];
  /** Primary fingerprints (upper-case hex) of the usable keys, for messages. */
  fingerprints: string[];
  /** How many of the given key texts could not be used, and why (no key material in here). */
  problems: string[];
}

const parsed = new Map<string, Promise<OpenPgp.PrivateKey[]>>();
const MAX_CACHED = 64;

/** Parses (once per text) the private keys of an armored or binary key block. */
function readKeys(text: string): Promise<OpenPgp.PrivateKey[]> {
  let keys = parsed.get(text);
  if (!keys) {
    keys = text.includes("-----BEGIN PGP")
      ? pgp().then((o) => o.readPrivateKeys({ armoredKeys: text }))
      : pgp().then((o) => o.readPrivateKeys({ binaryKeys: Buffer.from(text, "binary") }));
    if (parsed.size >= MAX_CACHED) parsed.delete(parsed.keys().next().value as string);
    parsed.set(text, keys);
  }
  return keys;
}

export async function parsePgpKeys(texts: readonly string[]): Promise<PgpKeys> {
  const result: PgpKeys = { keys: [], fingerprints: [], problems: [] };
  for (const [index, text] of texts.entries()) {
    let keys: OpenPgp.PrivateKey[];
    try {
      keys = await readKeys(text);
    } catch {
      result.problems.push(`PGP key #${index + 1} is not a readable OpenPGP private key`);
      continue;
    }
    for (const key of keys) {
      const fingerprint = key.getFingerprint().toUpperCase();
      if (!key.isDecrypted()) {
        result.problems.push(`PGP key ${fingerprint} is protected by a passphrase (give it without one)`);
        continue;
      }
      result.keys.push(key);
      result.fingerprints.push(fingerprint);
    }
  }
  return result;
}

export type PgpResult = { ok: true; dataKey: Uint8Array } | { ok: false; reason: string };

/** Decrypts one `enc` with whichever of the keys the message is encrypted to. */
export async function decryptPgpKey(enc: string, keys: readonly OpenPgp.PrivateKey[]): Promise<PgpResult> {
  if (keys.length === 0) return { ok: false, reason: "no PGP private key was given" };
  let message: OpenPgp.Message<Uint8Array>;
  try {
    message = await (await pgp()).readMessage({ armoredMessage: enc });
  } catch {
    return { ok: false, reason: "its enc is not an armored PGP message" };
  }
  const ids = message.getEncryptionKeyIDs();
  const anonymous = ids.length === 0 || ids.some((id) => /^0+$/.test(id.toHex()));
  const wanted = new Set(ids.map((id) => id.toHex()));
  const candidates = anonymous
    ? keys
    : keys.filter((key) => key.getKeyIDs().some((id) => wanted.has(id.toHex())));
  if (candidates.length === 0) return { ok: false, reason: "none of the PGP keys matches" };
  try {
    const { data } = await (await pgp()).decrypt({
      message,
      decryptionKeys: [...candidates],
      format: "binary",
    });
    return { ok: true, dataKey: data };
  } catch {
    return { ok: false, reason: "PGP decryption failed" };
  }
}

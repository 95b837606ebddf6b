import { type AgeIdentity, decryptAgeKey, parseAgeIdentities } from "./age.js";
import { SopsError } from "./errors.js";
import type { SopsKeys } from "./keys.js";
import type { MasterKey, SopsMetadata } from "./metadata.js";
import { decryptPgpKey, type PgpKeys, parsePgpKeys } from "./pgp.js";
import { combineShares } from "./shamir.js";

/**
 * Recovering a document's data key (`GetDataKeyWithKeyServices`): in each key group the master keys are
 * tried age first, then PGP (SOPS's default decryption order), and the first that opens gives the
 * group's part; one group's part is the key, several groups' parts are Shamir shares.
 */

interface PreparedKeys {
  age: AgeIdentity[];
  pgp: PgpKeys;
  problems: string[];
}

async function prepare(keys: SopsKeys): Promise<PreparedKeys> {
  const [age, pgp] = await Promise.all([parseAgeIdentities(keys.age), parsePgpKeys(keys.pgp)]);
  const problems = [...pgp.problems];
  age.forEach((identity, index) => {
    if (!identity) problems.push(`age identity #${index + 1} is not a valid age identity`);
  });
  return { age: age.filter((identity) => identity !== undefined), pgp, problems };
}

const ORDER: Record<MasterKey["type"], number> = { age: 0, pgp: 1, unsupported: 2 };

async function openGroup(group: readonly MasterKey[], keys: PreparedKeys): Promise<Uint8Array | undefined> {
  const sorted = [...group].sort((a, b) => ORDER[a.type] - ORDER[b.type]);
  for (const master of sorted) {
    if (master.type === "age") {
      const result = await decryptAgeKey(master.enc, keys.age);
      if (result.ok) return result.dataKey;
    } else if (master.type === "pgp") {
      const result = await decryptPgpKey(master.enc, keys.pgp.keys);
      if (result.ok) return result.dataKey;
    }
  }
  return undefined;
}

function describeGroup(group: readonly MasterKey[]): string {
  const age = group.flatMap((key) => (key.type === "age" ? [key.recipient] : []));
  const pgp = group.flatMap((key) => (key.type === "pgp" ? [key.fingerprint] : []));
  const other = group.flatMap((key) => (key.type === "unsupported" ? [`${key.provider} ${key.id}`] : []));
  const parts: string[] = [];
  if (age.length > 0) parts.push(`age recipient${age.length > 1 ? "s" : ""} ${age.join(", ")}`);
  if (pgp.length > 0) parts.push(`PGP key${pgp.length > 1 ? "s" : ""} ${pgp.join(", ")}`);
  if (other.length > 0) parts.push(`${other.join(", ")} (not supported by Ferry)`);
  return parts.join("; ");
}

function missingKeyError(
  metadata: SopsMetadata,
  failed: readonly (readonly MasterKey[])[],
  needed: number,
  keys: PreparedKeys,
  file: string | undefined,
): SopsError {
  const wants =
    failed.length === 1 && metadata.keyGroups.length === 1
      ? `it is encrypted for ${describeGroup(failed[0] ?? [])}`
      : `${needed} more of its key groups must open; the closed ones want: ${failed
          .map((group) => `[${describeGroup(group)}]`)
          .join(" ")}`;
  const have =
    keys.age.length + keys.pgp.keys.length === 0
      ? "no age or PGP private key was given"
      : `the keys given are ${[
          ...keys.age.map((identity) => `age ${identity.recipient}`),
          ...keys.pgp.fingerprints.map((fingerprint) => `PGP ${fingerprint}`),
        ].join(", ")}`;
  const problems = keys.problems.length > 0 ? ` (${keys.problems.join("; ")})` : "";
  return new SopsError(
    `cannot decrypt the SOPS data key: ${wants}, but ${have}${problems}. Provide a matching private key: ` +
      "an age identity (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, --age-key-file, or a `.agekey` entry of the " +
      "decryption Secret) or an armored PGP private key (--pgp-key-file, or an `.asc` entry)",
    file,
  );
}

export async function recoverDataKey(
  metadata: SopsMetadata,
  keys: SopsKeys,
  file: string | undefined,
): Promise<Uint8Array> {
  const prepared = await prepare(keys);
  const parts: Uint8Array[] = [];
  const failed: MasterKey[][] = [];
  for (const group of metadata.keyGroups) {
    const part = await openGroup(group, prepared);
    if (part) parts.push(part);
    else failed.push(group);
  }
  if (metadata.keyGroups.length === 1) {
    const [dataKey] = parts;
    if (!dataKey) throw missingKeyError(metadata, failed, 1, prepared, file);
    return checked(dataKey, file);
  }
  const threshold = metadata.shamirThreshold > 0 ? metadata.shamirThreshold : metadata.keyGroups.length;
  if (parts.length < threshold) {
    throw missingKeyError(metadata, failed, threshold - parts.length, prepared, file);
  }
  try {
    return checked(combineShares(parts), file);
  } catch (error) {
    if (error instanceof SopsError) throw error;
    throw new SopsError("the Shamir shares of the key groups do not combine into a data key", file);
  }
}

function checked(dataKey: Uint8Array, file: string | undefined): Uint8Array {
  if (dataKey.length !== 32) {
    throw new SopsError("the decrypted SOPS data key is not 32 bytes long (AES-256)", file);
  }
  return dataKey;
}

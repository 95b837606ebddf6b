import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { SopsError } from "./errors.js";

/** Private keys to decrypt with. Any one key a file lists suffices. */
export interface SopsKeys {
  /** age identities: `AGE-SECRET-KEY-1…` or `AGE-SECRET-KEY-PQ-1…`. */
  age: string[];
  /** Armored OpenPGP private keys (one key block per entry). */
  pgp: string[];
}

const IDENTITY = /^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/;

/**
 * age identities in a key file (`age-keygen` output): one per line, empty lines and `#` lines ignored.
 * `multiplePerLine` splits lines on white space, as SOPS does for SOPS_AGE_KEY.
 */
export function parseAgeIdentityText(text: string, source: string, multiplePerLine = false): string[] {
  const identities: string[] = [];
  text.split("\n").forEach((rawLine, index) => {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    if (line === "" || line.startsWith("#")) return;
    const words = multiplePerLine ? line.split(/\s+/).filter(Boolean) : [line.trim()];
    for (const word of words) {
      if (word.startsWith("AGE-PLUGIN-")) {
        throw new SopsError(
          `line ${index + 1} is an age plugin identity, which Ferry does not support`,
          source,
        );
      }
      if (!IDENTITY.test(word)) {
        throw new SopsError(
          `line ${index + 1} is not an age identity (expected AGE-SECRET-KEY-1… as age-keygen writes)`,
          source,
        );
      }
      identities.push(word);
    }
  });
  return identities;
}

const PRIVATE_BLOCK = /-----BEGIN PGP PRIVATE KEY BLOCK-----[\s\S]*?-----END PGP PRIVATE KEY BLOCK-----/g;

/** The armored private key blocks in a text (public key blocks are skipped). */
export function splitArmoredPrivateKeys(text: string): string[] {
  return [...text.matchAll(PRIVATE_BLOCK)].map((match) => `${match[0]}\n`);
}

/**
 * Keys from the data of a Kubernetes Secret, as Flux reads `spec.decryption.secretRef`: entries whose
 * name ends in `.agekey` hold age identities, entries ending in `.asc` armored PGP private keys. Other
 * entries (cloud KMS credentials, Vault tokens) are ignored.
 */
export function keysFromSecretData(data: Record<string, string>): SopsKeys {
  const keys: SopsKeys = { age: [], pgp: [] };
  for (const [name, value] of Object.entries(data)) {
    const text = Buffer.from(value, "base64").toString("utf8");
    if (name.endsWith(".agekey")) keys.age.push(...parseAgeIdentityText(text, `Secret entry ${name}`));
    else if (name.endsWith(".asc")) {
      const blocks = splitArmoredPrivateKeys(text);
      if (blocks.length === 0) {
        throw new SopsError("holds no armored PGP private key block", `Secret entry ${name}`);
      }
      keys.pgp.push(...blocks);
    }
  }
  return keys;
}

async function readKeyFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SopsError(`cannot read ${what}${code ? ` (${code})` : ""}`, path);
  }
}

/** PGP key files: armored blocks as they are, binary keys (gpg --export-secret-keys) armored. */
async function pgpKeysFromFile(path: string): Promise<string[]> {
  const content = await readKeyFile(path, "the PGP key file");
  const text = content.toString("utf8");
  if (text.includes("-----BEGIN PGP")) {
    const blocks = splitArmoredPrivateKeys(text);
    if (blocks.length === 0) throw new SopsError("holds no armored PGP private key block", path);
    return blocks;
  }
  try {
    const { readPrivateKeys } = await import("openpgp");
    const keys = await readPrivateKeys({ binaryKeys: new Uint8Array(content) });
    return keys.map((key) => key.armor());
  } catch {
    throw new SopsError("is not an OpenPGP private key (armored or binary)", path);
  }
}

/** The age key file SOPS reads by default: $XDG_CONFIG_HOME (or ~/.config)/sops/age/keys.txt. */
function defaultAgeKeyFile(env: NodeJS.ProcessEnv): string | undefined {
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, "sops", "age", "keys.txt");
  const home = env.HOME ?? (env === process.env ? homedir() : undefined);
  return home ? join(home, ".config", "sops", "age", "keys.txt") : undefined;
}

/**
 * Keys as `sops` finds them: SOPS_AGE_KEY (identities separated by white space), SOPS_AGE_KEY_FILE,
 * the default age key file (when it exists), plus explicit age and PGP key files.
 * SOPS_AGE_KEY_CMD, SSH identities and the GnuPG keyring are not read.
 */
export async function loadKeys(options: {
  ageKeyFiles?: string[];
  pgpKeyFiles?: string[];
  env?: NodeJS.ProcessEnv;
}): Promise<SopsKeys> {
  const env = options.env ?? process.env;
  const keys: SopsKeys = { age: [], pgp: [] };
  if (env.SOPS_AGE_KEY) keys.age.push(...parseAgeIdentityText(env.SOPS_AGE_KEY, "SOPS_AGE_KEY", true));
  const ageFiles = [
    ...(env.SOPS_AGE_KEY_FILE ? [env.SOPS_AGE_KEY_FILE] : []),
    ...(options.ageKeyFiles ?? []),
  ];
  for (const file of ageFiles) {
    const text = (await readKeyFile(file, "the age key file")).toString("utf8");
    keys.age.push(...parseAgeIdentityText(text, file));
  }
  const fallback = defaultAgeKeyFile(env);
  if (fallback) {
    const text = await readFile(fallback, "utf8").catch(() => undefined);
    if (text !== undefined) keys.age.push(...parseAgeIdentityText(text, fallback));
  }
  for (const file of options.pgpKeyFiles ?? []) keys.pgp.push(...(await pgpKeysFromFile(file)));
  return mergeKeys(keys);
}

/** All keys of the sets, without duplicates, in order. */
export function mergeKeys(...sets: SopsKeys[]): SopsKeys {
  return {
    age: [...new Set(sets.flatMap((set) => set.age))],
    pgp: [...new Set(sets.flatMap((set) => set.pgp))],
  };
}

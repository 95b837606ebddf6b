import { SopsError } from "./errors.js";
import { parseGoBool } from "./govalue.js";
import { type CryptRules, goRegExp } from "./rules.js";

/**
 * The `sops` metadata of a document (stores/stores.go `metadata.ToInternal`): the master keys holding
 * the data key, the crypt rule, the encrypted MAC and the time that authenticates it.
 */

export type MasterKey =
  | { type: "age"; recipient: string; enc: string }
  | { type: "pgp"; fingerprint: string; enc: string }
  /** A key Ferry cannot use (AWS/GCP/Huawei KMS, Azure Key Vault, HashiCorp Vault), kept for messages. */
  | { type: "unsupported"; provider: string; id: string };

export interface SopsMetadata {
  /** Additional data of the MAC: `lastmodified` as Go formats it with time.RFC3339. */
  macAdditionalData: string;
  /** The encrypted MAC ("" when the file has none). */
  mac: string;
  macOnlyEncrypted: boolean;
  rules: CryptRules;
  /** One group without Shamir; with several, each holds a Shamir share of the data key. */
  keyGroups: MasterKey[][];
  shamirThreshold: number;
  version: string | undefined;
}

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** mapstructure's weakly typed string. */
function weakString(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : String(value);
}

function weakBool(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value === "" ? false : (parseGoBool(value) ?? false);
  return false;
}

function weakInt(value: unknown): number {
  const number = typeof value === "string" ? Number(value) : value;
  return typeof number === "number" && Number.isInteger(number) ? number : 0;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** time.Parse(time.RFC3339, s).Format(time.RFC3339): fraction dropped, a zero offset written "Z". */
function rfc3339(value: string, file?: string): string {
  const match = RFC3339.exec(value);
  if (!match) {
    throw new SopsError(
      "the SOPS metadata has no valid lastmodified time (RFC 3339), so its MAC cannot be checked",
      file,
    );
  }
  const [, date, time, zone = "Z"] = match;
  return `${date}T${time}${zone === "+00:00" || zone === "-00:00" ? "Z" : zone}`;
}

function list(value: unknown): Raw[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

const UNSUPPORTED: ReadonlyArray<readonly [field: string, provider: string, id: (key: Raw) => string]> = [
  ["kms", "AWS KMS", (k) => weakString(k.arn)],
  ["gcp_kms", "GCP KMS", (k) => weakString(k.resource_id)],
  ["hckms", "Huawei Cloud KMS", (k) => weakString(k.key_id)],
  ["azure_kv", "Azure Key Vault", (k) => `${weakString(k.vault_url)}/keys/${weakString(k.name)}`],
  [
    "hc_vault",
    "HashiCorp Vault",
    (k) => `${weakString(k.vault_address)}/v1/${weakString(k.engine_path)}/keys/${weakString(k.key_name)}`,
  ],
];

/** The master keys of one group, in SOPS's order (`internalGroupFrom`). */
function keyGroup(raw: Raw): MasterKey[] {
  const group: MasterKey[] = [];
  for (const [field, provider, id] of UNSUPPORTED) {
    for (const key of list(raw[field])) group.push({ type: "unsupported", provider, id: id(key) });
  }
  for (const key of list(raw.pgp)) {
    group.push({ type: "pgp", fingerprint: weakString(key.fp), enc: weakString(key.enc) });
  }
  for (const key of list(raw.age)) {
    group.push({ type: "age", recipient: weakString(key.recipient).trim(), enc: weakString(key.enc) });
  }
  return group;
}

const CRYPT_RULES = [
  "unencrypted_suffix",
  "encrypted_suffix",
  "unencrypted_regex",
  "encrypted_regex",
  "unencrypted_comment_regex",
  "encrypted_comment_regex",
] as const;

/** Reads the metadata mapping (the value of the `sops` key, as plain data). */
export function parseMetadata(raw: unknown, file?: string): SopsMetadata {
  if (!isRecord(raw)) throw new SopsError("the sops metadata entry is not a mapping", file);

  const present = CRYPT_RULES.filter((field) => weakString(raw[field]) !== "");
  if (present.length > 1) {
    throw new SopsError(
      `the SOPS metadata sets ${present.join(" and ")}; only one of ${CRYPT_RULES.join(", ")} may be used`,
      file,
    );
  }
  const text = (field: (typeof CRYPT_RULES)[number]) => weakString(raw[field]);
  const regex = (field: (typeof CRYPT_RULES)[number]) =>
    text(field) === "" ? undefined : goRegExp(text(field), field, file);
  const rules: CryptRules =
    present.length === 0
      ? { unencryptedSuffix: "_unencrypted" }
      : {
          unencryptedSuffix: text("unencrypted_suffix") || undefined,
          encryptedSuffix: text("encrypted_suffix") || undefined,
          unencryptedRegex: regex("unencrypted_regex"),
          encryptedRegex: regex("encrypted_regex"),
          unencryptedCommentRegex: regex("unencrypted_comment_regex"),
          encryptedCommentRegex: regex("encrypted_comment_regex"),
        };

  const topLevel = keyGroup(raw);
  const keyGroups = topLevel.length > 0 ? [topLevel] : list(raw.key_groups).map(keyGroup);
  if (keyGroups.length === 0 || keyGroups.every((group) => group.length === 0)) {
    throw new SopsError("the SOPS metadata lists no keys, so the data key cannot be recovered", file);
  }

  return {
    macAdditionalData: rfc3339(weakString(raw.lastmodified), file),
    mac: weakString(raw.mac),
    macOnlyEncrypted: weakBool(raw.mac_only_encrypted),
    rules,
    keyGroups,
    shamirThreshold: weakInt(raw.shamir_threshold),
    version: raw.version === undefined ? undefined : weakString(raw.version),
  };
}

type Token = { map: string } | { index: number };

/** stores/flatten.go `tokenize`: `age__list_0__map_enc` → age, [0], enc. */
function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  const parts = path.split(/(__map_|__list_)/);
  tokens.push({ map: parts[0] ?? "" });
  for (let i = 1; i < parts.length; i += 2) {
    const body = parts[i + 1] ?? "";
    tokens.push(parts[i] === "__list_" ? { index: Number.parseInt(body, 10) || 0 } : { map: body });
  }
  return tokens;
}

/**
 * The metadata of a flattened store (dotenv): `sops_`-prefixed keys with `__map_`/`__list_` separators,
 * rebuilt into the nested metadata mapping.
 */
export function unflattenMetadata(entries: Iterable<readonly [key: string, value: unknown]>): Raw {
  const root: Raw = {};
  for (const [key, value] of entries) {
    const tokens = tokenize(key);
    let node: Raw | unknown[] = root;
    tokens.forEach((token, i) => {
      const last = i === tokens.length - 1;
      const slot = "map" in token ? token.map : token.index;
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[slot] = value;
        return;
      }
      const next = tokens[i + 1];
      container[slot] ??= next && "index" in next ? [] : {};
      node = container[slot] as Raw | unknown[];
    });
  }
  return root;
}

import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { armor, Encrypter } from "age-encryption";
import * as openpgp from "openpgp";
import type { SopsKeys } from "../../src/sops/index.js";

/** The SOPS test vectors (see test/fixtures/sops/README.md). */
export const fixtures = fileURLToPath(new URL("../fixtures/sops/", import.meta.url));

export const fixture = (path: string): string => readFileSync(join(fixtures, path), "utf8");

/** The PGP key of SOPS's functional tests (it holds FBC7B9E2… and D7229043…). */
export const sopsProjectKeys: SopsKeys = {
  age: [],
  pgp: [fixture("sops-project/sops_functional_tests_key.asc")],
};

const identityOf = (text: string): string => {
  const line = text.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-"));
  if (!line) throw new Error("no identity");
  return line.trim();
};

/** The keys of Flux's test tree. */
export const flux = {
  age: identityOf(fixture("flux/keys/age.txt")),
  agePq: identityOf(fixture("flux/keys/age-pq.txt")),
  ageGlobal: identityOf(fixture("flux/keys/age-global.txt")),
  pgp: fixture("flux/keys/pgp.asc"),
  ageRecipient: "age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29",
  pgpFingerprint: "35C1A64CD7FC0AB6EB66756B2445463C3234ECE1",
};

export const fluxKeys: SopsKeys = { age: [flux.age, flux.agePq], pgp: [flux.pgp] };

/**
 * A small SOPS encryptor for documents the vectors do not cover, written from SOPS's format
 * independently of src/sops: each test spells out the paths (additional data) and the MAC input.
 */
export class TestEncryptor {
  readonly dataKey = randomBytes(32);
  readonly lastmodified = "2026-01-02T03:04:05Z";

  /** `ENC[AES256_GCM,…]` of a plaintext, as aes/cipher.go writes it. */
  value(plaintext: string, additionalData: string, type = "str"): string {
    const iv = randomBytes(32);
    const cipher = createCipheriv("aes-256-gcm", this.dataKey, iv);
    cipher.setAAD(Buffer.from(additionalData));
    const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `ENC[AES256_GCM,data:${data.toString("base64")},iv:${iv.toString("base64")},tag:${tag.toString("base64")},type:${type}]`;
  }

  /** The encrypted MAC over the values' bytes in tree order. */
  mac(parts: readonly string[], macOnlyEncrypted = false): string {
    const hash = createHash("sha512");
    if (macOnlyEncrypted) hash.update(createHash("sha256").update("sops").digest());
    for (const part of parts) hash.update(part);
    return this.value(hash.digest("hex").toUpperCase(), this.lastmodified);
  }

  /** The data key (or a share of it) encrypted to an age recipient, armored. */
  async age(recipient: string, secret: Uint8Array = this.dataKey): Promise<string> {
    const encrypter = new Encrypter();
    encrypter.addRecipient(recipient);
    return armor.encode(await encrypter.encrypt(secret));
  }

  /** The data key (or a share of it) encrypted to a PGP key, armored. */
  async pgp(armoredKey: string, secret: Uint8Array = this.dataKey): Promise<string> {
    const key = await openpgp.readPrivateKey({ armoredKey });
    return openpgp.encrypt({
      message: await openpgp.createMessage({ binary: secret }),
      encryptionKeys: key.toPublic(),
    });
  }

  /** A YAML `sops:` block for one age recipient plus extra metadata lines (indented two spaces). */
  async yamlMetadata(mac: string, extra: string[] = [], recipient = flux.ageRecipient): Promise<string> {
    const enc = (await this.age(recipient)).trimEnd().split("\n").join("\n        ");
    return [
      "sops:",
      "  age:",
      `    - recipient: ${recipient}`,
      "      enc: |",
      `        ${enc}`,
      `  lastmodified: "${this.lastmodified}"`,
      `  mac: ${mac}`,
      ...extra.map((line) => `  ${line}`),
      "  version: 3.10.2",
      "",
    ].join("\n");
  }
}

/** Everything that must never appear in an error message. */
export function expectNoSecrets(message: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    if (message.includes(secret)) throw new Error(`message leaks ${JSON.stringify(secret)}: ${message}`);
  }
}

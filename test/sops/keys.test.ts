import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as openpgp from "openpgp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decryptText,
  keysFromSecretData,
  loadKeys,
  mergeKeys,
  SopsError,
  type SopsKeys,
} from "../../src/sops/index.js";
import { expectNoSecrets, fixture, flux } from "./support.js";

const b64 = (text: string | Uint8Array) => Buffer.from(text).toString("base64");
const ageYaml = () => fixture("flux/algorithms/age.yaml");
const pgpYaml = () => fixture("flux/algorithms/pgp.yaml");

describe("keysFromSecretData (Flux's decryption.secretRef)", () => {
  it("reads .agekey and .asc entries and ignores the others", async () => {
    const keys = keysFromSecretData({
      "identity.agekey": b64(fixture("flux/keys/age.txt")),
      "more.agekey": b64(`${flux.agePq}\n\n# a comment\r\n${flux.ageGlobal}\r\n`),
      "pgp.asc": b64(flux.pgp),
      "sops.vault-token": b64("token"),
      "sops.aws-kms": b64("aws_access_key_id: x"),
      "notes.txt": b64("AGE-SECRET-KEY-1 not read"),
    });
    expect(keys.age).toEqual([flux.age, flux.agePq, flux.ageGlobal]);
    expect(keys.pgp).toHaveLength(1);
    expect(keys.pgp[0]).toMatch(
      /^-----BEGIN PGP PRIVATE KEY BLOCK-----\n[\s\S]+-----END PGP PRIVATE KEY BLOCK-----\n$/,
    );
    expect(await decryptText(ageYaml(), "yaml", keys)).toContain("key: value");
    expect(await decryptText(pgpYaml(), "yaml", keys)).toContain("key: value");
  });

  it("splits several armored keys in one .asc entry", () => {
    const keys = keysFromSecretData({
      "both.asc": b64(`${flux.pgp}\n${fixture("sops-project/sops_functional_tests_key.asc")}`),
    });
    expect(keys.pgp.length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ["bad.agekey", "not-an-identity", "Secret entry bad.agekey: line 1 is not an age identity"],
    [
      "plugin.agekey",
      "AGE-PLUGIN-YUBIKEY-1QQQ",
      "Secret entry plugin.agekey: line 1 is an age plugin identity",
    ],
    [
      "pub.asc",
      "-----BEGIN PGP PUBLIC KEY BLOCK-----\nxyz\n",
      "Secret entry pub.asc: holds no armored PGP private key",
    ],
  ])("refuses %s without quoting it", (name, content, message) => {
    const error = (() => {
      try {
        keysFromSecretData({ [name]: b64(content) });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SopsError);
    expect((error as Error).message).toContain(message);
    expectNoSecrets((error as Error).message, [content]);
  });
});

describe("loadKeys (as sops finds keys)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-sops-keys-"));
    await writeFile(join(dir, "age.txt"), fixture("flux/keys/age.txt"));
    await writeFile(join(dir, "global.txt"), fixture("flux/keys/age-global.txt"));
    await writeFile(join(dir, "pgp.asc"), flux.pgp);
    const key = await openpgp.readPrivateKey({ armoredKey: flux.pgp });
    await writeFile(join(dir, "pgp.gpg"), key.write());
    await mkdir(join(dir, "config", "sops", "age"), { recursive: true });
    await writeFile(join(dir, "config", "sops", "age", "keys.txt"), `${flux.agePq}\n`);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("reads SOPS_AGE_KEY (several identities), SOPS_AGE_KEY_FILE and explicit files", async () => {
    const keys = await loadKeys({
      ageKeyFiles: [join(dir, "global.txt")],
      pgpKeyFiles: [join(dir, "pgp.asc")],
      env: { SOPS_AGE_KEY: `${flux.agePq} ${flux.age}`, SOPS_AGE_KEY_FILE: join(dir, "age.txt") },
    });
    expect(keys.age).toEqual([flux.agePq, flux.age, flux.ageGlobal]);
    expect(keys.pgp).toHaveLength(1);
    expect(await decryptText(pgpYaml(), "yaml", keys)).toContain("key: value");
  });

  it("reads the default age key file under XDG_CONFIG_HOME", async () => {
    const keys = await loadKeys({ env: { XDG_CONFIG_HOME: join(dir, "config") } });
    expect(keys).toEqual({ age: [flux.agePq], pgp: [] });
    expect(await loadKeys({ env: { XDG_CONFIG_HOME: join(dir, "nowhere") } })).toEqual({ age: [], pgp: [] });
  });

  it("armors a binary PGP key file", async () => {
    const keys = await loadKeys({ pgpKeyFiles: [join(dir, "pgp.gpg")], env: {} });
    expect(keys.pgp[0]).toMatch(/^-----BEGIN PGP PRIVATE KEY BLOCK-----/);
    expect(await decryptText(pgpYaml(), "yaml", keys)).toContain("key: value");
  });

  it("names a key file it cannot read", async () => {
    const missing = join(dir, "missing.txt");
    await expect(loadKeys({ ageKeyFiles: [missing], env: {} })).rejects.toThrow(
      `${missing}: cannot read the age key file (ENOENT)`,
    );
    await expect(loadKeys({ pgpKeyFiles: [join(dir, "age.txt")], env: {} })).rejects.toThrow(
      "is not an OpenPGP private key (armored or binary)",
    );
  });
});

describe("mergeKeys", () => {
  it("keeps the first of each key, in order", () => {
    const a: SopsKeys = { age: ["A", "B"], pgp: ["P"] };
    const b: SopsKeys = { age: ["B", "C"], pgp: ["P", "Q"] };
    expect(mergeKeys(a, b)).toEqual({ age: ["A", "B", "C"], pgp: ["P", "Q"] });
    expect(mergeKeys()).toEqual({ age: [], pgp: [] });
  });
});

describe("unusable keys", () => {
  it("an identity that is not valid bech32 is reported by position, not quoted", async () => {
    const bogus = `AGE-SECRET-KEY-1${"Q".repeat(58)}`;
    const error = await decryptText(ageYaml(), "yaml", { age: [bogus], pgp: [] }, "age.yaml").catch((e) => e);
    expect(error.message).toContain("age identity #1 is not a valid age identity");
    expectNoSecrets(error.message, [bogus]);
  });

  it("a PGP key protected by a passphrase is named as such", async () => {
    const { privateKey } = await openpgp.generateKey({
      type: "ecc",
      curve: "curve25519Legacy",
      userIDs: [{ name: "locked" }],
      passphrase: "secret passphrase",
    });
    const error = await decryptText(pgpYaml(), "yaml", { age: [], pgp: [privateKey] }, "pgp.yaml").catch(
      (e) => e,
    );
    expect(error.message).toMatch(/PGP key [0-9A-F]{40} is protected by a passphrase/);
    expect(error.message).toContain(`PGP key ${flux.pgpFingerprint}`);
    expectNoSecrets(error.message, ["secret passphrase", "PRIVATE KEY"]);
  });
});

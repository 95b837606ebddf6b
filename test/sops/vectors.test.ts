import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  decryptText,
  isSopsDocument,
  SopsError,
  type SopsFormat,
  type SopsKeys,
} from "../../src/sops/index.js";
import { expectNoSecrets, fixture, flux, fluxKeys, sopsProjectKeys } from "./support.js";

/**
 * Files made by the real `sops`, with the keys that open them (test/fixtures/sops/README.md): what SOPS's
 * and Flux's own tests expect them to decrypt to.
 */

interface Vector {
  file: string;
  format: SopsFormat;
  keys: SopsKeys;
  /** The exact output, or a check of it. */
  expected: string | ((output: string) => void);
}

const yamlData = (expected: unknown) => (output: string) => expect(parse(output)).toEqual(expected);

const vectors: Vector[] = [
  { file: "sops-project/format.enc.yaml", format: "yaml", keys: sopsProjectKeys, expected: "foo: bar\n" },
  {
    file: "sops-project/format.enc.json",
    format: "json",
    keys: sopsProjectKeys,
    // As `sops -d` prints it: tab indentation, a final newline.
    expected: '{\n\t"foo": "bar"\n}\n',
  },
  {
    file: "sops-project/comments.enc.yaml",
    format: "yaml",
    keys: sopsProjectKeys,
    expected: fixture("sops-project/comments.yaml"),
  },
  {
    // Comments a SOPS of the time left in clear text stay as they are.
    file: "sops-project/comments_unencrypted_comments.yaml",
    format: "yaml",
    keys: sopsProjectKeys,
    expected: fixture("sops-project/comments.yaml"),
  },
  {
    // Encrypted for two PGP keys; the first one suffices.
    file: "sops-project/multiple_keys.yaml",
    format: "yaml",
    keys: { age: [], pgp: [sopsProjectKeys.pgp[0] ?? ""] },
    expected: yamlData({ message: "hello" }),
  },
  {
    // The key "foo " and the value " bar" keep their spaces (SOPS's functional test).
    file: "sops-project/format.enc.env",
    format: "dotenv",
    keys: sopsProjectKeys,
    expected: "foo = bar\n",
  },
  {
    file: "sops-project/example.yaml",
    format: "yaml",
    keys: sopsProjectKeys,
    expected: (output) => {
      const data = parse(output);
      expect(data).toMatchObject({
        myapp1: "t00m4nys3cr3tzupdated",
        app2: { db: { user: "eve", password: "c4r1b0u" } },
        number: 1234568000,
        an_array: ["secretuser1", "secretuser2", expect.any(String), "some other value"],
        somebooleans: [true, false],
        this: { is: { a: { nested: { value: "with something secret in it" } } } },
        somelist_unencrypted: [
          "all elements of this list",
          "remain in clear text",
          "because of the _unencrypted suffix in the key",
        ],
        nested_unencrypted: { this: { is: { all: "going to remain in clear text" } } },
      });
      expect(data.app2.key).toMatch(
        /^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+-----END RSA PRIVATE KEY-----\n$/,
      );
      expect(data).not.toHaveProperty("sops");
      // Encrypted comments come back as comments, where they were.
      expect(output).toContain("    password: c4r1b0u\n    # private key for secret operations in app2\n");
      expect(output).toContain("# sops supports unencrypted fields\n");
      expect(output).toContain("# by adding the `_unencrypted` suffix\n");
      expect(output).not.toContain("ENC[");
    },
  },
  {
    file: "sops-project/example.json",
    format: "json",
    keys: sopsProjectKeys,
    expected: (output) => {
      expect(JSON.parse(output)).toEqual({
        firstName: "John",
        lastName: "Smith",
        age: 25.4,
        address: { city: "New York", postalCode: "10021-3100", state: "NY", streetAddress: "21 2nd Street" },
        phoneNumbers: [
          { number: "212 555-1234", type: "home" },
          { number: "646 555-4567", type: "office" },
        ],
        anEmptyValue: "",
      });
      expect(output).toMatch(
        /^{\n\t"firstName": "John",\n\t"lastName": "Smith",\n\t"age": 25.4,\n\t"address": {\n\t\t"city"/,
      );
    },
  },
  {
    file: "flux/algorithms/age.yaml",
    format: "yaml",
    keys: { age: [flux.age], pgp: [] },
    expected: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: age\nstringData:\n  key: value\n",
  },
  {
    file: "flux/algorithms/pgp.yaml",
    format: "yaml",
    keys: { age: [], pgp: [flux.pgp] },
    expected: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: pgp\nstringData:\n  key: value\n",
  },
  {
    // A post-quantum (ML-KEM-768 + X25519) age recipient.
    file: "flux/algorithms/age-pq.yaml",
    format: "yaml",
    keys: { age: [flux.agePq], pgp: [] },
    expected: yamlData({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "age-pq" },
      stringData: { key: "value" },
    }),
  },
  {
    file: "flux/global/secret.yaml",
    format: "yaml",
    keys: { age: [flux.ageGlobal], pgp: [] },
    expected: yamlData({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "global-age-secret", namespace: "default" },
      type: "Opaque",
      stringData: { key: "global-value" },
    }),
  },
  { file: "flux/envs/env.env", format: "dotenv", keys: fluxKeys, expected: "key=value\n" },
  { file: "flux/component/env.env", format: "dotenv", keys: fluxKeys, expected: "key=value\n" },
  { file: "flux/files/file.txt", format: "binary", keys: fluxKeys, expected: "value" },
  {
    file: "flux/patches/merge1.yaml",
    format: "yaml",
    keys: fluxKeys,
    expected: yamlData({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "secret" },
      stringData: { key: "merge1" },
    }),
  },
  {
    file: "flux/patches/merge2.yaml",
    format: "yaml",
    keys: fluxKeys,
    expected: yamlData({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "secret" },
      stringData: { merge2: "merge2" },
    }),
  },
];

describe("decryptText on files made by sops", () => {
  it.each(vectors)("$file", async ({ file, format, keys, expected }) => {
    const text = fixture(file);
    expect(isSopsDocument(text, format)).toBe(true);
    const output = await decryptText(text, format, keys, file);
    if (typeof expected === "string") expect(output).toBe(expected);
    else expected(output);
  });

  it("refuses no_mac.yaml, which carries no MAC (sops opens it only with --ignore-mac)", async () => {
    const text = fixture("sops-project/no_mac.yaml");
    expect(isSopsDocument(text, "yaml")).toBe(true);
    const error = await decryptText(text, "yaml", sopsProjectKeys, "no_mac.yaml").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SopsError);
    expect((error as SopsError).message).toMatch(/^no_mac\.yaml: has no MAC/);
    expect((error as SopsError).file).toBe("no_mac.yaml");
  });

  it.each([
    ["sops-project/format.enc.yaml", "yaml", ["PGP key FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4"], "bar"],
    [
      "sops-project/multiple_keys.yaml",
      "yaml",
      ["FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4, D7229043384BCC60326C6FB9D8720D957C3D3074"],
      "hello",
    ],
    ["flux/algorithms/age.yaml", "yaml", [`age recipient ${flux.ageRecipient}`], "value"],
    ["flux/algorithms/pgp.yaml", "yaml", [`PGP key ${flux.pgpFingerprint}`], "value"],
    ["flux/envs/env.env", "dotenv", [`age recipient ${flux.ageRecipient}`], "value"],
    ["flux/files/file.txt", "binary", [`age recipient ${flux.ageRecipient}`], "value"],
  ] as const)(
    "a wrong key for %s names the file and the keys it wants, no plaintext",
    async (file, format, wants, plain) => {
      const wrong: SopsKeys = { age: [flux.ageGlobal], pgp: [] };
      const error = await decryptText(fixture(file), format, wrong, file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SopsError);
      const message = (error as SopsError).message;
      expect(message.startsWith(`${file}: cannot decrypt the SOPS data key`)).toBe(true);
      for (const wanted of wants) expect(message).toContain(wanted);
      expect(message).toContain("age age1henwn645drkd3fa34t27t2w2x0nsgw3w4h62gmg5x5xflyjpy38s5cncph");
      expectNoSecrets(message, [plain, flux.ageGlobal, "AGE-SECRET-KEY"]);
    },
  );

  it("says when no key at all was given", async () => {
    const error = await decryptText(
      fixture("flux/algorithms/age.yaml"),
      "yaml",
      { age: [], pgp: [] },
      "age.yaml",
    ).catch((e: unknown) => e);
    expect((error as Error).message).toContain("no age or PGP private key was given");
  });

  it("tells a plain document from an encrypted one", () => {
    expect(isSopsDocument(fixture("sops-project/comments.yaml"), "yaml")).toBe(false);
    expect(isSopsDocument(fixture("flux/kustomization.yaml"), "yaml")).toBe(false);
    expect(isSopsDocument('{"foo": "bar"}', "json")).toBe(false);
    expect(isSopsDocument("key=value\n", "dotenv")).toBe(false);
    expect(isSopsDocument("not json", "binary")).toBe(false);
    expect(isSopsDocument(fixture("flux/files/file.txt"), "binary")).toBe(true);
  });
});

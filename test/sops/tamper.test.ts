import { describe, expect, it } from "vitest";
import { decryptText, SopsError, type SopsFormat } from "../../src/sops/index.js";
import { expectNoSecrets, fixture, flux, fluxKeys, sopsProjectKeys } from "./support.js";

/** Changes to files made by sops after encryption: each must be refused, without leaking plaintext. */

/** Flips one base64 character of the first `data:` (a value's ciphertext) after `marker`. */
function flipCiphertext(text: string, marker: string): string {
  const at = text.indexOf("data:", text.indexOf(marker)) + "data:".length;
  const char = text[at] === "A" ? "B" : "A";
  return text.slice(0, at) + char + text.slice(at + 1);
}

interface Tampering {
  name: string;
  file: string;
  format?: SopsFormat;
  change(text: string): string;
  error: RegExp;
  /** Plaintexts of the file that must not appear in the message. */
  secrets: string[];
}

const comments = "sops-project/comments.enc.yaml";
const example = "sops-project/example.yaml";

const tamperings: Tampering[] = [
  {
    name: "a changed ciphertext",
    file: comments,
    change: (text) => flipCiphertext(text, "lorem:"),
    error: /the value at lorem failed authentication/,
    secrets: ["ipsum", "sit"],
  },
  {
    name: "two encrypted values swapped (their paths are authenticated)",
    file: comments,
    change: (text) => {
      const lorem = /^lorem: (.*)$/m.exec(text)?.[1] ?? "";
      const dolor = /^dolor: (.*)$/m.exec(text)?.[1] ?? "";
      return text.replace(`lorem: ${lorem}`, `lorem: ${dolor}`).replace(`dolor: ${dolor}`, `dolor: ${lorem}`);
    },
    error: /the value at lorem failed authentication/,
    secrets: ["ipsum", "sit"],
  },
  {
    name: "an encrypted value removed",
    file: comments,
    change: (text) => text.replace(/^dolor: .*\n/m, ""),
    error: /MAC mismatch/,
    secrets: ["ipsum"],
  },
  {
    name: "a clear-text value changed",
    file: example,
    change: (text) => text.replace("going to remain in clear text", "changed in clear text"),
    error: /MAC mismatch: the document was changed after encryption/,
    secrets: ["t00m4nys3cr3tzupdated", "c4r1b0u", "secretuser1"],
  },
  {
    name: "a clear-text list item appended",
    file: example,
    change: (text) => text.replace("  - remain in clear text\n", "  - remain in clear text\n  - injected\n"),
    error: /MAC mismatch/,
    secrets: ["t00m4nys3cr3tzupdated"],
  },
  {
    name: "a changed MAC",
    file: comments,
    change: (text) => flipCiphertext(text, "  mac:"),
    error: /its MAC cannot be decrypted/,
    secrets: ["ipsum", "sit"],
  },
  {
    name: "a changed lastmodified (it authenticates the MAC)",
    file: comments,
    change: (text) => text.replace("2020-10-07T15:49:13Z", "2021-10-07T15:49:13Z"),
    error: /its MAC cannot be decrypted/,
    secrets: ["ipsum"],
  },
  {
    name: "the MAC of another file",
    file: "sops-project/format.enc.yaml",
    change: (text) => {
      const other = /^ {2}mac: (.*)$/m.exec(fixture(comments))?.[1] ?? "";
      return text.replace(/^ {2}mac: .*$/m, `  mac: ${other}`);
    },
    error: /its MAC cannot be decrypted/,
    secrets: ["bar"],
  },
  {
    name: "the MAC removed",
    file: "flux/algorithms/age.yaml",
    change: (text) => text.replace(/^ {2}mac: .*\n/m, ""),
    error: /has no MAC/,
    secrets: [": value"],
  },
  {
    name: "a dotenv value changed",
    file: "flux/envs/env.env",
    format: "dotenv",
    change: (text) => flipCiphertext(text, "key="),
    error: /the value at key failed authentication/,
    secrets: ["=value"],
  },
  {
    name: "a binary document's data changed",
    file: "flux/files/file.txt",
    format: "binary",
    change: (text) => flipCiphertext(text, '"data"'),
    error: /the value at data failed authentication/,
    secrets: ['"value"', ": value"],
  },
  {
    name: "a JSON value changed",
    file: "sops-project/example.json",
    format: "json",
    change: (text) => flipCiphertext(text, '"city"'),
    error: /the value at address\.city failed authentication/,
    secrets: ["John", "New York"],
  },
  {
    name: "an encrypted data key changed",
    file: "flux/algorithms/age.yaml",
    change: (text) =>
      text.replace("LKiZDcq+nqKDUI7owZ+xNs2w5SrQjEWVhDXRSeSSRiJrK/bCYKzRxA==", "A".repeat(56)),
    error: /cannot decrypt the SOPS data key/,
    secrets: [": value"],
  },
];

describe("tampered documents are refused", () => {
  it.each(tamperings)("$name ($file)", async ({ file, format = "yaml", change, error, secrets }) => {
    const original = fixture(file);
    const changed = change(original);
    expect(changed).not.toBe(original);
    const keys = file.startsWith("flux/") ? fluxKeys : sopsProjectKeys;
    const failure = await decryptText(changed, format, keys, file).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SopsError);
    const message = (failure as SopsError).message;
    expect(message.startsWith(`${file}: `)).toBe(true);
    expect(message).toMatch(error);
    expectNoSecrets(message, [...secrets, flux.age, "PRIVATE KEY"]);
  });

  it("an encrypted comment that no longer decrypts is left as it is (as sops leaves it)", async () => {
    const changed = flipCiphertext(fixture(comments), "#ENC[");
    const output = await decryptText(changed, "yaml", sopsProjectKeys);
    expect(output).toMatch(/^#ENC\[AES256_GCM,data:/);
    expect(output).toContain("lorem: ipsum\n# this-is-a-comment\ndolor: sit\n");
  });

  it("invalid input is reported by position only", async () => {
    const text = 'password: "s3cret\nsops: {';
    const failure = await decryptText(text, "yaml", fluxKeys, "bad.yaml").catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(
      /^bad\.yaml: is not valid YAML \(\w+ at line \d+, column \d+\)$/,
    );
    const json = await decryptText('{"password": "s3cret" "x"}', "json", fluxKeys, "bad.json").catch(
      (e) => e,
    );
    expect(json.message).toBe("bad.json: is not valid JSON (expected ',' or '}' at line 1, column 23)");
  });
});

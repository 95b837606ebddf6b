import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { decryptText, SopsError, type SopsFormat } from "../../src/sops/index.js";
import { splitSecret } from "../../src/sops/shamir.js";
import { flux, fluxKeys, TestEncryptor } from "./support.js";

/**
 * Metadata options, value types and layouts the sops-made vectors do not cover, on documents the test
 * encrypts itself: every test spells out each value's path (its additional data) and the MAC input.
 */

interface Case {
  name: string;
  format?: SopsFormat;
  /** Builds the encrypted document. */
  build(enc: TestEncryptor): Promise<string>;
  /** The exact output, or the data it parses to. */
  expected: string | { data: unknown };
}

const yaml = async (enc: TestEncryptor, body: string[], parts: string[], extra: string[], macOnly = false) =>
  `${body.join("\n")}\n${await enc.yamlMetadata(enc.mac(parts, macOnly), extra)}`;

const cases: Case[] = [
  {
    name: "encrypted_regex: only the matching keys' values",
    build: (enc) =>
      yaml(
        enc,
        [
          "apiVersion: v1",
          "kind: Secret",
          "metadata:",
          "  name: db",
          "stringData:",
          `  password: ${enc.value("p4ss", "stringData:password:")}`,
          `  count: ${enc.value("3", "stringData:count:", "int")}`,
        ],
        ["v1", "Secret", "db", "p4ss", "3"],
        ["encrypted_regex: ^(data|stringData)$"],
      ),
    expected:
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: p4ss\n  count: 3\n",
  },
  {
    name: "unencrypted_regex",
    build: (enc) =>
      yaml(
        enc,
        ["public: hello", `secret: ${enc.value("x", "secret:")}`],
        ["hello", "x"],
        ["unencrypted_regex: ^pub"],
      ),
    expected: "public: hello\nsecret: x\n",
  },
  {
    name: "encrypted_suffix",
    build: (enc) =>
      yaml(
        enc,
        [`token_secret: ${enc.value("t0k", "token_secret:")}`, "name: plain"],
        ["t0k", "plain"],
        ["encrypted_suffix: _secret"],
      ),
    expected: "token_secret: t0k\nname: plain\n",
  },
  {
    name: "no rule: unencrypted_suffix _unencrypted by default, for the whole subtree",
    build: (enc) =>
      yaml(
        enc,
        [`a: ${enc.value("1", "a:")}`, "note_unencrypted:", "  deep: text", `b: ${enc.value("2", "b:")}`],
        ["1", "text", "2"],
        [],
      ),
    expected: { data: { a: "1", note_unencrypted: { deep: "text" }, b: "2" } },
  },
  {
    name: "encrypted_comment_regex: the value after a matching comment (the comment stays clear)",
    build: (enc) =>
      yaml(
        enc,
        ["# sops:enc", `password: ${enc.value("s3cret", "password:")}`, "user: admin"],
        ["s3cret", "admin"],
        ["encrypted_comment_regex: sops:enc"],
      ),
    expected: "# sops:enc\npassword: s3cret\nuser: admin\n",
  },
  {
    name: "unencrypted_comment_regex: the value after a matching comment stays clear",
    build: (enc) =>
      yaml(
        enc,
        ["# sops:plain", "user: admin", `password: ${enc.value("pw", "password:")}`],
        ["admin", "pw"],
        ["unencrypted_comment_regex: sops:plain"],
      ),
    expected: "# sops:plain\nuser: admin\npassword: pw\n",
  },
  {
    name: "mac_only_encrypted: the MAC covers only the encrypted values",
    build: (enc) =>
      yaml(
        enc,
        ["name: anything", "data:", `  k: ${enc.value("v", "data:k:")}`],
        ["v"],
        ["encrypted_regex: ^data$", "mac_only_encrypted: true"],
        true,
      ),
    expected: "name: anything\ndata:\n  k: v\n",
  },
  {
    name: "typed values, hashed in Go's formatting",
    build: (enc) =>
      yaml(
        enc,
        [
          `port: ${enc.value("8080", "port:", "int")}`,
          `ratio: ${enc.value("0.5", "ratio:", "float")}`,
          `whole: ${enc.value("3", "whole:", "float")}`,
          `enabled: ${enc.value("True", "enabled:", "bool")}`,
          `digits: ${enc.value("0123", "digits:")}`,
          `word: ${enc.value("yes", "word:")}`,
          `empty: ""`,
          "list:",
          `  - ${enc.value("a", "list:")}`,
          `  - ${enc.value("b", "list:")}`,
          "raw_unencrypted: [0x1F, 1.0, 2020-01-01, yes, ~, 017, 1e3, .inf]",
        ],
        [
          "8080",
          "0.5",
          "3",
          "True",
          "0123",
          "yes",
          "",
          "a",
          "b",
          "31",
          "1",
          "2020-01-01T00:00:00Z",
          "yes",
          "15",
          "1000",
          "+Inf",
        ],
        [],
      ),
    expected: [
      "port: 8080",
      "ratio: 0.5",
      "whole: 3.0",
      "enabled: true",
      'digits: "0123"',
      'word: "yes"',
      'empty: ""',
      "list:",
      "  - a",
      "  - b",
      "raw_unencrypted: [0x1F, 1.0, 2020-01-01, yes, ~, 017, 1e3, .inf]",
      "",
    ].join("\n"),
  },
  {
    name: "multi-line strings come back as block scalars, comments where they were",
    build: (enc) =>
      yaml(
        enc,
        [
          `#${enc.value(" top comment", ":", "comment")}`,
          "app:",
          `  cert: ${enc.value("line 1\nline 2\n", "app:cert:")}`,
          `  #${enc.value(" inner comment", "app:", "comment")}`,
          `  key: ${enc.value("k", "app:key:")} #${enc.value(" inline", "app:", "comment")}`,
        ],
        ["line 1\nline 2\n", "k"],
        [],
      ),
    expected:
      "# top comment\napp:\n  cert: |\n    line 1\n    line 2\n  # inner comment\n  key: k # inline\n",
  },
  {
    name: "four-space indentation is kept",
    build: (enc) =>
      yaml(
        enc,
        [
          "top:",
          "    nested:",
          `        - ${enc.value("x", "top:nested:")}`,
          `    other: ${enc.value("y", "top:other:")}`,
        ],
        ["x", "y"],
        [],
      ),
    // "y" is a YAML 1.1 boolean: quoted, as go-yaml quotes it.
    expected: 'top:\n    nested:\n        - x\n    other: "y"\n',
  },
  {
    name: "several YAML documents: one tree branch each, one MAC over all",
    build: async (enc) => {
      const metadata = await enc.yamlMetadata(enc.mac(["1", "2"]));
      return `a: ${enc.value("1", "a:", "int")}\n${metadata}---\nb: ${enc.value("2", "b:", "int")}\n${metadata}`;
    },
    expected: "a: 1\n---\nb: 2\n",
  },
  {
    name: "JSON: order, duplicate-free keys, numbers as Go reads them",
    format: "json",
    build: async (enc) => {
      const sops = {
        age: [{ recipient: flux.ageRecipient, enc: await enc.age(flux.ageRecipient) }],
        lastmodified: enc.lastmodified,
        mac: enc.mac(["s", "9007199254740993", "12345678901234567000", "1", "True", "x"]),
        version: "3.10.2",
      };
      return [
        "{",
        `  "2": "${enc.value("s", "2:")}",`,
        '  "int_unencrypted": 9007199254740993,',
        '  "big_unencrypted": 12345678901234567890,',
        '  "float_unencrypted": 1.0,',
        '  "bool_unencrypted": true,',
        '  "null_unencrypted": null,',
        `  "1": ["${enc.value("x", "1:")}"],`,
        '  "html": "",',
        `  "sops": ${JSON.stringify(sops)}`,
        "}",
      ].join("\n");
    },
    expected: [
      "{",
      '\t"2": "s",',
      '\t"int_unencrypted": 9007199254740993,',
      '\t"big_unencrypted": 12345678901234567000,',
      '\t"float_unencrypted": 1,',
      '\t"bool_unencrypted": true,',
      '\t"null_unencrypted": null,',
      '\t"1": [',
      '\t\t"x"',
      "\t],",
      '\t"html": ""',
      "}",
      "",
    ].join("\n"),
  },
  {
    name: "JSON escapes as Go's encoding/json",
    format: "json",
    build: async (enc) => {
      const sops = {
        age: [{ recipient: flux.ageRecipient, enc: await enc.age(flux.ageRecipient) }],
        lastmodified: enc.lastmodified,
        mac: enc.mac(["<a & b>\u2028\n"]),
      };
      return JSON.stringify({ v: enc.value("<a & b>\u2028\n", "v:"), sops });
    },
    expected: '{\n\t"v": "\\u003ca \\u0026 b\\u003e\\u2028\\n"\n}\n',
  },
  {
    name: "dotenv: comments kept, \\n for newlines",
    format: "dotenv",
    build: async (enc) => {
      const age = (await enc.age(flux.ageRecipient)).replaceAll("\n", "\\n");
      return [
        "# database",
        `PASSWORD=${enc.value("a\nb", "PASSWORD:")}`,
        "HOST_unencrypted=db.local",
        `sops_age__list_0__map_enc=${age}`,
        `sops_age__list_0__map_recipient=${flux.ageRecipient}`,
        `sops_lastmodified=${enc.lastmodified}`,
        `sops_mac=${enc.mac(["a\nb", "db.local"])}`,
        "sops_unencrypted_suffix=_unencrypted",
        "sops_version=3.10.2",
        "",
      ].join("\n");
    },
    expected: "# database\nPASSWORD=a\\nb\nHOST_unencrypted=db.local\n",
  },
  {
    name: "binary: the data string, byte for byte",
    format: "binary",
    build: async (enc) => {
      const sops = {
        age: [{ recipient: flux.ageRecipient, enc: await enc.age(flux.ageRecipient) }],
        lastmodified: enc.lastmodified,
        mac: enc.mac(["line 1\nline 2\n"]),
      };
      return JSON.stringify({ data: enc.value("line 1\nline 2\n", "data:"), sops }, null, "\t");
    },
    expected: "line 1\nline 2\n",
  },
];

describe("decryptText on documents with every metadata option", () => {
  it.each(cases)("$name", async ({ format = "yaml", build, expected }) => {
    const enc = new TestEncryptor();
    const output = await decryptText(await build(enc), format, fluxKeys, "doc");
    if (typeof expected === "string") expect(output).toBe(expected);
    else expect(parse(output)).toEqual(expected.data);
  });

  it("mac_only_encrypted lets clear values change; without it they are covered", async () => {
    const enc = new TestEncryptor();
    const build = (name: string, macOnly: boolean) =>
      yaml(
        enc,
        [`name: ${name}`, `data: ${enc.value("v", "data:")}`],
        macOnly ? ["v"] : ["original", "v"],
        ["encrypted_regex: ^data$", ...(macOnly ? ["mac_only_encrypted: true"] : [])],
        macOnly,
      );
    expect(await decryptText(await build("changed", true), "yaml", fluxKeys)).toBe(
      "name: changed\ndata: v\n",
    );
    await expect(decryptText(await build("changed", false), "yaml", fluxKeys)).rejects.toThrow(
      /MAC mismatch/,
    );
  });

  it("more than one crypt rule is refused", async () => {
    const enc = new TestEncryptor();
    const doc = await yaml(enc, ["a: b"], ["b"], ["encrypted_regex: x", "unencrypted_suffix: _u"]);
    await expect(decryptText(doc, "yaml", fluxKeys, "doc")).rejects.toThrow(
      "doc: the SOPS metadata sets unencrypted_suffix and encrypted_regex; only one of",
    );
  });

  it("a document without sops metadata is not decrypted", async () => {
    await expect(decryptText("a: b\n", "yaml", fluxKeys, "plain.yaml")).rejects.toThrow(
      "plain.yaml: is not a SOPS-encrypted document: it has no sops metadata",
    );
  });
});

describe("key groups (Shamir)", () => {
  const document = async (threshold: number) => {
    const enc = new TestEncryptor();
    const [ageShare, pgpShare] = splitSecret(enc.dataKey, 2, 2, (n) => randomBytes(n));
    const indent = (text: string, spaces: number) =>
      text
        .trimEnd()
        .split("\n")
        .join(`\n${" ".repeat(spaces)}`);
    const ageEnc = await enc.age(flux.ageRecipient, ageShare);
    const pgpEnc = await enc.pgp(flux.pgp, pgpShare);
    return [
      `secret: ${enc.value("shared", "secret:")}`,
      "sops:",
      "  key_groups:",
      "    - age:",
      `        - recipient: ${flux.ageRecipient}`,
      "          enc: |",
      `            ${indent(ageEnc, 12)}`,
      "    - pgp:",
      `        - fp: ${flux.pgpFingerprint}`,
      "          enc: |",
      `            ${indent(pgpEnc, 12)}`,
      `  shamir_threshold: ${threshold}`,
      `  lastmodified: "${enc.lastmodified}"`,
      `  mac: ${enc.mac(["shared"])}`,
      "",
    ].join("\n");
  };

  it("recombines the data key from one share per key group", async () => {
    expect(await decryptText(await document(2), "yaml", fluxKeys)).toBe("secret: shared\n");
  });

  it("says which groups stay closed when too few open", async () => {
    const error = await decryptText(
      await document(2),
      "yaml",
      { age: [flux.age], pgp: [] },
      "groups.yaml",
    ).catch((e) => e);
    expect(error).toBeInstanceOf(SopsError);
    expect(error.message).toContain(
      "groups.yaml: cannot decrypt the SOPS data key: 1 more of its key groups must open",
    );
    expect(error.message).toContain(`[PGP key ${flux.pgpFingerprint}]`);
  });
});

describe("YAML documents", () => {
  it("multi-document output parses back into the same documents", async () => {
    const enc = new TestEncryptor();
    const metadata = await enc.yamlMetadata(enc.mac(["x"]));
    const output = await decryptText(`k: ${enc.value("x", "k:")}\n${metadata}---\n{}\n`, "yaml", fluxKeys);
    expect(parseAllDocuments(output).map((doc) => (doc as { toJS(): unknown }).toJS())).toEqual([
      { k: "x" },
      {},
    ]);
  });
});

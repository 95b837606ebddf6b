/** `redact`: every form a Secret value can take in a message is masked as `***`, and nothing else. */
import { describe, expect, it } from "vitest";
import { redact, redactDeep, redactor } from "../../src/report/redact.js";

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("redact", () => {
  const SECRET = "s3cr3t-Pa55word!"; // base64 ends in "=="; base64url differs from base64

  const URLISH = `${SECRET}??>`; // base64 has "/" and "+" where base64url has "_" and "-"

  it.each([
    ["as given", SECRET, `password is ${SECRET}.`, "password is ***."],
    ["base64", SECRET, `data.password: ${b64(SECRET)}`, "data.password: ***"],
    ["base64 without padding", SECRET, `token ${b64(SECRET).replace(/=+$/, "")}!`, "token ***!"],
    ["base64url", URLISH, `u=${Buffer.from(URLISH).toString("base64url")}`, "u=***"],
    ["twice on a line", SECRET, `${SECRET}/${SECRET}`, "***/***"],
  ])("masks the value %s", (_, secret, text, expected) => {
    expect(redact(text, [secret])).toBe(expected);
  });

  it("masks a value JSON-escaped in an API server's message", () => {
    const value = 'quote"back\\slash';
    expect(redact(`{"password":${JSON.stringify(value)}}`, [value])).toBe('{"password":"***"}');
  });

  it("masks a value read from a file with its trailing newline", () => {
    expect(redact("token abcdef123456 rejected", ["abcdef123456\n"])).toBe("token *** rejected");
  });

  it("masks each line of a multi-line value, but not lines too short to be secret", () => {
    const key = "-----BEGIN KEY-----\nMIIEvQIBADANBg\n}\n-----END KEY-----";
    expect(redact("line 2 of the key: MIIEvQIBADANBg; brace } stays", [key])).toBe(
      "line 2 of the key: ***; brace } stays",
    );
  });

  it("masks the decoded text of a value given as a Secret's base64 data", () => {
    expect(redact(`plain ${SECRET}`, [b64(SECRET)])).toBe("plain ***");
  });

  it("masks the longer of two values that overlap whole", () => {
    expect(redact("abcdefgh and abcd", ["abcd", "abcdefgh"])).toBe("*** and ***");
  });

  it("treats a value as text, not as a pattern", () => {
    expect(redact("a.b*c and axbbbc", ["a.b*c"])).toBe("*** and axbbbc");
  });

  it("ignores empty values and leaves text alone without values", () => {
    expect(redact("nothing to hide", ["", ""])).toBe("nothing to hide");
    expect(redact("nothing to hide", [])).toBe("nothing to hide");
  });

  it("masks every string of a nested value, numbers and booleans untouched", () => {
    const mask = redactor([SECRET]);
    expect(redactDeep({ a: [SECRET, { b: `x ${SECRET}`, n: 3 }], ok: true }, mask)).toEqual({
      a: ["***", { b: "x ***", n: 3 }],
      ok: true,
    });
  });
});

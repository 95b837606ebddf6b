import { createDecipheriv } from "node:crypto";
import { type GoValue, parseGoBool, parseGoFloat, parseGoInt } from "./govalue.js";

/**
 * SOPS's value cipher (`aes/cipher.go`): `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`, AES-256-GCM with a
 * 32-byte IV, the value's tree path as additional data, the type telling how to read the plaintext.
 */

export interface EncryptedValue {
  data: Buffer;
  iv: Buffer;
  tag: Buffer;
  type: string;
}

/** A decrypted value: a Go value, or the text of an encrypted comment. */
export type DecryptedValue = GoValue | { kind: "comment"; value: string };

/** Why a value could not be decrypted. The message never contains the value or its plaintext. */
export class ValueCipherError extends Error {}

const B64 = "[A-Za-z0-9+/=]";
const ENCRYPTED = new RegExp(`^ENC\\[AES256_GCM,data:(${B64}+),iv:(${B64}+),tag:(${B64}+),type:([a-z]+)\\]`);

export function parseEncryptedValue(text: string): EncryptedValue | undefined {
  const match = ENCRYPTED.exec(text);
  if (!match) return undefined;
  const [, data = "", iv = "", tag = "", type = ""] = match;
  return {
    data: Buffer.from(data, "base64"),
    iv: Buffer.from(iv, "base64"),
    tag: Buffer.from(tag, "base64"),
    type,
  };
}

/** Whether `text` is an encrypted comment (`type:comment`). */
export function isEncryptedComment(text: string): boolean {
  return parseEncryptedValue(text)?.type === "comment";
}

/** AES-256-GCM open; undefined when authentication fails (wrong key, tampered value, other path). */
export function openValue(
  value: EncryptedValue,
  key: Uint8Array,
  additionalData: string,
): Buffer | undefined {
  if (value.tag.length !== 16 || value.iv.length === 0) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, value.iv, { authTagLength: 16 });
    decipher.setAAD(Buffer.from(additionalData, "utf8"));
    decipher.setAuthTag(value.tag);
    return Buffer.concat([decipher.update(value.data), decipher.final()]);
  } catch {
    return undefined;
  }
}

/**
 * Decrypts one value as `Cipher.Decrypt` does: "" stays "", the plaintext is read as its `type` says.
 * `additionalData` is the value's path joined with ":" plus a trailing ":" (or `lastmodified` for the MAC).
 */
export function decryptValue(text: string, key: Uint8Array, additionalData: string): DecryptedValue {
  if (text === "") return { kind: "str", value: "" };
  const encrypted = parseEncryptedValue(text);
  if (!encrypted) throw new ValueCipherError("is not a SOPS-encrypted value (ENC[AES256_GCM,…])");
  const plain = openValue(encrypted, key, additionalData);
  if (!plain) {
    throw new ValueCipherError(
      "failed authentication: the value was tampered with, moved to another key, or encrypted with another data key",
    );
  }
  const textValue = plain.toString("utf8");
  switch (encrypted.type) {
    case "str":
      return { kind: "str", value: textValue, bytes: new Uint8Array(plain) };
    case "int": {
      const value = parseGoInt(textValue);
      if (value === undefined) throw new ValueCipherError("has type int but its plaintext is not an integer");
      return { kind: "int", value };
    }
    case "float": {
      const value = parseGoFloat(textValue);
      if (value === undefined) throw new ValueCipherError("has type float but its plaintext is not a number");
      return { kind: "float", value };
    }
    case "bool": {
      const value = parseGoBool(textValue);
      if (value === undefined) throw new ValueCipherError("has type bool but its plaintext is not a boolean");
      return { kind: "bool", value };
    }
    case "bytes":
      return { kind: "bytes", value: new Uint8Array(plain) };
    case "time":
      return { kind: "time", value: textValue };
    case "comment":
      return { kind: "comment", value: textValue };
    default:
      throw new ValueCipherError(`has an unknown type "${encrypted.type}"`);
  }
}

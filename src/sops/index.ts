/**
 * SOPS decryption as Flux's kustomize-controller does it: age identities first, then PGP keys; values
 * AES-256-GCM with their tree path authenticated; the MAC checked as `sops -d` checks it.
 */

export { type DecryptOptions, decryptDocument, decryptText } from "./decrypt.js";
export { SopsError } from "./errors.js";
export { formatForPath, isSopsDocument, SOPS_FORMATS, type SopsFormat } from "./formats/index.js";
export { keysFromSecretData, loadKeys, mergeKeys, type SopsKeys } from "./keys.js";
export { decryptObject } from "./object.js";

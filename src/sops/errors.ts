/**
 * The one error type of `src/sops/`. Its message names the file when known and says what to do; it never
 * carries a secret: no decrypted value, no data key, no private key material, no MAC.
 */
export class SopsError extends Error {
  override readonly name = "SopsError";
  /** The file (or object) being decrypted, when known. */
  readonly file: string | undefined;

  constructor(message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.file = file;
  }
}

/** Re-raises `error` as a SopsError for `file`, keeping an existing SopsError's text. */
export function asSopsError(error: unknown, file: string | undefined): SopsError {
  if (error instanceof SopsError) return error.file || !file ? error : new SopsError(error.message, file);
  // Library errors can quote their input; only our own messages are passed on.
  return new SopsError("unexpected failure while decrypting", file);
}

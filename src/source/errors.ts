/** Why a revision could not be put on disk. */
export type SourceErrorReason =
  /** The request is malformed (not a full commit sha, an odd repository name). */
  | "invalid"
  /** GitHub refused or failed the download (not found, no access, codeload error, network). */
  | "download"
  /** The archive holds an entry Ferry will not extract (`entry` names it). */
  | "unsafe-entry"
  /** The archive is larger than the size limit. */
  | "too-large";

/**
 * A revision that could not be fetched. The message names the repository and commit, and for an
 * archive Ferry refuses, the entry; no download URL appears in it (codeload URLs carry a token).
 */
export class SourceError extends Error {
  override readonly name = "SourceError";

  constructor(
    message: string,
    readonly reason: SourceErrorReason,
    /** The archive entry refused, as its path appears in the archive. */
    readonly entry?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

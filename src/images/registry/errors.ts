/** Why tags could not be listed or an artifact pulled. */
export type RegistryErrorReason =
  /** The registry (or its token service) refused: HTTP 401 or 403. */
  | "unauthorized"
  /** The repository, tag or blob does not exist: HTTP 404. */
  | "not-found"
  /** No answer: connection refused, DNS, TLS. */
  | "unreachable"
  /** The registry is rate limiting or failing (HTTP 429, 5xx): try again later. */
  | "unavailable"
  /** No complete answer within the timeout. */
  | "timeout"
  /** An answer Ferry cannot use: another status, malformed JSON, a bad `Link` or challenge. */
  | "bad-response"
  /** More pages or tags than the client's limit. */
  | "too-many-tags"
  /** Content whose sha256 is not the digest it was asked for by. */
  | "digest-mismatch";

/**
 * A tag listing or pull that failed. The message names the registry and repository and says what to fix;
 * no password or token appears in it.
 */
export class RegistryError extends Error {
  override readonly name = "RegistryError";

  constructor(
    message: string,
    readonly reason: RegistryErrorReason,
    /** The image the listing or pull was for: `ghcr.io/acme/app`. */
    readonly image: string,
    /** The HTTP status that caused it, when there was one. */
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An image reference that does not follow the Docker/OCI grammar. */
export class ImageReferenceError extends Error {
  override readonly name = "ImageReferenceError";
}

/** A Docker config (`config.json`, a `.dockerconfigjson` Secret) Ferry cannot read; no secret in the message. */
export class DockerConfigError extends Error {
  override readonly name = "DockerConfigError";
}

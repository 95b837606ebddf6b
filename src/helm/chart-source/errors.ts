/** Why a chart could not be found, fetched or read. */
export type ChartSourceErrorReason =
  /** The index is not YAML/JSON Ferry can read as a Helm repository index. */
  | "bad-index"
  /** The chart is not in the repository's index (or has no versions there). */
  | "chart-not-found"
  /** No version of the chart matches the requested version or range. */
  | "no-matching-version"
  /** The requested version is neither one of the chart's versions nor a valid range. */
  | "bad-version-range"
  /** The repository answered 401 or 403. */
  | "unauthorized"
  /** The repository answered 404 for the index or the archive. */
  | "not-found"
  /** The repository answered with another status (5xx, 429, …). */
  | "unavailable"
  /** No answer: connection refused, DNS, TLS. */
  | "unreachable"
  /** No complete answer within the timeout. */
  | "timeout"
  /** The index or the archive is larger than the limit. */
  | "too-large"
  /** The archive's (or an OCI manifest's or layer's) sha256 is not the one the index (or reference) promises. */
  | "digest-mismatch"
  /** The index entry cannot be downloaded (no URL, a URL Ferry cannot use). */
  | "bad-entry"
  /** A chart folder in the repository that is missing, outside the repository, or has a bad Chart.yaml. */
  | "bad-local-chart"
  /** An archive that is not a Helm chart, or a chart whose version is not the tag it was pulled by. */
  | "bad-chart"
  /** An OCI artifact without the layer that holds the chart. */
  | "no-chart-layer"
  /** A source setting Ferry does not support yet (a cloud provider's login, signature verification). */
  | "not-supported";

/**
 * A chart source failure. The message names the repository (or index source) and the chart and says
 * what to fix; it never carries a password or an Authorization header.
 */
export class ChartSourceError extends Error {
  override readonly name = "ChartSourceError";

  constructor(
    message: string,
    readonly reason: ChartSourceErrorReason,
    /** The repository URL, index source or repository folder the failure is about. */
    readonly source: string,
    /** The HTTP status behind it, when there was one. */
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export { formatBytes } from "./archive.js";
export { SourceError, type SourceErrorReason } from "./errors.js";
export {
  DEFAULT_SIZE_LIMIT_BYTES,
  DEFAULT_SIZE_LIMIT_SETTING,
  type FetchRevisionOptions,
  fetchRevision,
  type RevisionCheckout,
  type RevisionRef,
  type TarballClient,
} from "./fetch.js";

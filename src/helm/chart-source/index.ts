/**
 * Where a HelmRelease's chart comes from: a `type: default` HelmRepository (index.yaml over HTTP(S),
 * archives cached by sha256) or a folder in the repository itself; versions chosen as Flux does.
 */
export { cachedArchive, storeArchive } from "./archive-cache.js";
export { type ChartIndex, type ChartVersion, parseChartIndex } from "./chart-index.js";
export {
  ChartRepositoryClient,
  type ChartRepositoryClientOptions,
  type HelmRepositorySource,
  type RepositoryCredentialLookup,
  type RepositoryLogin,
  type ResolvedChart,
} from "./client.js";
export { ChartSourceError, type ChartSourceErrorReason } from "./errors.js";
export { type LocalChart, localChart } from "./local-chart.js";
export { chartImage, type OciChartVersion, resolveOciChartVersion } from "./oci.js";
export { resolveChartVersion } from "./resolve.js";

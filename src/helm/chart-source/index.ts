/**
 * Where a HelmRelease's chart comes from: a `type: default` HelmRepository (index.yaml over HTTP(S),
 * archives cached by sha256), an OCI registry (a `type: oci` HelmRepository or an OCIRepository,
 * layers cached by sha256) or a folder in the repository itself; versions chosen as Flux does.
 */
export { cachedArchive, storeArchive } from "./archive-cache.js";
export { chartFolderWithVersion } from "./chart-archive.js";
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
export {
  HELM_CHART_LAYER,
  HELM_CHART_LAYERS,
  type OciAccess,
  OciChartClient,
  type OciChartClientOptions,
  type PulledChart,
} from "./oci-client.js";
export { type OciRepositoryChart, pullOciRepositoryChart } from "./oci-repository.js";
export { secretLogins } from "./registry-login.js";
export { resolveChartVersion } from "./resolve.js";

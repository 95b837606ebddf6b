/**
 * Charts in OCI registries, pulled with Ferry's registry client rather than `helm pull`: the
 * manifest (by tag or digest), the layer that holds the chart, its sha256 checked, and the archive
 * kept on disk by that digest next to the chart repositories' archives, so a chart already there is
 * not downloaded again. One registry client per registry, login and scheme, so a token fetched with
 * one source's credentials never serves another source. Keep one client for many pulls.
 */
import { join } from "node:path";
import type { Dispatcher } from "undici";
import {
  type CredentialLookup,
  type Descriptor,
  type ImageManifest,
  type ImageReference,
  parseImageReference,
  RegistryClient,
  RegistryError,
  type TagLister,
} from "../../images/registry/index.js";

import { cachedArchive, storeArchive } from "./archive-cache.js";
import { type ChartArchive, chartFolderWithVersion, readChartArchive } from "./chart-archive.js";
import { ChartSourceError, type ChartSourceErrorReason } from "./errors.js";

/** The layer `helm push` stores the chart in. */
export const HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
/** What Helm's registry client takes for a chart layer: today's type and the one before it. */
export const HELM_CHART_LAYERS = [HELM_CHART_LAYER, "application/tar+gzip"] as const;

export interface OciChartClientOptions {
  /** Where archives are kept, one `<sha256>.tgz` per content (the chart repositories' folder will do). */
  cacheDir: string;
  /** The operator's registry logins, used for sources without a login of their own. */
  credentials?: CredentialLookup;
  /** Where the operator's logins are configured, for refusals' advice; default `the operator file (registries)`. */
  credentialsSource?: string;
  /** undici dispatcher for every request; undici's global one by default. */
  dispatcher?: Dispatcher;
  /** Per request; default 60 seconds (Flux's OCIRepository timeout). */
  timeoutMs?: number;
  /** Largest chart layer accepted; default 50 MiB. */
  maxChartBytes?: number;
}

/** How one source reaches its registry. */
export interface OciAccess {
  /** The source's own logins (its secretRef); the operator's registry logins when absent. */
  logins?: {
    lookup: CredentialLookup;
    /** Where they come from, for refusals' advice and to tell sources apart: `Secret flux-system/ghcr`. */
    source: string;
  };
  /** `spec.insecure`: plain HTTP. Loopback registries always are. */
  insecure?: boolean;
}

/** A chart pulled from a registry, on disk. */
export interface PulledChart extends ChartArchive {
  /** The layer's `.tgz` in the cache folder. */
  archive: string;
  /** `sha256:<hex>` of the chart layer. */
  layerDigest: string;
  /** `sha256:<hex>` of the manifest: what the tag pointed at. */
  manifestDigest: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

export class OciChartClient {
  private readonly registries = new Map<string, RegistryClient>();
  /** Charts read from the cache, by layer digest. */
  private readonly charts = new Map<string, Promise<ChartArchive>>();

  constructor(private readonly options: OciChartClientOptions) {}

  /** Lists tags for one source, as `resolveOciChartVersion` wants them. */
  tagLister(access: OciAccess): TagLister {
    return { listTags: (image) => this.registryFor(registryOf(image), access).listTags(image) };
  }

  /** Every tag of `image`; a registry failure becomes a ChartSourceError. */
  async listTags(image: ImageReference, access: OciAccess): Promise<string[]> {
    return this.registryFor(image.registry, access)
      .listTags(image)
      .catch((error: unknown) => {
        throw chartSourceError(error);
      });
  }

  /**
   * The chart `ref` (with a tag or digest) holds: the first layer of one of `layerTypes` (the first
   * layer of all when empty, as Flux's OCIRepository without a layerSelector), downloaded unless the
   * cache has it. Throws ChartSourceError naming the artifact and what to do.
   */
  async pull(ref: ImageReference, access: OciAccess, layerTypes: readonly string[]): Promise<PulledChart> {
    const registry = this.registryFor(ref.registry, access);
    const manifest = await registry.manifest(ref).catch((error: unknown) => {
      throw chartSourceError(error);
    });
    const shown = ref.digest ? `${ref.name}@${ref.digest}` : `${ref.name}:${ref.tag ?? "latest"}`;
    const layer = selectLayer(manifest, layerTypes, shown);
    const maxBytes = this.options.maxChartBytes ?? DEFAULT_MAX_BYTES;
    if (layer.size > maxBytes) {
      throw new ChartSourceError(
        `the chart layer of ${shown} is ${layer.size} bytes, more than the ${maxBytes} Ferry accepts`,
        "too-large",
        ref.name,
      );
    }
    const hex = layer.digest.slice("sha256:".length);
    let archive = await cachedArchive(this.options.cacheDir, hex);
    if (!archive) {
      const data = await registry.blob(ref, layer.digest, maxBytes).catch((error: unknown) => {
        throw chartSourceError(error);
      });
      archive = await storeArchive(this.options.cacheDir, hex, data);
    }
    const chart = await this.read(archive, layer.digest, `the chart layer of ${shown}`);
    return { ...chart, archive, layerDigest: layer.digest, manifestDigest: manifest.digest };
  }

  /** The pulled chart as a folder whose Chart.yaml says `version`, kept in the cache folder. */
  async withVersion(chart: PulledChart, version: string): Promise<string> {
    const key = `${chart.layerDigest.slice("sha256:".length)}-${version}`;
    return chartFolderWithVersion(chart, version, join(this.options.cacheDir, "versioned"), key);
  }

  private read(archive: string, digest: string, what: string): Promise<ChartArchive> {
    let chart = this.charts.get(digest);
    if (!chart) {
      chart = readChartArchive(archive, what);
      this.charts.set(digest, chart);
      chart.catch(() => this.charts.delete(digest));
    }
    return chart;
  }

  private registryFor(registry: string, access: OciAccess): RegistryClient {
    const key = JSON.stringify([registry, access.insecure ?? false, access.logins?.source ?? ""]);
    let client = this.registries.get(key);
    if (!client) {
      const credentials = access.logins?.lookup ?? this.options.credentials;
      client = new RegistryClient({
        timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        credentialsSource:
          access.logins?.source ?? this.options.credentialsSource ?? "the operator file (registries)",
        ...(credentials ? { credentials } : {}),
        ...(access.insecure ? { insecureRegistries: [registry] } : {}),
        ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
      });
      this.registries.set(key, client);
    }
    return client;
  }
}

function selectLayer(manifest: ImageManifest, layerTypes: readonly string[], shown: string): Descriptor {
  const layer =
    layerTypes.length === 0
      ? manifest.layers[0]
      : manifest.layers.find((l) => layerTypes.includes(l.mediaType));
  if (layer) return layer;
  const has = manifest.layers.map((l) => l.mediaType);
  const found = has.length === 0 ? "it has no layers" : `its layers are ${[...new Set(has)].join(", ")}`;
  throw new ChartSourceError(
    layerTypes.length === 0
      ? `${shown} has no layers; push the chart with helm push`
      : `${shown} has no layer of type ${layerTypes.join(" or ")} (${found}); push the chart with helm push, or set the OCIRepository's layerSelector.mediaType to the layer holding it`,
    "no-chart-layer",
    shown,
  );
}

function registryOf(image: string | ImageReference): string {
  return (typeof image === "string" ? parseImageReference(image) : image).registry;
}

/** A registry failure as a chart source failure, its message (which names the artifact) kept. */
export function chartSourceError(error: unknown): unknown {
  if (!(error instanceof RegistryError)) return error;
  return new ChartSourceError(error.message, chartSourceReason(error), error.image, error.status, {
    cause: error,
  });
}

/** The chart source reason for a registry failure. */
export function chartSourceReason(error: RegistryError): ChartSourceErrorReason {
  switch (error.reason) {
    case "unauthorized":
    case "not-found":
    case "unreachable":
    case "timeout":
    case "digest-mismatch":
      return error.reason;
    case "too-many-tags":
      return "too-large";
    default:
      return "unavailable";
  }
}

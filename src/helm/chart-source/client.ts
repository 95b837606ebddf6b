/**
 * Charts from a `type: default` HelmRepository: the repository's `index.yaml` over HTTP(S), kept per
 * URL for the repository's interval, and chart archives downloaded from an entry's first URL,
 * checked against the index's sha256 and kept on disk by content (`<cacheDir>/<sha256>.tgz`), so a
 * chart already there is not downloaded again. Keep one client for many resolutions.
 */
import { createHash } from "node:crypto";
import type { Dispatcher } from "undici";
import { type HttpAnswer, HttpFailure, type HttpOptions, httpGet } from "../../images/registry/http.js";
import { cachedArchive, storeArchive } from "./archive-cache.js";
import { type ChartIndex, type ChartVersion, parseChartIndex } from "./chart-index.js";
import { ChartSourceError } from "./errors.js";
import { chartUrl, displayUrl, indexUrl, parseRepositoryUrl, sameOrigin } from "./repository-url.js";
import { resolveChartVersion } from "./resolve.js";

/** A username and password (or token) for a chart repository. */
export interface RepositoryLogin {
  username: string;
  password: string;
}

/** The login for a repository, by its URL as the HelmRepository has it; anonymous when undefined. */
export type RepositoryCredentialLookup = (
  repositoryUrl: string,
) => RepositoryLogin | undefined | Promise<RepositoryLogin | undefined>;

export interface ChartRepositoryClientOptions {
  /** Where archives are kept, one `<sha256>.tgz` per content; created when missing. */
  cacheDir: string;
  /** Logins for repositories without one of their own (the operator's, by host); anonymous when absent. */
  credentials?: RepositoryCredentialLookup;
  /** undici dispatcher for every request; undici's global one by default. */
  dispatcher?: Dispatcher;
  /** Per request, headers and body; default 60 seconds (Flux's HelmRepository timeout). */
  timeoutMs?: number;
  /** Largest chart archive accepted; default 50 MiB. */
  maxChartBytes?: number;
  /** Largest index accepted; default 50 MiB (Flux's limit). */
  maxIndexBytes?: number;
  /** The clock index freshness is measured by (ms since the epoch); default Date.now. */
  now?: () => number;
}

/** The parts of a `type: default` HelmRepository the client needs. */
export interface HelmRepositorySource {
  /** `spec.url`: the folder holding `index.yaml`. */
  url: string;
  /** How long a fetched index is reused (`spec.interval`); default one minute. */
  intervalMs?: number;
  /** `spec.passCredentials`: send the login to archive URLs on other hosts too. */
  passCredentials?: boolean;
  /** This source's own login (its `secretRef`); otherwise the client's `credentials` lookup. */
  login?: RepositoryLogin;
}

/** A chart archive on disk. */
export interface ResolvedChart {
  name: string;
  version: string;
  /** The `.tgz` in the cache folder. */
  archive: string;
  /** `sha256:<hex>` of the archive. */
  digest: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_REDIRECTIONS = 10;
const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;
const DEFAULT_INTERVAL_MS = 60_000;

interface CachedIndex {
  expires: number;
  index: Promise<ChartIndex>;
}

export class ChartRepositoryClient {
  /** Fetched (or being fetched) indexes by index URL. */
  private readonly indexes = new Map<string, CachedIndex>();
  /** Archive URL → sha256 of what it served, for entries without a digest in the index. */
  private readonly downloaded = new Map<string, string>();
  private readonly now: () => number;

  constructor(private readonly options: ChartRepositoryClientOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Resolves `chart` at `version` (an exact version or a Masterminds range; default `*`) from the
   * repository's index and returns its archive, downloading it unless the cache has it.
   */
  async resolve(repository: HelmRepositorySource, chart: string, version?: string): Promise<ResolvedChart> {
    const index = await this.index(repository);
    return this.download(repository, resolveChartVersion(index, chart, version));
  }

  /** The repository's index, fetched again only once the repository's interval has passed. */
  async index(repository: HelmRepositorySource): Promise<ChartIndex> {
    const url = indexUrl(parseRepositoryUrl(repository.url));
    const now = this.now();
    const cached = this.indexes.get(url.href);
    if (cached && cached.expires > now) return cached.index;
    const index = this.fetchIndex(repository, url);
    this.indexes.set(url.href, { expires: now + (repository.intervalMs ?? DEFAULT_INTERVAL_MS), index });
    index.catch(() => {
      if (this.indexes.get(url.href)?.index === index) this.indexes.delete(url.href);
    });
    return index;
  }

  /** The entry's archive from the cache, or downloaded from its first URL and checked. */
  async download(repository: HelmRepositorySource, entry: ChartVersion): Promise<ResolvedChart> {
    const base = parseRepositoryUrl(repository.url);
    const source = displayUrl(base);
    const what = `chart "${entry.name}" ${entry.version} from ${source}`;
    const expected = entry.digest === undefined ? undefined : expectedDigest(entry.digest, what, source);
    const url = archiveUrl(base, entry, what, source);

    const known = expected ?? this.downloaded.get(url.href);
    if (known) {
      const path = await cachedArchive(this.options.cacheDir, known);
      if (path) return resolved(entry, path, known);
    }

    const headers = sameOrigin(url, base) || repository.passCredentials ? await this.headers(repository) : {};
    const answer = await this.get(
      url,
      headers,
      this.options.maxChartBytes ?? DEFAULT_MAX_BYTES,
      source,
      (problem) => `cannot download ${what} (${displayUrl(url)}): ${problem}`,
    );
    if (answer.status !== 200) {
      throw statusError(answer.status, source, `cannot download ${what}: ${displayUrl(url)} answered`, {
        notFound: "the index lists an archive that is not there; republish the chart or regenerate the index",
      });
    }
    const actual = createHash("sha256").update(answer.body).digest("hex");
    if (expected !== undefined && actual !== expected) {
      throw new ChartSourceError(
        `the archive of ${what} (${displayUrl(url)}) has sha256 ${actual}, but the index says ${expected}; ` +
          "the archive was changed after the index was made: regenerate the repository's index (helm repo index)",
        "digest-mismatch",
        source,
      );
    }
    const path = await storeArchive(this.options.cacheDir, actual, answer.body);
    if (expected === undefined) this.downloaded.set(url.href, actual);
    return resolved(entry, path, actual);
  }

  private async fetchIndex(repository: HelmRepositorySource, url: URL): Promise<ChartIndex> {
    const source = displayUrl(parseRepositoryUrl(repository.url));
    const answer = await this.get(
      url,
      await this.headers(repository),
      this.options.maxIndexBytes ?? DEFAULT_MAX_BYTES,
      source,
      (problem) => `cannot fetch the index of the Helm repository ${source}: ${problem}`,
    );
    if (answer.status !== 200) {
      throw statusError(answer.status, source, `the Helm repository ${source} answered`, {
        notFound: `there is no ${displayUrl(url)}; check the HelmRepository's spec.url (the folder holding index.yaml)`,
      });
    }
    return parseChartIndex(answer.body.toString("utf8"), displayUrl(url));
  }

  private async headers(repository: HelmRepositorySource): Promise<Record<string, string>> {
    const login = repository.login ?? (await this.options.credentials?.(repository.url));
    if (!login) return {};
    const token = Buffer.from(`${login.username}:${login.password}`).toString("base64");
    return { authorization: `Basic ${token}` };
  }

  private async get(
    url: URL,
    headers: Record<string, string>,
    maxBytes: number,
    source: string,
    message: (problem: string) => string,
  ): Promise<HttpAnswer> {
    const options: HttpOptions = {
      timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBytes,
      redirects: MAX_REDIRECTIONS,
      ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
    };
    try {
      return await httpGet(url, headers, options);
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      throw new ChartSourceError(message(error.message), error.kind, source, undefined, { cause: error });
    }
  }
}

function resolved(entry: ChartVersion, archive: string, sha256Hex: string): ResolvedChart {
  return { name: entry.name, version: entry.version, archive, digest: `sha256:${sha256Hex}` };
}

/** The index's digest as lowercase hex; `sha256:` prefixed or not. */
function expectedDigest(digest: string, what: string, source: string): string {
  const hex = digest.replace(/^sha256:/i, "").toLowerCase();
  if (/^[0-9a-f]{64}$/.test(hex)) return hex;
  throw new ChartSourceError(
    `the index entry of ${what} has digest ${JSON.stringify(digest)}, which is not a sha256; ` +
      "regenerate the repository's index (helm repo index)",
    "bad-entry",
    source,
  );
}

function archiveUrl(base: URL, entry: ChartVersion, what: string, source: string): URL {
  const reference = entry.urls[0];
  if (reference === undefined || reference === "") {
    throw new ChartSourceError(
      `the index entry of ${what} has no URL to download it from`,
      "bad-entry",
      source,
    );
  }
  let url: URL;
  try {
    url = chartUrl(base, reference);
  } catch {
    throw new ChartSourceError(
      `the index entry of ${what} has URL ${JSON.stringify(reference)}, which is not a URL`,
      "bad-entry",
      source,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ChartSourceError(
      `the index entry of ${what} points at ${displayUrl(url)}; Ferry downloads charts over http(s) only`,
      "bad-entry",
      source,
    );
  }
  return url;
}

function statusError(
  status: number,
  source: string,
  prefix: string,
  advice: { notFound: string },
): ChartSourceError {
  if (status === 401 || status === 403) {
    return new ChartSourceError(
      `${prefix} HTTP ${status}: it refused the request; set the HelmRepository's secretRef to a username and password it accepts`,
      "unauthorized",
      source,
      status,
    );
  }
  if (status === 404) {
    return new ChartSourceError(`${prefix} HTTP 404: ${advice.notFound}`, "not-found", source, status);
  }
  return new ChartSourceError(
    `${prefix} HTTP ${status}; ${status === 429 || status >= 500 ? "try again later" : "Ferry expected 200"}`,
    "unavailable",
    source,
    status,
  );
}

/**
 * Listing an image's tags with the OCI distribution API (`GET /v2/<name>/tags/list`), which
 * ghcr.io, Docker Hub and every registry following the spec answer, and pulling an artifact's
 * manifest and blobs (`/v2/<name>/manifests/<tag|digest>`, `/v2/<name>/blobs/<digest>`, redirects to
 * storage followed), each checked against its sha256 digest. Pages are followed through
 * `Link: <…>; rel="next"` up to a limit. Authentication follows the registry's challenge: a
 * `Bearer` one sends Ferry to the token service (anonymously, or with the login the caller's
 * lookup has for the registry), a `Basic` one gets the login itself. Tokens are kept per registry
 * and repository in the client until they expire, so keep one client for many listings.
 */
import type { Dispatcher } from "undici";
import { z } from "zod";
import { parseChallenges } from "./challenge.js";
import { basicAuthorization, type CredentialLookup, type RegistryLogin, secretsOf } from "./credentials.js";
import { registryOrigin } from "./endpoint.js";
import type { RegistryError } from "./errors.js";
import { type HttpAnswer, HttpFailure, type HttpOptions, httpGet } from "./http.js";
import { nextPageUrl } from "./link.js";
import {
  type ImageManifest,
  isSha256Digest,
  MANIFEST_ACCEPT,
  parseManifest,
  sha256Digest,
} from "./manifest.js";
import { describeAnswer, type ExchangeContext, registryError } from "./messages.js";
import { type ImageReference, parseImageReference } from "./reference.js";
import { fetchToken, TokenCache } from "./token.js";

/** What the image automation needs of a registry; one implementation per API (this file's: OCI). */
export interface TagLister {
  /** Every tag of the image's repository, in the registry's order; a tag or digest in it is ignored. */
  listTags(image: string | ImageReference): Promise<string[]>;
}

export interface RegistryClientOptions {
  /** The login for a registry, by its canonical name; anonymous when absent or undefined. */
  credentials?: CredentialLookup;
  /** Registries spoken to over plain HTTP (`registry.local:5000`, or a host for all its ports); loopback hosts always are. */
  insecureRegistries?: readonly string[];
  /** undici dispatcher for every request (tests point it at a local server); undici's global one by default. */
  dispatcher?: Dispatcher;
  /** Per request, headers and body; default 30 seconds. */
  timeoutMs?: number;
  /** Pages followed at most per listing; default 1000. */
  maxPages?: number;
  /** Tags read at most per listing; default 100 000. */
  maxTags?: number;
  /** The clock tokens expire by (ms since the epoch); default Date.now. */
  now?: () => number;
  /** Where logins are configured, named in refusals' advice; default `the operator file`. */
  credentialsSource?: string;
}

export interface ListTagsOptions {
  /** Asked of the registry as `?n=` on the first page; the registry's own default when absent. */
  pageSize?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_PAGES = 1000;
const DEFAULT_MAX_TAGS = 100_000;
/** A tag list page is small; this only stops a runaway answer. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;
/** The distribution spec's advice: registries need not accept manifests above 4 MiB. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Blob storage (S3, a CDN) sits behind redirects on most registries. */
const MAX_BLOB_REDIRECTS = 10;

const tagList = z.looseObject({ tags: z.array(z.string()).nullish() });

/** One exchange with a registry: the repository it is about, and the login it goes with. */
interface Exchange extends ExchangeContext {
  ref: ImageReference;
  scope: string;
  login: RegistryLogin | undefined;
}

/** What a request needs beyond the client's defaults. */
interface RequestOptions {
  accept?: string;
  maxBytes?: number;
  redirects?: number;
}

export class RegistryClient implements TagLister {
  private readonly tokens: TokenCache;
  /** Registries that answered with a Basic challenge: the login goes with the first request. */
  private readonly basicRegistries = new Set<string>();
  private readonly http: HttpOptions;
  private readonly insecure: readonly string[];

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.tokens = new TokenCache(options.now ?? Date.now);
    this.insecure = options.insecureRegistries ?? [];
    this.http = {
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBytes: MAX_ANSWER_BYTES,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    };
  }

  /**
   * Every tag of the image's repository. Throws ImageReferenceError for a malformed image and
   * RegistryError when the registry refuses, does not answer, or has more than the limit.
   */
  async listTags(image: string | ImageReference, options: ListTagsOptions = {}): Promise<string[]> {
    const ref = typeof image === "string" ? parseImageReference(image) : image;
    const listing = await this.exchange(ref, `listing tags of ${ref.name}`);
    const maxPages = this.options.maxPages ?? DEFAULT_MAX_PAGES;
    const maxTags = this.options.maxTags ?? DEFAULT_MAX_TAGS;

    let url = new URL(`/v2/${ref.repository}/tags/list`, registryOrigin(ref.host, this.insecure));
    if (options.pageSize !== undefined) url.searchParams.set("n", String(options.pageSize));
    const visited = new Set([url.href]);
    const tags: string[] = [];
    for (let page = 1; ; page++) {
      const answer = await this.get(url, listing);
      if (answer.status !== 200) {
        throw this.statusError(
          answer,
          listing,
          `no such repository at ${ref.registry}`,
          "check the image name",
        );
      }
      tags.push(...this.readTags(answer, listing));
      if (tags.length > maxTags) {
        throw registryError(
          listing,
          `stopped: the repository has more than ${maxTags} tags, the most Ferry reads in one listing — delete old tags from it`,
          "too-many-tags",
        );
      }
      const next = this.nextPage(answer, url, listing);
      if (!next) return tags;
      if (visited.has(next.href)) {
        throw registryError(
          listing,
          `failed: ${ref.registry} sent a next page it had sent before`,
          "bad-response",
          200,
        );
      }
      if (page >= maxPages) {
        throw registryError(
          listing,
          `stopped: the tag list has more than ${maxPages} pages, the most Ferry follows in one listing — delete old tags from the repository`,
          "too-many-tags",
        );
      }
      visited.add(next.href);
      url = next;
    }
  }

  /**
   * The manifest `image` names by its digest (checked) or tag. Throws RegistryError when the
   * registry refuses or has no such tag, or when the answer is not a single image manifest.
   */
  async manifest(image: string | ImageReference): Promise<ImageManifest> {
    const ref = typeof image === "string" ? parseImageReference(image) : image;
    const reference = ref.digest ?? ref.tag ?? "latest";
    const shown = ref.digest ? `${ref.name}@${ref.digest}` : `${ref.name}:${reference}`;
    const pull = await this.exchange(ref, `pulling ${shown}`);
    if (ref.digest !== undefined) refuseUncheckable(pull, ref.digest);
    const url = new URL(
      `/v2/${ref.repository}/manifests/${reference}`,
      registryOrigin(ref.host, this.insecure),
    );
    const answer = await this.get(url, pull, { accept: MANIFEST_ACCEPT, maxBytes: MAX_MANIFEST_BYTES });
    if (answer.status !== 200) {
      const what = ref.digest ? `no manifest ${ref.digest}` : `no tag ${reference}`;
      throw this.statusError(
        answer,
        pull,
        `${ref.registry} has ${what} in ${ref.repository}`,
        "check the reference, and that the artifact was pushed",
      );
    }
    const manifest = parseManifest(answer.body, answer.headers["content-type"]);
    if (typeof manifest === "string") throw registryError(pull, `failed: ${manifest}`, "bad-response", 200);
    if (ref.digest !== undefined && manifest.digest !== ref.digest) {
      throw registryError(
        pull,
        `failed: ${ref.registry} answered with a manifest whose digest is ${manifest.digest}; the content does not match the digest asked for`,
        "digest-mismatch",
        200,
      );
    }
    return manifest;
  }

  /**
   * The blob `digest` of `image`'s repository, checked against the digest; refused above `maxBytes`.
   * Throws RegistryError as `manifest` does, `digest-mismatch` when the content is not the one named.
   */
  async blob(image: string | ImageReference, digest: string, maxBytes: number): Promise<Buffer> {
    const ref = typeof image === "string" ? parseImageReference(image) : image;
    const pull = await this.exchange(ref, `pulling blob ${digest} of ${ref.name}`);
    refuseUncheckable(pull, digest);
    const url = new URL(`/v2/${ref.repository}/blobs/${digest}`, registryOrigin(ref.host, this.insecure));
    const answer = await this.get(url, pull, {
      accept: "application/octet-stream, */*",
      maxBytes,
      redirects: MAX_BLOB_REDIRECTS,
    });
    if (answer.status !== 200) {
      throw this.statusError(
        answer,
        pull,
        `${ref.registry} has no such blob in ${ref.repository}`,
        "push the artifact again",
      );
    }
    const actual = sha256Digest(answer.body);
    if (actual !== digest) {
      throw registryError(
        pull,
        `failed: the content ${ref.registry} sent has digest ${actual}; it was changed or damaged on the way — push the artifact again`,
        "digest-mismatch",
        200,
      );
    }
    return answer.body;
  }

  private async exchange(ref: ImageReference, activity: string): Promise<Exchange> {
    return {
      ref,
      image: ref.name,
      activity,
      registry: ref.registry,
      credentialsSource: this.options.credentialsSource ?? "the operator file",
      scope: `repository:${ref.repository}:pull`,
      login: await this.options.credentials?.(ref.registry),
    };
  }

  /**
   * One GET with the credentials known to work for the registry; after a 401, once more with
   * what its challenge asks for. Any other answer is returned as it is.
   */
  private async get(url: URL, exchange: Exchange, request: RequestOptions = {}): Promise<HttpAnswer> {
    const { ref, scope, login } = exchange;
    const token = this.tokens.get(ref.host, scope);
    const first = token
      ? `Bearer ${token}`
      : login && this.basicRegistries.has(ref.registry)
        ? basicAuthorization(login)
        : undefined;
    const answer = await this.send(url, first, exchange, request);
    if (answer.status !== 401) return answer;

    const challenges = parseChallenges(answer.headers["www-authenticate"]);
    const bearer = challenges.find((c) => c.scheme === "bearer" && c.params.realm);
    if (bearer) {
      const fresh = await fetchToken(
        { challenge: bearer, scope, login, insecureRegistries: this.insecure, http: this.http },
        exchange,
      );
      this.tokens.set(ref.host, scope, fresh.token, fresh.expiresInSeconds);
      return this.send(url, `Bearer ${fresh.token}`, exchange, request);
    }
    if (login && challenges.some((c) => c.scheme === "basic") && !first?.startsWith("Basic ")) {
      this.basicRegistries.add(ref.registry);
      return this.send(url, basicAuthorization(login), exchange, request);
    }
    return answer;
  }

  private async send(
    url: URL,
    authorization: string | undefined,
    exchange: Exchange,
    request: RequestOptions,
  ): Promise<HttpAnswer> {
    const headers: Record<string, string> = {
      accept: request.accept ?? "application/json",
      "user-agent": "ferry",
    };
    if (authorization) headers.authorization = authorization;
    const options: HttpOptions = {
      ...this.http,
      ...(request.maxBytes !== undefined ? { maxBytes: request.maxBytes } : {}),
      ...(request.redirects !== undefined ? { redirects: request.redirects } : {}),
    };
    try {
      return await httpGet(url, headers, options);
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      const detail =
        error.kind === "unreachable"
          ? `cannot reach ${exchange.registry} (${url.origin}): ${error.message}`
          : `${exchange.registry} sent ${error.message}`;
      const reason = error.kind === "too-large" ? "bad-response" : error.kind;
      throw registryError(exchange, `failed: ${detail}`, reason, undefined, error);
    }
  }

  /** A refusal or failure answer, worded; `missing` and `advice` say what a 404 means here. */
  private statusError(
    answer: HttpAnswer,
    exchange: Exchange,
    missing: string,
    advice: string,
  ): RegistryError {
    const { registry } = exchange;
    const said = describeAnswer(answer, this.secrets(exchange));
    switch (answer.status) {
      case 401:
      case 403:
        return registryError(
          exchange,
          exchange.login
            ? `refused (${said}) with the credentials Ferry has for ${registry} — check that they are current and may read this repository`
            : `refused (${said}) — give Ferry credentials for ${registry} in ${exchange.credentialsSource}`,
          "unauthorized",
          answer.status,
        );
      case 404:
        return registryError(exchange, `failed: ${missing} (${said}) — ${advice}`, "not-found", 404);
      case 429:
      case 500:
      case 502:
      case 503:
      case 504:
        return registryError(
          exchange,
          `failed: ${registry} answered ${said} — try again later`,
          "unavailable",
          answer.status,
        );
      default:
        return registryError(exchange, `failed: ${registry} answered ${said}`, "bad-response", answer.status);
    }
  }

  private readTags(answer: HttpAnswer, exchange: Exchange): string[] {
    let body: unknown;
    try {
      body = JSON.parse(answer.body.toString());
    } catch {
      body = undefined;
    }
    const parsed = tagList.safeParse(body);
    if (!parsed.success) {
      throw registryError(
        exchange,
        `failed: ${exchange.registry} answered with something other than a tag list ({"name": …, "tags": [...]})`,
        "bad-response",
        answer.status,
      );
    }
    return parsed.data.tags ?? [];
  }

  /** The next page, on the same origin (the request's credentials go with it). */
  private nextPage(answer: HttpAnswer, url: URL, exchange: Exchange): URL | undefined {
    let next: URL | undefined;
    try {
      next = nextPageUrl(answer.headers.link, url);
    } catch (error) {
      throw registryError(
        exchange,
        `failed: ${exchange.registry} sent a Link header without a valid URL`,
        "bad-response",
        200,
        error,
      );
    }
    if (next && next.origin !== url.origin) {
      throw registryError(
        exchange,
        `failed: ${exchange.registry} sent the next page on another host (${next.origin}); Ferry follows pages on ${url.origin} only`,
        "bad-response",
        200,
      );
    }
    return next;
  }

  private secrets(exchange: Exchange): string[] {
    const token = this.tokens.get(exchange.ref.host, exchange.scope);
    return [...secretsOf(exchange.login), ...(token ? [token] : [])];
  }
}

/** Content is only taken when its digest can be checked: sha256. */
function refuseUncheckable(exchange: ExchangeContext, digest: string): void {
  if (isSha256Digest(digest)) return;
  throw registryError(
    exchange,
    `failed: ${JSON.stringify(digest)} is not a digest Ferry can check (sha256:<64 lowercase hex digits>)`,
    "bad-response",
  );
}

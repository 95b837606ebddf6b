/**
 * A repository at a revision as files on disk: one tarball download per commit, streamed from
 * codeload into a private temporary folder and shared by everyone who asks for that commit while
 * it is in use.
 *
 * The download: `GET /repos/{owner}/{repo}/tarball/{sha}` answers 302 with a codeload URL. Octokit
 * would follow it and buffer the whole archive in memory (its fetch wrapper reads the body as an
 * ArrayBuffer), so the API call is made with `redirect: "manual"` to read the `Location`, and the
 * codeload URL is fetched with node:https (not fetch: see openArchive) and streamed through tar's
 * extractor, which writes as it reads; the download waits while the disk catches up. The codeload
 * URL carries its own short-lived token for private repositories; the installation token is not
 * sent to it, and the URL appears in no message.
 *
 * The cache: reference counted, no idle copies. Concurrent and overlapping fetches of one
 * `owner/repo@sha` (under one cache folder) share one download and one folder; the folder is
 * removed when the last user releases it, and the next fetch of that commit downloads again. So
 * disk use is bounded by the revisions in use, a failed download is retried by the next caller,
 * and nothing outlives its users. The callers that want reuse across runs (one push reconciled
 * into several clusters at once) get it by overlapping; a run that starts after the others ended
 * pays one more download.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Octokit } from "@octokit/rest";
import { extractTarball, formatBytes, tooLargeError } from "./archive.js";
import { SourceError } from "./errors.js";

/** What fetchRevision needs of an Octokit: `request` (any Octokit, ProbotOctokit included). */
export type TarballClient = Pick<Octokit, "request">;

export interface RevisionRef {
  owner: string;
  repo: string;
  /** A full commit sha (40 hex digits, or 64 in a SHA-256 repository); branch names are refused. */
  sha: string;
}

export interface FetchRevisionOptions {
  /** Where the temporary folders go (created 0700 if missing); default the OS temp folder. */
  cacheDir?: string;
  /** Refuse an archive whose download is larger than this; default 200 MB. */
  sizeLimitBytes?: number;
  /** Refuse an archive whose entries add up to more than this; default 10 × `sizeLimitBytes`. */
  unpackedLimitBytes?: number;
  /** The setting an operator raises the limit with, as the too-large message names it. */
  sizeLimitSetting?: string;
  /** Give up on a download that takes longer than this; default 10 minutes. */
  timeoutMs?: number;
}

/** A revision on disk. `dir` stays until `release()`; call it once when done (more calls are no-ops). */
export interface RevisionCheckout {
  /** The repository's files, GitHub's top folder stripped; mode 0700. */
  dir: string;
  /** The commit, lowercase. */
  sha: string;
  release(): Promise<void>;
}

export const DEFAULT_SIZE_LIMIT_BYTES = 200 * 1024 * 1024;
/** How the too-large message names the operator setting unless the caller says otherwise. */
export const DEFAULT_SIZE_LIMIT_SETTING = "`sourceSizeLimit` in the operator file (FERRY_CONFIG)";
const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
const UNPACKED_FACTOR = 10;

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const NAME = /^[A-Za-z0-9._-]+$/;

interface CacheEntry {
  /** The folder, once downloaded and extracted. */
  ready: Promise<string>;
  /** Callers holding (or waiting for) it. */
  users: number;
}

const cache = new Map<string, CacheEntry>();

/**
 * Puts `owner/repo` at commit `sha` on disk: shared with every other caller holding the same
 * commit, downloaded once. Throws SourceError when the commit cannot be downloaded, the archive is
 * above the size limit, or it holds an entry that could reach outside the folder; nothing stays
 * on disk then.
 */
export async function fetchRevision(
  octokit: TarballClient,
  ref: RevisionRef,
  options: FetchRevisionOptions = {},
): Promise<RevisionCheckout> {
  const { owner, repo } = ref;
  const sha = ref.sha.toLowerCase();
  if (!NAME.test(owner) || !NAME.test(repo)) {
    throw new SourceError(`not a GitHub repository name: ${JSON.stringify(`${owner}/${repo}`)}`, "invalid");
  }
  if (!SHA.test(sha)) {
    throw new SourceError(
      `${owner}/${repo}: ${JSON.stringify(ref.sha)} is not a full commit sha; fetch a commit, not a branch`,
      "invalid",
    );
  }
  const base = resolve(options.cacheDir ?? tmpdir());
  const key = `${base}\0${owner.toLowerCase()}/${repo.toLowerCase()}@${sha}`;

  let entry = cache.get(key);
  if (!entry) {
    const created: CacheEntry = { ready: download(octokit, { owner, repo, sha }, base, options), users: 0 };
    created.ready.catch(() => {
      if (cache.get(key) === created) cache.delete(key);
    });
    cache.set(key, created);
    entry = created;
  }
  const shared = entry;
  shared.users++;
  let dir: string;
  try {
    dir = await shared.ready;
  } catch (error) {
    shared.users--;
    throw error;
  }

  let released = false;
  return {
    dir,
    sha,
    release: async () => {
      if (released) return;
      released = true;
      if (--shared.users > 0) return;
      if (cache.get(key) === shared) cache.delete(key);
      await removeFolder(dir);
    },
  };
}

async function download(
  octokit: TarballClient,
  ref: RevisionRef,
  base: string,
  options: FetchRevisionOptions,
): Promise<string> {
  const { owner, repo, sha } = ref;
  const label = `${owner}/${repo}@${sha.slice(0, 7)}`;
  const sizeLimitBytes = options.sizeLimitBytes ?? DEFAULT_SIZE_LIMIT_BYTES;
  const extractOptions = {
    label,
    sizeLimitBytes,
    unpackedLimitBytes: options.unpackedLimitBytes ?? UNPACKED_FACTOR * sizeLimitBytes,
    sizeLimitSetting: options.sizeLimitSetting ?? DEFAULT_SIZE_LIMIT_SETTING,
  };
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);

  const location = await locateTarball(octokit, ref, label, signal);

  await mkdir(base, { recursive: true, mode: 0o700 });
  // mkdtemp creates the folder 0700.
  const dir = await mkdtemp(join(base, `ferry-${owner}-${repo}-${sha.slice(0, 7)}-`));
  try {
    let response: IncomingMessage;
    try {
      response = await openArchive(location, signal);
    } catch (error) {
      throw new SourceError(
        `${label}: could not download the archive from ${hostOf(location)}: ${messageOf(error)}`,
        "download",
        undefined,
        { cause: error },
      );
    }
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      response.destroy();
      throw new SourceError(
        `${label}: ${hostOf(location)} answered ${status} to the archive download`,
        "download",
      );
    }
    const length = Number(response.headers["content-length"] ?? Number.NaN);
    if (length > sizeLimitBytes) {
      response.destroy();
      throw tooLargeError(extractOptions, `the archive (${formatBytes(length)})`);
    }
    await extractTarball(response, dir, extractOptions);
    return dir;
  } catch (error) {
    await removeFolder(dir);
    throw error;
  }
}

const MAX_REDIRECTS = 5;

/**
 * The archive's response, redirects followed, with no credentials sent (codeload's URL carries
 * its own). node:http rather than fetch: Node 22's fetch (undici) crashes the process with an
 * uncatchable `assert(!this.paused)` when the server closes the connection while the body is
 * paused for backpressure (nodejs/undici#5360), which is how a slow extraction reads a download.
 */
async function openArchive(url: string, signal: AbortSignal): Promise<IncomingMessage> {
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    const response = await get(target, signal);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status < 300 || status >= 400 || !location) return response;
    response.destroy();
    if (hop === MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
    target = new URL(location, target);
  }
}

function get(url: URL, signal: AbortSignal): Promise<IncomingMessage> {
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  }
  const send = url.protocol === "https:" ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    send(url, { signal, headers: { "user-agent": "ferry" } }, resolve).on("error", reject);
  });
}

/** The codeload URL the tarball endpoint redirects to. */
async function locateTarball(
  octokit: TarballClient,
  ref: RevisionRef,
  label: string,
  signal: AbortSignal,
): Promise<string> {
  let response: Awaited<ReturnType<TarballClient["request"]>>;
  try {
    response = await octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
      owner: ref.owner,
      repo: ref.repo,
      ref: ref.sha,
      request: { redirect: "manual", signal },
    });
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    const hint =
      status === 404 ? " (no such commit, or the app cannot read the repository: Contents: read)" : "";
    throw new SourceError(
      `${label}: GitHub refused the archive download${hint}: ${messageOf(error)}`,
      "download",
      undefined,
      { cause: error },
    );
  }
  const location = response.headers.location;
  if (response.status < 300 || response.status >= 400 || typeof location !== "string" || location === "") {
    throw new SourceError(
      `${label}: GitHub answered ${response.status} without a redirect to the archive`,
      "download",
    );
  }
  return new URL(location, response.url).href;
}

function hostOf(url: string): string {
  return new URL(url).host;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function removeFolder(dir: string): Promise<void> {
  // Retries cover a write tar still had in flight when the extraction stopped.
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
}

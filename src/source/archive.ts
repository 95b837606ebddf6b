/**
 * Extracting a GitHub tarball (`<owner>-<repo>-<sha>/…`, gzip) into a folder, streamed, with the top
 * folder stripped, refusing anything that could reach outside the folder: absolute paths, `..`
 * segments, symbolic links whose target leaves the folder (also through other links in the
 * archive, checked again once every link is known), hard links to anything outside the top folder
 * or to a symbolic link, writes through a symbolic link, device files, FIFOs and entry types tar
 * does not extract. A refusal stops the extraction; the caller removes the folder.
 */
import { ReadEntry, Unpack } from "tar";
import { SourceError } from "./errors.js";

export interface ExtractOptions {
  /** Prefixes every message, e.g. `acme/app@0123abc`. */
  label: string;
  /** Refuse once more than this many bytes of the (compressed) archive have been read. */
  sizeLimitBytes: number;
  /** Refuse once the entries' sizes add up to more than this (a gzip bomb guard). */
  unpackedLimitBytes: number;
  /** What the operator sets to raise the limit, quoted in the too-large message. */
  sizeLimitSetting: string;
}

const MiB = 1024 * 1024;

/** `200 MB`, `1.5 MB`, `4096 bytes`: sizes the way an operator writes them (MB = 2^20 bytes). */
export function formatBytes(bytes: number): string {
  if (bytes < MiB) return `${bytes} bytes`;
  const mb = bytes / MiB;
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

/** The message for an archive above the size limit: the limit and the setting to raise it. */
export function tooLargeError(options: ExtractOptions, what: string): SourceError {
  return new SourceError(
    `${options.label}: ${what} is larger than the size limit of ${formatBytes(options.sizeLimitBytes)}; ` +
      `raise ${options.sizeLimitSetting} to fetch it`,
    "too-large",
  );
}

/** Entry types written to disk; everything else (devices, FIFOs, GNU and Solaris extensions) is refused. */
const EXTRACTED_TYPES = new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink", "Link"]);

/** Symbolic links followed while resolving one path before it counts as a loop (Linux's own limit). */
const MAX_LINK_HOPS = 40;

/** Path segments with empty and `.` segments dropped. */
function segmentsOf(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "" && segment !== ".");
}

function isAbsolutePath(path: string): boolean {
  return path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:/.test(path);
}

function hasDotDot(path: string): boolean {
  return path.split(/[\\/]/).includes("..");
}

/**
 * Resolves `path` (relative to the folder) through the symbolic links in `links` (folder-relative
 * path → link target), as the kernel would once every link is on disk. Returns the resolved
 * segments, or `undefined` when the path leaves the folder, reaches an absolute target or loops.
 * With `followLast` false the last segment is not followed (what `link(2)` and `lstat` see).
 */
export function resolveInside(
  links: ReadonlyMap<string, string>,
  path: string,
  followLast: boolean,
): string[] | undefined {
  const resolved: string[] = [];
  const pending = segmentsOf(path).reverse();
  let hops = 0;
  while (pending.length > 0) {
    const segment = pending.pop() as string;
    if (segment === "..") {
      if (resolved.length === 0) return undefined;
      resolved.pop();
      continue;
    }
    resolved.push(segment);
    const target = links.get(resolved.join("/"));
    if (target === undefined || (pending.length === 0 && !followLast)) continue;
    if (++hops > MAX_LINK_HOPS || isAbsolutePath(target)) return undefined;
    resolved.pop();
    pending.push(...segmentsOf(target).reverse());
  }
  return resolved;
}

function quote(path: string): string {
  return JSON.stringify(path);
}

/** Decides, entry by entry, what may be extracted; remembers the first refusal. */
export class ArchiveGuard {
  /** The archive's top folder (`<owner>-<repo>-<sha>`), from its first entry. */
  private top: string | undefined;
  /** Symbolic links extracted so far: folder-relative path → target. */
  private readonly links = new Map<string, string>();
  /** The raw entry path of each link, for messages. */
  private readonly linkEntries = new Map<string, string>();
  private unpackedBytes = 0;
  /** The first refusal; once set, every later entry is skipped. */
  refusal: SourceError | undefined;

  constructor(private readonly options: ExtractOptions) {}

  /** `filter` for tar: true to extract the entry. */
  admit(entry: ReadEntry): boolean {
    if (this.refusal) return false;
    const verdict = this.check(entry);
    if (typeof verdict === "string") {
      this.refusal = new SourceError(`${this.options.label}: ${verdict}`, "unsafe-entry", entry.path);
      return false;
    }
    return verdict && !this.refusal;
  }

  /** Called for entries tar skips on its own (unknown types, oversized headers). */
  ignored(entry: ReadEntry): void {
    if (this.refusal || (!entry.meta && EXTRACTED_TYPES.has(entry.type))) return;
    this.refusal = new SourceError(
      `${this.options.label}: archive entry ${quote(entry.path)} ${
        entry.meta ? `has an oversized ${entry.type} header` : `has type ${entry.type}`
      }; Ferry extracts only files, folders and links`,
      "unsafe-entry",
      entry.path,
    );
  }

  /** After extraction: every symbolic link again, now that all links are known. */
  finalCheck(): SourceError | undefined {
    if (this.refusal) return this.refusal;
    for (const [path, target] of this.links) {
      if (resolveInside(this.links, path, true) === undefined) {
        const entry = this.linkEntries.get(path) ?? path;
        this.refusal = new SourceError(
          `${this.options.label}: archive entry ${quote(entry)} is a symbolic link to ${quote(target)}, ` +
            "which leads outside the checkout through other links in the archive",
          "unsafe-entry",
          entry,
        );
        return this.refusal;
      }
    }
    return undefined;
  }

  /** Why `entry` is refused, or whether to extract it (false: skip it quietly). */
  private check(entry: ReadEntry): string | boolean {
    const raw = entry.path;
    const name = `archive entry ${quote(raw)}`;
    if (isAbsolutePath(raw))
      return `${name} has an absolute path; Ferry extracts nothing outside the checkout`;
    if (hasDotDot(raw)) return `${name} has a ".." segment; Ferry extracts nothing outside the checkout`;
    if (!EXTRACTED_TYPES.has(entry.type)) {
      const kind =
        entry.type === "CharacterDevice" || entry.type === "BlockDevice"
          ? "is a device file"
          : entry.type === "FIFO"
            ? "is a FIFO"
            : `has type ${entry.type}`;
      return `${name} ${kind}; Ferry extracts only files, folders and links`;
    }

    const [first, ...rest] = raw.split("/");
    this.top ??= first;
    if (first !== this.top || first === "" || first === ".") {
      return `${name} is outside the archive's top folder ${quote(this.top)}`;
    }
    const path = segmentsOf(rest.join("/")).join("/");
    if (path === "") {
      // The top folder itself: stripped, and skipped so its mode never replaces the checkout's 0700.
      return entry.type === "Directory" ? false : `${name} replaces the archive's top folder`;
    }

    this.unpackedBytes += entry.size ?? 0;
    if (this.unpackedBytes > this.options.unpackedLimitBytes) {
      this.refusal = new SourceError(
        `${this.options.label}: the archive unpacks to more than ${formatBytes(this.options.unpackedLimitBytes)} ` +
          `(reached at entry ${quote(raw)}); raise ${this.options.sizeLimitSetting} to fetch it`,
        "too-large",
        raw,
      );
      return false;
    }

    const segments = path.split("/");
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join("/");
      if (this.links.has(parent))
        return `${name} would be written through the symbolic link ${quote(parent)}`;
    }

    if (entry.type === "SymbolicLink") {
      const target = entry.linkpath ?? "";
      if (target === "") return `${name} is a symbolic link without a target`;
      if (isAbsolutePath(target)) {
        return `${name} is a symbolic link to the absolute path ${quote(target)}, outside the checkout`;
      }
      const parent = segments.slice(0, -1).join("/");
      if (resolveInside(this.links, `${parent}/${target}`, true) === undefined) {
        return `${name} is a symbolic link to ${quote(target)}, which leads outside the checkout`;
      }
      this.links.set(path, target);
      this.linkEntries.set(path, raw);
      return true;
    }
    // Anything else at this path replaces a link extracted before.
    this.links.delete(path);
    this.linkEntries.delete(path);

    if (entry.type === "Link") {
      const target = entry.linkpath ?? "";
      const [targetTop, ...targetRest] = target.split("/");
      if (isAbsolutePath(target) || hasDotDot(target) || targetTop !== this.top) {
        return `${name} is a hard link to ${quote(target)}, outside the checkout`;
      }
      const resolved = resolveInside(this.links, targetRest.join("/"), false);
      if (resolved === undefined) return `${name} is a hard link to ${quote(target)}, outside the checkout`;
      if (resolved.length === 0 || this.links.has(resolved.join("/"))) {
        return `${name} is a hard link to ${quote(target)}, which is not a regular file`;
      }
    }
    return true;
  }
}

/**
 * Streams a gzipped tarball from `chunks` into `dir` (which must exist and be empty), counting the
 * bytes read against the size limit and stopping at the first refusal. On an error the folder may
 * hold part of the archive: the caller removes it (tar creates nothing above `dir`, so removing it
 * is final even while a write is still in flight).
 */
export async function extractTarball(
  chunks: AsyncIterable<Uint8Array>,
  dir: string,
  options: ExtractOptions,
): Promise<void> {
  const guard = new ArchiveGuard(options);
  const unpack = new Unpack({
    cwd: dir,
    strip: 1,
    // tar's own warnings (a checksum failure, a truncated archive, a failed write) fail the fetch.
    strict: true,
    preserveOwner: false,
    noMtime: true,
    filter: (_path, entry) => entry instanceof ReadEntry && guard.admit(entry),
  });
  unpack.on("ignoredEntry", (entry: ReadEntry) => guard.ignored(entry));
  // Listeners stay for the stream's whole life: tar may still report an in-flight write after a refusal.
  let failure: unknown;
  const finished = new Promise<void>((resolve, reject) => {
    unpack.on("error", (error: unknown) => {
      failure ??= error;
      reject(error);
    });
    unpack.on("close", () => resolve());
  });
  finished.catch(() => {});

  const stop = (error: unknown): never => {
    // Stops the decompressor; tar decorates the error it is given, so it gets its own.
    unpack.abort(new Error("extraction stopped"));
    throw error;
  };
  try {
    let read = 0;
    for await (const chunk of chunks) {
      read += chunk.byteLength;
      if (read > options.sizeLimitBytes) stop(tooLargeError(options, "the archive"));
      const drained = unpack.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      if (guard.refusal) stop(guard.refusal);
      if (failure) stop(failure);
      if (!drained) await Promise.race([new Promise((resolve) => unpack.once("drain", resolve)), finished]);
      if (guard.refusal) stop(guard.refusal);
    }
    unpack.end();
    await finished;
  } catch (error) {
    // A refusal may surface as tar's error for the same entry; the refusal says more.
    if (guard.refusal) throw guard.refusal;
    if (error instanceof SourceError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new SourceError(
      `${options.label}: could not download and extract the archive: ${message}`,
      "download",
      undefined,
      {
        cause: error,
      },
    );
  }
  const refusal = guard.finalCheck();
  if (refusal) throw refusal;
}

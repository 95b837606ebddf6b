/**
 * One GET with undici's `request`, following redirects, the body read into memory under a size
 * limit and a timeout. Not the global fetch: Node 22's crashes the process on paused bodies.
 * undici drops the Authorization header when a redirect leaves the origin.
 */
import { type Dispatcher, getGlobalDispatcher, interceptors, request } from "undici";

export interface GetOptions {
  /** undici dispatcher (tests point it at a local server); undici's global one when absent. */
  dispatcher?: Dispatcher;
  /** For the whole exchange, headers and body. */
  timeoutMs: number;
  /** Bodies above this are refused. */
  maxBytes: number;
}

export interface GetAnswer {
  status: number;
  body: Buffer;
}

/** No usable answer. The message carries no request header, so no credential. */
export class GetFailure extends Error {
  constructor(
    readonly kind: "timeout" | "unreachable" | "too-large",
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const MAX_REDIRECTIONS = 10;

export async function getBytes(
  url: URL,
  headers: Record<string, string>,
  options: GetOptions,
): Promise<GetAnswer> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const dispatcher = (options.dispatcher ?? getGlobalDispatcher()).compose(
    interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }),
  );
  try {
    const response = await request(url, { method: "GET", headers, signal, dispatcher });
    const declared = Number(response.headers["content-length"]);
    if (response.statusCode < 300 && declared > options.maxBytes) {
      response.body.destroy();
      throw tooLarge(options.maxBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += chunk.length;
      if (size > options.maxBytes) {
        response.body.destroy();
        throw tooLarge(options.maxBytes);
      }
      chunks.push(chunk);
    }
    return { status: response.statusCode, body: Buffer.concat(chunks) };
  } catch (error) {
    if (error instanceof GetFailure) throw error;
    if (signal.aborted) {
      throw new GetFailure("timeout", `no answer within ${formatDuration(options.timeoutMs)}`, {
        cause: error,
      });
    }
    throw new GetFailure("unreachable", describe(error), { cause: error });
  }
}

function tooLarge(maxBytes: number): GetFailure {
  return new GetFailure("too-large", `it is larger than the limit of ${formatBytes(maxBytes)}`);
}

export function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${bytes} bytes`;
}

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The reason without a stack: `connect ECONNREFUSED 127.0.0.1:5000`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return error.message || (typeof code === "string" ? code : "connection failed");
}

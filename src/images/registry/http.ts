/**
 * One GET with undici's `request`, the body read to the end (or destroyed) before returning, under
 * a size limit and a timeout, optionally following redirects (undici drops the Authorization header
 * when a redirect leaves the origin). Not the global fetch: Node 22's crashes the process on paused
 * bodies (nodejs/undici#5360). Registries and Helm chart repositories both use it.
 */
import type { IncomingHttpHeaders } from "node:http";
import { Agent, type Dispatcher, interceptors, request } from "undici";
import { formatBytes } from "../../source/archive.js";

export interface HttpOptions {
  /** undici dispatcher (an Agent, a MockAgent in tests); Ferry's own shared Agent when absent. */
  dispatcher?: Dispatcher;
  /** For the whole exchange, headers and body. */
  timeoutMs: number;
  /** Bodies above this are refused. */
  maxBytes: number;
  /** Redirects followed at most; none when absent. */
  redirects?: number;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One keep-alive pool for every registry and chart repository. Not undici's global dispatcher: that
 * one is shared by every copy of undici in the process (Node's own fetch, client-node's newer undici),
 * and another copy's Agent does not take this copy's request handlers ("invalid onError method").
 */
let agent: Agent | undefined;
const sharedAgent = (): Agent => {
  agent ??= new Agent();
  return agent;
};

/** No usable answer. The message carries no request header, so no credential. */
export class HttpFailure extends Error {
  constructor(
    readonly kind: "timeout" | "unreachable" | "too-large",
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export async function httpGet(
  url: URL,
  headers: Record<string, string>,
  options: HttpOptions,
): Promise<HttpAnswer> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const base = options.dispatcher ?? sharedAgent();
  const dispatcher = options.redirects
    ? base.compose(interceptors.redirect({ maxRedirections: options.redirects }))
    : base;
  const tooLarge = () =>
    new HttpFailure("too-large", `it is larger than the limit of ${formatBytes(options.maxBytes)}`);
  try {
    const response = await request(url, { method: "GET", headers, signal, dispatcher });
    if (response.statusCode < 300 && Number(response.headers["content-length"]) > options.maxBytes) {
      response.body.destroy();
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += chunk.length;
      if (size > options.maxBytes) {
        response.body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk);
    }
    return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) };
  } catch (error) {
    if (error instanceof HttpFailure) throw error;
    if (signal.aborted) {
      throw new HttpFailure("timeout", `no answer within ${formatDuration(options.timeoutMs)}`, {
        cause: error,
      });
    }
    throw new HttpFailure("unreachable", describe(error), { cause: error });
  }
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

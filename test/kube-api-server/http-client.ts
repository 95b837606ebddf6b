/** A bare HTTPS client for tests that check the server's wire behaviour request by request. */
import { request } from "node:https";
import type { KubeApiServer } from "./server.js";

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  token?: string | null;
  accept?: string;
}

export function call(
  server: KubeApiServer,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<Response> {
  const text =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? server.token}`;
  if (text !== undefined) {
    headers["content-type"] = options.contentType ?? "application/json";
    headers["content-length"] = String(Buffer.byteLength(text));
  }
  if (options.accept) headers.accept = options.accept;
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers, ca: server.certificate }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks).toString();
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: raw });
      });
    });
    req.on("error", reject);
    req.end(text);
  });
}

/** Opens a watch and collects its events until `stop()`. */
export function watch(server: KubeApiServer, path: string) {
  const events: { type: string; object: any }[] = [];
  let status = 0;
  const req = request(
    `${server.url}${path}`,
    { headers: { authorization: `Bearer ${server.token}` }, ca: server.certificate },
    (res) => {
      status = res.statusCode ?? 0;
      let buffer = "";
      res.on("data", (c: Buffer) => {
        buffer += c.toString();
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
      });
      res.on("error", () => {});
    },
  );
  req.on("error", () => {});
  req.end();
  return {
    events,
    status: () => status,
    stop: () => req.destroy(),
  };
}

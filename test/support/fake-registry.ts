/**
 * A registry over real HTTP on 127.0.0.1 that behaves like the public ones where Ferry cares:
 * `GET /v2/<name>/tags/list` paginated with `Link` headers (the first next link relative, later
 * ones absolute), manifests by tag or digest (only for a client that accepts their media type) and
 * blobs behind a redirect to unauthenticated storage (as ghcr.io and Docker Hub do) for artifacts
 * pushed with `push`, a `Bearer` challenge answered by a token service at `/token` that checks
 * `service` and `scope` and issues anonymous tokens without access to private repositories
 * (Docker Hub's way), or a `Basic` challenge; 403 for refused repositories, 404 for unknown ones.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export const SERVICE = "ferry-test-registry";

export interface FakeRegistryOptions {
  auth: "bearer" | "basic";
  /** Tags by repository, in the order pages list them. */
  repositories: Record<string, string[]>;
  /** Repositories only the login may read. */
  private?: string[];
  /** Repositories refused to everyone (HTTP 403). */
  refused?: string[];
  /** Repositories whose tag list never answers. */
  hanging?: string[];
  login: { username: string; password: string };
  /** Page size when the client asks none; default 3. */
  pageSize?: number;
  /** The field the token service puts the token in; default `token`. */
  tokenField?: "token" | "access_token";
  expiresIn?: number;
}

/** An artifact as `push` stores it: a config and layers, each a blob. */
export interface Artifact {
  config: { mediaType: string; data: Buffer };
  layers: { mediaType: string; data: Buffer }[];
  annotations?: Record<string, string>;
}

export interface FakeRegistry {
  /** `127.0.0.1:<port>`, the registry part of image references. */
  host: string;
  /**
   * Stores the artifact's blobs and an OCI manifest, points `tag` at it (adding the tag to the
   * repository's list) and returns the manifest's digest.
   */
  push(repository: string, tag: string, artifact: Artifact): string;
  /** Blobs by digest, as served: replace one to serve content that does not match its digest. */
  blobs: Map<string, Buffer>;
  /** Every request, in order. */
  requests: { path: string; authorization?: string }[];
  /** Every token issued. */
  readonly tokens: string[];
  count(path: "token" | "tags" | "manifests" | "blobs"): number;
  close(): Promise<void>;
}

const TAGS_PATH = /^\/v2\/(.+)\/tags\/list$/;
const MANIFEST_PATH = /^\/v2\/(.+)\/manifests\/([^/]+)$/;
const BLOB_PATH = /^\/v2\/(.+)\/blobs\/([^/]+)$/;
const STORAGE_PATH = /^\/storage\/([^/]+)$/;
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const digestOf = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

export async function startFakeRegistry(options: FakeRegistryOptions): Promise<FakeRegistry> {
  const requests: FakeRegistry["requests"] = [];
  const blobs = new Map<string, Buffer>();
  /** Manifests by repository, then by tag and by digest. */
  const manifests = new Map<string, Map<string, Buffer>>();
  const issued = new Map<string, { repository: string; granted: boolean }>();
  const basicLogin = `Basic ${Buffer.from(`${options.login.username}:${options.login.password}`).toString("base64")}`;
  let origin = "";

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", origin);
    requests.push({ path: `${url.pathname}${url.search}`, authorization: req.headers.authorization });
    const match = TAGS_PATH.exec(url.pathname);
    const manifest = MANIFEST_PATH.exec(url.pathname);
    const blob = BLOB_PATH.exec(url.pathname);
    const stored = STORAGE_PATH.exec(url.pathname);
    const answer =
      url.pathname === "/token"
        ? token(url, req)
        : match?.[1]
          ? tags(match[1], url, req)
          : manifest?.[1] && manifest[2]
            ? manifestOf(manifest[1], manifest[2], req)
            : blob?.[1] && blob[2]
              ? blobOf(blob[1], blob[2], req)
              : stored?.[1] && blobs.has(stored[1])
                ? {
                    status: 200,
                    body: blobs.get(stored[1]),
                    headers: { "content-type": "application/octet-stream" },
                  }
                : json(404, errors("NOT_FOUND", "no such endpoint"));
    if (!answer) return; // hanging
    res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
    res.end(Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body));
  });

  function token(url: URL, req: IncomingMessage): Answer {
    const scope = /^repository:(.+):pull$/.exec(url.searchParams.get("scope") ?? "");
    if (url.searchParams.get("service") !== SERVICE || !scope?.[1]) {
      return json(400, errors("INVALID_REQUEST", "unknown service or scope"));
    }
    const authorization = req.headers.authorization;
    if (authorization !== undefined && authorization !== basicLogin) {
      return json(401, errors("UNAUTHORIZED", "incorrect username or password"));
    }
    const repository = scope[1];
    const value = `tok-${randomBytes(8).toString("hex")}`;
    issued.set(value, {
      repository,
      granted: !options.private?.includes(repository) || authorization === basicLogin,
    });
    return json(200, { [options.tokenField ?? "token"]: value, expires_in: options.expiresIn ?? 300 });
  }

  /** The refusal for a request without the right to read `repository`, or undefined when it may. */
  function refusal(repository: string, req: IncomingMessage): Answer | undefined {
    const authorization = req.headers.authorization ?? "";
    if (options.auth === "basic") {
      if (authorization !== basicLogin) {
        const challenge = { "www-authenticate": 'Basic realm="ferry-test"' };
        return json(401, errors("UNAUTHORIZED", "authentication required"), challenge);
      }
    } else {
      const grant = issued.get(authorization.replace(/^Bearer /, ""));
      if (!grant || grant.repository !== repository || !grant.granted) {
        const insufficient = grant ? ',error="insufficient_scope"' : "";
        const challenge = {
          "www-authenticate": `Bearer realm="${origin}/token",service="${SERVICE}",scope="repository:${repository}:pull"${insufficient}`,
        };
        return json(401, errors("UNAUTHORIZED", "authentication required"), challenge);
      }
    }
    if (options.refused?.includes(repository)) {
      return json(403, errors("DENIED", "requested access to the resource is denied"));
    }
    return undefined;
  }

  function manifestOf(repository: string, reference: string, req: IncomingMessage): Answer {
    const refused = refusal(repository, req);
    if (refused) return refused;
    const body = manifests.get(repository)?.get(reference);
    if (!body) return json(404, errors("MANIFEST_UNKNOWN", "manifest unknown"));
    if (!(req.headers.accept ?? "").includes(OCI_MANIFEST)) {
      return json(404, errors("MANIFEST_UNKNOWN", "no manifest of an accepted media type"));
    }
    return {
      status: 200,
      body,
      headers: { "content-type": OCI_MANIFEST, "docker-content-digest": digestOf(body) },
    };
  }

  function blobOf(repository: string, digest: string, req: IncomingMessage): Answer {
    const refused = refusal(repository, req);
    if (refused) return refused;
    if (!blobs.has(digest)) return json(404, errors("BLOB_UNKNOWN", "blob unknown to registry"));
    return { status: 307, body: "", headers: { location: `${origin}/storage/${digest}` } };
  }

  function tags(repository: string, url: URL, req: IncomingMessage): Answer | undefined {
    if (options.hanging?.includes(repository)) return;
    const refused = refusal(repository, req);
    if (refused) return refused;
    const all = options.repositories[repository];
    if (!all) return json(404, errors("NAME_UNKNOWN", "repository name not known to registry"));

    const n = Number(url.searchParams.get("n") ?? options.pageSize ?? 3);
    const last = url.searchParams.get("last");
    const start = last === null ? 0 : all.indexOf(last) + 1;
    const page = all.slice(start, start + n);
    if (start + n >= all.length) return json(200, { name: repository, tags: page });
    const next = `/v2/${repository}/tags/list?n=${n}&last=${encodeURIComponent(page.at(-1) ?? "")}`;
    return json(
      200,
      { name: repository, tags: page },
      { link: `<${last === null ? next : `${origin}${next}`}>; rel="next"` },
    );
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    blobs,
    push(repository, tag, artifact) {
      const descriptor = (blob: { mediaType: string; data: Buffer }) => {
        const digest = digestOf(blob.data);
        blobs.set(digest, blob.data);
        return { mediaType: blob.mediaType, digest, size: blob.data.length };
      };
      const body = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: descriptor(artifact.config),
          layers: artifact.layers.map(descriptor),
          ...(artifact.annotations ? { annotations: artifact.annotations } : {}),
        }),
      );
      const digest = digestOf(body);
      const stored = manifests.get(repository) ?? new Map<string, Buffer>();
      stored.set(tag, body);
      stored.set(digest, body);
      manifests.set(repository, stored);
      const listed = options.repositories[repository] ?? [];
      if (!listed.includes(tag)) listed.push(tag);
      options.repositories[repository] = listed;
      return digest;
    },
    get tokens() {
      return [...issued.keys()];
    },
    count: (what) => {
      const pattern = { token: /^\/token/, tags: TAGS_PATH, manifests: MANIFEST_PATH, blobs: BLOB_PATH }[
        what
      ];
      return requests.filter((r) => pattern.test(r.path.split("?")[0] ?? "")).length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function errors(code: string, message: string) {
  return { errors: [{ code, message, detail: null }] };
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function json(status: number, body: unknown, headers?: Record<string, string>): Answer {
  return { status, body, ...(headers ? { headers } : {}) };
}

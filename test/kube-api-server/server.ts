/**
 * An in-process Kubernetes API server for tests: real HTTP, bearer-token auth, discovery and
 * OpenAPI good enough for kubectl and helm, CRUD, watch, every patch type, server-side apply,
 * and a status simulator standing in for the cluster's controllers.
 */
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { stringify as toYaml } from "yaml";
import {
  coreVersions,
  group,
  groupList,
  openApiDocument,
  openApiIndex,
  resourceList,
  versionInfo,
} from "./discovery.js";
import { ApiError, badRequest, expired, methodNotAllowed, pathNotFound, unauthorized } from "./errors.js";
import { Faults, type RequestTarget, type Verb } from "./faults.js";
import { type DeleteOptions, ObjectService, parseBody, type Scope, type WriteOptions } from "./objects.js";
import { decodeProtobufObject, isProtobuf } from "./protobuf.js";
import { apiVersionOf, ResourceRegistry, type ResourceType } from "./resources.js";
import { parseFieldSelector, parseLabelSelector } from "./selectors.js";
import { type SimulatorOptions, StatusSimulator } from "./simulator.js";
import { type KubeObject, ObjectStore } from "./store.js";
import { toTable, wantsTable } from "./table.js";
import { servingCertificate } from "./tls.js";
import { serveWatch } from "./watch.js";

export interface KubeApiServerOptions {
  /** Bearer token clients must send; random by default. */
  token?: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  simulator?: SimulatorOptions;
  /** Delay before a deleted namespace's content is deleted; default 300 ms, as a real namespace controller lags. */
  namespaceDeletionDelayMs?: number;
}

/** One request as the server saw it, for tests that assert what a client sent (or did not). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  accept?: string;
  userAgent?: string;
  /** The `Impersonate-User` header: whom the client acts as. */
  impersonateUser?: string;
  /** The `Impersonate-Group` headers. */
  impersonateGroups?: string[];
  /** Verb and resource for API requests; absent for discovery and OpenAPI. */
  target?: RequestTarget;
}

const DEFAULT_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

export class KubeApiServer {
  readonly registry = new ResourceRegistry();
  readonly store = new ObjectStore();
  readonly faults = new Faults();
  readonly simulator: StatusSimulator;
  readonly objects: ObjectService;
  readonly requests: RecordedRequest[] = [];
  private readonly watches = new Set<() => void>();

  private constructor(
    private readonly http: Server,
    readonly url: string,
    readonly token: string,
    /** The PEM certificate clients must trust (it is its own CA). */
    readonly certificate: string,
    options: KubeApiServerOptions,
  ) {
    this.simulator = new StatusSimulator(this, options.simulator);
    this.objects = new ObjectService(this.store, this.registry, (type, obj) =>
      this.simulator.observe(type, obj),
    );
    const namespaces = this.type("v1", "Namespace");
    for (const name of DEFAULT_NAMESPACES) {
      this.objects.create(
        { type: namespaces },
        { metadata: { name } },
        { dryRun: false, fieldManager: "kube-apiserver" },
      );
    }
  }

  static async start(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
    const tls = await servingCertificate();
    const http = createServer({ key: tls.key, cert: tls.cert });
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    const { port } = http.address() as AddressInfo;
    const server = new KubeApiServer(
      http,
      `https://127.0.0.1:${port}`,
      options.token ?? randomBytes(24).toString("hex"),
      tls.cert,
      options,
    );
    http.on("request", (req, res) => {
      server.handle(req, res).catch((e) => server.sendError(res, e));
    });
    return server;
  }

  async stop(): Promise<void> {
    this.simulator.stop();
    for (const close of this.watches) close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** A kubeconfig for this server, with its token, as YAML. */
  kubeconfig(namespace = "default"): string {
    return toYaml({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "test",
          cluster: {
            server: this.url,
            "certificate-authority-data": Buffer.from(this.certificate).toString("base64"),
          },
        },
      ],
      users: [{ name: "test", user: { token: this.token } }],
      contexts: [{ name: "test", context: { cluster: "test", user: "test", namespace } }],
      "current-context": "test",
    });
  }

  async writeKubeconfig(path: string): Promise<void> {
    await writeFile(path, this.kubeconfig(), { mode: 0o600 });
  }

  /** The resource type of an apiVersion and kind; throws when the server does not serve it. */
  type(apiVersion: string, kind: string): ResourceType {
    const type = this.registry.byKind(apiVersion, kind);
    if (!type) throw new Error(`the test server does not serve ${apiVersion} ${kind}`);
    return type;
  }

  /** The stored object, or undefined: a shortcut for test assertions. */
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.find(this.type(apiVersion, kind), namespace, name);
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const query = Object.fromEntries(url.searchParams);
    const record: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query,
      contentType: req.headers["content-type"],
      accept: req.headers.accept,
      userAgent: req.headers["user-agent"],
      ...impersonation(req),
    };
    this.requests.push(record);
    if (req.headers.authorization !== `Bearer ${this.token}`) throw unauthorized();
    const raw = await readBody(req);
    const contentType = req.headers["content-type"] ?? "application/json";
    // client-go's typed clients write protobuf; everything else here is JSON or YAML text.
    const body = isProtobuf(contentType) ? JSON.stringify(decodeProtobufObject(raw)) : raw.toString("utf8");
    const segments = url.pathname.split("/").filter((s) => s.length > 0);

    const discovery = this.discovery(segments, req);
    if (discovery !== undefined) return sendJson(res, 200, discovery);

    const route = this.route(segments, req.method ?? "GET", url.searchParams);
    record.target = route.target;
    const fault = this.faults.check(route.target);
    if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.error) throw fault.error;
    await this.serve(route, req, res, url.searchParams, body);
  }

  /** Discovery, version and OpenAPI answers; undefined when the path is an API resource path. */
  private discovery(segments: string[], req: IncomingMessage): unknown {
    const path = segments.join("/");
    if (req.method !== "GET") return undefined;
    if (path === "version") return versionInfo();
    if (path === "healthz" || path === "readyz" || path === "livez") return "ok";
    if (path === "api") return coreVersions(req.headers.host ?? "127.0.0.1");
    if (path === "apis") return groupList(this.registry);
    if (path === "api/v1") return resourceList(this.registry, "", "v1");
    if (segments[0] === "apis" && segments.length === 2)
      return group(this.registry, segments[1]) ?? throwNotFound();
    if (segments[0] === "apis" && segments.length === 3) {
      return resourceList(this.registry, segments[1], segments[2]) ?? throwNotFound();
    }
    if (path === "openapi/v3") return openApiIndex(this.registry);
    if (segments[0] === "openapi" && segments[1] === "v3") {
      return openApiDocument(this.registry, segments.slice(2).join("/")) ?? throwNotFound();
    }
    if (segments[0] === "openapi") throwNotFound();
    return undefined;
  }

  private route(segments: string[], method: string, params: URLSearchParams): Route {
    let rest: string[];
    let groupName: string;
    let version: string;
    if (segments[0] === "api" && segments.length >= 3) {
      [groupName, version, rest] = ["", segments[1], segments.slice(2)];
    } else if (segments[0] === "apis" && segments.length >= 4) {
      [groupName, version, rest] = [segments[1], segments[2], segments.slice(3)];
    } else {
      throw pathNotFound();
    }
    let namespace: string | undefined;
    const namespaceSubresource =
      rest[0] === "namespaces" && rest.length === 3 && ["status", "finalize"].includes(rest[2]);
    if (rest[0] === "namespaces" && rest.length >= 3 && !namespaceSubresource) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, subresource, ...extra] = rest;
    const type = this.registry.byResource(groupName, version, plural);
    if (!type || extra.length > 0) throw pathNotFound();
    if (
      subresource !== undefined &&
      !(subresource === "status" && type.statusSubresource) &&
      subresource !== "finalize"
    ) {
      throw pathNotFound();
    }
    if (type.namespaced && namespace === undefined && name !== undefined) throw pathNotFound();
    if (!type.namespaced && namespace !== undefined) throw pathNotFound();
    const verb = verbOf(method, name, params);
    const resource = subresource ? `${plural}/${subresource}` : plural;
    return {
      scope: { type, namespace, name, subresource: subresource === "finalize" ? undefined : subresource },
      target: { verb, resource, namespace, name },
    };
  }

  private async serve(
    route: Route,
    req: IncomingMessage,
    res: ServerResponse,
    params: URLSearchParams,
    body: string,
  ) {
    const { scope, target } = route;
    const contentType = (req.headers["content-type"] ?? "application/json").replace(
      "application/vnd.kubernetes.protobuf",
      "application/json",
    );
    const dryRun = parseDryRun(params);
    const write: WriteOptions = {
      dryRun,
      fieldManager: params.get("fieldManager") ?? undefined,
      userAgent: req.headers["user-agent"],
      force: params.has("force") ? params.get("force") === "true" : undefined,
    };
    switch (target.verb) {
      case "get": {
        const obj = this.objects.get(scope);
        return sendJson(res, 200, wantsTable(req) ? toTable([obj], obj.metadata.resourceVersion) : obj);
      }
      case "list":
        return sendJson(res, 200, this.list(scope, params, req));
      case "watch":
        return serveWatch(
          res,
          this.store,
          this.objects,
          {
            type: scope.type,
            namespace: scope.namespace,
            selector: selectorOf(params),
            resourceVersion: params.get("resourceVersion") ?? undefined,
            timeoutSeconds: params.has("timeoutSeconds") ? Number(params.get("timeoutSeconds")) : undefined,
            sendInitialEvents: params.get("sendInitialEvents") === "true",
            allowWatchBookmarks: params.get("allowWatchBookmarks") === "true",
          },
          (close) => {
            this.watches.add(close);
            res.on("close", () => this.watches.delete(close));
          },
        );
      case "create": {
        if (scope.namespace === undefined && scope.type.namespaced) throw methodNotAllowed();
        const obj = this.objects.create(scope, parseBody(body, contentType), write);
        return sendJson(res, 201, obj);
      }
      case "update":
        return sendJson(res, 200, this.objects.update(scope, parseBody(body, contentType), write));
      case "patch": {
        const { object, created } = this.objects.patch(scope, contentType, body, write);
        return sendJson(res, created ? 201 : 200, object);
      }
      case "delete": {
        const { object, gone } = this.objects.delete(scope, deleteOptionsOf(body, params, dryRun));
        if (!gone || scope.type.kind === "Pod") return sendJson(res, 200, object);
        return sendJson(res, 200, {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Success",
          details: {
            name: object.metadata.name,
            ...(scope.type.group ? { group: scope.type.group } : {}),
            kind: scope.type.plural,
            uid: object.metadata.uid,
          },
        });
      }
      case "deletecollection": {
        const selector = selectorOf(params);
        const options = deleteOptionsOf(body, params, dryRun);
        const items = this.objects.list(scope.type, scope.namespace).filter(selector);
        for (const o of items) {
          this.objects.delete({ ...scope, namespace: o.metadata.namespace, name: o.metadata.name }, options);
        }
        return sendJson(res, 200, this.listBody(scope.type, items));
      }
    }
  }

  private list(scope: Scope, params: URLSearchParams, req: IncomingMessage) {
    const all = this.objects.list(scope.type, scope.namespace).filter(selectorOf(params));
    let start = 0;
    const token = params.get("continue");
    if (token) {
      const parsed = JSON.parse(Buffer.from(token, "base64url").toString()) as { start: number; rv: number };
      if (parsed.rv < this.store.oldestWatchableVersion) {
        throw expired("The provided continue parameter is too old to display a consistent list result.");
      }
      start = parsed.start;
    }
    const limit = Number(params.get("limit") ?? 0);
    const items = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
    const next = start + items.length;
    const rv = String(this.store.currentResourceVersion);
    if (wantsTable(req)) return toTable(items, rv);
    const body = this.listBody(scope.type, items);
    if (limit > 0 && next < all.length) {
      body.metadata.continue = Buffer.from(JSON.stringify({ start: next, rv: Number(rv) })).toString(
        "base64url",
      );
      body.metadata.remainingItemCount = all.length - next;
    }
    return body;
  }

  private listBody(type: ResourceType, items: KubeObject[]) {
    return {
      kind: type.listKind,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion: String(this.store.currentResourceVersion) } as Record<string, unknown>,
      items,
    };
  }

  private sendError(res: ServerResponse, error: unknown): void {
    const apiError =
      error instanceof ApiError
        ? error
        : new ApiError(500, "InternalError", `Internal error occurred: ${String(error)}`);
    if (!(error instanceof ApiError)) console.error(error);
    if (res.headersSent) {
      res.end();
      return;
    }
    sendJson(res, apiError.code, apiError.toStatus());
  }
}

interface Route {
  scope: Scope;
  target: RequestTarget;
}

function throwNotFound(): never {
  throw pathNotFound();
}

function verbOf(method: string, name: string | undefined, params: URLSearchParams): Verb {
  switch (method) {
    case "GET":
      if (name !== undefined) return "get";
      return params.get("watch") === "true" || params.get("watch") === "1" ? "watch" : "list";
    case "POST":
      if (name !== undefined) throw methodNotAllowed();
      return "create";
    case "PUT":
      if (name === undefined) throw methodNotAllowed();
      return "update";
    case "PATCH":
      if (name === undefined) throw methodNotAllowed();
      return "patch";
    case "DELETE":
      return name === undefined ? "deletecollection" : "delete";
    default:
      throw methodNotAllowed();
  }
}

function parseDryRun(params: URLSearchParams): boolean {
  const values = params.getAll("dryRun");
  if (values.length === 0) return false;
  if (values.every((v) => v === "All")) return true;
  throw new ApiError(
    400,
    "BadRequest",
    `dryRun: Unsupported value: ${JSON.stringify(values.find((v) => v !== "All"))}: supported values: "All"`,
  );
}

function selectorOf(params: URLSearchParams) {
  const labels = parseLabelSelector(params.get("labelSelector"));
  const fields = parseFieldSelector(params.get("fieldSelector"));
  return (o: KubeObject) => labels(o) && fields(o);
}

function deleteOptionsOf(body: string, params: URLSearchParams, dryRun: boolean): DeleteOptions {
  const fromBody = body.trim() ? (parseBody(body, "application/json") as Record<string, any>) : {};
  const policy = fromBody.propagationPolicy ?? params.get("propagationPolicy") ?? undefined;
  if (policy !== undefined && !["Background", "Foreground", "Orphan"].includes(policy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${policy}"`);
  }
  const orphan =
    fromBody.orphanDependents ??
    (params.has("orphanDependents") ? params.get("orphanDependents") === "true" : undefined);
  return {
    propagationPolicy: policy ?? (orphan ? "Orphan" : undefined),
    dryRun: dryRun || (Array.isArray(fromBody.dryRun) && fromBody.dryRun.includes("All")),
    preconditions: fromBody.preconditions,
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(code, {
    "Content-Type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-cache, private",
  });
  res.end(text);
}

/** The impersonation headers a request carried (`headersDistinct` keeps repeated groups apart). */
function impersonation(req: IncomingMessage): Pick<RecordedRequest, "impersonateUser" | "impersonateGroups"> {
  const user = req.headers["impersonate-user"];
  const groups = req.headersDistinct["impersonate-group"];
  return {
    ...(typeof user === "string" ? { impersonateUser: user } : {}),
    ...(groups ? { impersonateGroups: groups } : {}),
  };
}

/**
 * Ferry's connection to one cluster: credentials and TLS from a kubeconfig or the in-cluster
 * service account (credentials.ts), requests over keep-alive HTTPS (undici),
 * and discovery of where each kind lives.
 */
import { type Dispatcher, Pool } from "undici";
import type { KubeObject, ObjectRef } from "../model/object.js";
import { apiVersionOf, refOf } from "../model/object.js";
import { type ClusterConnection as KubeconfigSource, loadCredentials } from "./credentials.js";

export interface ClusterConnection extends KubeconfigSource {
  /** Requests in flight at most; default 16. */
  maxConcurrency?: number;
  /** Impersonate this user (e.g. `system:serviceaccount:ns:name`). */
  impersonate?: string;
}

/** An error answer of the API server, with its Status reason and causes. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly causes: { reason?: string; message?: string; field?: string }[] = [],
  ) {
    super(message);
  }
}

export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

export interface RequestOptionsLite {
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
}

export class KubeClient {
  /** Requests sent, by method: tests assert that a no-op reconcile writes nothing. */
  readonly requestCounts = new Map<string, number>();
  private readonly discovery = new Map<string, Promise<Map<string, ResourceInfo>>>();

  private constructor(
    private readonly server: URL,
    private readonly headers: Record<string, string>,
    private readonly pool: Pool,
    readonly defaultNamespace: string,
  ) {}

  static async connect(connection: ClusterConnection): Promise<KubeClient> {
    const credentials = await loadCredentials(connection);
    const headers = { ...credentials.headers };
    if (connection.impersonate) headers["Impersonate-User"] = connection.impersonate;
    const server = new URL(credentials.server);
    // undici: keep-alive connections with far less per-request work than node:https.
    const pool = new Pool(server.origin, {
      connections: connection.maxConcurrency ?? 16,
      connect: {
        ...(credentials.ca ? { ca: credentials.ca } : {}),
        ...(credentials.cert ? { cert: credentials.cert } : {}),
        ...(credentials.key ? { key: credentials.key } : {}),
        rejectUnauthorized: credentials.rejectUnauthorized,
        ...(credentials.servername ? { servername: credentials.servername } : {}),
      },
    });
    return new KubeClient(server, headers, pool, credentials.namespace);
  }

  close(): void {
    void this.pool.close();
  }

  /** One request; JSON in and out. Error answers throw KubeApiError. */
  async request<T = unknown>(method: string, path: string, options: RequestOptionsLite = {}): Promise<T> {
    this.requestCounts.set(method, (this.requestCounts.get(method) ?? 0) + 1);
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body);
    const headers: Record<string, string> = {
      ...this.headers,
      accept: "application/json",
      "user-agent": "ferry",
    };
    if (body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
    let status: number;
    let text: string;
    try {
      const response = await this.pool.request({
        path: `${url.pathname}${url.search}`,
        method: method as Dispatcher.HttpMethod,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (e) {
      throw new Error(
        `cannot reach the cluster at ${this.server.origin}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (status >= 200 && status < 300) return parsed as T;
    const failure = parsed as
      | { message?: string; reason?: string; details?: { causes?: KubeApiError["causes"] } }
      | undefined;
    const message = failure?.message ?? (text.trim() || `HTTP ${status}`);
    throw new KubeApiError(status, failure?.reason ?? "", message, failure?.details?.causes ?? []);
  }

  /** Where a kind lives, from discovery (re-read once when the kind is missing, e.g. after a CRD). */
  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const found =
      (await this.resources(apiVersion, false)).get(kind) ??
      (await this.resources(apiVersion, true)).get(kind);
    if (!found)
      throw new KubeApiError(404, "NotFound", `no matches for kind "${kind}" in version "${apiVersion}"`);
    return found;
  }

  private resources(apiVersion: string, refresh: boolean): Promise<Map<string, ResourceInfo>> {
    const cached = this.discovery.get(apiVersion);
    if (cached && !refresh) return cached;
    const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const loading = this.request<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(
      "GET",
      path,
    )
      .then(
        (list) =>
          new Map(
            list.resources
              .filter((r) => !r.name.includes("/"))
              .map((r) => [r.kind, { plural: r.name, namespaced: r.namespaced }]),
          ),
      )
      .catch((e) => {
        if (e instanceof KubeApiError && e.code === 404) return new Map<string, ResourceInfo>();
        throw e;
      });
    this.discovery.set(apiVersion, loading);
    return loading;
  }

  /** The URL path of an object (or of its collection when `name` is absent). */
  async pathOf(
    ref: Pick<ObjectRef, "group" | "version" | "kind" | "namespace"> & { name?: string },
  ): Promise<string> {
    const apiVersion = apiVersionOf(ref);
    const info = await this.resource(apiVersion, ref.kind);
    const base = ref.group ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const namespace = info.namespaced
      ? `/namespaces/${encodeURIComponent(ref.namespace ?? this.defaultNamespace)}`
      : "";
    return `${base}${namespace}/${info.plural}${ref.name ? `/${encodeURIComponent(ref.name)}` : ""}`;
  }

  async isNamespaced(apiVersion: string, kind: string): Promise<boolean> {
    return (await this.resource(apiVersion, kind)).namespaced;
  }

  /** The live object, or undefined when it does not exist. */
  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return await this.request<KubeObject>("GET", await this.pathOf(ref));
    } catch (e) {
      if (e instanceof KubeApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  async list(
    ref: Pick<ObjectRef, "group" | "version" | "kind" | "namespace">,
    labelSelector?: string,
  ): Promise<KubeObject[]> {
    const list = await this.request<{ items: KubeObject[] }>("GET", await this.pathOf(ref), {
      query: { labelSelector },
    });
    return list.items;
  }

  /** Server-side apply as `fieldManager`, forcing ownership; `dryRun` stores nothing. */
  async apply(
    object: KubeObject,
    options: { fieldManager: string; force: boolean; dryRun: boolean },
  ): Promise<KubeObject> {
    return this.request<KubeObject>("PATCH", await this.pathOf(refOf(object)), {
      query: {
        fieldManager: options.fieldManager,
        force: String(options.force),
        ...(options.dryRun ? { dryRun: "All" } : {}),
      },
      body: object,
      contentType: "application/apply-patch+yaml",
    });
  }

  async delete(
    ref: ObjectRef,
    propagationPolicy: "Background" | "Foreground" | "Orphan" = "Background",
  ): Promise<void> {
    await this.request("DELETE", await this.pathOf(ref), {
      body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy },
    });
  }
}

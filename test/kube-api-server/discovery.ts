/** Legacy discovery (`/api`, `/apis`, `/api/v1`, `/apis/g/v`), `/version` and the OpenAPI v3 documents. */
import { createHash } from "node:crypto";
import { apiVersionOf, type ResourceRegistry, type ResourceType } from "./resources.js";

export const KUBERNETES_VERSION = { major: "1", minor: "35", gitVersion: "v1.35.0" };

export function versionInfo() {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2026-01-01T00:00:00Z",
    goVersion: "go1.25.0",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export function coreVersions(serverAddress: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function apiGroup(group: { name: string; versions: string[] }) {
  const versions = group.versions.map((version) => ({ groupVersion: `${group.name}/${version}`, version }));
  return { name: group.name, versions, preferredVersion: versions[0] };
}

export function groupList(registry: ResourceRegistry) {
  return { kind: "APIGroupList", apiVersion: "v1", groups: registry.groups().map(apiGroup) };
}

export function group(registry: ResourceRegistry, name: string) {
  const found = registry.groups().find((g) => g.name === name);
  return found ? { kind: "APIGroup", apiVersion: "v1", ...apiGroup(found) } : undefined;
}

export function resourceList(registry: ResourceRegistry, groupName: string, version: string) {
  const types = registry.all().filter((t) => t.group === groupName && t.version === version);
  if (types.length === 0) return undefined;
  const resources = types.flatMap((t) => {
    const main = {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS,
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length ? { categories: t.categories } : {}),
      storageVersionHash: createHash("sha256").update(`${t.group}/${t.plural}`).digest("base64").slice(0, 11),
    };
    if (!t.statusSubresource) return [main];
    return [
      main,
      {
        name: `${t.plural}/status`,
        singularName: "",
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ["get", "patch", "update"],
      },
    ];
  });
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: apiVersionOf({ group: groupName, version }),
    resources,
  };
}

/** `api/v1`, `apis/apps/v1`: the keys of the OpenAPI v3 index. */
const openApiPath = (t: { group: string; version: string }) =>
  t.group ? `apis/${t.group}/${t.version}` : `api/${t.version}`;

export function openApiIndex(registry: ResourceRegistry) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const t of registry.all()) {
    const path = openApiPath(t);
    if (paths[path]) continue;
    const hash = createHash("sha512")
      .update(JSON.stringify(openApiDocument(registry, path)))
      .digest("hex")
      .toUpperCase();
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash.slice(0, 128)}` };
  }
  return { paths };
}

const queryParameter = (name: string, description: string) => ({
  name,
  in: "query",
  description,
  schema: { type: name === "force" ? "boolean" : "string", uniqueItems: true },
});

const WRITE_PARAMETERS = [
  queryParameter("dryRun", "When present, indicates that modifications should not be persisted."),
  queryParameter(
    "fieldManager",
    "fieldManager is a name associated with the actor or entity that is making these changes.",
  ),
  queryParameter(
    "fieldValidation",
    "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields: Ignore, Warn or Strict.",
  ),
];

const schemaName = (t: ResourceType) =>
  `${t.group ? t.group.split(".").reverse().join(".") : "io.k8s.api.core"}.${t.version}.${t.kind}`;

/** The OpenAPI v3 document of one group-version: enough for clients to see that the server validates fields. */
export function openApiDocument(registry: ResourceRegistry, path: string) {
  const types = registry.all().filter((t) => openApiPath(t) === path);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const t of types) {
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const ref = { $ref: `#/components/schemas/${schemaName(t)}` };
    const content = { "application/json": { schema: ref } };
    const base = `/${path}${t.namespaced ? "/namespaces/{namespace}" : ""}/${t.plural}`;
    const op = (action: string, extra: object = {}) => ({
      operationId: `${action}${t.kind}`,
      responses: { "200": { description: "OK", content } },
      "x-kubernetes-action": action,
      "x-kubernetes-group-version-kind": gvk,
      ...extra,
    });
    paths[base] = {
      get: op("list"),
      post: op("post", { parameters: WRITE_PARAMETERS, requestBody: { content, required: true } }),
    };
    paths[`${base}/{name}`] = {
      get: op("get"),
      put: op("put", { parameters: WRITE_PARAMETERS, requestBody: { content, required: true } }),
      patch: op("patch", {
        parameters: [...WRITE_PARAMETERS, queryParameter("force", "Force is going to force Apply requests.")],
        requestBody: {
          content: { "application/apply-patch+yaml": { schema: { type: "object" } } },
          required: true,
        },
      }),
      delete: op("delete"),
    };
    schemas[schemaName(t)] = {
      ...(t.schema ?? { type: "object" }),
      "x-kubernetes-group-version-kind": [gvk],
    };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: KUBERNETES_VERSION.gitVersion },
    paths,
    components: { schemas },
  };
}

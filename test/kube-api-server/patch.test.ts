import { describe, expect, it } from "vitest";
import { builtInListType, type ListTypeResolver } from "./list-types.js";
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from "./patch.js";

/** Inputs are frozen, so a patch function that mutates them throws in these (strict-mode) tests. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

interface Case {
  name: string;
  target: unknown;
  patch: unknown;
  /** The expected result, or the PatchError message (a substring or pattern) when the patch must fail. */
  want?: unknown;
  error?: string | RegExp;
}

function run(apply: (target: unknown, patch: unknown) => unknown, c: Case): void {
  const target = deepFreeze(structuredClone(c.target));
  const patch = deepFreeze(structuredClone(c.patch));
  if (c.error !== undefined) {
    expect(() => apply(target, patch)).toThrow(PatchError);
    expect(() => apply(target, patch)).toThrow(c.error);
    return;
  }
  const result = apply(target, patch);
  expect(result).toEqual(c.want);
  expect(target).toEqual(c.target);
  expect(patch).toEqual(c.patch);
}

const deployment = builtInListType("Deployment");
const pod = builtInListType("Pod");

/** A Deployment with the given pod spec (and labels). */
function deploy(podSpec: Record<string, unknown>, labels: Record<string, string> = { app: "web" }) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: podSpec },
    },
  };
}

function podSpecPatch(podSpec: Record<string, unknown>) {
  return { spec: { template: { spec: podSpec } } };
}

const appContainer = {
  name: "app",
  image: "registry.example/app:v1",
  args: ["--port=8080"],
  ports: [{ containerPort: 8080, name: "http", protocol: "TCP" }],
  env: [{ name: "LOG_LEVEL", value: "info" }],
};
const sidecar = { name: "sidecar", image: "registry.example/proxy:v3" };

const strategicCases: (Case & { listType?: ListTypeResolver })[] = [
  {
    name: "kubectl client-side apply: $setElementOrder/containers and a changed image",
    target: {
      ...deploy({ containers: [appContainer, sidecar] }),
      metadata: {
        name: "web",
        namespace: "default",
        labels: { app: "web" },
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"old":true}\n' },
      },
    },
    patch: {
      metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"new":true}\n' } },
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "app" }, { name: "sidecar" }],
            containers: [{ image: "registry.example/app:v2", name: "app" }],
          },
        },
      },
    },
    want: {
      ...deploy({ containers: [{ ...appContainer, image: "registry.example/app:v2" }, sidecar] }),
      metadata: {
        name: "web",
        namespace: "default",
        labels: { app: "web" },
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"new":true}\n' },
      },
    },
  },
  {
    name: "$setElementOrder reorders; unnamed items follow in their relative order",
    target: deploy({ containers: [{ name: "a" }, { name: "b" }, { name: "c" }, { name: "d" }] }),
    patch: podSpecPatch({
      "$setElementOrder/containers": [{ name: "d" }, { name: "b" }],
      containers: [{ name: "d", image: "d:2" }],
    }),
    want: deploy({ containers: [{ name: "d", image: "d:2" }, { name: "b" }, { name: "a" }, { name: "c" }] }),
  },
  {
    name: "$setElementOrder accepts bare merge keys and places a new item",
    target: deploy({ containers: [{ name: "a" }, { name: "b" }] }),
    patch: podSpecPatch({ "$setElementOrder/containers": ["new", "a", "b"], containers: [{ name: "new" }] }),
    want: deploy({ containers: [{ name: "new" }, { name: "a" }, { name: "b" }] }),
  },
  {
    name: "$setElementOrder and a new list where the live object has none",
    target: deploy({ containers: [sidecar] }),
    patch: podSpecPatch({
      "$setElementOrder/initContainers": [{ name: "migrate" }, { name: "seed" }],
      initContainers: [
        { name: "seed", image: "seed:1" },
        { name: "migrate", image: "migrate:1", env: null },
      ],
    }),
    want: deploy({
      containers: [sidecar],
      initContainers: [
        { name: "migrate", image: "migrate:1" },
        { name: "seed", image: "seed:1" },
      ],
    }),
  },
  {
    name: "container env merges by name: update, append, keep the rest",
    target: deploy({
      containers: [
        {
          ...appContainer,
          env: [
            { name: "A", value: "1" },
            { name: "B", value: "2" },
            { name: "C", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          ],
        },
      ],
    }),
    patch: podSpecPatch({
      containers: [
        {
          name: "app",
          env: [
            { name: "B", value: "two" },
            { name: "C", value: "3", valueFrom: null },
            { name: "D", value: "4" },
          ],
        },
      ],
    }),
    want: deploy({
      containers: [
        {
          ...appContainer,
          env: [
            { name: "A", value: "1" },
            { name: "B", value: "two" },
            { name: "C", value: "3" },
            { name: "D", value: "4" },
          ],
        },
      ],
    }),
  },
  {
    name: "container ports merge by containerPort",
    target: deploy({
      containers: [
        {
          name: "app",
          ports: [
            { containerPort: 80, name: "http", protocol: "TCP" },
            { containerPort: 443, name: "https", protocol: "TCP" },
          ],
        },
      ],
    }),
    patch: podSpecPatch({
      containers: [
        {
          name: "app",
          ports: [
            { containerPort: 443, name: "tls" },
            { containerPort: 9090, name: "metrics" },
          ],
        },
      ],
    }),
    want: deploy({
      containers: [
        {
          name: "app",
          ports: [
            { containerPort: 80, name: "http", protocol: "TCP" },
            { containerPort: 443, name: "tls", protocol: "TCP" },
            { containerPort: 9090, name: "metrics" },
          ],
        },
      ],
    }),
  },
  {
    name: "$patch: delete removes the container with that name",
    target: deploy({ containers: [appContainer, sidecar] }),
    patch: podSpecPatch({
      "$setElementOrder/containers": [{ name: "app" }],
      containers: [{ name: "sidecar", $patch: "delete" }],
    }),
    want: deploy({ containers: [appContainer] }),
  },
  {
    name: "$patch: delete of an item that is not there is a no-op",
    target: deploy({ containers: [sidecar] }),
    patch: podSpecPatch({ containers: [{ name: "gone", $patch: "delete" }] }),
    want: deploy({ containers: [sidecar] }),
  },
  {
    name: "null removes a label, other labels stay and new ones are added",
    target: deploy({ containers: [sidecar] }, { app: "web", tier: "frontend" }),
    patch: { metadata: { labels: { tier: null, team: "ferry", absent: null } } },
    want: deploy({ containers: [sidecar] }, { app: "web", team: "ferry" }),
  },
  {
    name: "null inside new content is dropped",
    target: { metadata: { name: "x" } },
    patch: { metadata: { annotations: { a: "1", b: null } } },
    want: { metadata: { name: "x", annotations: { a: "1" } } },
  },
  {
    name: "finalizers are a set: union keeping order, no duplicates",
    target: { metadata: { name: "x", finalizers: ["a.example/one", "b.example/two"] } },
    patch: { metadata: { finalizers: ["b.example/two", "c.example/three", "c.example/three"] } },
    want: { metadata: { name: "x", finalizers: ["a.example/one", "b.example/two", "c.example/three"] } },
  },
  {
    name: "$deleteFromPrimitiveList/finalizers removes values, the patch list adds",
    target: { metadata: { name: "x", finalizers: ["a", "b", "c"] } },
    patch: { metadata: { "$deleteFromPrimitiveList/finalizers": ["b", "z"], finalizers: ["d"] } },
    want: { metadata: { name: "x", finalizers: ["a", "c", "d"] } },
  },
  {
    name: "$setElementOrder/finalizers orders a primitive list",
    target: { metadata: { finalizers: ["a", "b", "c"] } },
    patch: { metadata: { "$setElementOrder/finalizers": ["c", "a"] } },
    want: { metadata: { finalizers: ["c", "a", "b"] } },
  },
  {
    name: "$patch: replace as a list item replaces the finalizers set",
    target: { metadata: { finalizers: ["a", "b"] } },
    patch: { metadata: { finalizers: [{ $patch: "replace" }, "c"] } },
    want: { metadata: { finalizers: ["c"] } },
  },
  {
    name: "$retainKeys drops the rollingUpdate of a strategy switched to Recreate",
    target: {
      ...deploy({ containers: [sidecar] }),
      spec: {
        ...deploy({ containers: [sidecar] }).spec,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      },
    },
    patch: { spec: { strategy: { $retainKeys: ["type"], type: "Recreate", rollingUpdate: null } } },
    want: {
      ...deploy({ containers: [sidecar] }),
      spec: { ...deploy({ containers: [sidecar] }).spec, strategy: { type: "Recreate" } },
    },
  },
  {
    name: "$retainKeys in a volume switches its source",
    target: deploy({
      containers: [sidecar],
      volumes: [
        { name: "data", emptyDir: {} },
        { name: "keep", emptyDir: {} },
      ],
    }),
    patch: podSpecPatch({
      volumes: [{ name: "data", $retainKeys: ["configMap", "name"], configMap: { name: "settings" } }],
    }),
    want: deploy({
      containers: [sidecar],
      volumes: [
        { name: "data", configMap: { name: "settings" } },
        { name: "keep", emptyDir: {} },
      ],
    }),
  },
  {
    name: "atomic lists (args, tolerations) are replaced wholesale",
    target: deploy({
      containers: [{ name: "app", args: ["--a", "--b"] }],
      tolerations: [{ key: "x", operator: "Exists" }],
    }),
    patch: podSpecPatch({
      containers: [{ name: "app", args: ["--c"] }],
      tolerations: [{ key: "y", operator: "Exists", effect: "NoSchedule" }],
    }),
    want: deploy({
      containers: [{ name: "app", args: ["--c"] }],
      tolerations: [{ key: "y", operator: "Exists", effect: "NoSchedule" }],
    }),
  },
  {
    name: "$patch: replace in a map replaces the whole map",
    target: deploy({ containers: [sidecar], nodeSelector: { disk: "ssd", zone: "a" } }),
    patch: podSpecPatch({ nodeSelector: { $patch: "replace", zone: "b" } }),
    want: deploy({ containers: [sidecar], nodeSelector: { zone: "b" } }),
  },
  {
    name: "$patch: delete in a map empties it",
    target: { metadata: { labels: { a: "1" } } },
    patch: { metadata: { labels: { $patch: "delete" } } },
    want: { metadata: { labels: {} } },
  },
  {
    name: "$patch: replace as a list item replaces the containers list",
    target: deploy({ containers: [appContainer, sidecar] }),
    patch: podSpecPatch({ containers: [{ $patch: "replace" }, { name: "only", image: "only:1" }] }),
    want: deploy({ containers: [{ name: "only", image: "only:1" }] }),
  },
  {
    name: "$patch: merge is the default",
    target: { metadata: { labels: { a: "1" } } },
    patch: { metadata: { labels: { $patch: "merge", b: "2" } } },
    want: { metadata: { labels: { a: "1", b: "2" } } },
  },
  {
    name: "a scalar replaces a map and a map replaces a scalar",
    target: { spec: { a: { x: 1 }, b: 2 } },
    patch: { spec: { a: "flat", b: { y: 2, z: null } } },
    want: { spec: { a: "flat", b: { y: 2 } } },
  },
  {
    name: "Pod: status.conditions merge by type",
    listType: pod,
    target: {
      status: {
        conditions: [
          { type: "Ready", status: "False" },
          { type: "Initialized", status: "True" },
        ],
      },
    },
    patch: {
      status: {
        conditions: [
          { type: "Ready", status: "True", reason: null },
          { type: "PodScheduled", status: "True" },
        ],
      },
    },
    want: {
      status: {
        conditions: [
          { type: "Ready", status: "True" },
          { type: "Initialized", status: "True" },
          { type: "PodScheduled", status: "True" },
        ],
      },
    },
  },
  {
    name: "Pod: volumeMounts merge by mountPath",
    listType: pod,
    target: {
      spec: {
        containers: [
          {
            name: "app",
            volumeMounts: [
              { name: "data", mountPath: "/data" },
              { name: "tmp", mountPath: "/tmp" },
            ],
          },
        ],
      },
    },
    patch: {
      spec: {
        containers: [{ name: "app", volumeMounts: [{ mountPath: "/data", readOnly: true }] }],
      },
    },
    want: {
      spec: {
        containers: [
          {
            name: "app",
            volumeMounts: [
              { name: "data", mountPath: "/data", readOnly: true },
              { name: "tmp", mountPath: "/tmp" },
            ],
          },
        ],
      },
    },
  },
  {
    name: "Pod: the containers list of a Pod is spec.containers, not spec.template.spec.containers",
    listType: pod,
    target: { spec: { containers: [appContainer, sidecar] } },
    patch: { spec: { containers: [{ name: "sidecar", image: "proxy:v4" }] } },
    want: { spec: { containers: [appContainer, { name: "sidecar", image: "proxy:v4" }] } },
  },
  {
    name: "JSON Schema keywords such as $ref are fields, not directives",
    listType: builtInListType("CustomResourceDefinition"),
    target: { spec: { versions: [{ name: "v1", served: true }] } },
    patch: {
      spec: { versions: [{ name: "v1", schema: { openAPIV3Schema: { $ref: "#/x", type: "object" } } }] },
    },
    want: {
      spec: {
        versions: [
          { name: "v1", served: true, schema: { openAPIV3Schema: { $ref: "#/x", type: "object" } } },
        ],
      },
    },
  },
  {
    name: "a patch on a missing target builds the object",
    target: null,
    patch: { metadata: { name: "x", finalizers: ["a", "a"] } },
    want: { metadata: { name: "x", finalizers: ["a"] } },
  },
  { name: "error: the patch is not an object", target: {}, patch: [1], error: /must be a JSON object/ },
  {
    name: "error: unknown $patch value",
    target: { metadata: { labels: {} } },
    patch: { metadata: { labels: { $patch: "explode" } } },
    error: /unknown \$patch directive "explode"/,
  },
  {
    name: "error: unknown $patch value in a list item",
    target: deploy({ containers: [sidecar] }),
    patch: podSpecPatch({ containers: [{ name: "sidecar", $patch: "explode" }] }),
    error: /unknown \$patch directive "explode"/,
  },
  {
    name: "error: unknown $-directive",
    target: { metadata: {} },
    patch: { metadata: { "$mergeEverything/labels": ["a"] } },
    error: /unknown strategic merge patch directive "\$mergeEverything\/labels"/,
  },
  {
    name: "error: $setElementOrder that is not a list",
    target: deploy({ containers: [sidecar] }),
    patch: podSpecPatch({ "$setElementOrder/containers": "sidecar" }),
    error: /must be a list/,
  },
  {
    name: "error: a container without its merge key",
    target: deploy({ containers: [sidecar] }),
    patch: podSpecPatch({ containers: [{ image: "nameless:1" }] }),
    error: /merge key "name"/,
  },
  {
    name: "error: $patch: delete without the merge key",
    target: deploy({ containers: [sidecar] }),
    patch: podSpecPatch({ containers: [{ $patch: "delete" }] }),
    error: /merge key "name"/,
  },
  {
    name: "error: $patch: delete in an atomic list",
    target: deploy({ containers: [sidecar], tolerations: [{ key: "x" }] }),
    patch: podSpecPatch({ tolerations: [{ key: "x", $patch: "delete" }] }),
    error: /without a merge key/,
  },
  {
    name: "error: $retainKeys that does not name a field the patch sets",
    target: { spec: { strategy: { type: "RollingUpdate" } } },
    patch: { spec: { strategy: { $retainKeys: ["type"], type: "Recreate", extra: 1 } } },
    error: /does not name "extra"/,
  },
];

describe("applyStrategicMergePatch", () => {
  it.each(strategicCases)("$name", (c) => {
    run((target, patch) => applyStrategicMergePatch(target, patch, c.listType ?? deployment), c);
  });

  it("returns a result that shares nothing with its inputs", () => {
    const target = deepFreeze(deploy({ containers: [appContainer] }));
    const patch = deepFreeze({ metadata: { annotations: { a: "1" } }, spec: { paused: { deep: [1] } } });
    const result = applyStrategicMergePatch(target, patch, deployment) as ReturnType<typeof deploy> & {
      metadata: { annotations: Record<string, string> };
      spec: { paused: { deep: number[] } };
    };
    result.spec.template.spec.containers = [];
    result.metadata.labels.app = "changed";
    result.metadata.annotations.a = "2";
    result.spec.paused.deep.push(2);
    expect(target.metadata.labels.app).toBe("web");
    expect(patch.spec.paused.deep).toEqual([1]);
  });
});

const mergeCases: Case[] = [
  {
    name: "objects merge recursively, null removes, lists replace",
    target: { metadata: { labels: { a: "1", b: "2" } }, spec: { list: [1, 2, 3], keep: true } },
    patch: { metadata: { labels: { b: null, c: "3" } }, spec: { list: [4] } },
    want: { metadata: { labels: { a: "1", c: "3" } }, spec: { list: [4], keep: true } },
  },
  {
    name: "container lists are replaced, not merged",
    target: { spec: { containers: [{ name: "a" }, { name: "b" }] } },
    patch: { spec: { containers: [{ name: "b", image: "b:2" }] } },
    want: { spec: { containers: [{ name: "b", image: "b:2" }] } },
  },
  {
    name: "a scalar replaces an object and an object replaces a scalar",
    target: { a: { x: 1 }, b: "flat" },
    patch: { a: 5, b: { y: 1 } },
    want: { a: 5, b: { y: 1 } },
  },
  {
    name: "null inside new content is dropped (RFC 7386 appendix)",
    target: {},
    patch: { a: { bb: { ccc: null } } },
    want: { a: { bb: {} } },
  },
  { name: "a non-object patch replaces the target", target: { a: 1 }, patch: ["x"], want: ["x"] },
  { name: "an object patch on a non-object target", target: "text", patch: { a: 1 }, want: { a: 1 } },
  { name: "an empty patch changes nothing", target: { a: [1] }, patch: {}, want: { a: [1] } },
];

describe("applyMergePatch", () => {
  it.each(mergeCases)("$name", (c) => run(applyMergePatch, c));
});

const target = { metadata: { name: "web", labels: { app: "web" } }, spec: { replicas: 1, ports: [80, 443] } };

const jsonPatchCases: Case[] = [
  {
    name: "add, replace and remove",
    target,
    patch: [
      { op: "add", path: "/metadata/labels/tier", value: "frontend" },
      { op: "replace", path: "/spec/replicas", value: 3 },
      { op: "remove", path: "/metadata/labels/app" },
      { op: "add", path: "/spec/ports/-", value: 8080 },
      { op: "add", path: "/spec/ports/0", value: 22 },
    ],
    want: {
      metadata: { name: "web", labels: { tier: "frontend" } },
      spec: { replicas: 3, ports: [22, 80, 443, 8080] },
    },
  },
  {
    name: "move and copy",
    target,
    patch: [
      { op: "copy", from: "/metadata/labels", path: "/spec/selector" },
      { op: "move", from: "/spec/ports/1", path: "/spec/securePort" },
    ],
    want: {
      metadata: { name: "web", labels: { app: "web" } },
      spec: { replicas: 1, ports: [80], selector: { app: "web" }, securePort: 443 },
    },
  },
  {
    name: "a passing test lets the patch apply",
    target,
    patch: [
      { op: "test", path: "/spec/replicas", value: 1 },
      { op: "replace", path: "/spec/replicas", value: 2 },
    ],
    want: { ...target, spec: { ...target.spec, replicas: 2 } },
  },
  { name: "an empty patch changes nothing", target, patch: [], want: target },
  {
    name: "error: a failing test",
    target,
    patch: [
      { op: "replace", path: "/spec/replicas", value: 2 },
      { op: "test", path: "/spec/replicas", value: 5 },
    ],
    error: /json patch operation 1 \(test "\/spec\/replicas"\) failed: the value at the path is not 5/,
  },
  {
    name: "error: remove of a missing path",
    target,
    patch: [{ op: "remove", path: "/metadata/annotations" }],
    error: /operation 0 \(remove "\/metadata\/annotations"\) failed: .*does not exist/,
  },
  {
    name: "error: an unknown op",
    target,
    patch: [{ op: "merge", path: "/spec", value: {} }],
    error: /unknown op "merge"/,
  },
  {
    name: "error: fast-json-patch's private _get op is not RFC 6902",
    target,
    patch: [{ op: "_get", path: "/spec" }],
    error: /unknown op "_get"/,
  },
  {
    name: "error: add without a value",
    target,
    patch: [{ op: "add", path: "/spec/x" }],
    error: /operation 0 \(add "\/spec\/x"\) failed: .*`value` property is not present/,
  },
  {
    name: "error: a path without a leading slash",
    target,
    patch: [{ op: "replace", path: "spec/replicas", value: 1 }],
    error: /must start with "\/"/,
  },
  { name: "error: the patch is not a list", target, patch: { op: "add" }, error: /must be a JSON array/ },
  {
    name: "error: an operation is not an object",
    target,
    patch: ["add"],
    error: /operation 0 is not an object/,
  },
];

describe("applyJsonPatch", () => {
  it.each(jsonPatchCases)("$name", (c) => run(applyJsonPatch, c));
});

/**
 * Values composition. The first table is Flux's TestChartValuesFromReferences
 * (fluxcd/pkg chartutil/values_test.go); the "aliasing" rows were checked against Flux's MergeMaps
 * and Helm's strvals run together in Go.
 */
import { describe, expect, it } from "vitest";
import {
  composeValues,
  type ValuesReference,
  ValuesReferenceError,
  type ValuesSourceKind,
  valuesSources,
} from "../../src/helm/values.js";
import type { Values } from "../../src/helm/values-map.js";

type Objects = Partial<Record<`${ValuesSourceKind}/${string}`, Record<string, string>>>;

function compose(objects: Objects, valuesFrom: ValuesReference[], values?: Values): Values {
  return composeValues({
    namespace: "apps",
    valuesFrom,
    values,
    lookup: (kind, name) => objects[`${kind}/${name}`],
  });
}

const yamlFile =
  'server:\n  port: 8080\nmanagement:\n  endpoints:\n    web:\n      exposure:\n        include: [ "prometheus", "health" ]\n';
const hocon = 'kafka {\n  bootstrap = "b-1:9098,b-2:9098"\n  group = "my.service"\n}\n';
const brokers = "kafka01.net:9092,kafka02.net:9092,kafka03.net:9092";

const cases: [string, Objects, ValuesReference[], Values | undefined, Values][] = [
  [
    "merges",
    {
      "ConfigMap/values": { "values.yaml": "flat: value\nnested:\n  configuration: value\n" },
      "Secret/values": { "values.yaml": "flat:\n  nested: value\nnested: value\n" },
    },
    [
      { kind: "ConfigMap", name: "values" },
      { kind: "Secret", name: "values" },
    ],
    { other: "values" },
    { flat: { nested: "value" }, nested: "value", other: "values" },
  ],
  [
    "with target path",
    { "Secret/values": { single: "value" } },
    [{ kind: "Secret", name: "values", valuesKey: "single", targetPath: "merge.at.specific.path" }],
    undefined,
    { merge: { at: { specific: { path: "value" } } } },
  ],
  [
    "target path precedence over all",
    {
      "ConfigMap/values": {
        "values.yaml": "flat: value\nnested:\n  configuration:\n  - one\n  - two\n  - three\n",
      },
      "Secret/values": { key: "value" },
    },
    [
      { kind: "Secret", name: "values", valuesKey: "key", targetPath: "nested.configuration[0]" },
      { kind: "ConfigMap", name: "values" },
    ],
    { nested: { configuration: ["list", "item", "option"] } },
    { flat: "value", nested: { configuration: ["value", "item", "option"] } },
  ],
  [
    "target path for string type array item",
    {
      "ConfigMap/values": {
        "values.yaml": "flat: value\nnested:\n  configuration:\n  - list\n  - item\n  - option\n",
      },
      "Secret/values": { "values.yaml": "foo" },
    },
    [
      { kind: "ConfigMap", name: "values" },
      { kind: "Secret", name: "values", targetPath: "nested.configuration[1]" },
    ],
    { other: "values" },
    { flat: "value", nested: { configuration: ["list", "foo", "option"] }, other: "values" },
  ],
  [
    "optional values reference to non existing secret",
    {},
    [{ kind: "Secret", name: "missing", optional: true }],
    undefined,
    {},
  ],
  [
    "optional values reference to non existing config map",
    {},
    [{ kind: "ConfigMap", name: "missing", optional: true }],
    undefined,
    {},
  ],
  [
    "literal target path preserves helm-set metacharacters",
    { "ConfigMap/values": { "application.yml": yamlFile } },
    [
      {
        kind: "ConfigMap",
        name: "values",
        valuesKey: "application.yml",
        targetPath: "externalConfig.application\\.yml.content",
        literal: true,
      },
    ],
    undefined,
    { externalConfig: { "application.yml": { content: yamlFile } } },
  ],
  [
    "literal target path preserves multi-line HOCON with equals and braces",
    { "Secret/values": { "application.conf": hocon } },
    [
      {
        kind: "Secret",
        name: "values",
        valuesKey: "application.conf",
        targetPath: "externalConfig.application\\.conf.content",
        literal: true,
      },
    ],
    undefined,
    { externalConfig: { "application.conf": { content: hocon } } },
  ],
  [
    "literal flag without targetPath is ignored (root YAML merge)",
    { "ConfigMap/values": { "values.yaml": "flat: value\n" } },
    [{ kind: "ConfigMap", name: "values", literal: true }],
    undefined,
    { flat: "value" },
  ],
  [
    "flux2#2625 literal: comma-separated brokers preserved verbatim",
    { "Secret/kafka": { brokers } },
    [{ kind: "Secret", name: "kafka", valuesKey: "brokers", targetPath: "kafka.brokers", literal: true }],
    undefined,
    { kafka: { brokers } },
  ],
  // Our own rows.
  [
    "aliasing: an earlier document on the path lets inline values win over the target path",
    { "ConfigMap/base": { "values.yaml": "a:\n  c: 2\n" }, "Secret/s": { b: "5" } },
    [
      { kind: "ConfigMap", name: "base" },
      { kind: "Secret", name: "s", valuesKey: "b", targetPath: "a.b" },
    ],
    { a: { b: 1 } },
    { a: { b: 1, c: 2 } },
  ],
  [
    "aliasing: without one, the target path wins",
    { "Secret/s": { b: "5" } },
    [{ kind: "Secret", name: "s", valuesKey: "b", targetPath: "a.b" }],
    { a: { b: 1 } },
    { a: { b: 5 } },
  ],
  [
    "aliasing: growing an inline list makes a copy, so the inline list wins",
    { "Secret/s": { v: "5" } },
    [{ kind: "Secret", name: "s", valuesKey: "v", targetPath: "a[2]" }],
    { a: [1] },
    { a: [1] },
  ],
  [
    "typed and quoted target path values",
    { "Secret/s": { int: "42", quoted: "'42'", flag: "TRUE", empty: "" } },
    [
      { kind: "Secret", name: "s", valuesKey: "int", targetPath: "a" },
      { kind: "Secret", name: "s", valuesKey: "quoted", targetPath: "b" },
      { kind: "Secret", name: "s", valuesKey: "flag", targetPath: "c" },
      { kind: "Secret", name: "s", valuesKey: "empty", targetPath: "d" },
    ],
    undefined,
    { a: 42, b: "42", c: true, d: "" },
  ],
  [
    "later documents replace lists and scalars; optional missing key is skipped",
    {
      "ConfigMap/a": { "values.yaml": "list: [1, 2]\nmap: {x: 1}\n" },
      "ConfigMap/b": { "values.yaml": "list: [3]\nmap: {z: 2}\n" },
    },
    [
      { kind: "ConfigMap", name: "a" },
      { kind: "ConfigMap", name: "b" },
      { kind: "ConfigMap", name: "b", valuesKey: "absent.yaml", optional: true },
    ],
    { map: { x: 9 } },
    { list: [3], map: { x: 9, z: 2 } },
  ],
];

describe("composeValues (Flux's ChartValuesFromReferences)", () => {
  it.each(cases)("%s", (_name, objects, valuesFrom, values, want) => {
    expect(compose(objects, valuesFrom, values)).toEqual(want);
  });

  it("does not modify the inline values it is given", () => {
    const values = { nested: { configuration: ["list"] } };
    compose(
      { "Secret/s": { k: "v" } },
      [{ kind: "Secret", name: "s", valuesKey: "k", targetPath: "nested.configuration[0]" }],
      values,
    );
    expect(values).toEqual({ nested: { configuration: ["list"] } });
  });

  it("reads each object once", () => {
    const reads: string[] = [];
    composeValues({
      namespace: "apps",
      valuesFrom: [
        { kind: "ConfigMap", name: "a" },
        { kind: "ConfigMap", name: "a", valuesKey: "more.yaml" },
      ],
      lookup: (kind, name) => {
        reads.push(`${kind}/${name}`);
        return { "values.yaml": "x: 1", "more.yaml": "y: 2" };
      },
    });
    expect(reads).toEqual(["ConfigMap/a"]);
  });
});

describe("composeValues errors", () => {
  it.each<[string, Objects, ValuesReference, string, string]>([
    [
      "values reference to non existing secret",
      {},
      { kind: "Secret", name: "missing" },
      "resource not found",
      `could not resolve Secret chart values reference 'apps/missing' with key 'values.yaml': secrets "missing" not found`,
    ],
    [
      "values reference to non existing config map",
      {},
      { kind: "ConfigMap", name: "missing" },
      "resource not found",
      `could not resolve ConfigMap chart values reference 'apps/missing' with key 'values.yaml': configmaps "missing" not found`,
    ],
    [
      "missing secret key",
      { "Secret/values": {} },
      { kind: "Secret", name: "values", valuesKey: "nonexisting" },
      "key not found",
      "could not resolve Secret chart values reference 'apps/values' with key 'nonexisting': key not found",
    ],
    [
      "missing config map key",
      { "ConfigMap/values": {} },
      { kind: "ConfigMap", name: "values", valuesKey: "nonexisting" },
      "key not found",
      "could not resolve ConfigMap chart values reference 'apps/values' with key 'nonexisting': key not found",
    ],
    [
      "unsupported values reference kind",
      {},
      { kind: "Unsupported", name: "" },
      "unsupported values reference kind",
      "could not resolve Unsupported chart values reference 'apps/' with key 'values.yaml': unsupported values reference kind",
    ],
    [
      "invalid values, even when optional",
      { "ConfigMap/values": { "values.yaml": "\ninvalid" } },
      { kind: "ConfigMap", name: "values", optional: true },
      "failed to read values data",
      "could not resolve optional ConfigMap chart values reference 'apps/values' with key 'values.yaml': cannot read a string as a values map",
    ],
    [
      "non-literal target path mangles value with commas",
      { "ConfigMap/values": { "application.yml": "endpoints: [a,b,c]" } },
      {
        kind: "ConfigMap",
        name: "values",
        valuesKey: "application.yml",
        targetPath: "externalConfig.application\\.yml.content",
      },
      "failed to merge value",
      `could not resolve ConfigMap chart values reference 'apps/values' with key 'application.yml': target path "externalConfig.application\\\\.yml.content": key "b" has no value (cannot end with ,)`,
    ],
    [
      "flux2#2625 non-literal: comma-separated brokers fail to merge",
      { "Secret/kafka": { brokers } },
      { kind: "Secret", name: "kafka", valuesKey: "brokers", targetPath: "kafka.brokers" },
      "failed to merge value",
      `could not resolve Secret chart values reference 'apps/kafka' with key 'brokers': target path "kafka.brokers": key "net:9092" has no value (cannot end with ,)`,
    ],
  ])("%s", (_name, objects, reference, reason, message) => {
    let error: unknown;
    try {
      compose(objects, [reference]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValuesReferenceError);
    expect((error as ValuesReferenceError).reason).toBe(reason);
    expect((error as Error).message).toBe(message);
  });

  it("lets lookup failures other than not-found through", () => {
    const failure = new Error("forbidden");
    expect(() =>
      composeValues({
        namespace: "apps",
        valuesFrom: [{ kind: "Secret", name: "s", optional: true }],
        lookup: () => {
          throw failure;
        },
      }),
    ).toThrow(failure);
  });
});

describe("valuesSources", () => {
  it.each<[string, ValuesReference[], { kind: string; name: string }[]]>([
    ["none", [], []],
    [
      "once each, in order, supported kinds only",
      [
        { kind: "Secret", name: "b" },
        { kind: "ConfigMap", name: "a" },
        { kind: "Secret", name: "b", valuesKey: "other" },
        { kind: "ConfigMap", name: "b" },
        { kind: "Unsupported", name: "c" },
      ],
      [
        { kind: "Secret", name: "b" },
        { kind: "ConfigMap", name: "a" },
        { kind: "ConfigMap", name: "b" },
      ],
    ],
  ])("%s", (_name, valuesFrom, want) => {
    expect(valuesSources(valuesFrom)).toEqual(want);
  });
});

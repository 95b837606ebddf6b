import { describe, expect, it } from "vitest";
import { parseChartIndex } from "../../../src/helm/chart-source/index.js";

const source = "https://charts.example.com/index.yaml";

const helmIndex = `apiVersion: v1
entries:
  hello:
  - apiVersion: v2
    appVersion: 1.0.0
    created: "2016-10-06T16:23:20.499814565-06:00"
    description: A small chart
    digest: 99c76e403d752c84ead610644d4b1c2f2b453a74b921f422b9dcb8a7c8b559cd
    name: hello
    type: application
    urls:
    - hello-0.2.0.tgz
    version: 0.2.0
  - name: hello
    version: 0.1.0
    urls:
    - https://example.com/hello-0.1.0.tgz
  - null
  - name: hello
    urls: [hello-nover.tgz]
  - version: 0.0.9
    urls: [hello-noname.tgz]
  empty: []
generated: "2016-10-06T16:23:20.499029981-06:00"
serverInfo: {}
`;

describe("parseChartIndex", () => {
  it("reads a Helm index, dropping entries without a name or version", () => {
    const index = parseChartIndex(helmIndex, source);
    expect(index.apiVersion).toBe("v1");
    expect(index.source).toBe(source);
    expect([...index.entries.keys()]).toEqual(["hello", "empty"]);
    expect(index.entries.get("hello")).toEqual([
      {
        name: "hello",
        version: "0.2.0",
        urls: ["hello-0.2.0.tgz"],
        digest: "99c76e403d752c84ead610644d4b1c2f2b453a74b921f422b9dcb8a7c8b559cd",
        created: Date.parse("2016-10-06T22:23:20.499Z"),
        appVersion: "1.0.0",
      },
      { name: "hello", version: "0.1.0", urls: ["https://example.com/hello-0.1.0.tgz"] },
    ]);
    expect(index.entries.get("empty")).toEqual([]);
  });

  it("reads the JSON form", () => {
    const json = JSON.stringify({
      apiVersion: "v1",
      entries: {
        app: [{ name: "app", version: "1.0.0", urls: ["app-1.0.0.tgz"], created: "2024-05-01T12:00:00Z" }],
      },
    });
    expect(parseChartIndex(json, source).entries.get("app")?.[0]).toMatchObject({
      version: "1.0.0",
      created: Date.parse("2024-05-01T12:00:00Z"),
    });
  });

  it("an index without entries has no charts", () => {
    expect(parseChartIndex("apiVersion: v1\n", source).entries.size).toBe(0);
  });

  it.each<[string, string, RegExp]>([
    ["empty", "  \n", /it is empty/],
    ["not YAML", "apiVersion: v1\nentries: [\n", /it is not YAML or JSON/],
    ["a list", "- a\n- b\n", /it is not a map with apiVersion and entries/],
    ["no apiVersion", "entries: {}\n", /it has no apiVersion/],
    ["entries a list", "apiVersion: v1\nentries: [a]\n", /entries: /],
    ["versions not a list", "apiVersion: v1\nentries:\n  app: {version: 1.0.0}\n", /entries\.app: /],
    [
      "urls not a list",
      "apiVersion: v1\nentries:\n  app:\n  - {name: app, version: 1.0.0, urls: x.tgz}\n",
      /entries\.app\[0\]\.urls: /,
    ],
    [
      "a numeric version",
      "apiVersion: v1\nentries:\n  app:\n  - {name: app, version: 1.0}\n",
      /entries\.app\[0\]\.version: /,
    ],
    [
      "a created that is not RFC 3339",
      "apiVersion: v1\nentries:\n  app:\n  - {name: app, version: 1.0.0, created: '2024-05-01'}\n",
      /entries\.app\[0\]\.created: not an RFC 3339 time/,
    ],
    ["a duplicate key", "apiVersion: v1\napiVersion: v2\n", /it is not YAML or JSON/],
  ])("refuses %s, naming the source", (_name, text, problem) => {
    let error: unknown;
    try {
      parseChartIndex(text, source);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ name: "ChartSourceError", reason: "bad-index", source });
    expect((error as Error).message).toMatch(
      /^cannot read the Helm repository index from https:\/\/charts\.example\.com\/index\.yaml: /,
    );
    expect((error as Error).message).toMatch(problem);
  });
});

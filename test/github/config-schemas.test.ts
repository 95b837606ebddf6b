/** The JSON Schemas under docs/schemas/ are what scripts/write-schemas.ts writes now; docs/config.md's examples are valid. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseOperatorConfig } from "../../src/github/config/operator.js";
import { formatProblem } from "../../src/github/config/problems.js";
import { parseRepositoryConfig } from "../../src/github/config/repository.js";
import { formatJson, schemaBaseUrl, schemaFiles } from "../../src/github/config/schemas.js";

const root = join(import.meta.dirname, "..", "..");

describe("published JSON Schemas", () => {
  const files = schemaFiles();

  it("are the repository and operator schemas", () => {
    expect(files.map((f) => f.path)).toEqual([
      "docs/schemas/ferry.schema.json",
      "docs/schemas/ferry-operator.schema.json",
    ]);
  });

  it.each(files.map((f) => [f.path, f] as const))(
    "%s on disk is what `npx tsx scripts/write-schemas.ts` writes now",
    async (path, file) => {
      const onDisk = await readFile(join(root, path), "utf8").catch(() => "(missing)");
      // Compared as data so a reformat does not fail it; the text check below keeps the printer honest.
      expect(
        JSON.parse(onDisk === "(missing)" ? "null" : onDisk),
        "run: npx tsx scripts/write-schemas.ts",
      ).toEqual(file.schema);
      expect(onDisk).toBe(formatJson(file.schema));
    },
  );

  it.each(files.map((f) => [f.path, f.schema] as const))(
    "%s has $id, title, description, draft-07 and refuses unknown keys",
    (path, schema) => {
      expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
      expect(schema.$id).toBe(`${schemaBaseUrl}${path.split("/").pop()}`);
      expect(schema.title).toMatch(/^Ferry /);
      expect(schema.description).toEqual(expect.any(String));
      expect(schema.additionalProperties).toBe(false);
    },
  );

  it("describes every key of the repository file with its default", () => {
    const [repository] = files;
    const sync = (repository.schema.properties as Record<string, { items: { properties: object } }>).sync;
    const target = sync.items.properties as Record<string, { description?: string; default?: unknown }>;
    expect(Object.keys(target)).toEqual([
      "cluster",
      "path",
      "branch",
      "prune",
      "wait",
      "timeout",
      "interval",
    ]);
    for (const [key, property] of Object.entries(target)) {
      expect(property.description, key).toEqual(expect.any(String));
    }
    expect([
      target.prune.default,
      target.wait.default,
      target.timeout.default,
      target.interval.default,
    ]).toEqual([true, true, "5m", "10m"]);
  });

  it("writes the operator's kubeconfig-or-inCluster rule for editors", () => {
    const operator = files[1].schema as {
      properties: { clusters: { additionalProperties: { oneOf?: unknown[]; required?: string[] } } };
    };
    const cluster = operator.properties.clusters.additionalProperties;
    expect(cluster.required).toEqual(["repositories"]);
    expect(cluster.oneOf).toHaveLength(2);
  });
});

describe("docs/config.md", () => {
  const examples = async (firstLine: string) => {
    const text = await readFile(join(root, "docs", "config.md"), "utf8");
    return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => m[1])
      .filter((block) => block.startsWith(firstLine));
  };

  it("its .github/ferry.yml example is valid", async () => {
    const [example] = await examples("# .github/ferry.yml");
    expect(example).toBeDefined();
    const result = parseRepositoryConfig(example);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    expect(result.ok && result.config.sync.map((t) => [t.cluster, t.interval])).toEqual([
      ["production", 600_000],
      ["staging", 0],
    ]);
  });

  it("its operator file example is valid", async () => {
    const [example] = await examples("# ferry.config.yaml");
    expect(example).toBeDefined();
    const result = parseOperatorConfig(example, "/etc/ferry/ferry.config.yaml");
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    expect(result.ok && Object.keys(result.config.clusters)).toEqual(["production", "staging"]);
  });

  it("names the published schemas in its editor modelines", async () => {
    const text = await readFile(join(root, "docs", "config.md"), "utf8");
    for (const { path } of schemaFiles()) {
      expect(text).toContain(`# yaml-language-server: $schema=${schemaBaseUrl}${path.split("/").pop()}`);
    }
  });
});

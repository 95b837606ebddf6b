/**
 * The JSON Schemas of the two configuration files, made from the zod schemas (which stay the
 * truth) for editors: `# yaml-language-server: $schema=<url>` at the top of a file gives
 * completion, descriptions and checks. `scripts/write-schemas.ts` writes them under
 * docs/schemas/; a test keeps the files on disk equal to what it would write.
 */
import { z } from "zod";
import { operatorConfigSchema } from "./operator.js";
import { repositoryConfigSchema } from "./repository.js";

/** Where the schemas are published (the repository's docs/schemas/ on its main branch). */
export const schemaBaseUrl = "https://raw.githubusercontent.com/ferry-gitops/ferry/main/docs/schemas/";

export interface SchemaFile {
  /** Relative to the repository root. */
  path: string;
  schema: Record<string, unknown>;
}

type JsonSchema = Record<string, unknown>;

/**
 * The cluster's "exactly one of kubeconfig and inCluster: true" rule, which zod checks in a
 * refinement, written out for editors.
 */
const clusterReach: JsonSchema = {
  oneOf: [
    {
      required: ["kubeconfig"],
      properties: { inCluster: { const: false } },
    },
    {
      required: ["inCluster"],
      properties: { inCluster: { const: true } },
      not: { anyOf: [{ required: ["kubeconfig"] }, { required: ["context"] }] },
    },
  ],
};

function toJsonSchema(
  schema: z.ZodType,
  name: string,
  title: string,
  description: string,
  override?: (path: readonly (string | number)[], json: JsonSchema) => void,
): SchemaFile {
  const generated = z.toJSONSchema(schema, {
    target: "draft-07",
    io: "input",
    override: override ? (ctx) => override(ctx.path, ctx.jsonSchema as JsonSchema) : undefined,
  }) as JsonSchema;
  const { $schema, description: _generated, ...rest } = generated;
  return {
    path: `docs/schemas/${name}`,
    schema: { $schema, $id: `${schemaBaseUrl}${name}`, title, description, ...rest },
  };
}

/** The schema files, in the order written. */
export function schemaFiles(): SchemaFile[] {
  return [
    toJsonSchema(
      repositoryConfigSchema,
      "ferry.schema.json",
      "Ferry repository configuration (.github/ferry.yml)",
      "Which paths of this repository Ferry syncs to which clusters, and how. See docs/config.md.",
    ),
    toJsonSchema(
      operatorConfigSchema,
      "ferry-operator.schema.json",
      "Ferry operator configuration (FERRY_CONFIG)",
      "The clusters Ferry may write to, how to reach them, and who may deploy there. See docs/config.md.",
      (path, json) => {
        // clusters.<name>: the object under the record's additionalProperties.
        const [properties, clusters, each, ...rest] = path;
        if (
          properties === "properties" &&
          clusters === "clusters" &&
          each === "additionalProperties" &&
          !rest.length
        ) {
          Object.assign(json, clusterReach);
        }
      },
    ),
  ];
}

/**
 * JSON as Biome formats it (2 spaces, width 110): objects one key per line, lists of plain values
 * on one line when they fit.
 */
export function formatJson(value: unknown): string {
  return `${print(value, "", "", false)}\n`;
}

const width = 110;

function print(value: unknown, indent: string, prefix: string, comma: boolean): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const flat = value.every((v) => v === null || typeof v !== "object");
    const inline = `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    if (flat && indent.length + prefix.length + inline.length + (comma ? 1 : 0) <= width) return inline;
    const inner = `${indent}  `;
    const items = value.map((v, i) => `${inner}${print(v, inner, "", i < value.length - 1)}`);
    return `[\n${items.join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const inner = `${indent}  `;
    const items = entries.map(([k, v], i) => {
      const key = `${JSON.stringify(k)}: `;
      return `${inner}${key}${print(v, inner, key, i < entries.length - 1)}`;
    });
    return `{\n${items.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}

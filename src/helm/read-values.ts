import { parseAllDocuments, type Tags } from "yaml";
import { isValuesMap, type Values } from "./values-map.js";

/**
 * Helm's `ReadValues`: a YAML document as a values map; empty or null input is an empty map.
 * Helm decodes YAML 1.1 (go-yaml v2, so `yes`/`on` are booleans and `0777` is octal) through
 * JSON, which leaves timestamps as strings, has no sexagesimal numbers and rejects infinities.
 * Only the first document counts, and a repeated key keeps its last value.
 */
export function readValues(data: string): Values {
  const [document] = parseAllDocuments(data, {
    version: "1.1",
    uniqueKeys: false,
    customTags: goYamlTags,
  });
  if (document === undefined) return {};
  if (document.errors.length > 0) throw new Error(document.errors[0].message);
  const values: unknown = document.toJS({ maxAliasCount: -1 });
  if (values === null || values === undefined) return {};
  if (!isValuesMap(values)) throw new Error(`cannot read ${describe(values)} as a values map`);
  assertFinite(values);
  return values;
}

function goYamlTags(tags: Tags): Tags {
  return tags.filter((tag) => {
    const { tag: name, format } = tag as { tag: string; format?: string };
    return name !== "tag:yaml.org,2002:timestamp" && format !== "TIME";
  });
}

function assertFinite(value: unknown): void {
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new Error(`unsupported value: ${value} (values must be JSON)`);
  }
  if (Array.isArray(value)) value.forEach(assertFinite);
  else if (isValuesMap(value)) Object.values(value).forEach(assertFinite);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? "a list" : `a ${typeof value}`;
}

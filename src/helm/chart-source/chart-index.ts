/**
 * A Helm chart repository's `index.yaml` (or its JSON form), as Helm's `repo.IndexFile` loads it:
 * an `apiVersion` is required, every entry's fields must have the right types, and entries Helm's
 * validation would drop (no name, no version) are left out. Entries keep the index's order.
 */
import { parse } from "yaml";
import { z } from "zod";
import { ChartSourceError } from "./errors.js";

/** One version of a chart as the index lists it. */
export interface ChartVersion {
  readonly name: string;
  /** As written in the index: `1.2.3`, `v1.2.3`, `1.2.3+build`, or anything else the index holds. */
  readonly version: string;
  /** Where the archive can be downloaded; relative ones are relative to the repository URL. */
  readonly urls: readonly string[];
  /** The archive's sha256 as the index has it (hex, sometimes `sha256:`-prefixed); absent when empty. */
  readonly digest?: string;
  /** `created` in milliseconds since the epoch; absent when the index has none. */
  readonly created?: number;
  readonly appVersion?: string;
}

/** A parsed index: chart name → versions, in the index's order. */
export interface ChartIndex {
  /** Where the index came from, for messages: a URL or a file name. */
  readonly source: string;
  readonly apiVersion: string;
  readonly entries: ReadonlyMap<string, readonly ChartVersion[]>;
}

/** RFC 3339 as Go's `time.Time` JSON decoding accepts it. */
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const entrySchema = z.looseObject({
  name: z.string().nullish(),
  version: z.string().nullish(),
  urls: z.array(z.string()).nullish(),
  digest: z.string().nullish(),
  created: z
    .string()
    .refine((text) => rfc3339.test(text) && !Number.isNaN(Date.parse(text)), {
      message: "not an RFC 3339 time such as 2024-05-01T12:00:00Z",
    })
    .nullish(),
  appVersion: z.string().nullish(),
});

const indexSchema = z.looseObject({
  apiVersion: z.string().nullish(),
  entries: z.record(z.string(), z.array(entrySchema.nullable()).nullable()).nullish(),
});

/**
 * Parses an index; throws a ChartSourceError (`bad-index`) naming `source` and the field at fault
 * when the text is not an index.
 */
export function parseChartIndex(text: string, source: string): ChartIndex {
  if (text.trim() === "") throw indexError(source, "it is empty");
  let document: unknown;
  try {
    document = parse(text, { maxAliasCount: 1000, logLevel: "error" });
  } catch (error) {
    throw indexError(source, `it is not YAML or JSON (${firstLine(error)})`, error);
  }
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw indexError(source, "it is not a map with apiVersion and entries");
  }
  const parsed = indexSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw indexError(source, `${formatPath(issue.path)}: ${issue.message}`);
  }
  const { apiVersion, entries } = parsed.data;
  if (!apiVersion) throw indexError(source, "it has no apiVersion (a Helm index has `apiVersion: v1`)");

  const byName = new Map<string, ChartVersion[]>();
  for (const [name, list] of Object.entries(entries ?? {})) {
    const versions: ChartVersion[] = [];
    for (const entry of list ?? []) {
      // Helm drops entries that fail chart validation; a name and a version are what resolution needs.
      if (!entry?.name || !entry.version) continue;
      versions.push({
        name: entry.name,
        version: entry.version,
        urls: entry.urls ?? [],
        ...(entry.digest ? { digest: entry.digest } : {}),
        ...(entry.created ? { created: Date.parse(entry.created) } : {}),
        ...(entry.appVersion ? { appVersion: entry.appVersion } : {}),
      });
    }
    byName.set(name, versions);
  }
  return { source, apiVersion, entries: byName };
}

function indexError(source: string, problem: string, cause?: unknown): ChartSourceError {
  return new ChartSourceError(
    `cannot read the Helm repository index from ${source}: ${problem}`,
    "bad-index",
    source,
    undefined,
    cause === undefined ? undefined : { cause },
  );
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "the top level";
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`))
    .join("");
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

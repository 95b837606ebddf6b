import { readValues } from "./read-values.js";
import { replacePathLiteralValue, replacePathValue } from "./set-path.js";
import { hasKey, mergeMaps, type Values } from "./values-map.js";

export const DEFAULT_VALUES_KEY = "values.yaml";

/** One `spec.valuesFrom[]` entry of a HelmRelease. */
export interface ValuesReference {
  kind: string;
  name: string;
  valuesKey?: string;
  targetPath?: string;
  optional?: boolean;
  literal?: boolean;
}

export type ValuesSourceKind = "ConfigMap" | "Secret";

/**
 * The data of a ConfigMap, or of a Secret with its values decoded from base64 as UTF-8;
 * undefined when the object does not exist. Other failures to read it should be thrown.
 */
export type ValuesSourceLookup = (
  kind: ValuesSourceKind,
  name: string,
) => Readonly<Record<string, string>> | undefined;

export type ValuesReferenceReason =
  | "resource not found"
  | "key not found"
  | "unsupported values reference kind"
  | "failed to read values data"
  | "failed to merge value";

/** Flux's `ErrValuesReference`, with the same message. */
export class ValuesReferenceError extends Error {
  constructor(
    readonly reason: ValuesReferenceReason,
    readonly reference: ValuesReference,
    readonly namespace: string,
    detail?: string,
  ) {
    const optional = reference.optional ? " optional" : "";
    const kind = reference.kind ? ` ${reference.kind}` : "";
    super(
      `could not resolve${optional}${kind} chart values reference '${namespace}/${reference.name}' ` +
        `with key '${valuesKey(reference)}': ${detail ?? reason}`,
    );
    this.name = "ValuesReferenceError";
  }
}

export interface ComposeValuesInput {
  /** The HelmRelease's namespace, where the referenced objects live. */
  namespace: string;
  valuesFrom?: readonly ValuesReference[];
  /** Inline `spec.values`; not modified. */
  values?: Values | null;
  lookup: ValuesSourceLookup;
}

export function valuesKey(reference: ValuesReference): string {
  return reference.valuesKey || DEFAULT_VALUES_KEY;
}

/** The objects `valuesFrom` reads, once each and in order, so a caller can fetch them up front. */
export function valuesSources(
  valuesFrom: readonly ValuesReference[],
): { kind: ValuesSourceKind; name: string }[] {
  const seen = new Set<string>();
  const sources: { kind: ValuesSourceKind; name: string }[] = [];
  for (const { kind, name } of valuesFrom) {
    if (!isSourceKind(kind) || seen.has(`${kind}/${name}`)) continue;
    seen.add(`${kind}/${name}`);
    sources.push({ kind, name });
  }
  return sources;
}

/**
 * Flux's `ChartValuesFromReferences`. Each reference in order: a document is deep-merged into the
 * result; a `targetPath` value is first preceded by merging the inline values in, then set at its
 * path. The inline values are merged last. A `targetPath` value survives that last merge because
 * the set writes into maps and lists shared with the inline values (as Go's do), except where an
 * earlier document had already forced a fresh copy of the map on that path; this reproduces both.
 * `optional` skips only a missing object or key; each object is read once, like Flux.
 */
export function composeValues(input: ComposeValuesInput): Values {
  // Our own copy: the targetPath sets below write through into it, as in Flux.
  const inline = input.values ? structuredClone(input.values) : undefined;
  const read = memoize(input.lookup);
  let result: Values = {};
  for (const reference of input.valuesFrom ?? []) {
    const fail = (reason: ValuesReferenceReason, detail?: string) =>
      new ValuesReferenceError(reason, reference, input.namespace, detail);
    if (!isSourceKind(reference.kind)) throw fail("unsupported values reference kind");
    const data = read(reference.kind, reference.name);
    if (data === undefined) {
      if (reference.optional) continue;
      throw fail("resource not found", `${reference.kind.toLowerCase()}s "${reference.name}" not found`);
    }
    const key = valuesKey(reference);
    if (!hasKey(data, key)) {
      if (reference.optional) continue;
      throw fail("key not found");
    }
    if (reference.targetPath) {
      result = mergeMaps(result, inline);
      const replace = reference.literal ? replacePathLiteralValue : replacePathValue;
      try {
        replace(result, reference.targetPath, data[key]);
      } catch (error) {
        throw fail("failed to merge value", (error as Error).message);
      }
      continue;
    }
    let document: Values;
    try {
      document = readValues(data[key]);
    } catch (error) {
      throw fail("failed to read values data", (error as Error).message);
    }
    result = mergeMaps(result, document);
  }
  return mergeMaps(result, inline);
}

function isSourceKind(kind: string): kind is ValuesSourceKind {
  return kind === "ConfigMap" || kind === "Secret";
}

function memoize(lookup: ValuesSourceLookup): ValuesSourceLookup {
  const cache = new Map<string, ReturnType<ValuesSourceLookup>>();
  return (kind, name) => {
    const id = `${kind}/${name}`;
    if (!cache.has(id)) cache.set(id, lookup(kind, name));
    return cache.get(id);
  };
}

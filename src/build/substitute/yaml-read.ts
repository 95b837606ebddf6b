// Reads the substituted text back the way Flux does (sigs.k8s.io/yaml's YAMLToJSON over go-yaml
// v2): plain scalars typed by go-yaml's YAML 1.1 rules (so `replicas: ${n}` gives a number and
// `enabled: ${flag}` with flag=yes a boolean), quoted and block scalars stay strings, explicit
// tags honoured, duplicate keys resolved last-wins, `<<` merges applied in go-yaml's order, and
// non-string keys turned into strings as YAMLToJSON does. The first document is the result.

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  parseAllDocuments,
  type Scalar,
  type YAMLMap,
} from "yaml";
import { SubstitutionError } from "./errors.js";
import { formatGoFloat, type Resolved, resolvePlain } from "./yaml-scalar.js";

const TAG = "tag:yaml.org,2002:";
const RESOLVABLE = new Map<string, "bool" | "int" | "float" | "null" | "timestamp">([
  [`${TAG}bool`, "bool"],
  [`${TAG}int`, "int"],
  [`${TAG}float`, "float"],
  [`${TAG}null`, "null"],
  [`${TAG}timestamp`, "timestamp"],
]);

class Reader {
  private readonly visiting = new Set<Node>();

  constructor(
    private readonly doc: Document.Parsed,
    private readonly subject: string,
  ) {}

  fail(message: string): never {
    throw new SubstitutionError(`after substitution, ${this.subject} ${message}`);
  }

  private deref(node: unknown): unknown {
    if (!isAlias(node)) return node;
    const target = node.resolve(this.doc);
    if (!target) this.fail(`refers to an unknown anchor '${node.source}'`);
    return target;
  }

  value(input: unknown): unknown {
    const node = this.deref(input);
    if (node === null || node === undefined) return null;
    if (isScalar(node)) return this.scalarValue(node);
    if (!isMap(node) && !isSeq(node)) return null;
    if (this.visiting.has(node)) this.fail("has an anchor whose value contains itself");
    this.visiting.add(node);
    try {
      if (isSeq(node)) return node.items.map((item) => this.value(item));
      return this.fill({}, node);
    } finally {
      this.visiting.delete(node);
    }
  }

  /** What go-yaml makes of a scalar, with its type. */
  private resolve(node: Scalar): Resolved {
    const text = node.value === null || node.value === undefined ? "" : String(node.value);
    const tag = node.tag;
    if (!tag) return node.type === "PLAIN" ? resolvePlain(text) : { tag: "str", value: text };
    if (tag === `${TAG}binary`) {
      const compact = text.replace(/[\r\n]/g, "");
      if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
        this.fail("has a !!binary value that is not valid base64");
      }
      return { tag: "str", value: Buffer.from(compact, "base64").toString("utf8") };
    }
    const wanted = RESOLVABLE.get(tag);
    if (wanted === undefined) return { tag: "str", value: text };
    const resolved = resolvePlain(text, wanted);
    const got = resolved.tag === "uint" ? "int" : resolved.tag;
    if (got === wanted) return resolved;
    if (wanted === "float" && got === "int")
      return { tag: "float", value: Number((resolved as { value: bigint }).value) };
    if (wanted === "timestamp" && got === "str") return resolved;
    return this.fail(`cannot decode !!${got} \`${text}\` as a !!${wanted}`);
  }

  private scalarValue(node: Scalar): unknown {
    const resolved = this.resolve(node);
    switch (resolved.tag) {
      case "null":
        return null;
      case "bool":
        return resolved.value;
      case "int":
      case "uint":
        return Number(resolved.value);
      case "float":
        if (!Number.isFinite(resolved.value)) {
          this.fail(
            `has the number ${formatGoFloat(resolved.value)}, which JSON cannot hold (json: unsupported value)`,
          );
        }
        return resolved.value;
      default:
        return resolved.value;
    }
  }

  /** A map key as YAMLToJSON writes it into JSON. */
  private key(input: unknown): string {
    const node = this.deref(input);
    if (node === null || node === undefined) this.fail("has a null map key, which JSON cannot hold");
    if (!isScalar(node)) this.fail("has a map key that is a map or a list, which JSON cannot hold");
    const resolved = this.resolve(node);
    switch (resolved.tag) {
      case "null":
        return this.fail("has a null map key, which JSON cannot hold");
      case "bool":
        return String(resolved.value);
      case "int":
        return resolved.value.toString();
      case "uint":
        return this.fail(
          `has the map key ${resolved.value}, of a type JSON conversion does not support (uint64)`,
        );
      case "float":
        return formatGoFloat(resolved.value, 32);
      default:
        return resolved.value;
    }
  }

  private isMergeKey(input: unknown): boolean {
    if (!isScalar(input) || input.value !== "<<") return false;
    return input.tag ? input.tag === `${TAG}merge` : input.type === "PLAIN";
  }

  private fill(target: Record<string, unknown>, map: YAMLMap): Record<string, unknown> {
    for (const pair of map.items) {
      if (this.isMergeKey(pair.key)) {
        this.merge(target, pair.value);
        continue;
      }
      const key = this.key(pair.key);
      const value = this.value(pair.value);
      if (key === "__proto__") {
        Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        target[key] = value;
      }
    }
    return target;
  }

  // go-yaml merges in place, so keys written before `<<` are overwritten by it and keys after it win.
  private merge(target: Record<string, unknown>, input: unknown): void {
    const node = this.deref(input);
    const mergeable = (item: unknown): YAMLMap => {
      const map = this.deref(item);
      if (!isMap(map)) return this.fail("has a map merge (<<) whose value is not a map or a list of maps");
      return map;
    };
    if (isSeq(node)) {
      for (const item of [...node.items].reverse()) this.fillGuarded(target, mergeable(item));
    } else {
      this.fillGuarded(target, mergeable(node));
    }
  }

  private fillGuarded(target: Record<string, unknown>, map: YAMLMap): void {
    if (this.visiting.has(map)) this.fail("has an anchor whose value contains itself");
    this.visiting.add(map);
    try {
      this.fill(target, map);
    } finally {
      this.visiting.delete(map);
    }
  }
}

/** Reads substituted YAML back into an object; throws SubstitutionError naming `subject` when it is not valid. */
export function readFluxYaml(text: string, subject: string): unknown {
  const docs = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: false, prettyErrors: true });
  if (!Array.isArray(docs) || docs.length === 0) return null;
  const doc = docs[0];
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first.linePos?.[0]?.line;
    const source = line ? ` in ${JSON.stringify(text.split("\n")[line - 1] ?? "")}` : "";
    const message = first.message.split("\n")[0].replace(/:$/, "");
    throw new SubstitutionError(
      `after substitution, ${subject} is not valid YAML: ${message}${source}. Substitution works on the ` +
        "YAML text, where the value is not quoted: a value with ': ', ' #', quotes, or a leading '*', '&', '!', " +
        "'[' or '{' can break it; put quotes into the variable's value itself (e.g. '\"a: b\"')",
    );
  }
  return new Reader(doc, subject).value(doc.contents);
}

import { isScalar, isSeq, parseDocument } from "yaml";
import { resolvePlain } from "../../build/substitute/yaml-scalar.js";

export type ScalarStyle = "plain" | "single" | "double";

/** Whether `value`, written bare where a plain scalar stands, reads back as that same string. */
function readsBackPlain(value: string, inFlow: boolean): boolean {
  const doc = parseDocument(inFlow ? `[${value}]` : value, { schema: "failsafe" });
  const node = inFlow ? (isSeq(doc.contents) ? doc.contents.items : []) : [doc.contents];
  return (
    doc.errors.length === 0 &&
    node.length === 1 &&
    isScalar(node[0]) &&
    node[0].type === "PLAIN" &&
    node[0].value === value
  );
}

/**
 * `value` as scalar text in the style the replaced scalar had. A plain value that would read back as
 * something else (empty, a number, a boolean or a date to go-yaml, which Kubernetes tooling uses,
 * or not a scalar at all) is double-quoted, as kyaml does when it sets such a value.
 */
export function renderScalar(value: string, style: ScalarStyle, inFlow: boolean): string {
  if (style === "single" && !/\p{Cc}/u.test(value)) return `'${value.replaceAll("'", "''")}'`;
  if (style === "plain" && resolvePlain(value).tag === "str" && readsBackPlain(value, inFlow)) return value;
  return JSON.stringify(value);
}

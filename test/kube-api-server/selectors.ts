/** Label and field selectors as they arrive in `?labelSelector=` and `?fieldSelector=`. */
import { badRequest } from "./errors.js";

type Requirement =
  | { key: string; op: "exists" | "!exists" }
  | { key: string; op: "in" | "notin"; values: string[] };

export type Selector = (obj: Record<string, any>) => boolean;

const everything: Selector = () => true;

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (text[i] === "," && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
}

function parseLabelTerm(term: string): Requirement {
  const set = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set) {
    const values = set[3]
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    return { key: set[1], op: set[2] as "in" | "notin", values };
  }
  const eq = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(term);
  if (eq) return { key: eq[1], op: eq[2] === "!=" ? "notin" : "in", values: [eq[3]] };
  const exists = /^(!?)([^\s!=()]+)$/.exec(term);
  if (exists) return { key: exists[2], op: exists[1] ? "!exists" : "exists" };
  throw badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
}

function matches(labels: Record<string, string>, r: Requirement): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.op) {
    case "exists":
      return has;
    case "!exists":
      return !has;
    case "in":
      return has && r.values.includes(labels[r.key]);
    case "notin":
      return !has || !r.values.includes(labels[r.key]);
  }
}

export function parseLabelSelector(text: string | null): Selector {
  if (!text) return everything;
  const requirements = splitTerms(text).map(parseLabelTerm);
  return (obj) => {
    const labels = (obj.metadata?.labels ?? {}) as Record<string, string>;
    return requirements.every((r) => matches(labels, r));
  };
}

/** A structured `spec.selector` (matchLabels and matchExpressions) as a selector on labels. */
export function labelSelectorFromObject(selector: Record<string, any> | undefined): Selector {
  if (!selector) return () => false;
  const requirements: Requirement[] = Object.entries(
    (selector.matchLabels ?? {}) as Record<string, string>,
  ).map(([key, value]) => ({ key, op: "in", values: [value] }));
  for (const e of (selector.matchExpressions ?? []) as {
    key: string;
    operator: string;
    values?: string[];
  }[]) {
    const op = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!exists" }[e.operator];
    if (op === "in" || op === "notin") requirements.push({ key: e.key, op, values: e.values ?? [] });
    else if (op === "exists" || op === "!exists") requirements.push({ key: e.key, op });
  }
  return (obj) =>
    requirements.every((r) => matches((obj.metadata?.labels ?? {}) as Record<string, string>, r));
}

export function parseFieldSelector(text: string | null): Selector {
  if (!text) return everything;
  const tests = splitTerms(text).map((term) => {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const [, path, op, value] = m;
    return (obj: Record<string, any>) => {
      let node: any = obj;
      for (const part of path.split(".")) node = node?.[part];
      const actual = node === undefined || node === null ? "" : String(node);
      return op === "!=" ? actual !== value : actual === value;
    };
  });
  return (obj) => tests.every((t) => t(obj));
}

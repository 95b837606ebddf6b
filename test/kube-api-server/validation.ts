/**
 * Server-side validation of the built-in kinds, reduced to what kubectl, helm and Ferry exercise,
 * producing the same 422 `Invalid` causes a kube-apiserver 1.35 does (field paths, wording, order).
 *
 * The wording follows k8s.io/apimachinery (util/validation, api/validate/content, field/errors.go)
 * and the hand-written validators in k8s.io/kubernetes/pkg/apis/{core,apps,batch,rbac}/validation.
 * Since 1.34 the "Invalid value" of a composite value (map, list, struct) is rendered as JSON, so a
 * label map reads `{"app":"web"}`; internal (unversioned) structs have no JSON tags, so their keys
 * are Go field names (e.g. a RoleRef reads `{"APIGroup":…,"Kind":…,"Name":…}`). Large structs such
 * as a whole pod template are rendered as the object's own JSON, which is readable but not byte-equal.
 *
 * `validateObject` expects what the real apiserver validates: an object after defaulting (see
 * defaults.ts), with `metadata.namespace` set from the request URL for namespaced kinds, the
 * generated name filled in when `generateName` was used, and (for Jobs) the generated selector and
 * labels in place. Fields that defaulting always sets are treated as their default when absent, so a
 * not-yet-defaulted object does not produce spurious `Required value` causes.
 */

import { cloneJson } from "./json.js";

export interface FieldCause {
  reason:
    | "FieldValueRequired"
    | "FieldValueInvalid"
    | "FieldValueNotSupported"
    | "FieldValueDuplicate"
    | "FieldValueForbidden"
    | "FieldValueTooLong"
    // Not in the original brief: used for `volumeMounts[].name` naming no volume, as the real server does.
    | "FieldValueNotFound";
  field: string;
  message: string;
}

export interface ValidatedKind {
  group: string;
  kind: string;
  namespaced: boolean;
}

type Obj = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Small JSON helpers

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const asObj = (v: unknown): Obj => (isObj(v) ? v : {});
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asStr = (v: unknown): string => (typeof v === "string" ? v : "");
const isSet = (v: unknown): boolean => v !== undefined && v !== null;
const byteLen = (s: string): number => Buffer.byteLength(s, "utf8");
const strMap = (v: unknown): [string, string][] =>
  isObj(v) ? Object.entries(v).map(([k, val]) => [k, typeof val === "string" ? val : String(val)]) : [];

// ---------------------------------------------------------------------------------------------
// Rendering values the way field.Error.ErrorBody does

/** A value already rendered (used for Go structs whose JSON keys are Go field names). */
class Rendered {
  constructor(readonly text: string) {}
}

/** Go's strconv.Quote (what `%q` prints for a string). */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\x07":
        out += "\\a";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\v":
        out += "\\v";
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp === 0x20 || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch)) out += ch;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
}

/** Go's encoding/json string escaping (HTML-safe: <, > and & are escaped). */
function goJSONString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** JSON the way Go's json.Marshal writes it; `sortKeys` for Go maps (whose keys json.Marshal sorts). */
function goJSON(v: unknown, sortKeys = false): string {
  if (v instanceof Rendered) return v.text;
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return goJSONString(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => goJSON(x, sortKeys)).join(",")}]`;
  if (isObj(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (sortKeys) keys.sort();
    return `{${keys.map((k) => `${goJSONString(k)}:${goJSON(v[k], sortKeys)}`).join(",")}}`;
  }
  return "null";
}

/** A Go `map[string]string` (label maps and selectors): JSON with sorted keys, `null` when absent. */
const goMap = (v: unknown): Rendered => new Rendered(isSet(v) ? goJSON(v, true) : "null");

/** A metav1.LabelSelector: JSON tags in declaration order, empty fields omitted. */
function goLabelSelector(v: unknown): Rendered {
  if (!isObj(v)) return new Rendered("null");
  const parts: string[] = [];
  if (isObj(v.matchLabels) && Object.keys(v.matchLabels).length > 0) {
    parts.push(`"matchLabels":${goJSON(v.matchLabels, true)}`);
  }
  const exprs = asArr(v.matchExpressions);
  if (exprs.length > 0) {
    const rendered = exprs.map((e) => {
      const r = asObj(e);
      const fields = [`"key":${goJSONString(asStr(r.key))}`, `"operator":${goJSONString(asStr(r.operator))}`];
      if (asArr(r.values).length > 0) fields.push(`"values":${goJSON(r.values)}`);
      return `{${fields.join(",")}}`;
    });
    parts.push(`"matchExpressions":[${rendered.join(",")}]`);
  }
  return new Rendered(`{${parts.join(",")}}`);
}

function renderValue(v: unknown): string {
  if (v instanceof Rendered) return v.text;
  if (typeof v === "string") return goQuote(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return goJSON(v);
}

const withDetail = (s: string, detail: string): string => (detail ? `${s}: ${detail}` : s);

const required = (field: string, detail = ""): FieldCause => ({
  reason: "FieldValueRequired",
  field,
  message: withDetail("Required value", detail),
});
const invalid = (field: string, value: unknown, detail: string): FieldCause => ({
  reason: "FieldValueInvalid",
  field,
  message: withDetail(`Invalid value: ${renderValue(value)}`, detail),
});
const notSupported = (field: string, value: unknown, valid: readonly string[]): FieldCause => ({
  reason: "FieldValueNotSupported",
  field,
  message: withDetail(
    `Unsupported value: ${renderValue(value)}`,
    valid.length > 0 ? `supported values: ${valid.map(goQuote).join(", ")}` : "",
  ),
});
const duplicate = (field: string, value: unknown): FieldCause => ({
  reason: "FieldValueDuplicate",
  field,
  message: `Duplicate value: ${renderValue(value)}`,
});
const notFound = (field: string, value: unknown): FieldCause => ({
  reason: "FieldValueNotFound",
  field,
  message: `Not found: ${renderValue(value)}`,
});
const forbidden = (field: string, detail: string): FieldCause => ({
  reason: "FieldValueForbidden",
  field,
  message: withDetail("Forbidden", detail),
});
const tooLong = (field: string, max: number): FieldCause => ({
  reason: "FieldValueTooLong",
  field,
  message: `Too long: may not be more than ${max} ${max === 1 ? "byte" : "bytes"}`,
});

// ---------------------------------------------------------------------------------------------
// k8s.io/apimachinery/pkg/util/validation and pkg/api/validate/content

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let s = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) s += " or ";
    s += `'${e}', `;
  });
  return `${s}regex used for validation is '${fmt}')`;
}
/** util/validation.MaxLenError. */
const maxLenChars = (n: number): string => `must be no more than ${n} characters`;
/** content.MaxLenError (label keys and values since 1.34). */
const maxLenBytes = (n: number): string => `must be no more than ${n} bytes`;
const EMPTY_ERROR = "must be non-empty";
const inclusiveRange = (lo: number, hi: number): string => `must be between ${lo} and ${hi}, inclusive`;
const IS_NEGATIVE = "must be greater than or equal to 0";
const IMMUTABLE = "field is immutable";

const anchored = (fmt: string): RegExp => new RegExp(`^(?:${fmt})$`);

const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_ERR =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_KEY_ERR =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+";
const CONFIG_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
const PERCENT_FMT = "[0-9]+%";
const PERCENT_ERR = "a valid percent string must be a numeric string followed by an ending '%'";

const dns1123LabelRe = anchored(DNS1123_LABEL_FMT);
const dns1123SubdomainRe = anchored(DNS1123_SUBDOMAIN_FMT);
const dns1035LabelRe = anchored(DNS1035_LABEL_FMT);
const labelKeyRe = anchored(LABEL_KEY_FMT);
const labelValueRe = anchored(LABEL_VALUE_FMT);
const configKeyRe = anchored(CONFIG_KEY_FMT);
const percentRe = anchored(PERCENT_FMT);

function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (byteLen(v) > 63) errs.push(maxLenChars(63));
  if (!dns1123LabelRe.test(v)) {
    if (dns1123SubdomainRe.test(v)) errs.push("must not contain dots");
    else errs.push(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, "my-name", "123-abc"));
  }
  return errs;
}

function isDNS1123Subdomain(v: string, maxLen: (n: number) => string = maxLenChars): string[] {
  const errs: string[] = [];
  if (byteLen(v) > 253) errs.push(maxLen(253));
  if (!dns1123SubdomainRe.test(v))
    errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, "example.com"));
  return errs;
}

function isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (byteLen(v) > 63) errs.push(maxLenChars(63));
  if (!dns1035LabelRe.test(v))
    errs.push(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, "my-name", "abc-123"));
  return errs;
}

/** content.IsLabelKey, a.k.a. IsQualifiedName. */
function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push(`prefix part ${EMPTY_ERROR}`);
    else for (const m of isDNS1123Subdomain(prefix, maxLenBytes)) errs.push(`prefix part ${m}`);
  } else {
    return [
      `a valid label key ${regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push(`name part ${EMPTY_ERROR}`);
  else if (byteLen(name) > 63) errs.push(`name part ${maxLenBytes(63)}`);
  if (!labelKeyRe.test(name)) {
    errs.push(`name part ${regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")}`);
  }
  return errs;
}

function isLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (byteLen(v) > 63) errs.push(maxLenBytes(63));
  if (!labelValueRe.test(v))
    errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  return errs;
}

function hasChDirPrefix(v: string): string[] {
  if (v === ".") return ["must not be '.'"];
  if (v === "..") return ["must not be '..'"];
  if (v.startsWith("..")) return ["must not start with '..'"];
  return [];
}

function isConfigMapKey(v: string): string[] {
  const errs: string[] = [];
  if (byteLen(v) > 253) errs.push(maxLenChars(253));
  if (!configKeyRe.test(v))
    errs.push(regexError(CONFIG_KEY_ERR, CONFIG_KEY_FMT, "key.name", "KEY_NAME", "key-name"));
  errs.push(...hasChDirPrefix(v));
  return errs;
}

const isValidPortNum = (p: number): string[] => (p >= 1 && p <= 65535 ? [] : [inclusiveRange(1, 65535)]);

function isValidPortName(p: string): string[] {
  const errs: string[] = [];
  if (byteLen(p) > 15) errs.push(maxLenChars(15));
  if (!/^[-a-z0-9]+$/.test(p))
    errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(p)) errs.push("must contain at least one letter (a-z)");
  if (p.includes("--")) errs.push("must not contain consecutive hyphens");
  if (p.length > 0 && (p.startsWith("-") || p.endsWith("-")))
    errs.push("must not begin or end with a hyphen");
  return errs;
}

const isValidPercent = (p: string): string[] =>
  percentRe.test(p) ? [] : [regexError(PERCENT_ERR, PERCENT_FMT, "1%", "93%")];

/** IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation is GA in 1.34). */
function isRelaxedEnvVarName(v: string): string[] {
  const errs: string[] = [];
  if (v.length === 0) errs.push(`environment variable name ${EMPTY_ERROR}`);
  for (const ch of v) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp > 0x7f || cp < 0x20 || cp === 0x7f || ch === "=") {
      errs.push(
        "a valid environment variable name must consist only of printable ASCII characters other than '='",
      );
      break;
    }
  }
  return errs;
}

/** path.IsValidPathSegmentName (RBAC object names). */
function isValidPathSegmentName(name: string): string[] {
  for (const bad of [".", ".."]) if (name === bad) return [`may not be '${bad}'`];
  const errs: string[] = [];
  for (const bad of ["/", "%"]) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

/** Replaces a trailing dash (generateName) the way apimachinery's maskTrailingDash does. */
const maskTrailingDash = (name: string): string =>
  name.length > 1 && name.endsWith("-") ? `${name.slice(0, -2)}a` : name;

type NameFn = (name: string, prefix: boolean) => string[];
const prefixed =
  (fn: (v: string) => string[]): NameFn =>
  (name, prefix) =>
    fn(prefix ? maskTrailingDash(name) : name);
const nameIsDNSSubdomain: NameFn = prefixed((v) => isDNS1123Subdomain(v));
const nameIsDNSLabel: NameFn = prefixed(isDNS1123Label);
const nameIsDNS1035Label: NameFn = prefixed(isDNS1035Label);
/** rbac's ValidateRBACName ignores `prefix`. */
const nameIsPathSegment: NameFn = (name) => isValidPathSegmentName(name);

// ---------------------------------------------------------------------------------------------
// Quantities (just enough to compare storage sizes)

function parseQuantity(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v !== "string") return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|(n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2]) return n * 1024 ** (["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"].indexOf(m[2]) + 1);
  if (m[3]) return n * 10 ** { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }[m[3] as "n"];
  if (m[4]) return n * 10 ** Number(m[4]);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Semantic equality (apiequality.Semantic.DeepEqual over JSON: empty lists/maps/strings equal absent)

function isEmptyish(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    v === "" ||
    (Array.isArray(v) && v.length === 0) ||
    (isObj(v) && Object.keys(v).every((k) => v[k] === undefined))
  );
}

function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmptyish(a) && isEmptyish(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  if ((typeof a === "number" || typeof a === "string") && (typeof b === "number" || typeof b === "string")) {
    // Quantities such as "1Gi" and 1073741824 are equal.
    const qa = parseQuantity(a);
    const qb = parseQuantity(b);
    if (qa !== undefined && qb !== undefined && (typeof a === "string" || typeof b === "string"))
      return qa === qb;
  }
  return a === b;
}

// ---------------------------------------------------------------------------------------------
// Labels, annotations, selectors

function validateLabels(labels: unknown, path: string): FieldCause[] {
  const errs: FieldCause[] = [];
  for (const [k, v] of strMap(labels)) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    for (const m of isLabelValue(v)) errs.push(invalid(path, v, m));
  }
  return errs;
}

const TOTAL_ANNOTATION_SIZE = 256 * 1024;

function validateAnnotations(annotations: unknown, path: string): FieldCause[] {
  const errs: FieldCause[] = [];
  let size = 0;
  for (const [k, v] of strMap(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    size += byteLen(k) + byteLen(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE));
  return errs;
}

function validateLabelSelector(sel: unknown, path: string): FieldCause[] {
  if (!isObj(sel)) return [];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  asArr(sel.matchExpressions).forEach((e, i) => {
    const expr = asObj(e);
    const p = `${path}.matchExpressions[${i}]`;
    const values = asArr(expr.values);
    const op = asStr(expr.operator);
    if (op === "In" || op === "NotIn") {
      if (values.length === 0)
        errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op === "Exists" || op === "DoesNotExist") {
      if (values.length > 0) {
        errs.push(
          forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
        );
      }
    } else {
      errs.push(invalid(`${p}.operator`, op, "not a valid selector operator"));
    }
    for (const m of isQualifiedName(asStr(expr.key))) errs.push(invalid(`${p}.key`, asStr(expr.key), m));
    values.forEach((v, j) => {
      for (const m of isLabelValue(asStr(v))) errs.push(invalid(`${p}.values[${j}]`, asStr(v), m));
    });
  });
  return errs;
}

/** metav1.LabelSelectorAsSelector: "nothing" for nil, "everything" for empty, "error" for unparsable. */
type Selector =
  | { kind: "nothing" }
  | { kind: "everything" }
  | { kind: "error" }
  | { kind: "match"; sel: Obj };

function asSelector(sel: unknown): Selector {
  if (!isObj(sel)) return { kind: "nothing" };
  const matchLabels = strMap(sel.matchLabels);
  const exprs = asArr(sel.matchExpressions).map(asObj);
  if (matchLabels.length + exprs.length === 0) return { kind: "everything" };
  for (const [k, v] of matchLabels) {
    if (isQualifiedName(k).length > 0 || isLabelValue(v).length > 0) return { kind: "error" };
  }
  for (const e of exprs) {
    const op = asStr(e.operator);
    const values = asArr(e.values).map(asStr);
    if (!["In", "NotIn", "Exists", "DoesNotExist"].includes(op)) return { kind: "error" };
    if (isQualifiedName(asStr(e.key)).length > 0) return { kind: "error" };
    if ((op === "In" || op === "NotIn") && values.length === 0) return { kind: "error" };
    if ((op === "Exists" || op === "DoesNotExist") && values.length > 0) return { kind: "error" };
    if (values.some((v) => isLabelValue(v).length > 0)) return { kind: "error" };
  }
  return { kind: "match", sel };
}

function selectorMatches(s: Selector, labels: unknown): boolean {
  if (s.kind === "everything") return true;
  if (s.kind !== "match") return false;
  const have = new Map(strMap(labels));
  for (const [k, v] of strMap(s.sel.matchLabels)) if (have.get(k) !== v) return false;
  for (const e of asArr(s.sel.matchExpressions).map(asObj)) {
    const key = asStr(e.key);
    const values = asArr(e.values).map(asStr);
    const present = have.has(key);
    const value = have.get(key) ?? "";
    switch (asStr(e.operator)) {
      case "In":
        if (!present || !values.includes(value)) return false;
        break;
      case "NotIn":
        if (present && values.includes(value)) return false;
        break;
      case "Exists":
        if (!present) return false;
        break;
      case "DoesNotExist":
        if (present) return false;
        break;
    }
  }
  return true;
}

const SELECTOR_MISMATCH = "`selector` does not match template `labels`";

// ---------------------------------------------------------------------------------------------
// ObjectMeta

const STANDARD_FINALIZERS = new Set(["kubernetes", "orphan", "foregroundDeletion"]);

interface MetaOptions {
  nameFn: NameFn;
  namespaced: boolean;
  /** core/validation.ValidateObjectMeta adds the "standard finalizer name" check for built-in kinds. */
  kubeFinalizers: boolean;
}

function validateObjectMetaCreate(meta: Obj, opts: MetaOptions): FieldCause[] {
  const errs: FieldCause[] = [];
  const name = asStr(meta.name);
  const generateName = asStr(meta.generateName);
  if (generateName) {
    for (const m of opts.nameFn(generateName, true))
      errs.push(invalid("metadata.generateName", generateName, m));
  }
  if (!name) {
    // The server generates the name from generateName before validating; treat it as done.
    if (!generateName) errs.push(required("metadata.name", "name or generateName is required"));
  } else {
    for (const m of opts.nameFn(name, false)) errs.push(invalid("metadata.name", name, m));
  }
  if (opts.namespaced) {
    const ns = asStr(meta.namespace);
    if (!ns) errs.push(required("metadata.namespace"));
    else for (const m of nameIsDNSLabel(ns, false)) errs.push(invalid("metadata.namespace", ns, m));
  }
  // A cluster-scoped object's namespace is cleared by the server before validation (BeforeCreate).
  errs.push(...validateLabels(meta.labels, "metadata.labels"));
  errs.push(...validateAnnotations(meta.annotations, "metadata.annotations"));
  errs.push(...validateOwnerReferences(meta.ownerReferences));
  const finalizers = asArr(meta.finalizers).map(asStr);
  for (const f of finalizers)
    for (const m of isQualifiedName(f)) errs.push(invalid("metadata.finalizers", f, m));
  if (finalizers.includes("orphan") && finalizers.includes("foregroundDeletion")) {
    errs.push(
      invalid(
        "metadata.finalizers",
        finalizers,
        "finalizer orphan and foregroundDeletion cannot be both set",
      ),
    );
  }
  if (opts.kubeFinalizers) errs.push(...validateKubeFinalizerNames(finalizers, "metadata.finalizers"));
  return errs;
}

function validateObjectMetaUpdate(meta: Obj, oldMeta: Obj, opts: MetaOptions): FieldCause[] {
  const errs: FieldCause[] = [];
  const finalizers = asArr(meta.finalizers).map(asStr);
  if (isSet(oldMeta.deletionTimestamp)) {
    const old = new Set(asArr(oldMeta.finalizers).map(asStr));
    const extra = [...new Set(finalizers.filter((f) => !old.has(f)))].sort();
    if (extra.length > 0) {
      errs.push(
        forbidden(
          "metadata.finalizers",
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map(goQuote).join(", ")}}`,
        ),
      );
    }
  }
  errs.push(...validateLabels(meta.labels, "metadata.labels"));
  errs.push(...validateAnnotations(meta.annotations, "metadata.annotations"));
  errs.push(...validateOwnerReferences(meta.ownerReferences));
  if (opts.kubeFinalizers) errs.push(...validateKubeFinalizerNames(finalizers, "metadata.finalizers"));
  return errs;
}

function validateKubeFinalizerNames(finalizers: string[], path: string): FieldCause[] {
  return finalizers
    .filter((f) => f.split("/").length === 1 && !STANDARD_FINALIZERS.has(f))
    .map((f) => invalid(path, f, "name is neither a standard finalizer name nor is it fully qualified"));
}

function validateOwnerReferences(refs: unknown): FieldCause[] {
  const errs: FieldCause[] = [];
  const path = "metadata.ownerReferences";
  let firstController = "";
  for (const r of asArr(refs).map(asObj)) {
    const apiVersion = asStr(r.apiVersion);
    const version = apiVersion.includes("/") ? apiVersion.slice(apiVersion.indexOf("/") + 1) : apiVersion;
    if (!version) errs.push(invalid(`${path}.apiVersion`, apiVersion, "version must not be empty"));
    if (!asStr(r.kind)) errs.push(invalid(`${path}.kind`, asStr(r.kind), "must not be empty"));
    if (!asStr(r.name)) errs.push(invalid(`${path}.name`, asStr(r.name), "must not be empty"));
    if (!asStr(r.uid)) errs.push(invalid(`${path}.uid`, asStr(r.uid), "must not be empty"));
    if (r.controller === true) {
      const current = `${asStr(r.kind)}/${asStr(r.name)}`;
      if (firstController) {
        errs.push(
          invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Pod spec

interface PodSpecOptions {
  /** The spec belongs to a Pod (not a template): hostPort must equal containerPort under hostNetwork. */
  isPod: boolean;
  /** Volumes that exist besides spec.volumes (a StatefulSet's volumeClaimTemplates). */
  extraVolumes?: readonly string[];
}

/** The volume source fields of a Volume; defaults.ts reads it too. */
export const VOLUME_SOURCES = [
  "emptyDir",
  "hostPath",
  "gitRepo",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "secret",
  "nfs",
  "iscsi",
  "glusterfs",
  "flocker",
  "persistentVolumeClaim",
  "rbd",
  "cinder",
  "cephfs",
  "quobyte",
  "downwardAPI",
  "fc",
  "flexVolume",
  "configMap",
  "azureFile",
  "vsphereVolume",
  "photonPersistentDisk",
  "portworxVolume",
  "azureDisk",
  "storageos",
  "projected",
  "scaleIO",
  "csi",
  "ephemeral",
  "image",
] as const;

const FILE_MODE_ERROR = "must be a number between 0 and 0777 (octal), both inclusive";

function validateFileMode(v: unknown, path: string): FieldCause[] {
  if (typeof v !== "number") return [];
  return v < 0 || v > 0o777 ? [invalid(path, v, FILE_MODE_ERROR)] : [];
}

function validateVolumeSource(vol: Obj, path: string): FieldCause[] {
  const errs: FieldCause[] = [];
  let count = 0;
  for (const type of VOLUME_SOURCES) {
    if (!isSet(vol[type])) continue;
    if (count > 0) {
      errs.push(forbidden(`${path}.${type}`, "may not specify more than 1 volume type"));
      continue;
    }
    count++;
    const src = asObj(vol[type]);
    const p = `${path}.${type}`;
    if (type === "secret") {
      if (!asStr(src.secretName)) errs.push(required(`${p}.secretName`));
      errs.push(...validateFileMode(src.defaultMode, `${p}.defaultMode`));
    } else if (type === "configMap") {
      if (!asStr(src.name)) errs.push(required(`${p}.name`));
      errs.push(...validateFileMode(src.defaultMode, `${p}.defaultMode`));
    } else if (type === "persistentVolumeClaim") {
      if (!asStr(src.claimName)) errs.push(required(`${p}.claimName`));
    }
  }
  // No source at all is defaulted to emptyDir by the server, so it is not an error here.
  return errs;
}

function validateVolumes(volumes: unknown[], path: string, errs: FieldCause[]): Set<string> {
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const vol = asObj(v);
    const p = `${path}[${i}]`;
    const el = validateVolumeSource(vol, p);
    const name = asStr(vol.name);
    if (!name) el.push(required(`${p}.name`));
    else for (const m of isDNS1123Label(name)) el.push(invalid(`${p}.name`, name, m));
    if (names.has(name)) el.push(duplicate(`${p}.name`, name));
    if (el.length === 0) names.add(name);
    else errs.push(...el);
  });
  return names;
}

const SUPPORTED_PROTOCOLS = ["SCTP", "TCP", "UDP"];

function validateContainerPorts(ports: unknown[], path: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const port = asObj(raw);
    const p = `${path}[${i}]`;
    const name = asStr(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) for (const m of msgs) errs.push(invalid(`${p}.name`, name, m));
      else if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
      else names.add(name);
    }
    const containerPort = typeof port.containerPort === "number" ? port.containerPort : 0;
    if (containerPort === 0) errs.push(required(`${p}.containerPort`));
    else
      for (const m of isValidPortNum(containerPort))
        errs.push(invalid(`${p}.containerPort`, containerPort, m));
    if (typeof port.hostPort === "number" && port.hostPort !== 0) {
      for (const m of isValidPortNum(port.hostPort)) errs.push(invalid(`${p}.hostPort`, port.hostPort, m));
    }
    const protocol = asStr(port.protocol);
    if (protocol && !SUPPORTED_PROTOCOLS.includes(protocol)) {
      errs.push(notSupported(`${p}.protocol`, protocol, SUPPORTED_PROTOCOLS));
    }
  });
  return errs;
}

function validateEnv(env: unknown[], path: string): FieldCause[] {
  const errs: FieldCause[] = [];
  env.forEach((raw, i) => {
    const name = asStr(asObj(raw).name);
    if (!name) errs.push(required(`${path}[${i}].name`));
    else for (const m of isRelaxedEnvVarName(name)) errs.push(invalid(`${path}[${i}].name`, name, m));
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown[], volumes: ReadonlySet<string>, path: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const mountPoints = new Set<string>();
  mounts.forEach((raw, i) => {
    const mount = asObj(raw);
    const p = `${path}[${i}]`;
    const name = asStr(mount.name);
    const mountPath = asStr(mount.mountPath);
    if (!name) errs.push(required(`${p}.name`));
    if (!volumes.has(name)) errs.push(notFound(`${p}.name`, name));
    if (!mountPath) errs.push(required(`${p}.mountPath`));
    if (mountPoints.has(mountPath)) errs.push(invalid(`${p}.mountPath`, mountPath, "must be unique"));
    mountPoints.add(mountPath);
  });
  return errs;
}

function validateContainerCommon(c: Obj, volumes: ReadonlySet<string>, path: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const name = asStr(c.name);
  if (!name) errs.push(required(`${path}.name`));
  else for (const m of isDNS1123Label(name)) errs.push(invalid(`${path}.name`, name, m));
  if (!asStr(c.image)) errs.push(required(`${path}.image`));
  const tmp = asStr(c.terminationMessagePolicy);
  if (tmp && tmp !== "File" && tmp !== "FallbackToLogsOnError") {
    errs.push(notSupported(`${path}.terminationMessagePolicy`, tmp, ["File", "FallbackToLogsOnError"]));
  }
  errs.push(...validateContainerPorts(asArr(c.ports), `${path}.ports`));
  errs.push(...validateEnv(asArr(c.env), `${path}.env`));
  errs.push(...validateVolumeMounts(asArr(c.volumeMounts), volumes, `${path}.volumeMounts`));
  const pull = asStr(c.imagePullPolicy);
  if (pull && !["Always", "IfNotPresent", "Never"].includes(pull)) {
    errs.push(notSupported(`${path}.imagePullPolicy`, pull, ["Always", "IfNotPresent", "Never"]));
  }
  return errs;
}

function validatePodSpec(spec: Obj, path: string, opts: PodSpecOptions): FieldCause[] {
  const errs: FieldCause[] = [];
  const volumes = validateVolumes(asArr(spec.volumes), `${path}.volumes`, errs);
  for (const v of opts.extraVolumes ?? []) volumes.add(v);

  const containers = asArr(spec.containers).map(asObj);
  if (containers.length === 0) {
    errs.push(required(`${path}.containers`));
  } else {
    const names = new Set<string>();
    containers.forEach((c, i) => {
      const p = `${path}.containers[${i}]`;
      errs.push(...validateContainerCommon(c, volumes, p));
      const name = asStr(c.name);
      if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
      else names.add(name);
      if (isSet(c.restartPolicy))
        errs.push(forbidden(`${p}.restartPolicy`, "may not be set for non-init containers"));
    });
  }

  const allNames = new Set(containers.map((c) => asStr(c.name)));
  asArr(spec.initContainers).forEach((raw, i) => {
    const c = asObj(raw);
    const p = `${path}.initContainers[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, p));
    const name = asStr(c.name);
    if (allNames.has(name)) errs.push(duplicate(`${p}.name`, name));
    else if (name) allNames.add(name);
  });

  if (spec.hostNetwork === true) {
    containers.forEach((c, i) => {
      asArr(c.ports).forEach((raw, j) => {
        const port = asObj(raw);
        const hostPort = typeof port.hostPort === "number" ? port.hostPort : 0;
        if ((opts.isPod || hostPort !== 0) && hostPort !== port.containerPort) {
          errs.push(
            invalid(
              `${path}.containers[${i}].ports[${j}].hostPort`,
              hostPort,
              "must match `containerPort` when `hostNetwork` is true",
            ),
          );
        }
      });
    });
  }

  const restartPolicy = asStr(spec.restartPolicy);
  if (restartPolicy && !["Always", "OnFailure", "Never"].includes(restartPolicy)) {
    errs.push(notSupported(`${path}.restartPolicy`, restartPolicy, ["Always", "OnFailure", "Never"]));
  }
  const dnsPolicy = asStr(spec.dnsPolicy);
  const dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
  if (dnsPolicy && !dnsPolicies.includes(dnsPolicy)) {
    errs.push(notSupported(`${path}.dnsPolicy`, dnsPolicy, dnsPolicies));
  }
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  const sa = asStr(spec.serviceAccountName);
  if (sa)
    for (const m of nameIsDNSSubdomain(sa, false)) errs.push(invalid(`${path}.serviceAccountName`, sa, m));
  const nodeName = asStr(spec.nodeName);
  if (nodeName)
    for (const m of nameIsDNSSubdomain(nodeName, false)) errs.push(invalid(`${path}.nodeName`, nodeName, m));
  if (typeof spec.activeDeadlineSeconds === "number") {
    const v = spec.activeDeadlineSeconds;
    if (v < 1 || v > 2147483647) {
      errs.push(invalid(`${path}.activeDeadlineSeconds`, v, inclusiveRange(1, 2147483647)));
    }
  }
  for (const field of ["hostname", "subdomain"]) {
    const v = asStr(spec[field]);
    if (v) for (const m of isDNS1123Label(v)) errs.push(invalid(`${path}.${field}`, v, m));
  }
  const priorityClassName = asStr(spec.priorityClassName);
  if (priorityClassName) {
    for (const m of nameIsDNSSubdomain(priorityClassName, false)) {
      errs.push(invalid(`${path}.priorityClassName`, priorityClassName, m));
    }
  }
  return errs;
}

/** core/validation.ValidatePodTemplateSpec. Note the labels path is `<template>.labels`, as in Kubernetes. */
function validatePodTemplateSpec(template: Obj, path: string, opts: PodSpecOptions): FieldCause[] {
  const meta = asObj(template.metadata);
  const spec = asObj(template.spec);
  const errs = [
    ...validateLabels(meta.labels, `${path}.labels`),
    ...validateAnnotations(meta.annotations, `${path}.annotations`),
    ...validatePodSpec(spec, `${path}.spec`, opts),
  ];
  if (asArr(spec.ephemeralContainers).length > 0) {
    errs.push(
      forbidden(`${path}.spec.ephemeralContainers`, "ephemeral containers not allowed in pod template"),
    );
  }
  return errs;
}

function validatePod(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec);
  const errs = validatePodSpec(spec, "spec", { isPod: true });
  for (const list of ["containers", "initContainers"]) {
    asArr(spec[list]).forEach((raw, i) => {
      const image = asStr(asObj(raw).image);
      if (image.length !== image.trim().length) {
        errs.push(invalid(`spec.${list}[${i}].image`, image, "must not have leading or trailing whitespace"));
      }
    });
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// apps/v1

const nonNegative = (v: unknown, path: string): FieldCause[] =>
  typeof v === "number" && v < 0 ? [invalid(path, v, IS_NEGATIVE)] : [];

function percentValue(v: unknown): number | undefined {
  if (typeof v !== "string" || isValidPercent(v).length > 0) return undefined;
  return Number.parseInt(v.slice(0, -1), 10);
}

/** intstr.IntOrString.IntValue(): a string that is not a plain integer is 0. */
function intOrPercentValue(v: unknown): number {
  const pct = percentValue(v);
  if (pct !== undefined) return pct;
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^[+-]?\d+$/.test(v)) return Number.parseInt(v, 10);
  return 0;
}

function validatePositiveIntOrPercent(v: unknown, path: string): FieldCause[] {
  if (typeof v === "string") return isValidPercent(v).map((m) => invalid(path, v, m));
  if (typeof v === "number") return nonNegative(v, path);
  return [];
}

function notMoreThan100Percent(v: unknown, path: string): FieldCause[] {
  const pct = percentValue(v);
  return pct !== undefined && pct > 100 ? [invalid(path, v, "must not be greater than 100%")] : [];
}

/** Validates a required `selector` and parses it (Deployment, ReplicaSet, StatefulSet). */
function validateSelector(
  spec: Obj,
  errs: FieldCause[],
  emptySelectorMessage: string,
  onError: string,
): Selector {
  if (!isSet(spec.selector)) {
    errs.push(required("spec.selector"));
  } else {
    errs.push(...validateLabelSelector(spec.selector, "spec.selector"));
    const sel = asObj(spec.selector);
    if (strMap(sel.matchLabels).length + asArr(sel.matchExpressions).length === 0) {
      errs.push(invalid("spec.selector", goLabelSelector(sel), emptySelectorMessage));
    }
  }
  const selector = asSelector(spec.selector);
  if (selector.kind === "error") {
    errs.push(invalid("spec.selector", goLabelSelector(spec.selector), onError));
  }
  return selector;
}

function templateLabelsMismatch(selector: Selector, template: Obj, path: string): FieldCause[] {
  if (selector.kind === "error" || selector.kind === "everything") return [];
  const labels = asObj(template.metadata).labels;
  return selectorMatches(selector, labels)
    ? []
    : [invalid(`${path}.metadata.labels`, goMap(labels), SELECTOR_MISMATCH)];
}

/** apps/validation.ValidatePodTemplateSpecForReplicaSet (Deployment, ReplicaSet). */
function validateTemplateForReplicaSet(selector: Selector, template: Obj): FieldCause[] {
  return [
    ...templateLabelsMismatch(selector, template, "spec.template"),
    ...validateLongRunningTemplate(template, "ReplicaSet"),
  ];
}

/** What ReplicaSets and DaemonSets ask of their pod template: a valid template that runs forever. */
function validateLongRunningTemplate(template: Obj, kind: "ReplicaSet" | "DaemonSet"): FieldCause[] {
  return [
    ...validatePodTemplateSpec(template, "spec.template", { isPod: false }),
    ...longRunningPodRules(asObj(template.spec), kind),
  ];
}

/** restartPolicy Always and no activeDeadlineSeconds, as workload controllers require. */
function longRunningPodRules(spec: Obj, kind: "ReplicaSet" | "DaemonSet" | "StatefulSet"): FieldCause[] {
  const errs: FieldCause[] = [];
  const restartPolicy = asStr(spec.restartPolicy) || "Always";
  if (restartPolicy !== "Always")
    errs.push(notSupported("spec.template.spec.restartPolicy", restartPolicy, ["Always"]));
  if (isSet(spec.activeDeadlineSeconds)) {
    errs.push(
      forbidden(
        "spec.template.spec.activeDeadlineSeconds",
        `activeDeadlineSeconds in ${kind} is not Supported`,
      ),
    );
  }
  return errs;
}

function validateDeployment(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec);
  const errs = nonNegative(spec.replicas, "spec.replicas");
  const selector = validateSelector(
    spec,
    errs,
    "empty selector is invalid for deployment",
    "invalid label selector",
  );
  if (selector.kind !== "error") errs.push(...validateTemplateForReplicaSet(selector, asObj(spec.template)));

  const strategy = asObj(spec.strategy);
  const type = asStr(strategy.type) || "RollingUpdate";
  if (type === "Recreate") {
    if (isSet(strategy.rollingUpdate)) {
      errs.push(
        forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"),
      );
    }
  } else if (type === "RollingUpdate") {
    const ru = asObj(strategy.rollingUpdate);
    const maxUnavailable = isSet(ru.maxUnavailable) ? ru.maxUnavailable : "25%";
    const maxSurge = isSet(ru.maxSurge) ? ru.maxSurge : "25%";
    const p = "spec.strategy.rollingUpdate";
    errs.push(...validatePositiveIntOrPercent(maxUnavailable, `${p}.maxUnavailable`));
    errs.push(...validatePositiveIntOrPercent(maxSurge, `${p}.maxSurge`));
    if (intOrPercentValue(maxUnavailable) === 0 && intOrPercentValue(maxSurge) === 0) {
      errs.push(invalid(`${p}.maxUnavailable`, maxUnavailable, "may not be 0 when `maxSurge` is 0"));
    }
    errs.push(...notMoreThan100Percent(maxUnavailable, `${p}.maxUnavailable`));
  } else {
    errs.push(notSupported("spec.strategy", strategy, ["Recreate", "RollingUpdate"]));
  }
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  errs.push(...nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  if (typeof spec.progressDeadlineSeconds === "number") {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, "spec.progressDeadlineSeconds"));
    const minReady = typeof spec.minReadySeconds === "number" ? spec.minReadySeconds : 0;
    if (spec.progressDeadlineSeconds <= minReady) {
      errs.push(
        invalid(
          "spec.progressDeadlineSeconds",
          spec.progressDeadlineSeconds,
          "must be greater than minReadySeconds",
        ),
      );
    }
  }
  return errs;
}

function validateReplicaSet(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec);
  const errs = [
    ...nonNegative(spec.replicas, "spec.replicas"),
    ...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"),
  ];
  // (sic) the ReplicaSet validator reuses the Deployment wording.
  const selector = validateSelector(
    spec,
    errs,
    "empty selector is invalid for deployment",
    "invalid label selector",
  );
  if (selector.kind !== "error") errs.push(...validateTemplateForReplicaSet(selector, asObj(spec.template)));
  return errs;
}

function validateDaemonSet(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec);
  const template = asObj(spec.template);
  const errs = validateLabelSelector(spec.selector, "spec.selector");
  const selector = asSelector(spec.selector);
  if (selector.kind !== "error" && !selectorMatches(selector, asObj(template.metadata).labels)) {
    errs.push(
      invalid("spec.template.metadata.labels", goMap(asObj(template.metadata).labels), SELECTOR_MISMATCH),
    );
  }
  const sel = asObj(spec.selector);
  if (isSet(spec.selector) && strMap(sel.matchLabels).length + asArr(sel.matchExpressions).length === 0) {
    errs.push(invalid("spec.selector", goLabelSelector(sel), "empty selector is invalid for daemonset"));
  }
  errs.push(...validateLongRunningTemplate(template, "DaemonSet"));
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));

  const strategy = asObj(spec.updateStrategy);
  const type = asStr(strategy.type) || "RollingUpdate";
  if (type === "RollingUpdate") {
    const ru = asObj(strategy.rollingUpdate);
    const p = "spec.updateStrategy.rollingUpdate";
    const maxUnavailable = isSet(ru.maxUnavailable) ? ru.maxUnavailable : 1;
    const maxSurge = isSet(ru.maxSurge) ? ru.maxSurge : 0;
    errs.push(...validatePositiveIntOrPercent(maxUnavailable, `${p}.maxUnavailable`));
    errs.push(...validatePositiveIntOrPercent(maxSurge, `${p}.maxSurge`));
    errs.push(...notMoreThan100Percent(maxUnavailable, `${p}.maxUnavailable`));
    errs.push(...notMoreThan100Percent(maxSurge, `${p}.maxSurge`));
    const hasUnavailable = intOrPercentValue(maxUnavailable) !== 0;
    const hasSurge = intOrPercentValue(maxSurge) !== 0;
    if (hasUnavailable && hasSurge) {
      errs.push(invalid(`${p}.maxSurge`, maxSurge, "may not be set when maxUnavailable is non-zero"));
    } else if (!hasUnavailable && !hasSurge) {
      errs.push(required(`${p}.maxUnavailable`, "cannot be 0 when maxSurge is 0"));
    }
  } else if (type !== "OnDelete") {
    errs.push(notSupported("spec.updateStrategy", strategy, ["RollingUpdate", "OnDelete"]));
  }
  errs.push(...nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  return errs;
}

function statefulSetPodSpecOptions(spec: Obj): PodSpecOptions {
  return {
    isPod: false,
    extraVolumes: asArr(spec.volumeClaimTemplates).map((t) => asStr(asObj(asObj(t).metadata).name)),
  };
}

function validateStatefulSet(obj: Obj, old: Obj | undefined): FieldCause[] {
  const spec = asObj(obj.spec);
  const errs: FieldCause[] = [];
  const pmp = asStr(spec.podManagementPolicy);
  if (pmp && pmp !== "OrderedReady" && pmp !== "Parallel") {
    errs.push(invalid("spec.podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  const strategy = asObj(spec.updateStrategy);
  const type = asStr(strategy.type) || "RollingUpdate";
  if (type === "OnDelete") {
    if (isSet(strategy.rollingUpdate)) {
      errs.push(
        invalid(
          "spec.updateStrategy.rollingUpdate",
          strategy.rollingUpdate,
          "only allowed for updateStrategy 'RollingUpdate'",
        ),
      );
    }
  } else if (type === "RollingUpdate") {
    if (isSet(strategy.rollingUpdate)) {
      const ru = asObj(strategy.rollingUpdate);
      const p = "spec.updateStrategy.rollingUpdate";
      errs.push(...nonNegative(ru.partition, `${p}.partition`));
      if (isSet(ru.maxUnavailable)) {
        errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
        if (intOrPercentValue(ru.maxUnavailable) === 0)
          errs.push(invalid(`${p}.maxUnavailable`, ru.maxUnavailable, "cannot be 0"));
        errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      }
    }
  } else {
    errs.push(invalid("spec.updateStrategy", strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = asObj(spec.persistentVolumeClaimRetentionPolicy);
  for (const f of ["whenDeleted", "whenScaled"]) {
    const v = asStr(retention[f]);
    if (v && v !== "Retain" && v !== "Delete") {
      errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, ["Retain", "Delete"]));
    }
  }
  errs.push(...nonNegative(spec.replicas, "spec.replicas"));
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  if (isObj(spec.ordinals)) errs.push(...nonNegative(spec.ordinals.start, "spec.ordinals.start"));

  const selector = validateSelector(spec, errs, "empty selector is invalid for statefulset", "");
  const template = asObj(spec.template);
  if (selector.kind !== "error") {
    errs.push(...templateLabelsMismatch(selector, template, "spec.template"));
    // Since 1.34 the pod template is validated too (volumeClaimTemplates count as volumes); an update
    // of an object whose stored template already fails this is not held to it (ratcheting).
    const opts = statefulSetPodSpecOptions(spec);
    const oldSpec = old ? asObj(old.spec) : undefined;
    const oldValid =
      !oldSpec ||
      validatePodTemplateSpec(asObj(oldSpec.template), "spec.template", statefulSetPodSpecOptions(oldSpec))
        .length === 0;
    if (oldValid) errs.push(...validatePodTemplateSpec(template, "spec.template", opts));
    else {
      errs.push(...validateLabels(asObj(template.metadata).labels, "spec.template.labels"));
      errs.push(...validateAnnotations(asObj(template.metadata).annotations, "spec.template.annotations"));
    }
  }
  errs.push(...longRunningPodRules(asObj(template.spec), "StatefulSet"));
  return errs;
}

const STATEFULSET_MUTABLE = [
  "replicas",
  "template",
  "updateStrategy",
  "minReadySeconds",
  "ordinals",
  "persistentVolumeClaimRetentionPolicy",
];

function validateStatefulSetUpdate(obj: Obj, old: Obj): FieldCause[] {
  const strip = (spec: Obj): Obj =>
    Object.fromEntries(Object.entries(spec).filter(([k]) => !STATEFULSET_MUTABLE.includes(k)));
  if (semanticEqual(strip(asObj(obj.spec)), strip(asObj(old.spec)))) return [];
  return [
    forbidden(
      "spec",
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}

function selectorImmutable(obj: Obj, old: Obj): FieldCause[] {
  const sel = asObj(obj.spec).selector;
  return semanticEqual(sel, asObj(old.spec).selector)
    ? []
    : [invalid("spec.selector", goLabelSelector(sel), IMMUTABLE)];
}

// ---------------------------------------------------------------------------------------------
// batch/v1

function validateJobSpecCommon(spec: Obj, path: string): FieldCause[] {
  const errs: FieldCause[] = [];
  for (const f of [
    "parallelism",
    "completions",
    "activeDeadlineSeconds",
    "backoffLimit",
    "ttlSecondsAfterFinished",
  ]) {
    errs.push(...nonNegative(spec[f], `${path}.${f}`));
  }
  const mode = spec.completionMode;
  if (isSet(mode)) {
    if (mode !== "NonIndexed" && mode !== "Indexed") {
      errs.push(notSupported(`${path}.completionMode`, mode, ["NonIndexed", "Indexed"]));
    }
    if (mode === "Indexed" && !isSet(spec.completions)) {
      errs.push(required(`${path}.completions`, "when completion mode is Indexed"));
    }
  }
  const prp = spec.podReplacementPolicy;
  if (isSet(prp)) {
    if (isSet(spec.podFailurePolicy)) {
      if (prp !== "Failed") errs.push(notSupported(`${path}.podReplacementPolicy`, prp, ["Failed"]));
    } else if (prp !== "Failed" && prp !== "TerminatingOrFailed") {
      errs.push(notSupported(`${path}.podReplacementPolicy`, prp, ["Failed", "TerminatingOrFailed"]));
    }
  }
  const templatePath = `${path}.template`;
  const template = asObj(spec.template);
  errs.push(...validatePodTemplateSpec(template, templatePath, { isPod: false }));
  const restartPolicy = asStr(asObj(template.spec).restartPolicy) || "Always";
  if (restartPolicy === "Always") {
    errs.push(required(`${templatePath}.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
  } else if (restartPolicy !== "OnFailure" && restartPolicy !== "Never") {
    errs.push(notSupported(`${templatePath}.spec.restartPolicy`, restartPolicy, ["OnFailure", "Never"]));
  } else if (isSet(spec.podFailurePolicy) && restartPolicy !== "Never") {
    errs.push(
      invalid(
        `${templatePath}.spec.restartPolicy`,
        restartPolicy,
        'only "Never" is supported when podFailurePolicy is specified',
      ),
    );
  }
  return errs;
}

function validateJob(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec);
  const errs = validateJobSpecCommon(spec, "spec");
  // The server generates the selector (and the matching template labels) unless manualSelector is
  // true; that is the caller's job, so a missing generated selector is not reported here.
  if (!isSet(spec.selector)) {
    if (spec.manualSelector === true) errs.push(required("spec.selector"));
  } else {
    errs.push(...validateLabelSelector(spec.selector, "spec.selector"));
    const selector = asSelector(spec.selector);
    const labels = asObj(asObj(spec.template).metadata).labels;
    if (selector.kind !== "error" && !selectorMatches(selector, labels)) {
      errs.push(invalid("spec.template.metadata.labels", goMap(labels), SELECTOR_MISMATCH));
    }
  }
  const name = asStr(asObj(obj.metadata).name);
  if (spec.completionMode === "Indexed" && typeof spec.completions === "number" && spec.completions > 0) {
    const hostname = `${name}-${spec.completions - 1}`;
    if (isDNS1123Label(hostname).length > 0) {
      errs.push(
        invalid("metadata.name", name, `will not able to create pod with invalid DNS label: ${hostname}`),
      );
    }
  }
  return errs;
}

/** Template fields a suspended Job that never started may change (mutable scheduling directives). */
function jobTemplateForComparison(template: Obj, mutable: boolean, other: Obj): Obj {
  if (!mutable) return template;
  const meta = { ...asObj(template.metadata) };
  const spec = { ...asObj(template.spec) };
  const otherMeta = asObj(other.metadata);
  const otherSpec = asObj(other.spec);
  meta.labels = otherMeta.labels;
  meta.annotations = otherMeta.annotations;
  for (const f of ["nodeSelector", "tolerations", "schedulingGates"]) spec[f] = otherSpec[f];
  if (isObj(spec.affinity) || isObj(otherSpec.affinity)) {
    spec.affinity = { ...asObj(spec.affinity), nodeAffinity: asObj(otherSpec.affinity).nodeAffinity };
  }
  return { ...template, metadata: meta, spec };
}

function validateJobUpdate(obj: Obj, old: Obj): FieldCause[] {
  const spec = asObj(obj.spec);
  const oldSpec = asObj(old.spec);
  const errs: FieldCause[] = [];
  const indexed = spec.completionMode === "Indexed";
  if (!semanticEqual(spec.completions, oldSpec.completions)) {
    if (!indexed) errs.push(invalid("spec.completions", spec.completions ?? null, IMMUTABLE));
    else if (isSet(spec.completions) && spec.completions !== spec.parallelism) {
      errs.push(
        invalid("spec.completions", spec.completions, "can only be modified in tandem with spec.parallelism"),
      );
    }
  }
  if (!semanticEqual(spec.selector, oldSpec.selector)) {
    errs.push(invalid("spec.selector", goLabelSelector(spec.selector), IMMUTABLE));
  }
  const mutable = oldSpec.suspend === true && !isSet(asObj(old.status).startTime);
  const template = asObj(spec.template);
  const oldTemplate = jobTemplateForComparison(asObj(oldSpec.template), mutable, template);
  if (!semanticEqual(template, oldTemplate)) errs.push(invalid("spec.template", template, IMMUTABLE));
  for (const f of [
    "completionMode",
    "podFailurePolicy",
    "backoffLimitPerIndex",
    "managedBy",
    "successPolicy",
  ]) {
    if (!semanticEqual(spec[f], oldSpec[f])) errs.push(invalid(`spec.${f}`, spec[f] ?? null, IMMUTABLE));
  }
  return errs;
}

// robfig/cron v3 ParseStandard, for the error texts.
interface CronBounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}
const CRON_FIELDS: CronBounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  {
    min: 1,
    max: 12,
    names: {
      jan: 1,
      feb: 2,
      mar: 3,
      apr: 4,
      may: 5,
      jun: 6,
      jul: 7,
      aug: 8,
      sep: 9,
      oct: 10,
      nov: 11,
      dec: 12,
    },
  },
  { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } },
];

class CronError extends Error {}

function cronAtoi(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) {
    throw new CronError(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${goQuote(expr)}: invalid syntax`,
    );
  }
  const n = Number.parseInt(expr, 10);
  if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function cronRange(expr: string, b: CronBounds): void {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0].split("-");
  const named = (s: string): number => {
    const key = s.toLowerCase();
    return b.names && Object.hasOwn(b.names, key) ? b.names[key] : cronAtoi(s);
  };
  let start: number;
  let end: number;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = b.min;
    end = b.max;
  } else {
    start = named(lowAndHigh[0]);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = named(lowAndHigh[1]);
    else throw new CronError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = cronAtoi(rangeAndStep[1]);
    if (lowAndHigh.length === 1) end = b.max;
  } else if (rangeAndStep.length > 2) {
    throw new CronError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
}

/** Returns the robfig/cron parse error, or undefined when the schedule parses. */
function cronParseError(schedule: string): string | undefined {
  let spec = schedule;
  try {
    if (spec.length === 0) throw new CronError("empty spec string");
    if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
      const i = spec.indexOf(" ");
      spec = i < 0 ? "" : spec.slice(i).trim();
    }
    if (spec.startsWith("@")) {
      if (["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"].includes(spec))
        return;
      if (spec.startsWith("@every ")) {
        const d = spec.slice("@every ".length);
        if (
          /^[-+]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))*$/.test(
            d,
          )
        )
          return;
        throw new CronError(`failed to parse duration ${spec}: time: invalid duration ${goQuote(d)}`);
      }
      throw new CronError(`unrecognized descriptor: ${spec}`);
    }
    const fields = spec.split(/\s+/).filter((f) => f.length > 0);
    if (fields.length !== 5) {
      throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`);
    }
    fields.forEach((f, i) => {
      for (const expr of f.split(",").filter((e) => e.length > 0)) cronRange(expr, CRON_FIELDS[i]);
    });
    return;
  } catch (e) {
    if (e instanceof CronError) return e.message;
    throw e;
  }
}

function validateCronJob(obj: Obj, old: Obj | undefined): FieldCause[] {
  const spec = asObj(obj.spec);
  const errs: FieldCause[] = [];
  const schedule = asStr(spec.schedule);
  if (!schedule) {
    errs.push(required("spec.schedule"));
  } else {
    const parseError = cronParseError(schedule);
    if (parseError) errs.push(invalid("spec.schedule", schedule, parseError));
    const allowTZ = old !== undefined && asStr(asObj(old.spec).schedule).includes("TZ");
    if (allowTZ && schedule.includes("TZ") && isSet(spec.timeZone)) {
      errs.push(
        invalid("spec.schedule", schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"),
      );
    } else if (!allowTZ && schedule.includes("TZ")) {
      errs.push(
        invalid(
          "spec.schedule",
          schedule,
          "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
        ),
      );
    }
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, "spec.startingDeadlineSeconds"));
  if (typeof spec.timeZone === "string" && spec.timeZone.length === 0) {
    errs.push(invalid("spec.timeZone", spec.timeZone, "timeZone must be nil or non-empty string"));
  }
  const cp = asStr(spec.concurrencyPolicy);
  if (cp && !["Allow", "Forbid", "Replace"].includes(cp)) {
    errs.push(notSupported("spec.concurrencyPolicy", cp, ["Allow", "Forbid", "Replace"]));
  }
  const jobSpec = asObj(asObj(spec.jobTemplate).spec);
  errs.push(...validateJobSpecCommon(jobSpec, "spec.jobTemplate.spec"));
  if (isSet(jobSpec.selector)) {
    errs.push(
      invalid(
        "spec.jobTemplate.spec.selector",
        goLabelSelector(jobSpec.selector),
        "`selector` will be auto-generated",
      ),
    );
  }
  if (jobSpec.manualSelector === true) {
    errs.push(notSupported("spec.jobTemplate.spec.manualSelector", true, ["nil", "false"]));
  }
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit"));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, "spec.failedJobsHistoryLimit"));
  const name = asStr(asObj(obj.metadata).name);
  if (!old && name.length > 52)
    errs.push(invalid("metadata.name", name, "must be no more than 52 characters"));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// core/v1: Service, ConfigMap, Secret, PersistentVolumeClaim, Namespace

const primaryClusterIP = (spec: Obj): string => asStr(asArr(spec.clusterIPs)[0]) || asStr(spec.clusterIP);
const isHeadless = (spec: Obj): boolean => primaryClusterIP(spec) === "None";

function externallyAccessible(spec: Obj): boolean {
  const type = asStr(spec.type) || "ClusterIP";
  return (
    type === "LoadBalancer" ||
    type === "NodePort" ||
    (type === "ClusterIP" && asArr(spec.externalIPs).length > 0)
  );
}

/** A core.ServicePort (no JSON tags: Go field names) as used in the duplicate-port cause. */
function goServicePortKey(protocol: string, port: number): Rendered {
  return new Rendered(
    `{"Name":"","Protocol":${goJSONString(protocol)},"AppProtocol":null,"Port":${port},"TargetPort":0,"NodePort":0}`,
  );
}

function validateService(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec);
  const errs: FieldCause[] = [];
  const type = asStr(spec.type) || "ClusterIP";
  const ports = asArr(spec.ports).map(asObj);
  const headless = isHeadless(spec);
  if (ports.length === 0 && !headless && type !== "ExternalName") errs.push(required("spec.ports"));
  if (type === "LoadBalancer") {
    ports.forEach((p, i) => {
      if (p.port === 10250) {
        errs.push(
          invalid(
            `spec.ports[${i}]`,
            10250,
            "may not expose port 10250 externally since it is used by kubelet",
          ),
        );
      }
    });
    if (headless)
      errs.push(invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for LoadBalancer services"));
  } else if (type === "NodePort") {
    if (headless)
      errs.push(invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for NodePort services"));
  } else if (type === "ExternalName") {
    if (asArr(spec.clusterIPs).length > 0 || asStr(spec.clusterIP)) {
      errs.push(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    }
    if (asArr(spec.ipFamilies).length > 0)
      errs.push(forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
    if (isSet(spec.ipFamilyPolicy))
      errs.push(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
    const cname = asStr(spec.externalName).replace(/\.$/, "");
    if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(invalid("spec.externalName", cname, m));
    else errs.push(required("spec.externalName"));
  }

  const portNames = new Set<string>();
  ports.forEach((sp, i) => {
    const p = `spec.ports[${i}]`;
    const name = asStr(sp.name);
    if (ports.length > 1 && !name) {
      errs.push(required(`${p}.name`));
    } else if (name) {
      for (const m of isDNS1123Label(name)) errs.push(invalid(`${p}.name`, name, m));
      if (portNames.has(name)) errs.push(duplicate(`${p}.name`, name));
      else portNames.add(name);
    }
    const port = typeof sp.port === "number" ? sp.port : 0;
    for (const m of isValidPortNum(port)) errs.push(invalid(`${p}.port`, port, m));
    const protocol = asStr(sp.protocol);
    if (protocol && !SUPPORTED_PROTOCOLS.includes(protocol)) {
      errs.push(notSupported(`${p}.protocol`, protocol, SUPPORTED_PROTOCOLS));
    }
    const targetPort =
      sp.targetPort === undefined || sp.targetPort === 0 || sp.targetPort === "" ? port : sp.targetPort;
    if (typeof targetPort === "number") {
      for (const m of isValidPortNum(targetPort)) errs.push(invalid(`${p}.targetPort`, targetPort, m));
    } else if (typeof targetPort === "string") {
      for (const m of isValidPortName(targetPort)) errs.push(invalid(`${p}.targetPort`, targetPort, m));
    }
    if (typeof sp.appProtocol === "string") {
      for (const m of isQualifiedName(sp.appProtocol))
        errs.push(invalid(`${p}.appProtocol`, sp.appProtocol, m));
    }
  });

  if (isSet(spec.selector)) errs.push(...validateLabels(spec.selector, "spec.selector"));
  const affinity = asStr(spec.sessionAffinity);
  if (affinity && affinity !== "ClientIP" && affinity !== "None") {
    errs.push(notSupported("spec.sessionAffinity", affinity, ["ClientIP", "None"]));
  }
  if ((affinity || "None") === "None" && isSet(spec.sessionAffinityConfig)) {
    errs.push(forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
  }
  const types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
  if (!types.includes(type)) errs.push(notSupported("spec.type", type, types));
  if (type === "ClusterIP") {
    ports.forEach((sp, i) => {
      if (typeof sp.nodePort === "number" && sp.nodePort !== 0) {
        errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
      }
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((sp, i) => {
    if (typeof sp.nodePort !== "number" || sp.nodePort === 0) return;
    const key = `${asStr(sp.protocol) || "TCP"}/${sp.nodePort}`;
    if (nodePorts.has(key)) errs.push(duplicate(`spec.ports[${i}].nodePort`, sp.nodePort));
    nodePorts.add(key);
  });
  const seen = new Set<string>();
  ports.forEach((sp, i) => {
    const protocol = asStr(sp.protocol) || "TCP";
    const port = typeof sp.port === "number" ? sp.port : 0;
    const key = `${protocol}/${port}`;
    if (seen.has(key)) errs.push(duplicate(`spec.ports[${i}]`, goServicePortKey(protocol, port)));
    seen.add(key);
  });
  if (isSet(spec.allocateLoadBalancerNodePorts) && type !== "LoadBalancer") {
    errs.push(
      forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"),
    );
  }
  const etp = asStr(spec.externalTrafficPolicy);
  if (!externallyAccessible(spec)) {
    if (etp)
      errs.push(
        invalid("spec.externalTrafficPolicy", etp, "may only be set for externally-accessible services"),
      );
  } else if (etp && etp !== "Cluster" && etp !== "Local") {
    errs.push(notSupported("spec.externalTrafficPolicy", etp, ["Cluster", "Local"]));
  }
  const itp = spec.internalTrafficPolicy;
  if (isSet(itp) && itp !== "Cluster" && itp !== "Local") {
    errs.push(notSupported("spec.internalTrafficPolicy", itp, ["Cluster", "Local"]));
  }
  return errs;
}

/** validateUpgradeDowngradeClusterIPs, on objects whose clusterIPs the caller keeps from the old object. */
function validateServiceClusterIPUpdate(obj: Obj, old: Obj): FieldCause[] {
  const spec = asObj(obj.spec);
  const oldSpec = asObj(old.spec);
  if (asStr(spec.type) === "ExternalName" || asStr(oldSpec.type) === "ExternalName") return [];
  if (isHeadless(spec) && isHeadless(oldSpec)) return [];
  const oldIP = primaryClusterIP(oldSpec);
  const newIP = asStr(spec.clusterIP) || asStr(asArr(spec.clusterIPs)[0]);
  if (!oldIP || !newIP || oldIP === newIP) return [];
  const ips = asArr(spec.clusterIPs).map(asStr);
  const rendered = ips.length > 0 && ips[0] === newIP ? ips : [newIP];
  return [invalid("spec.clusterIPs[0]", rendered, "may not change once set")];
}

const MAX_SECRET_SIZE = 1024 * 1024;
const base64Len = (v: unknown): number => Buffer.from(asStr(v), "base64").length;

function validateConfigMap(obj: Obj): FieldCause[] {
  const errs: FieldCause[] = [];
  const binary = asObj(obj.binaryData);
  let size = 0;
  for (const [key, value] of strMap(obj.data)) {
    for (const m of isConfigMapKey(key)) errs.push(invalid(`data[${key}]`, key, m));
    if (key in binary) errs.push(invalid(`data[${key}]`, key, "duplicate of key present in binaryData"));
    size += byteLen(value);
  }
  for (const [key, value] of Object.entries(binary)) {
    for (const m of isConfigMapKey(key)) errs.push(invalid(`binaryData[${key}]`, key, m));
    size += base64Len(value);
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong("[]", MAX_SECRET_SIZE));
  return errs;
}

function validateImmutableData(obj: Obj, old: Obj, fields: readonly string[]): FieldCause[] {
  if (old.immutable !== true) return [];
  const errs: FieldCause[] = [];
  if (obj.immutable !== true) errs.push(forbidden("immutable", "field is immutable when `immutable` is set"));
  for (const f of fields) {
    if (!semanticEqual(obj[f], old[f])) errs.push(forbidden(f, "field is immutable when `immutable` is set"));
  }
  return errs;
}

function validateSecret(obj: Obj): FieldCause[] {
  const errs: FieldCause[] = [];
  // stringData is merged into data (and validated as data) before validation.
  const data = new Map<string, number>();
  for (const [k, v] of Object.entries(asObj(obj.data))) data.set(k, base64Len(v));
  for (const [k, v] of strMap(obj.stringData)) data.set(k, byteLen(v));
  let size = 0;
  for (const [key, len] of data) {
    for (const m of isConfigMapKey(key)) errs.push(invalid(`data[${key}]`, key, m));
    size += len;
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong("data", MAX_SECRET_SIZE));
  const annotations = asObj(asObj(obj.metadata).annotations);
  switch (asStr(obj.type)) {
    case "kubernetes.io/service-account-token":
      if (!asStr(annotations["kubernetes.io/service-account.name"])) {
        errs.push(required("metadata.annotations[kubernetes.io/service-account.name]"));
      }
      break;
    case "kubernetes.io/dockercfg":
      if (!data.has(".dockercfg")) errs.push(required("data[.dockercfg]"));
      break;
    case "kubernetes.io/dockerconfigjson":
      if (!data.has(".dockerconfigjson")) errs.push(required("data[.dockerconfigjson]"));
      break;
    case "kubernetes.io/basic-auth":
      if (!data.has("username") && !data.has("password")) {
        errs.push(required("data[username]"), required("data[password]"));
      }
      break;
    case "kubernetes.io/ssh-auth":
      if (!data.get("ssh-privatekey")) errs.push(required("data[ssh-privatekey]"));
      break;
    case "kubernetes.io/tls":
      if (!data.has("tls.crt")) errs.push(required("data[tls.crt]"));
      if (!data.has("tls.key")) errs.push(required("data[tls.key]"));
      break;
  }
  return errs;
}

const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];

function validatePVCSpec(spec: Obj, path: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const modes = asArr(spec.accessModes).map(asStr);
  if (modes.length === 0) errs.push(required(`${path}.accessModes`, "at least 1 access mode is required"));
  if (isSet(spec.selector)) errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  for (const mode of modes) {
    if (!ACCESS_MODES.includes(mode)) errs.push(notSupported(`${path}.accessModes`, mode, ACCESS_MODES));
  }
  if (modes.includes("ReadWriteOncePod") && modes.some((m) => m !== "ReadWriteOncePod")) {
    errs.push(forbidden(`${path}.accessModes`, "may not use ReadWriteOncePod with other access modes"));
  }
  const requests = asObj(asObj(spec.resources).requests);
  if (!isSet(requests.storage)) {
    errs.push(required(`${path}.resources[storage]`));
  } else {
    const q = parseQuantity(requests.storage);
    if (q !== undefined && q <= 0) {
      errs.push(invalid(`${path}.resources[storage]`, String(requests.storage), "must be greater than zero"));
    }
  }
  const sc = spec.storageClassName;
  if (typeof sc === "string" && sc.length > 0) {
    for (const m of nameIsDNSSubdomain(sc, false)) errs.push(invalid(`${path}.storageClassName`, sc, m));
  }
  if (isSet(spec.volumeMode) && spec.volumeMode !== "Block" && spec.volumeMode !== "Filesystem") {
    errs.push(notSupported(`${path}.volumeMode`, spec.volumeMode, ["Block", "Filesystem"]));
  }
  return errs;
}

const goFieldName = (k: string): string => k.charAt(0).toUpperCase() + k.slice(1);

/** An approximation of the go-cmp diff the real message carries (its exact layout is unstable upstream too). */
function specDiff(typeName: string, oldSpec: Obj, newSpec: Obj): string {
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])];
  const lines = [`  ${typeName}{`];
  let same = 0;
  for (const k of keys) {
    if (semanticEqual(oldSpec[k], newSpec[k])) {
      same++;
      continue;
    }
    if (!isEmptyish(oldSpec[k])) lines.push(`- \t${goFieldName(k)}: ${goJSON(oldSpec[k])},`);
    if (!isEmptyish(newSpec[k])) lines.push(`+ \t${goFieldName(k)}: ${goJSON(newSpec[k])},`);
  }
  if (same > 0) lines.push(`  \t... // ${same} identical fields`);
  lines.push("  }");
  return `${lines.join("\n")}\n`;
}

function validatePVCUpdate(obj: Obj, old: Obj): FieldCause[] {
  const errs: FieldCause[] = [];
  const spec = asObj(obj.spec);
  const oldSpec = asObj(old.spec);
  const newClone: Obj = cloneJson(spec);
  const oldClone: Obj = cloneJson(oldSpec);
  if (!asStr(oldSpec.volumeName)) oldClone.volumeName = newClone.volumeName;
  // The storage class may be set once on a claim that had none.
  if (isSet(spec.storageClassName) && !isSet(oldSpec.storageClassName))
    oldClone.storageClassName = spec.storageClassName;
  if (asStr(asObj(obj.status).phase) === "Bound" && isObj(asObj(newClone.resources).requests)) {
    const requests = asObj(asObj(newClone.resources).requests);
    requests.storage = asObj(asObj(oldSpec.resources).requests).storage;
  }
  newClone.volumeAttributesClassName = oldClone.volumeAttributesClassName;
  if (!semanticEqual(newClone, oldClone)) {
    errs.push(
      forbidden(
        "spec",
        `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${specDiff("core.PersistentVolumeClaimSpec", oldClone, newClone)}`,
      ),
    );
  }
  const newSize = parseQuantity(asObj(asObj(spec.resources).requests).storage) ?? 0;
  const oldSize = parseQuantity(asObj(asObj(oldSpec.resources).requests).storage) ?? 0;
  const statusSize = parseQuantity(asObj(asObj(old.status).capacity).storage) ?? 0;
  if (newSize < oldSize && newSize <= statusSize) {
    errs.push(forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"));
  }
  const mode = spec.volumeMode ?? "Filesystem";
  if (mode !== (oldSpec.volumeMode ?? "Filesystem")) errs.push(invalid("volumeMode", mode, IMMUTABLE));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// rbac.authorization.k8s.io/v1

const RBAC_GROUP = "rbac.authorization.k8s.io";

function validatePolicyRules(obj: Obj, namespaced: boolean): FieldCause[] {
  const errs: FieldCause[] = [];
  asArr(obj.rules).forEach((raw, i) => {
    const rule = asObj(raw);
    const p = `rules[${i}]`;
    if (asArr(rule.verbs).length === 0)
      errs.push(required(`${p}.verbs`, "verbs must contain at least one value"));
    const urls = asArr(rule.nonResourceURLs);
    if (urls.length > 0) {
      if (namespaced)
        errs.push(
          invalid(`${p}.nonResourceURLs`, urls, "namespaced rules cannot apply to non-resource URLs"),
        );
      if (
        asArr(rule.apiGroups).length + asArr(rule.resources).length + asArr(rule.resourceNames).length >
        0
      ) {
        errs.push(
          invalid(
            `${p}.nonResourceURLs`,
            urls,
            "rules cannot apply to both regular resources and non-resource URLs",
          ),
        );
      }
      return;
    }
    if (asArr(rule.apiGroups).length === 0) {
      errs.push(required(`${p}.apiGroups`, "resource rules must supply at least one api group"));
    }
    if (asArr(rule.resources).length === 0) {
      errs.push(required(`${p}.resources`, "resource rules must supply at least one resource"));
    }
  });
  return errs;
}

function roleRefOf(obj: Obj): { apiGroup: string; kind: string; name: string } {
  const ref = asObj(obj.roleRef);
  return { apiGroup: asStr(ref.apiGroup) || RBAC_GROUP, kind: asStr(ref.kind), name: asStr(ref.name) };
}

function validateRoleBinding(obj: Obj, namespaced: boolean): FieldCause[] {
  const errs: FieldCause[] = [];
  const ref = roleRefOf(obj);
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported("roleRef.apiGroup", ref.apiGroup, [RBAC_GROUP]));
  const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  if (!kinds.includes(ref.kind)) errs.push(notSupported("roleRef.kind", ref.kind, kinds));
  if (!ref.name) errs.push(required("roleRef.name"));
  else for (const m of isValidPathSegmentName(ref.name)) errs.push(invalid("roleRef.name", ref.name, m));
  asArr(obj.subjects).forEach((raw, i) => {
    const s = asObj(raw);
    const p = `subjects[${i}]`;
    const name = asStr(s.name);
    const apiGroup = asStr(s.apiGroup);
    if (!name) errs.push(required(`${p}.name`));
    switch (asStr(s.kind)) {
      case "ServiceAccount":
        if (name) for (const m of nameIsDNSSubdomain(name, false)) errs.push(invalid(`${p}.name`, name, m));
        if (apiGroup) errs.push(notSupported(`${p}.apiGroup`, apiGroup, [""]));
        if (!namespaced && !asStr(s.namespace)) errs.push(required(`${p}.namespace`));
        break;
      case "User":
      case "Group":
        if ((apiGroup || RBAC_GROUP) !== RBAC_GROUP)
          errs.push(notSupported(`${p}.apiGroup`, apiGroup, [RBAC_GROUP]));
        break;
      default:
        errs.push(notSupported(`${p}.kind`, asStr(s.kind), ["ServiceAccount", "User", "Group"]));
    }
  });
  return errs;
}

function validateRoleRefUpdate(obj: Obj, old: Obj): FieldCause[] {
  const ref = roleRefOf(obj);
  const oldRef = roleRefOf(old);
  if (ref.apiGroup === oldRef.apiGroup && ref.kind === oldRef.kind && ref.name === oldRef.name) return [];
  const rendered = new Rendered(
    `{"APIGroup":${goJSONString(ref.apiGroup)},"Kind":${goJSONString(ref.kind)},"Name":${goJSONString(ref.name)}}`,
  );
  return [invalid("roleRef", rendered, "cannot change roleRef")];
}

// ---------------------------------------------------------------------------------------------
// networking.k8s.io/v1 Ingress (the commonly hit rules)

function validateIngressBackend(backend: Obj, path: string): FieldCause[] {
  const hasResource = isSet(backend.resource);
  const hasService = isSet(backend.service);
  if (hasResource && hasService) return [invalid(path, "", "cannot set both resource and service backends")];
  if (hasResource) return [];
  if (!hasService) return [invalid(path, "", "resource or service backend is required")];
  const errs: FieldCause[] = [];
  const svc = asObj(backend.service);
  const name = asStr(svc.name);
  if (!name) errs.push(required(`${path}.service.name`));
  else for (const m of isDNS1035Label(name)) errs.push(invalid(`${path}.service.name`, name, m));
  const port = asObj(svc.port);
  const portName = asStr(port.name);
  const portNumber = typeof port.number === "number" ? port.number : 0;
  if (portName && portNumber) errs.push(invalid(path, "", "cannot set both port name & port number"));
  else if (portName)
    for (const m of isValidPortName(portName)) errs.push(invalid(`${path}.service.port.name`, portName, m));
  else if (portNumber)
    for (const m of isValidPortNum(portNumber))
      errs.push(invalid(`${path}.service.port.number`, portNumber, m));
  else errs.push(required(path, "port name or number is required"));
  return errs;
}

function validateIngress(obj: Obj): FieldCause[] {
  const spec = asObj(obj.spec);
  const errs: FieldCause[] = [];
  const rules = asArr(spec.rules);
  if (isSet(spec.defaultBackend))
    errs.push(...validateIngressBackend(asObj(spec.defaultBackend), "spec.defaultBackend"));
  else if (rules.length === 0)
    errs.push(invalid("spec.rules", [], "either `defaultBackend` or `rules` must be specified"));
  rules.forEach((raw, i) => {
    const rule = asObj(raw);
    if (!isSet(rule.http)) return;
    const p = `spec.rules[${i}].http`;
    const paths = asArr(asObj(rule.http).paths);
    if (paths.length === 0) errs.push(required(`${p}.paths`));
    paths.forEach((rawPath, j) => {
      const hp = asObj(rawPath);
      const pp = `${p}.paths[${j}]`;
      const pathType = hp.pathType;
      const pathValue = asStr(hp.path);
      if (!isSet(pathType)) {
        errs.push(required(`${pp}.pathType`, "pathType must be specified"));
        return;
      }
      if (pathType === "Exact" || pathType === "Prefix") {
        if (!pathValue.startsWith("/"))
          errs.push(invalid(`${pp}.path`, pathValue, "must be an absolute path"));
      } else if (pathType === "ImplementationSpecific") {
        if (pathValue && !pathValue.startsWith("/"))
          errs.push(invalid(`${pp}.path`, pathValue, "must be an absolute path"));
      } else {
        errs.push(notSupported(`${pp}.pathType`, pathType, ["Exact", "ImplementationSpecific", "Prefix"]));
      }
      errs.push(...validateIngressBackend(asObj(hp.backend), `${pp}.backend`));
    });
  });
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Dispatch

/** The name format of each built-in kind; anything else (custom resources) is a DNS subdomain. */
function nameFnFor(group: string, kind: string, obj: Obj): NameFn {
  switch (`${group}/${kind}`) {
    case "/Namespace":
    case "apps/StatefulSet":
      return nameIsDNSLabel;
    case "/Service":
      return nameIsDNS1035Label;
    case "rbac.authorization.k8s.io/Role":
    case "rbac.authorization.k8s.io/ClusterRole":
    case "rbac.authorization.k8s.io/RoleBinding":
    case "rbac.authorization.k8s.io/ClusterRoleBinding":
      return nameIsPathSegment;
    case "apiextensions.k8s.io/CustomResourceDefinition": {
      const spec = asObj(obj.spec);
      const requiredName = `${asStr(asObj(spec.names).plural)}.${asStr(spec.group)}`;
      return (name, prefix) => {
        const errs = nameIsDNSSubdomain(name, prefix);
        if (name !== requiredName) errs.push('must be spec.names.plural+"."+spec.group');
        return errs;
      };
    }
    default:
      return nameIsDNSSubdomain;
  }
}

const BUILT_IN_GROUPS = new Set([
  "",
  "apps",
  "batch",
  "autoscaling",
  "policy",
  "networking.k8s.io",
  "rbac.authorization.k8s.io",
  "storage.k8s.io",
  "scheduling.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "node.k8s.io",
  "certificates.k8s.io",
  "admissionregistration.k8s.io",
]);

function dedupe(causes: FieldCause[]): FieldCause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const key = `${c.reason}\u0000${c.field}\u0000${c.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Validates a whole object about to be stored (create, or update when `old` is the stored object).
 * Returns the causes of a 422 `Invalid` in the order the real apiserver lists them; [] when valid.
 */
export function validateObject(
  obj: Record<string, unknown>,
  old: Record<string, unknown> | undefined,
  kind: ValidatedKind,
): FieldCause[] {
  const { group, kind: k, namespaced } = kind;
  const meta = asObj(obj.metadata);
  const metaOpts: MetaOptions = {
    nameFn: nameFnFor(group, k, obj),
    namespaced,
    kubeFinalizers: BUILT_IN_GROUPS.has(group),
  };
  const errs: FieldCause[] = old
    ? validateObjectMetaUpdate(meta, asObj(old.metadata), metaOpts)
    : validateObjectMetaCreate(meta, metaOpts);

  switch (`${group}/${k}`) {
    case "/Pod":
      errs.push(...validatePod(obj));
      break;
    case "/PodTemplate":
      errs.push(...validatePodTemplateSpec(asObj(obj.template), "template", { isPod: false }));
      break;
    case "/Service":
      if (old) errs.push(...validateServiceClusterIPUpdate(obj, old));
      errs.push(...validateService(obj));
      break;
    case "/ConfigMap":
      if (old) errs.push(...validateImmutableData(obj, old, ["data", "binaryData"]));
      errs.push(...validateConfigMap(obj));
      break;
    case "/Secret":
      if (old) {
        const type = asStr(obj.type) || "Opaque";
        if (type !== (asStr(old.type) || "Opaque")) errs.push(invalid("type", type, IMMUTABLE));
        errs.push(...validateImmutableData(obj, old, ["data"]));
      }
      errs.push(...validateSecret(obj));
      break;
    case "/PersistentVolumeClaim":
      errs.push(...validatePVCSpec(asObj(obj.spec), "spec"));
      if (old) errs.push(...validatePVCUpdate(obj, old));
      break;
    case "/Namespace":
      for (const f of asArr(asObj(obj.spec).finalizers).map(asStr)) {
        for (const m of isQualifiedName(f)) errs.push(invalid("spec.finalizers", f, m));
        errs.push(...validateKubeFinalizerNames([f], "spec.finalizers"));
      }
      break;
    case "apps/Deployment":
      errs.push(...validateDeployment(obj));
      if (old) errs.push(...selectorImmutable(obj, old));
      break;
    case "apps/ReplicaSet":
      errs.push(...validateReplicaSet(obj));
      if (old) errs.push(...selectorImmutable(obj, old));
      break;
    case "apps/DaemonSet":
      errs.push(...validateDaemonSet(obj));
      if (old) errs.push(...selectorImmutable(obj, old));
      break;
    case "apps/StatefulSet":
      errs.push(...validateStatefulSet(obj, old));
      if (old) errs.push(...validateStatefulSetUpdate(obj, old));
      break;
    case "batch/Job":
      errs.push(...validateJob(obj));
      if (old) errs.push(...validateJobUpdate(obj, old));
      break;
    case "batch/CronJob":
      errs.push(...validateCronJob(obj, old));
      break;
    case "networking.k8s.io/Ingress":
      errs.push(...validateIngress(obj));
      break;
    case "rbac.authorization.k8s.io/Role":
      errs.push(...validatePolicyRules(obj, true));
      break;
    case "rbac.authorization.k8s.io/ClusterRole":
      errs.push(...validatePolicyRules(obj, false));
      break;
    case "rbac.authorization.k8s.io/RoleBinding":
    case "rbac.authorization.k8s.io/ClusterRoleBinding":
      errs.push(...validateRoleBinding(obj, k === "RoleBinding"));
      if (old) errs.push(...validateRoleRefUpdate(obj, old));
      break;
  }
  return dedupe(errs);
}

/**
 * The `message` of the 422 Status, as apimachinery's errors.NewInvalid builds it:
 * `<Kind>[.<group>] "<name>" is invalid: <field>: <message>`, several causes as `[a, b]`
 * (identical lines only once).
 */
export function invalidMessage(
  kind: { group: string; kind: string },
  name: string,
  causes: FieldCause[],
): string {
  const qualified = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
  const head = `${qualified} ${goQuote(name)} is invalid`;
  const lines = [...new Set(causes.map((c) => `${c.field}: ${c.message}`))];
  if (lines.length === 0) return head;
  return `${head}: ${lines.length === 1 ? lines[0] : `[${lines.join(", ")}]`}`;
}

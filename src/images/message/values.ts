/**
 * Go values as a template sees them. Scalars are JavaScript primitives: `string`, `boolean`, `bigint`
 * (Go's `int`) and `number` (Go's `float64`). `undefined` is Go's invalid `reflect.Value` ("no
 * value", what a missing map key gives) and `null` is a nil interface. Slices, maps and structs carry
 * their Go type name, which shows in error messages and in `printf "%T"`.
 */
export type Value = undefined | null | string | boolean | bigint | number | GoSlice | GoMap | GoStruct;

export class GoSlice {
  constructor(
    /** `[]interface {}`, `[]string`, `[]update.Change`… */
    readonly type: string,
    readonly items: readonly Value[],
  ) {}
}

export class GoMap {
  constructor(
    /** `map[string]string`, `update.ObjectChanges`… */
    readonly type: string,
    /** The key type: `.Name` on a map looks the name up only when this is `string`. */
    readonly keyType: string,
    readonly entries: ReadonlyMap<Value, Value>,
    /** The zero value of the element type, which `index` gives for a missing key. */
    readonly zero: Value = null,
  ) {}
}

export interface GoField {
  readonly name: string;
  readonly value: Value;
  /** An embedded struct, whose fields are promoted (reachable by their own names). */
  readonly embedded?: boolean;
  /** The name `encoding/json` gives the field (its `json` tag); absent: the Go name. */
  readonly json?: string;
  readonly omitEmpty?: boolean;
}

export class GoStruct {
  constructor(
    /** `update.Change`, `types.NamespacedName`… */
    readonly type: string,
    readonly fields: readonly GoField[],
    /** Methods without arguments, which templates call by name like fields (`.Changed.Objects`). */
    readonly methods: ReadonlyMap<string, () => Value> = new Map(),
    /** The type's `String()` method, which fmt prints the value with. */
    readonly stringer?: () => string,
  ) {}
}

/** A struct's field by name, looking into embedded structs as Go promotes their fields. */
export function structField(struct: GoStruct, name: string): { value: Value } | undefined {
  for (const field of struct.fields) if (field.name === name) return { value: field.value };
  for (const field of struct.fields) {
    if (field.embedded && field.value instanceof GoStruct) {
      const promoted = structField(field.value, name);
      if (promoted) return promoted;
    }
  }
  return undefined;
}

/** A value's Go type as `%T` prints it. */
export function typeName(value: Value): string {
  switch (typeof value) {
    case "undefined":
      return "<nil>";
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "float64";
  }
  return value === null ? "<nil>" : value.type;
}

export type Kind =
  | "invalid"
  | "string"
  | "bool"
  | "int"
  | "float64"
  | "slice"
  | "map"
  | "struct"
  | "interface";

/** A value's `reflect.Kind`; a nil interface is `interface`, a missing value `invalid`. */
export function kindOf(value: Value): Kind {
  if (value === undefined) return "invalid";
  if (value === null) return "interface";
  if (value instanceof GoSlice) return "slice";
  if (value instanceof GoMap) return "map";
  if (value instanceof GoStruct) return "struct";
  return typeName(value) as Kind;
}

/** Go's truth, as `if`, `with`, `and`, `or` and `not` see it: the zero value and empty things are false. */
export function isTrue(value: Value): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.length > 0;
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return value !== 0n;
  if (typeof value === "number") return value !== 0;
  if (value instanceof GoSlice) return value.items.length > 0;
  if (value instanceof GoMap) return value.entries.size > 0;
  return true;
}

function belowSurrogates(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0xd800) return false;
  return true;
}

/** Go compares strings byte by byte (UTF-8), which differs from UTF-16 order past U+FFFF. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // Code units order as UTF-8 bytes do unless a surrogate meets a code unit at or above U+E000.
  if (belowSurrogates(a) && belowSurrogates(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The order Go's `fmt` and `text/template` give map keys (`internal/fmtsort`): numbers, strings and
 * booleans in their natural order, structs field by field, nil first.
 */
function compareKeys(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
    if (Number.isNaN(b)) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === "boolean" && typeof b === "boolean") return a ? 1 : -1;
  if (a instanceof GoStruct && b instanceof GoStruct && a.type === b.type) {
    for (let i = 0; i < a.fields.length; i++) {
      const order = compareKeys(a.fields[i].value, b.fields[i]?.value);
      if (order !== 0) return order;
    }
    return 0;
  }
  // Keys of an interface type: by type first, as fmtsort does.
  return compareStrings(typeName(a), typeName(b));
}

/** A map's entries in Go's printing and ranging order. */
export function sortedEntries(map: GoMap): Array<[Value, Value]> {
  return [...map.entries].sort(([a], [b]) => compareKeys(a, b));
}

/** Go's `reflect.DeepEqual`, which Sprig's `uniq`, `has`, `without` and `deepEqual` use. */
export function deepEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a.type !== b.type) return false;
  if (a instanceof GoSlice && b instanceof GoSlice) {
    return a.items.length === b.items.length && a.items.every((item, i) => deepEqual(item, b.items[i]));
  }
  if (a instanceof GoMap && b instanceof GoMap) {
    if (a.entries.size !== b.entries.size) return false;
    return [...a.entries].every(([key, value]) => {
      const other = mapLookup(b, key);
      return other.found && deepEqual(value, other.value);
    });
  }
  if (a instanceof GoStruct && b instanceof GoStruct) {
    return a.fields.every((field, i) => deepEqual(field.value, b.fields[i]?.value));
  }
  return false;
}

/** The entry of `key`, comparing struct keys by value as Go does. */
export function mapLookup(map: GoMap, key: Value): { found: boolean; value: Value } {
  if (typeof key !== "object" || key === null) {
    return map.entries.has(key)
      ? { found: true, value: map.entries.get(key) }
      : { found: false, value: undefined };
  }
  for (const [k, value] of map.entries) if (deepEqual(k, key)) return { found: true, value };
  return { found: false, value: undefined };
}

/** A `map[string]interface {}`, as Sprig's `dict` makes. */
export function stringMap(
  entries: Iterable<[string, Value]>,
  type = "map[string]interface {}",
  zero: Value = null,
) {
  return new GoMap(type, "string", new Map<Value, Value>(entries), zero);
}

/** A value's length for `len`, or undefined when the type has none. */
export function lengthOf(value: Value): number | undefined {
  if (typeof value === "string") return Buffer.byteLength(value);
  if (value instanceof GoSlice) return value.items.length;
  if (value instanceof GoMap) return value.entries.size;
  return undefined;
}

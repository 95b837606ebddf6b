/**
 * Decodes the Kubernetes protobuf request bodies that client-go's typed clients send (helm stores
 * its releases through one): the `k8s\0` envelope, a `runtime.Unknown`, and the few kinds
 * typed clients write here, turned into the JSON form the rest of the server works on.
 * Field numbers are those of k8s.io/api and k8s.io/apimachinery `generated.proto`.
 */
import { ApiError } from "./errors.js";

type FieldType = "string" | "bytes" | "int" | "bool" | "time" | Message;
interface Field {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** A `map<string, V>`: entries with key 1 and value 2. */
  map?: "string" | "bytes";
}
interface Message {
  fields: Record<number, Field>;
}

const fieldsV1: Message = { fields: { 1: { name: "raw", type: "bytes" } } };
const ownerReference: Message = {
  fields: {
    1: { name: "kind", type: "string" },
    3: { name: "name", type: "string" },
    4: { name: "uid", type: "string" },
    5: { name: "apiVersion", type: "string" },
    6: { name: "controller", type: "bool" },
    7: { name: "blockOwnerDeletion", type: "bool" },
  },
};
const managedFieldsEntry: Message = {
  fields: {
    1: { name: "manager", type: "string" },
    2: { name: "operation", type: "string" },
    3: { name: "apiVersion", type: "string" },
    4: { name: "time", type: "time" },
    6: { name: "fieldsType", type: "string" },
    7: { name: "fieldsV1", type: fieldsV1 },
    8: { name: "subresource", type: "string" },
  },
};
const objectMeta: Message = {
  fields: {
    1: { name: "name", type: "string" },
    2: { name: "generateName", type: "string" },
    3: { name: "namespace", type: "string" },
    4: { name: "selfLink", type: "string" },
    5: { name: "uid", type: "string" },
    6: { name: "resourceVersion", type: "string" },
    7: { name: "generation", type: "int" },
    8: { name: "creationTimestamp", type: "time" },
    9: { name: "deletionTimestamp", type: "time" },
    10: { name: "deletionGracePeriodSeconds", type: "int" },
    11: { name: "labels", type: "string", map: "string" },
    12: { name: "annotations", type: "string", map: "string" },
    13: { name: "ownerReferences", type: ownerReference, repeated: true },
    14: { name: "finalizers", type: "string", repeated: true },
    17: { name: "managedFields", type: managedFieldsEntry, repeated: true },
  },
};

const KINDS: Record<string, Message> = {
  DeleteOptions: {
    fields: {
      1: { name: "gracePeriodSeconds", type: "int" },
      2: {
        name: "preconditions",
        type: {
          fields: { 1: { name: "uid", type: "string" }, 2: { name: "resourceVersion", type: "string" } },
        },
      },
      3: { name: "orphanDependents", type: "bool" },
      4: { name: "propagationPolicy", type: "string" },
      5: { name: "dryRun", type: "string", repeated: true },
    },
  },
  Secret: {
    fields: {
      1: { name: "metadata", type: objectMeta },
      2: { name: "data", type: "bytes", map: "bytes" },
      3: { name: "type", type: "string" },
      4: { name: "stringData", type: "string", map: "string" },
      5: { name: "immutable", type: "bool" },
    },
  },
  Namespace: {
    fields: {
      1: { name: "metadata", type: objectMeta },
      2: { name: "spec", type: { fields: { 1: { name: "finalizers", type: "string", repeated: true } } } },
    },
  },
  ConfigMap: {
    fields: {
      1: { name: "metadata", type: objectMeta },
      2: { name: "data", type: "string", map: "string" },
      3: { name: "binaryData", type: "bytes", map: "bytes" },
      4: { name: "immutable", type: "bool" },
    },
  },
};

const unknownEnvelope: Message = {
  fields: {
    1: {
      name: "typeMeta",
      type: { fields: { 1: { name: "apiVersion", type: "string" }, 2: { name: "kind", type: "string" } } },
    },
    2: { name: "raw", type: "bytes" },
  },
};

const EPOCH = "1970-01-01T00:00:00Z";
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export function isProtobuf(contentType: string): boolean {
  return contentType.split(";")[0].trim() === "application/vnd.kubernetes.protobuf";
}

/** A protobuf request body as the JSON object it stands for. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw protobufError("missing the k8s protobuf prefix");
  const envelope = decode(body.subarray(4), unknownEnvelope) as {
    typeMeta?: Record<string, string>;
    raw?: Buffer;
  };
  const { apiVersion, kind } = envelope.typeMeta ?? {};
  const message = kind ? KINDS[kind] : undefined;
  if (!message || !envelope.raw) {
    throw new ApiError(
      415,
      "UnsupportedMediaType",
      `the test server cannot decode protobuf for kind ${kind}; send JSON`,
    );
  }
  return { apiVersion, kind, ...toJson(decode(envelope.raw, message), message) };
}

function protobufError(message: string): ApiError {
  return new ApiError(400, "BadRequest", `unable to decode protobuf body: ${message}`);
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw protobufError("truncated varint");
      const byte = this.buf[this.pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  bytes(): Buffer {
    const length = Number(this.varint());
    if (this.pos + length > this.buf.length) throw protobufError("truncated field");
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw protobufError(`unsupported wire type ${wireType}`);
  }
}

/** Decodes one message into plain values: strings, Buffers, bigints, booleans, nested objects. */
function decode(buf: Buffer, message: Message): Record<string, unknown> {
  const reader = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (reader.pos < buf.length) {
    const tag = Number(reader.varint());
    const [number, wireType] = [tag >>> 3, tag & 7];
    const field = message.fields[number];
    if (!field) {
      reader.skip(wireType);
      continue;
    }
    let value: unknown;
    if (field.map) {
      const entry = decode(reader.bytes(), {
        fields: { 1: { name: "key", type: "string" }, 2: { name: "value", type: field.map } },
      });
      const map = (out[field.name] ?? {}) as Record<string, unknown>;
      map[String(entry.key ?? "")] = entry.value ?? (field.map === "bytes" ? Buffer.alloc(0) : "");
      out[field.name] = map;
      continue;
    }
    if (field.type === "int") value = reader.varint();
    else if (field.type === "bool") value = reader.varint() !== 0n;
    else if (field.type === "string") value = reader.bytes().toString("utf8");
    else if (field.type === "bytes") value = Buffer.from(reader.bytes());
    else if (field.type === "time") {
      const time = decode(reader.bytes(), {
        fields: { 1: { name: "seconds", type: "int" }, 2: { name: "nanos", type: "int" } },
      });
      value = new Date(Number((time.seconds as bigint | undefined) ?? 0n) * 1000)
        .toISOString()
        .replace(/\.\d+Z$/, "Z");
    } else value = decode(reader.bytes(), field.type);
    if (field.repeated) out[field.name] = [...((out[field.name] as unknown[]) ?? []), value];
    else out[field.name] = value;
  }
  return out;
}

/** The JSON form: bytes as base64, int64 as numbers, FieldsV1 as its JSON object. */
function toJson(value: Record<string, unknown>, message: Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of Object.values(message.fields)) {
    const v = value[field.name];
    // Go's JSON leaves zero values out (omitempty); protobuf spells them out.
    if (v === undefined || v === "" || v === 0n || v === false || v === EPOCH) continue;
    out[field.name] = convert(v, field);
  }
  return out;
}

function convert(v: unknown, field: Field): unknown {
  if (field.map) {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [
        k,
        Buffer.isBuffer(x) ? x.toString("base64") : x,
      ]),
    );
  }
  if (field.repeated) return (v as unknown[]).map((x) => convert(x, { ...field, repeated: false }));
  if (typeof v === "bigint") return Number(v);
  if (field.type === fieldsV1)
    return JSON.parse(((v as { raw?: Buffer }).raw ?? Buffer.from("{}")).toString());
  if (Buffer.isBuffer(v)) return v.toString("base64");
  if (typeof field.type === "object") return toJson(v as Record<string, unknown>, field.type);
  return v;
}

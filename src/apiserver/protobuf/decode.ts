// Kubernetes' protobuf request bodies (`Content-Type: application/vnd.kubernetes.protobuf`): the 4-byte
// magic "k8s\0", then a runtime.Unknown {1: TypeMeta{1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding,
// 4: contentType} whose raw bytes are the object's own message. The object is turned into the JSON form
// Kubernetes would print for it (Go encoding/json rules: omitempty scalars dropped, structs kept).

import type { KubeObject } from '../../api/index.ts';
import { inlined, kinds, messages } from './schema.ts';
import type { FieldSchema } from './schema.ts';
import { ProtobufDecodeError, WIRE_BYTES, WIRE_VARINT, decodeString, readFields } from './wire.ts';
import type { WireField } from './wire.ts';

export { ProtobufDecodeError } from './wire.ts';

const MAGIC = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"

export interface ProtobufEnvelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

// The envelope alone: for kinds we have no schema for, the caller can still say what was sent.
export function decodeEnvelope(body: Uint8Array): ProtobufEnvelope {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) {
    throw new ProtobufDecodeError('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  const env: ProtobufEnvelope = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '', contentType: '' };
  for (const f of readFields(body.subarray(4))) {
    if (f.wireType !== WIRE_BYTES || !f.bytes) continue;
    switch (f.field) {
      case 1:
        for (const t of readFields(f.bytes)) {
          if (t.wireType !== WIRE_BYTES || !t.bytes) continue;
          if (t.field === 1) env.apiVersion = decodeString(t.bytes);
          if (t.field === 2) env.kind = decodeString(t.bytes);
        }
        break;
      case 2:
        env.raw = f.bytes;
        break;
      case 3:
        env.contentEncoding = decodeString(f.bytes);
        break;
      case 4:
        env.contentType = decodeString(f.bytes);
        break;
    }
  }
  return env;
}

export function decodeProtobufObject(body: Uint8Array): KubeObject {
  const env = decodeEnvelope(body);
  if (env.contentEncoding !== '') throw new ProtobufDecodeError(`unsupported content encoding "${env.contentEncoding}"`);
  const root = kinds[`${env.apiVersion}/${env.kind}`];
  if (!root) {
    throw new ProtobufDecodeError(`no protobuf schema for ${env.kind} in version "${env.apiVersion}"`);
  }
  const obj = decodeMessage(root, env.raw);
  // kind and apiVersion first, as Kubernetes writes them.
  return { kind: env.kind, apiVersion: env.apiVersion, ...obj } as KubeObject;
}

type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

function toInt(v: bigint, bits: 32 | 64): number {
  return Number(BigInt.asIntN(bits, v));
}

function bytesOf(f: WireField, what: string): Uint8Array {
  if (f.wireType !== WIRE_BYTES || !f.bytes) throw new ProtobufDecodeError(`${what}: expected a length-delimited field`);
  return f.bytes;
}

function varintOf(f: WireField, what: string): bigint {
  if (f.wireType !== WIRE_VARINT || f.varint === undefined) throw new ProtobufDecodeError(`${what}: expected a varint`);
  return f.varint;
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

// metav1.Time {1: seconds, 2: nanos}; the zero time travels as an empty message and prints as null.
function decodeTime(bytes: Uint8Array): string | null {
  let seconds = 0n;
  let present = false;
  for (const f of readFields(bytes)) {
    if (f.field === 1) {
      seconds = BigInt.asIntN(64, varintOf(f, 'Time.seconds'));
      present = true;
    }
    if (f.field === 2) present = true; // RFC 3339 in JSON keeps whole seconds only
  }
  if (!present) return null;
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// intstr.IntOrString {1: type (0 int, 1 string), 2: intVal, 3: strVal}
function decodeIntOrString(bytes: Uint8Array): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  for (const f of readFields(bytes)) {
    if (f.field === 1) type = toInt(varintOf(f, 'IntOrString.type'), 64);
    if (f.field === 2) intVal = toInt(varintOf(f, 'IntOrString.intVal'), 32);
    if (f.field === 3) strVal = decodeString(bytesOf(f, 'IntOrString.strVal'));
  }
  return type === 1 ? strVal : intVal;
}

// resource.Quantity {1: string}
function decodeQuantity(bytes: Uint8Array): string {
  for (const f of readFields(bytes)) if (f.field === 1) return decodeString(bytesOf(f, 'Quantity'));
  return '';
}

// A map entry {1: key, 2: value}
function decodeEntry(bytes: Uint8Array): [string, Uint8Array] {
  let key = '';
  let value: Uint8Array = new Uint8Array();
  for (const f of readFields(bytes)) {
    if (f.field === 1) key = decodeString(bytesOf(f, 'map key'));
    if (f.field === 2) value = bytesOf(f, 'map value');
  }
  return [key, value];
}

function decodeSingle(type: string, f: WireField, what: string): JsonValue {
  switch (type) {
    case 's':
      return decodeString(bytesOf(f, what));
    case 'i32':
      return toInt(varintOf(f, what), 32);
    case 'i64':
      return toInt(varintOf(f, what), 64);
    case 'b':
      return varintOf(f, what) !== 0n;
    case 'bytes':
      return base64(bytesOf(f, what));
    case 'Time':
      return decodeTime(bytesOf(f, what));
    case 'IntOrString':
      return decodeIntOrString(bytesOf(f, what));
    case 'Quantity':
      return decodeQuantity(bytesOf(f, what));
    case 'FieldsV1': {
      // {1: Raw} holding the JSON of the field set
      for (const inner of readFields(bytesOf(f, what))) {
        if (inner.field === 1) return JSON.parse(decodeString(bytesOf(inner, what))) as JsonValue;
      }
      return {};
    }
    default:
      if (!messages[type]) throw new Error(`protobuf schema: unknown type ${type}`);
      return decodeMessage(type, bytesOf(f, what));
  }
}

function isZero(v: JsonValue): boolean {
  return v === '' || v === 0 || v === false;
}

function decodeMessage(name: string, bytes: Uint8Array): { [k: string]: JsonValue } {
  const schema = messages[name];
  const byNumber = new Map<number, FieldSchema>(schema.map((f) => [f.n, f]));
  const values = new Map<string, JsonValue>();
  const lists = new Map<string, JsonValue[]>();
  const maps = new Map<string, { [k: string]: JsonValue }>();

  for (const f of readFields(bytes)) {
    const field = byNumber.get(f.field);
    if (!field) continue; // a field we do not serve: skipped, as an unknown field
    const what = `${name}.${field.name}`;
    if (field.type.startsWith('[]')) {
      const list = lists.get(field.name) ?? [];
      list.push(decodeSingle(field.type.slice(2), f, what));
      lists.set(field.name, list);
    } else if (field.type === 'map' || field.type === 'bmap' || field.type === 'qmap') {
      const [key, value] = decodeEntry(bytesOf(f, what));
      const m = maps.get(field.name) ?? {};
      m[key] =
        field.type === 'map' ? decodeString(value) : field.type === 'bmap' ? base64(value) : decodeQuantity(value);
      maps.set(field.name, m);
    } else {
      values.set(field.name, decodeSingle(field.type, f, what)); // last one wins, as in protobuf
    }
  }

  // Emit in schema order (Go struct order), with Go's JSON omission rules.
  const out: { [k: string]: JsonValue } = {};
  for (const field of schema) {
    if (lists.has(field.name)) out[field.name] = lists.get(field.name) ?? [];
    else if (maps.has(field.name)) out[field.name] = maps.get(field.name) ?? {};
    else if (values.has(field.name)) {
      const v = values.get(field.name) ?? null;
      const scalar = ['s', 'i32', 'i64', 'b', 'bytes'].includes(field.type);
      if (scalar && isZero(v) && !field.always) continue;
      if (inlined.has(field.name) && v !== null && typeof v === 'object' && !Array.isArray(v)) {
        Object.assign(out, v);
        continue;
      }
      out[field.name] = v;
    }
  }
  return out;
}

// The protobuf wire format, read side: varints, length-delimited fields, fixed 32/64-bit values.

// A malformed or unsupported body: the caller's mistake, answered 400 BadRequest (code and reason carried
// like the patch module's PatchError, so the core can turn it into a Status in its one place).
export class ProtobufDecodeError extends Error {
  override name = 'ProtobufDecodeError';
  readonly code = 400;
  readonly reason = 'BadRequest';
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export interface WireField {
  field: number;
  wireType: number;
  varint?: bigint; // WIRE_VARINT (and the fixed types, as raw little-endian integers)
  bytes?: Uint8Array; // WIRE_BYTES
}

export function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = pos; i < buf.length; i++) {
    const b = buf[i];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, i + 1];
    shift += 7n;
    if (shift > 63n) throw new ProtobufDecodeError('varint overflows 64 bits');
  }
  throw new ProtobufDecodeError('truncated varint');
}

function readFixed(buf: Uint8Array, pos: number, size: number): bigint {
  if (pos + size > buf.length) throw new ProtobufDecodeError('truncated fixed-width field');
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[pos + i]);
  return v;
}

// Every field of one message, in wire order. Groups (wire types 3, 4) are not used by Kubernetes.
export function readFields(buf: Uint8Array): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0) throw new ProtobufDecodeError('field number 0');
    pos = afterKey;
    switch (wireType) {
      case WIRE_VARINT: {
        const [v, next] = readVarint(buf, pos);
        out.push({ field, wireType, varint: v });
        pos = next;
        break;
      }
      case WIRE_FIXED64:
        out.push({ field, wireType, varint: readFixed(buf, pos, 8) });
        pos += 8;
        break;
      case WIRE_FIXED32:
        out.push({ field, wireType, varint: readFixed(buf, pos, 4) });
        pos += 4;
        break;
      case WIRE_BYTES: {
        const [len, next] = readVarint(buf, pos);
        const end = next + Number(len);
        if (end > buf.length) throw new ProtobufDecodeError('truncated length-delimited field');
        out.push({ field, wireType, bytes: buf.subarray(next, end) });
        pos = end;
        break;
      }
      default:
        throw new ProtobufDecodeError(`unsupported wire type ${wireType}`);
    }
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeString(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProtobufDecodeError('string field is not valid UTF-8');
  }
}

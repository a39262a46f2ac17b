// A SPDY/3 framer (draft-mbelshe-httpbis-spdy-00 §2.2–2.6), the wire kubectl's SPDY/3.1 exec and
// port-forward speak (client-go uses moby/spdystream, a SPDY/3 framer without flow control). Pure: frames to
// bytes and back. Header blocks stay compressed here; the session compresses them with one zlib stream per
// direction (spdy-session.ts), and encodeNameValues/decodeNameValues handle the uncompressed block.

export const SPDY_VERSION = 3;

/** Control frame types (§2.6). */
export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

/** FLAG_FIN on data and control frames; FLAG_UNIDIRECTIONAL on SYN_STREAM. */
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes (§2.6.3). */
export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  STREAM_ALREADY_CLOSED: 9,
} as const;

/** A frame's length field is 24 bits. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export type SpdyFrame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | {
      type: 'syn_stream';
      streamId: number;
      associatedId: number;
      priority: number;
      fin: boolean;
      unidirectional: boolean;
      headerBlock: Buffer;
    }
  | { type: 'syn_reply'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'window_update'; streamId: number; delta: number }
  /** A control frame type we do not interpret (NOOP, CREDENTIAL…): skipped, as §2.2 asks. */
  | { type: 'unknown'; controlType: number; flags: number; payload: Buffer };

export class SpdyProtocolError extends Error {}

const STREAM_ID_MASK = 0x7fffffff;

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError(`control frame payload too large: ${payload.length}`);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/** One frame to bytes. Data frames longer than MAX_FRAME_PAYLOAD are a caller bug: split them first. */
export function encodeFrame(f: SpdyFrame): Buffer {
  switch (f.type) {
    case 'data': {
      if (f.data.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError(`data frame too large: ${f.data.length}`);
      const head = Buffer.alloc(8);
      head.writeUInt32BE(f.streamId & STREAM_ID_MASK, 0);
      head.writeUInt32BE(((f.fin ? FLAG_FIN : 0) << 24) | f.data.length, 4);
      return Buffer.concat([head, f.data]);
    }
    case 'syn_stream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(f.streamId & STREAM_ID_MASK, 0);
      fixed.writeUInt32BE(f.associatedId & STREAM_ID_MASK, 4);
      fixed.writeUInt8((f.priority & 0x7) << 5, 8);
      const flags = (f.fin ? FLAG_FIN : 0) | (f.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
      return controlFrame(FrameType.SYN_STREAM, flags, Buffer.concat([fixed, f.headerBlock]));
    }
    case 'syn_reply':
      return controlFrame(FrameType.SYN_REPLY, f.fin ? FLAG_FIN : 0, Buffer.concat([u32(f.streamId & STREAM_ID_MASK), f.headerBlock]));
    case 'headers':
      return controlFrame(FrameType.HEADERS, f.fin ? FLAG_FIN : 0, Buffer.concat([u32(f.streamId & STREAM_ID_MASK), f.headerBlock]));
    case 'rst_stream':
      return controlFrame(FrameType.RST_STREAM, 0, u32(f.streamId & STREAM_ID_MASK, f.status));
    case 'settings': {
      const body = Buffer.alloc(4 + f.entries.length * 8);
      body.writeUInt32BE(f.entries.length, 0);
      f.entries.forEach((e, i) => {
        body.writeUInt32BE((((e.flags & 0xff) << 24) | (e.id & 0xffffff)) >>> 0, 4 + i * 8);
        body.writeUInt32BE(e.value >>> 0, 8 + i * 8);
      });
      return controlFrame(FrameType.SETTINGS, f.flags, body);
    }
    case 'ping':
      return controlFrame(FrameType.PING, 0, u32(f.id));
    case 'goaway':
      return controlFrame(FrameType.GOAWAY, 0, u32(f.lastGoodStreamId & STREAM_ID_MASK, f.status));
    case 'window_update':
      return controlFrame(FrameType.WINDOW_UPDATE, 0, u32(f.streamId & STREAM_ID_MASK, f.delta & STREAM_ID_MASK));
    case 'unknown':
      return controlFrame(f.controlType, f.flags, f.payload);
  }
}

function need(payload: Buffer, n: number, what: string): void {
  if (payload.length < n) throw new SpdyProtocolError(`${what} frame too short: ${payload.length} bytes`);
}

function decodeControl(type: number, flags: number, p: Buffer): SpdyFrame {
  const fin = (flags & FLAG_FIN) !== 0;
  switch (type) {
    case FrameType.SYN_STREAM:
      need(p, 10, 'SYN_STREAM');
      return {
        type: 'syn_stream',
        streamId: p.readUInt32BE(0) & STREAM_ID_MASK,
        associatedId: p.readUInt32BE(4) & STREAM_ID_MASK,
        priority: p.readUInt8(8) >> 5,
        fin,
        unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
        headerBlock: p.subarray(10),
      };
    case FrameType.SYN_REPLY:
      need(p, 4, 'SYN_REPLY');
      return { type: 'syn_reply', streamId: p.readUInt32BE(0) & STREAM_ID_MASK, fin, headerBlock: p.subarray(4) };
    case FrameType.HEADERS:
      need(p, 4, 'HEADERS');
      return { type: 'headers', streamId: p.readUInt32BE(0) & STREAM_ID_MASK, fin, headerBlock: p.subarray(4) };
    case FrameType.RST_STREAM:
      need(p, 8, 'RST_STREAM');
      return { type: 'rst_stream', streamId: p.readUInt32BE(0) & STREAM_ID_MASK, status: p.readUInt32BE(4) };
    case FrameType.SETTINGS: {
      need(p, 4, 'SETTINGS');
      const n = p.readUInt32BE(0);
      need(p, 4 + n * 8, 'SETTINGS');
      const entries = [];
      for (let i = 0; i < n; i++) {
        const word = p.readUInt32BE(4 + i * 8);
        entries.push({ flags: word >>> 24, id: word & 0xffffff, value: p.readUInt32BE(8 + i * 8) });
      }
      return { type: 'settings', flags, entries };
    }
    case FrameType.PING:
      need(p, 4, 'PING');
      return { type: 'ping', id: p.readUInt32BE(0) };
    case FrameType.GOAWAY:
      need(p, 8, 'GOAWAY');
      return { type: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & STREAM_ID_MASK, status: p.readUInt32BE(4) };
    case FrameType.WINDOW_UPDATE:
      need(p, 8, 'WINDOW_UPDATE');
      return { type: 'window_update', streamId: p.readUInt32BE(0) & STREAM_ID_MASK, delta: p.readUInt32BE(4) & STREAM_ID_MASK };
    default:
      return { type: 'unknown', controlType: type, flags, payload: p };
  }
}

/**
 * Incremental decoder: push bytes as they arrive (frames may straddle chunks, or WebSocket messages in the
 * tunnelled port-forward), get back every complete frame.
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SpdyFrame[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: SpdyFrame[] = [];
    let at = 0;
    while (this.buffered.length - at >= 8) {
      const word0 = this.buffered.readUInt32BE(at);
      const word1 = this.buffered.readUInt32BE(at + 4);
      const length = word1 & 0xffffff;
      if (this.buffered.length - at < 8 + length) break;
      const payload = Buffer.from(this.buffered.subarray(at + 8, at + 8 + length));
      const flags = word1 >>> 24;
      if (word0 & 0x80000000) {
        const version = (word0 >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        frames.push(decodeControl(word0 & 0xffff, flags, payload));
      } else {
        frames.push({ type: 'data', streamId: word0 & STREAM_ID_MASK, fin: (flags & FLAG_FIN) !== 0, data: payload });
      }
      at += 8 + length;
    }
    this.buffered = this.buffered.subarray(at);
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get pending(): number {
    return this.buffered.length;
  }
}

/** Header name/value pairs; names are lower case on the wire (§2.6.10), several values join with NUL. */
export type NameValues = Record<string, string>;

/** The uncompressed name/value block (§2.6.10): 32-bit count, then 32-bit length-prefixed names and values. */
export function encodeNameValues(headers: NameValues): Buffer {
  const parts: Buffer[] = [u32(Object.keys(headers).length)];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name.toLowerCase());
    const v = Buffer.from(value);
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/** Decodes an uncompressed block; multi-valued headers keep their first value (none of ours repeat). */
export function decodeNameValues(block: Buffer): NameValues {
  const out: NameValues = {};
  const read = (at: number): [Buffer, number] => {
    if (block.length < at + 4) throw new SpdyProtocolError('truncated name/value block');
    const len = block.readUInt32BE(at);
    if (block.length < at + 4 + len) throw new SpdyProtocolError('truncated name/value block');
    return [block.subarray(at + 4, at + 4 + len), at + 4 + len];
  };
  if (block.length < 4) throw new SpdyProtocolError('truncated name/value block');
  const count = block.readUInt32BE(0);
  let at = 4;
  for (let i = 0; i < count; i++) {
    const [name, afterName] = read(at);
    const [value, afterValue] = read(afterName);
    at = afterValue;
    const key = name.toString().toLowerCase();
    if (!(key in out)) out[key] = value.toString().split('\0')[0];
  }
  return out;
}

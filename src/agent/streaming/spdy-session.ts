// The server side of a SPDY/3.1 connection as kubectl's client (moby/spdystream via client-go) uses it: the
// client opens every stream (odd ids, a `streamType` header), we answer each with SYN_REPLY, data flows as
// data frames, a FIN half-closes, RST_STREAM aborts, PINGs are echoed. No flow control: spdystream neither
// sends WINDOW_UPDATE nor honours it. The transport is a raw socket after an HTTP upgrade, or binary
// WebSocket messages (the tunnelled port-forward of kubectl 1.31+).
import { Duplex } from 'node:stream';
import { HeaderInflater, StoredHeaderCompressor } from './spdy-compress.ts';
import {
  decodeNameValues,
  encodeFrame,
  encodeNameValues,
  FrameReader,
  RstStatus,
  type NameValues,
  type SpdyFrame,
} from './spdy-framer.ts';

export interface SpdyTransport {
  /** Returns false when the caller should wait for onDrain before writing more. */
  write(bytes: Buffer): boolean;
  onDrain(callback: () => void): void;
  /** Ends the connection after what was written. */
  end(): void;
}

/** Data frames we send carry at most this much (spdystream reads whole frames into memory). */
const MAX_DATA_FRAME = 32 * 1024;

export class SpdyStream extends Duplex {
  readonly id: number;
  readonly headers: NameValues;
  private readonly session: SpdySession;
  private replied = false;
  /** Our side sent FIN (or RST). */
  localClosed = false;
  /** The client sent FIN (or RST). */
  remoteClosed = false;

  constructor(session: SpdySession, id: number, headers: NameValues) {
    super({ allowHalfOpen: true });
    this.session = session;
    this.id = id;
    this.headers = headers;
  }

  /** The stream type kubectl names each stream with (error, stdin, stdout, stderr, resize, data). */
  get streamType(): string {
    return this.headers.streamtype ?? '';
  }

  reply(): void {
    if (this.replied) return;
    this.replied = true;
    this.session.sendHeaders('syn_reply', this.id, {}, false);
  }

  override _read(): void {
    // Data is pushed as frames arrive (no flow control to open).
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.localClosed) return callback();
    let ok = true;
    for (let at = 0; at < chunk.length; at += MAX_DATA_FRAME) {
      ok = this.session.send({ type: 'data', streamId: this.id, fin: false, data: chunk.subarray(at, at + MAX_DATA_FRAME) }) && ok;
    }
    if (ok) callback();
    else this.session.transport.onDrain(() => callback());
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.finish();
    callback();
  }

  /** Half-closes our side (data frame with FIN). */
  finish(): void {
    if (this.localClosed) return;
    this.localClosed = true;
    this.session.send({ type: 'data', streamId: this.id, fin: true, data: Buffer.alloc(0) });
    this.session.forgetIfDone(this);
  }

  /** Aborts the stream both ways. */
  reset(status: number = RstStatus.CANCEL): void {
    if (!this.localClosed || !this.remoteClosed) this.session.send({ type: 'rst_stream', streamId: this.id, status });
    this.localClosed = this.remoteClosed = true;
    this.session.forgetIfDone(this);
    this.destroy();
  }

  /** Frames from the client. */
  receiveData(data: Buffer, fin: boolean): void {
    if (this.remoteClosed) return;
    if (data.length) this.push(data);
    if (fin) {
      this.remoteClosed = true;
      this.push(null);
      this.session.forgetIfDone(this);
    }
  }

  receiveReset(): void {
    this.localClosed = this.remoteClosed = true;
    this.session.forgetIfDone(this);
    this.destroy();
  }
}

export interface SpdySessionHandlers {
  /** A new client stream; the handler replies (stream.reply()) when it accepts it. */
  onStream(stream: SpdyStream): void;
  /** The connection is gone (transport closed, GOAWAY, or protocol error). */
  onClose?(): void;
}

export class SpdySession {
  readonly transport: SpdyTransport;
  private readonly handlers: SpdySessionHandlers;
  private readonly reader = new FrameReader();
  private readonly inflater = new HeaderInflater();
  private readonly compressor = new StoredHeaderCompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private chain: Promise<void> = Promise.resolve();
  private lastClientStreamId = 0;
  private closed = false;

  constructor(transport: SpdyTransport, handlers: SpdySessionHandlers) {
    this.transport = transport;
    this.handlers = handlers;
  }

  /** Bytes from the client, in order. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    let frames: SpdyFrame[];
    try {
      frames = this.reader.push(chunk);
    } catch {
      this.close();
      return;
    }
    for (const frame of frames) {
      // One queue: a header block must be inflated before later frames (and later blocks) are handled.
      this.chain = this.chain.then(() => this.handle(frame)).catch(() => this.close());
    }
  }

  send(frame: SpdyFrame): boolean {
    if (this.closed) return true;
    return this.transport.write(encodeFrame(frame));
  }

  sendHeaders(kind: 'syn_reply' | 'headers', streamId: number, headers: NameValues, fin: boolean): void {
    const headerBlock = this.compressor.compress(encodeNameValues(headers));
    this.send({ type: kind, streamId, fin, headerBlock });
  }

  get openStreams(): number {
    return this.streams.size;
  }

  forgetIfDone(stream: SpdyStream): void {
    if (stream.localClosed && stream.remoteClosed) this.streams.delete(stream.id);
  }

  /** GOAWAY then end the transport, as the kubelet's conn.Close() does once its streams are finished. */
  goAway(): void {
    if (this.closed) return;
    this.send({ type: 'goaway', lastGoodStreamId: this.lastClientStreamId, status: 0 });
    this.close();
  }

  /** The transport is gone or must go: every stream ends. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) {
      s.localClosed = s.remoteClosed = true;
      s.destroy();
    }
    this.streams.clear();
    this.inflater.close();
    this.transport.end();
    this.handlers.onClose?.();
  }

  private async handle(frame: SpdyFrame): Promise<void> {
    if (this.closed) return;
    switch (frame.type) {
      case 'syn_stream': {
        const headers = decodeNameValues(await this.inflater.decompress(frame.headerBlock));
        if (frame.streamId % 2 === 0 || frame.streamId <= this.lastClientStreamId) {
          this.send({ type: 'rst_stream', streamId: frame.streamId, status: RstStatus.PROTOCOL_ERROR });
          return;
        }
        this.lastClientStreamId = frame.streamId;
        const stream = new SpdyStream(this, frame.streamId, headers);
        stream.on('error', () => stream.reset());
        this.streams.set(frame.streamId, stream);
        this.handlers.onStream(stream);
        if (frame.fin) stream.receiveData(Buffer.alloc(0), true);
        return;
      }
      case 'headers': {
        await this.inflater.decompress(frame.headerBlock);
        if (frame.fin) this.streams.get(frame.streamId)?.receiveData(Buffer.alloc(0), true);
        return;
      }
      case 'syn_reply':
        // We never open streams; keep the inflater in step anyway.
        await this.inflater.decompress(frame.headerBlock);
        return;
      case 'data': {
        const stream = this.streams.get(frame.streamId);
        if (stream) stream.receiveData(frame.data, frame.fin);
        else if (frame.streamId > this.lastClientStreamId) {
          this.send({ type: 'rst_stream', streamId: frame.streamId, status: RstStatus.INVALID_STREAM });
        }
        return;
      }
      case 'rst_stream':
        this.streams.get(frame.streamId)?.receiveReset();
        return;
      case 'ping':
        // Client pings have odd ids; echo them (spdystream answers pings of the other parity the same way).
        if (frame.id % 2 === 1) this.send(frame);
        return;
      case 'goaway':
        this.close();
        return;
      case 'settings':
      case 'window_update':
      case 'unknown':
        return;
    }
  }
}

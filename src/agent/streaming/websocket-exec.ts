// exec/attach over WebSocket (kubectl 1.30+ default): subprotocol v5.channel.k8s.io (v4 and the base64
// variants too). Every message is one channel's bytes: binary protocols prefix the channel number as a byte,
// base64 ones as an ASCII digit followed by base64 text. v5 adds channel 255, "close the channel in the next
// byte" (kubectl closes stdin with [255, 0]).
import { PassThrough, Writable } from 'node:stream';
import type { WebSocket, RawData } from 'ws';
import { runExec, type ExecCall } from './exec.ts';
import { parseResizes, StreamProtocol } from './protocol.ts';
import type { StreamingRuntime } from './types.ts';

export const Channel = { STDIN: 0, STDOUT: 1, STDERR: 2, ERROR: 3, RESIZE: 4, CLOSE: 255 } as const;

export function isBase64Protocol(protocol: string): boolean {
  return protocol === StreamProtocol.V1Base64 || protocol === StreamProtocol.V4Base64 || protocol === StreamProtocol.V5Base64;
}

/** One channel message, as the protocol frames it. */
export function encodeChannelMessage(protocol: string, channel: number, data: Buffer): Buffer | string {
  if (isBase64Protocol(protocol)) return String.fromCharCode(0x30 + channel) + data.toString('base64');
  return Buffer.concat([Buffer.from([channel]), data]);
}

/** A received message to {channel, data}; undefined for an empty message. */
export function decodeChannelMessage(protocol: string, message: Buffer, isBinary: boolean): { channel: number; data: Buffer } | undefined {
  if (message.length === 0) return undefined;
  if (isBase64Protocol(protocol) && !isBinary) {
    const text = message.toString('latin1');
    return { channel: text.charCodeAt(0) - 0x30, data: Buffer.from(text.slice(1), 'base64') };
  }
  return { channel: message[0], data: message.subarray(1) };
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function channelWriter(ws: WebSocket, protocol: string, channel: number): Writable {
  const w = new Writable({
    write(chunk: Buffer, _enc, callback) {
      if (ws.readyState !== ws.OPEN) return callback();
      // The send callback fires once the bytes reach the socket: backpressure for fast producers.
      ws.send(encodeChannelMessage(protocol, channel, chunk), (err) => callback(err ?? null));
    },
  });
  // A send failing because the client left is not ours to report: the close handler ends the exec.
  w.on('error', () => {});
  return w;
}

function flushed(w: Writable | null): Promise<void> {
  if (!w) return Promise.resolve();
  return new Promise((resolve) => {
    w.once('finish', () => resolve());
    w.once('error', () => resolve());
    w.end();
  });
}

export function execOverWebSocket(ws: WebSocket, protocol: string, call: Omit<ExecCall, 'protocol'>, runtime: StreamingRuntime): void {
  const stdin = call.request.stdin ? new PassThrough() : null;
  let resize: ((w: number, h: number) => void) | undefined;
  let gone: (() => void) | undefined;
  let finished = false;
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    const msg = decodeChannelMessage(protocol, toBuffer(raw), isBinary);
    if (!msg) return;
    if (msg.channel === Channel.STDIN) {
      if (stdin && !stdin.writableEnded && msg.data.length) stdin.write(msg.data);
    } else if (msg.channel === Channel.RESIZE) {
      for (const size of parseResizes(msg.data.toString())) resize?.(size.width, size.height);
    } else if (msg.channel === Channel.CLOSE && protocol.startsWith('v5.')) {
      if (msg.data[0] === Channel.STDIN) stdin?.end();
    }
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    stdin?.end();
    if (!finished) gone?.();
  });
  const stdout = call.request.stdout ? channelWriter(ws, protocol, Channel.STDOUT) : null;
  const stderr = call.request.stderr ? channelWriter(ws, protocol, Channel.STDERR) : null;
  void runExec(runtime, { ...call, protocol }, {
    stdin,
    stdout,
    stderr,
    onResize: (l) => (resize = l),
    onClientGone: (l) => {
      gone = l;
      if (ws.readyState === ws.CLOSED || ws.readyState === ws.CLOSING) l();
    },
    finish: (status) => {
      finished = true;
      // Output still queued in the writers goes first: the Status is the last message before the close.
      void Promise.all([flushed(stdout), flushed(stderr)]).then(() => {
        if (ws.readyState !== ws.OPEN) return;
        if (status.length) ws.send(encodeChannelMessage(protocol, Channel.ERROR, status));
        ws.close(1000);
      });
    },
  });
}

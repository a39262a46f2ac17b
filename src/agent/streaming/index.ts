// kubectl exec/attach/port-forward protocols. STUB: another engineer implements WebSocket v5.channel.k8s.io,
// SPDY/3.1 and portforward.k8s.io here, against StreamingRuntime (./types.ts). Until then every streaming
// request is answered 501 so that the kubelet server compiles and says clearly what is missing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { StreamingRuntime } from './types.ts';

export type { ExecOptions, ExecProcess, PodRef, StreamingRuntime } from './types.ts';
export { StreamingError } from './types.ts';

export interface StreamTarget {
  namespace: string;
  pod: string;
  /** Absent for port-forward. */
  container?: string;
  /** The parsed request URL (command=…, stdin, stdout, stderr, tty, port…). */
  url: URL;
}

function notImplemented(socket: Duplex, what: string): void {
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${what} is not implemented yet by clusterip's node agent`,
    reason: 'NotImplemented',
    code: 501,
  });
  socket.end(
    `HTTP/1.1 501 Not Implemented\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** `/exec/{ns}/{pod}/{container}` and `/attach/…` upgrade requests (WebSocket or SPDY). */
export function handleExecUpgrade(
  _req: IncomingMessage,
  socket: Duplex,
  _head: Buffer,
  _target: StreamTarget,
  _runtime: StreamingRuntime,
): void {
  notImplemented(socket, 'exec/attach');
}

/** `/portForward/{ns}/{pod}` upgrade requests. */
export function handlePortForwardUpgrade(
  _req: IncomingMessage,
  socket: Duplex,
  _head: Buffer,
  _target: StreamTarget,
  _runtime: StreamingRuntime,
): void {
  notImplemented(socket, 'port-forward');
}

/** Streaming requests that arrive without an Upgrade header. */
export function handleStreamingRequest(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(400, { 'Content-Type': 'text/plain' });
  res.end('streaming requests need an Upgrade header (SPDY/3.1 or websocket)\n');
}

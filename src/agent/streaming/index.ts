// kubectl exec/attach/port-forward as the kubelet serves them, on the upgrade requests the API server forwards
// byte for byte: WebSocket (v5/v4.channel.k8s.io for exec, SPDY/3.1+portforward.k8s.io for port-forward)
// and raw SPDY/3.1 (X-Stream-Protocol-Version v4..v1.channel.k8s.io, portforward.k8s.io). The pod side is the
// agent's StreamingRuntime (./types.ts).
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  execRequest,
  negotiateProtocol,
  PortForwardProtocol,
  SPDY_EXEC_PROTOCOLS,
  WEBSOCKET_EXEC_PROTOCOLS,
} from './protocol.ts';
import { execOverSpdy } from './spdy-exec.ts';
import { SpdySession, type SpdyStream, type SpdyTransport } from './spdy-session.ts';
import { execOverWebSocket } from './websocket-exec.ts';
import { portForwardOverSpdy } from './portforward.ts';
import { portForwardOverWebSocket, queryPorts, WEBSOCKET_PORT_FORWARD_PROTOCOLS } from './websocket-portforward.ts';
import type { PodRef, StreamingRuntime } from './types.ts';

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

/** The protocol a request was served with (for logs and tests). */
export interface StreamingEvent {
  kind: 'exec' | 'attach' | 'portForward';
  transport: 'websocket' | 'spdy';
  protocol: string;
}

let observer: ((e: StreamingEvent) => void) | undefined;
/** Test hook: called once per accepted streaming upgrade. */
export function observeStreaming(listener: ((e: StreamingEvent) => void) | undefined): void {
  observer = listener;
}

function reject(socket: Duplex, code: number, reason: string, message: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  const text = STATUS_CODES[code] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function upgradeKind(req: IncomingMessage): 'websocket' | 'spdy' | undefined {
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') return 'websocket';
  if (upgrade.startsWith('spdy/3')) return 'spdy';
  return undefined;
}

function offeredSubprotocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
}

function streamVersions(req: IncomingMessage): string[] {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === 'x-stream-protocol-version') out.push(req.rawHeaders[i + 1]);
  }
  return out;
}

function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string, then: (ws: WebSocket) => void): void {
  const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
  // We negotiated already. `ws` would refuse `SPDY/3.1+portforward.k8s.io` ('/' is not a token character in
  // RFC 6455's grammar, but it is what kubectl sends), so it never sees the offer and we answer it ourselves.
  delete req.headers['sec-websocket-protocol'];
  if (protocol) server.once('headers', (headers: string[]) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
  server.handleUpgrade(req, socket, head, (ws) => {
    ws.binaryType = 'nodebuffer';
    then(ws);
  });
}

/** HTTP 101 for SPDY/3.1, then a session on the raw socket. */
function acceptSpdy(
  socket: Duplex,
  head: Buffer,
  protocol: string,
  handlers: (session: () => SpdySession) => { onStream(s: SpdyStream): void; onClose(): void },
): void {
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
      (protocol ? `X-Stream-Protocol-Version: ${protocol}\r\n` : '') +
      '\r\n',
  );
  const transport: SpdyTransport = {
    write: (bytes) => (socket.writable ? socket.write(bytes) : true),
    onDrain: (cb) => (socket.writableNeedDrain ? socket.once('drain', cb) : setImmediate(cb)),
    end: () => socket.end(),
  };
  const session = startSession(transport, handlers);
  (socket as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  socket.on('data', (chunk: Buffer) => session.receive(chunk));
  socket.on('error', () => socket.destroy());
  // The client's FIN ends the connection (sockets from node:http are half-open capable: end ours too).
  socket.on('end', () => session.close());
  socket.on('close', () => session.close());
  if (head.length) session.receive(head);
}

function startSession(
  transport: SpdyTransport,
  handlers: (session: () => SpdySession) => { onStream(s: SpdyStream): void; onClose(): void },
): SpdySession {
  let session: SpdySession | undefined;
  const h = handlers(() => session!);
  session = new SpdySession(transport, { onStream: (s) => h.onStream(s), onClose: () => h.onClose() });
  return session;
}

function rawData(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** SPDY frames carried in binary WebSocket messages (client-go's TunnelingConnection). */
function spdyOverWebSocket(ws: WebSocket, handlers: (session: () => SpdySession) => { onStream(s: SpdyStream): void; onClose(): void }): void {
  const transport: SpdyTransport = {
    write: (bytes) => {
      if (ws.readyState === ws.OPEN) ws.send(bytes, { binary: true });
      return ws.bufferedAmount < 1 << 20;
    },
    onDrain: (cb) => {
      const wait = (): void => {
        if (ws.bufferedAmount < 1 << 20 || ws.readyState !== ws.OPEN) cb();
        else setTimeout(wait, 5);
      };
      wait();
    },
    end: () => ws.close(1000),
  };
  const session = startSession(transport, handlers);
  ws.on('message', (data: RawData) => session.receive(rawData(data)));
  ws.on('error', () => ws.terminate());
  ws.on('close', () => session.close());
}

function podRef(target: StreamTarget): PodRef {
  return { namespace: target.namespace, name: target.pod };
}

/** `/exec/{ns}/{pod}/{container}` and `/attach/…` upgrade requests (WebSocket or SPDY). */
export function handleExecUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: StreamTarget, runtime: StreamingRuntime): void {
  const kind = target.url.pathname.startsWith('/attach/') ? 'attach' : 'exec';
  const request = execRequest(target.url);
  if ('error' in request) return reject(socket, 400, 'BadRequest', request.error);
  if (kind === 'exec' && request.command.length === 0) {
    return reject(socket, 400, 'BadRequest', 'you must specify at least one command for the container');
  }
  const call = { kind, pod: podRef(target), container: target.container ?? '', request } as const;
  const transport = upgradeKind(req);
  if (transport === 'websocket') {
    const offered = offeredSubprotocols(req);
    const negotiated = negotiateProtocol(offered, WEBSOCKET_EXEC_PROTOCOLS);
    if ('error' in negotiated) return reject(socket, 400, 'BadRequest', negotiated.error);
    // A client that names no subprotocol gets the original channel protocol, as wsstream does.
    const protocol = negotiated.protocol;
    return acceptWebSocket(req, socket, head, protocol, (ws) => {
      observer?.({ kind, transport, protocol: protocol || 'channel.k8s.io' });
      execOverWebSocket(ws, protocol || 'channel.k8s.io', call, runtime);
    });
  }
  if (transport === 'spdy') {
    const negotiated = negotiateProtocol(streamVersions(req), SPDY_EXEC_PROTOCOLS);
    if ('error' in negotiated) return reject(socket, 403, 'Forbidden', negotiated.error);
    observer?.({ kind, transport, protocol: negotiated.protocol });
    return acceptSpdy(socket, head, negotiated.protocol, (session) =>
      execOverSpdy(session, { ...call, protocol: negotiated.protocol }, runtime),
    );
  }
  reject(socket, 400, 'BadRequest', `unsupported upgrade ${JSON.stringify(req.headers.upgrade ?? '')}: use SPDY/3.1 or websocket`);
}

/** `/portForward/{ns}/{pod}` upgrade requests. */
export function handlePortForwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: StreamTarget, runtime: StreamingRuntime): void {
  const pod = podRef(target);
  const transport = upgradeKind(req);
  if (transport === 'websocket') {
    const offered = offeredSubprotocols(req);
    if (!offered.includes(PortForwardProtocol.TUNNEL)) {
      // The plain channel protocol (no SPDY inside): ports in the query.
      const negotiated = negotiateProtocol(offered, WEBSOCKET_PORT_FORWARD_PROTOCOLS);
      if ('error' in negotiated) return reject(socket, 400, 'BadRequest', negotiated.error);
      const ports = queryPorts(target.url);
      if ('error' in ports) return reject(socket, 400, 'BadRequest', ports.error);
      return acceptWebSocket(req, socket, head, negotiated.protocol, (ws) => {
        observer?.({ kind: 'portForward', transport, protocol: negotiated.protocol || 'channel.k8s.io' });
        portForwardOverWebSocket(ws, negotiated.protocol, pod, ports, runtime);
      });
    }
    return acceptWebSocket(req, socket, head, PortForwardProtocol.TUNNEL, (ws) => {
      observer?.({ kind: 'portForward', transport, protocol: PortForwardProtocol.TUNNEL });
      spdyOverWebSocket(ws, (session) => portForwardOverSpdy(session, pod, runtime));
    });
  }
  if (transport === 'spdy') {
    const negotiated = negotiateProtocol(streamVersions(req), [PortForwardProtocol.SPDY]);
    if ('error' in negotiated) return reject(socket, 403, 'Forbidden', negotiated.error);
    observer?.({ kind: 'portForward', transport, protocol: negotiated.protocol || PortForwardProtocol.SPDY });
    return acceptSpdy(socket, head, negotiated.protocol, (session) => portForwardOverSpdy(session, pod, runtime));
  }
  reject(socket, 400, 'BadRequest', `unsupported upgrade ${JSON.stringify(req.headers.upgrade ?? '')}: use SPDY/3.1 or websocket`);
}

/** Streaming requests that arrive without an Upgrade header. */
export function handleStreamingRequest(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(400, { 'Content-Type': 'text/plain' });
  res.end('Upgrade request required\n');
}

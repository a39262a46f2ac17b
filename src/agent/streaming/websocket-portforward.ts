// The plain WebSocket port-forward protocol (kubelet portforward/websocket.go; used by non-kubectl clients
// such as client libraries): subprotocol v4.channel.k8s.io (binary), v4.base64.channel.k8s.io or none, ports
// in the query. Per port i, channel 2i carries data and 2i+1 errors; each starts with the port as a
// little-endian uint16. One pod connection per port; when all are done the WebSocket closes.
import type net from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { portForwardError } from './protocol.ts';
import type { PodRef, StreamingRuntime } from './types.ts';
import { decodeChannelMessage, encodeChannelMessage } from './websocket-exec.ts';

export const WEBSOCKET_PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

/** Ports from `port=` (the kubelet's name) or `ports=` (the API's PodPortForwardOptions), comma lists allowed. */
export function queryPorts(url: URL): number[] | { error: string } {
  const raw = [...url.searchParams.getAll('port'), ...url.searchParams.getAll('ports')];
  if (raw.length === 0) return { error: 'query parameter "port" is required' };
  const ports: number[] = [];
  for (const value of raw) {
    if (value === '') return { error: 'query parameter "port" cannot be empty' };
    for (const p of value.split(',')) {
      const port = Number(p);
      if (!/^\d+$/.test(p) || port > 65535) return { error: `unable to parse "${value}" as a port` };
      if (port < 1) return { error: `port "${value}" must be > 0` };
      ports.push(port);
    }
  }
  return ports;
}

export function portForwardOverWebSocket(ws: WebSocket, protocol: string, pod: PodRef, ports: number[], runtime: StreamingRuntime): void {
  const wire = protocol || 'v4.channel.k8s.io';
  const send = (channel: number, data: Buffer): void => {
    if (ws.readyState === ws.OPEN) ws.send(encodeChannelMessage(wire, channel, data));
  };
  const sockets: (net.Socket | undefined)[] = ports.map(() => undefined);
  const early: Buffer[][] = ports.map(() => []);
  let remaining = ports.length;
  const done = (): void => {
    if (--remaining === 0 && ws.readyState === ws.OPEN) ws.close(1000);
  };
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    const bytes = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
    const msg = decodeChannelMessage(wire, bytes, isBinary);
    if (!msg || msg.channel % 2 !== 0) return;
    const i = msg.channel / 2;
    if (i >= ports.length) return;
    const socket = sockets[i];
    if (socket) socket.write(msg.data);
    else early[i].push(msg.data);
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    for (const s of sockets) s?.destroy();
  });
  ports.forEach((port, i) => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    send(2 * i, prefix);
    send(2 * i + 1, prefix);
    runtime.portForward(pod, port).then(
      (socket) => {
        if (ws.readyState !== ws.OPEN) {
          socket.destroy();
          return;
        }
        sockets[i] = socket;
        for (const b of early[i]) socket.write(b);
        early[i] = [];
        socket.on('data', (chunk: Buffer) => send(2 * i, chunk));
        socket.on('error', (err) => send(2 * i + 1, Buffer.from(portForwardError(port, `${pod.name}_${pod.namespace}`, pod.uid ?? '', err.message))));
        socket.on('close', done);
      },
      (err: unknown) => {
        send(2 * i + 1, Buffer.from(portForwardError(port, `${pod.name}_${pod.namespace}`, pod.uid ?? '', err instanceof Error ? err.message : String(err))));
        done();
      },
    );
  });
}

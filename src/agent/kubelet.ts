// The kubelet API on 127.0.0.1:<kubelet-port> in the host's namespace: the API server proxies `kubectl logs`
// (containerLogs) and the exec/attach/port-forward upgrades here.
import http from 'node:http';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { parseCriLine, renderLogLine, renderLogLines, type CriLine } from './logs.ts';
import {
  handleExecUpgrade,
  handlePortForwardUpgrade,
  handleStreamingRequest,
  type StreamingRuntime,
  type StreamTarget,
} from './streaming/index.ts';

export interface LogSource {
  logPath(namespace: string, pod: string, container: string, previous: boolean): string | undefined;
  isRunning(namespace: string, pod: string, container: string): boolean;
  /** Whether such a pod runs here (for the 404 wording). */
  hasPod(namespace: string, pod: string): boolean;
}

export interface KubeletServerOptions {
  port: number;
  host?: string;
  logs: LogSource;
  streaming: StreamingRuntime;
}

export async function startKubeletServer(o: KubeletServerOptions): Promise<{ server: http.Server; port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    void handle(req, res, o).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`${(err as Error).message}\n`);
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const target = streamTarget(req);
    if (!target) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    if (target.kind === 'portForward') handlePortForwardUpgrade(req, socket, head, target.target, o.streaming);
    else handleExecUpgrade(req, socket, head, target.target, o.streaming);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function streamTarget(req: http.IncomingMessage): { kind: 'exec' | 'attach' | 'portForward'; target: StreamTarget } | undefined {
  const url = new URL(req.url ?? '/', 'http://kubelet');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [kind, namespace, pod, container] = parts;
  if ((kind === 'exec' || kind === 'attach') && namespace && pod && container) {
    return { kind, target: { namespace, pod, container, url } };
  }
  if (kind === 'portForward' && namespace && pod) return { kind, target: { namespace, pod, url } };
  return undefined;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, o: KubeletServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://kubelet');
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('ok');
    return;
  }
  if (url.pathname.startsWith('/containerLogs/')) return containerLogs(url, req, res, o.logs);
  if (streamTarget(req)) return handleStreamingRequest(req, res);
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('404 page not found\n');
}

function readLines(file: string): CriLine[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: CriLine[] = [];
  for (const line of text.split('\n')) {
    const parsed = line ? parseCriLine(line) : undefined;
    if (parsed) out.push(parsed);
  }
  return out;
}

async function containerLogs(url: URL, req: http.IncomingMessage, res: http.ServerResponse, logs: LogSource): Promise<void> {
  const [, namespace = '', pod = '', container = ''] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const q = url.searchParams;
  const flag = (name: string): boolean => q.has(name) && q.get(name) !== 'false' && q.get(name) !== '0';
  const num = (name: string): number | undefined => (q.has(name) ? Number(q.get(name)) : undefined);
  const previous = flag('previous');
  if (!logs.hasPod(namespace, pod)) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end(`pod "${pod}" in namespace "${namespace}" not found\n`);
    return;
  }
  const file = logs.logPath(namespace, pod, container, previous);
  if (!file) {
    res.writeHead(previous ? 400 : 404, { 'Content-Type': 'text/plain' });
    res.end(
      previous
        ? `previous terminated container "${container}" in pod "${pod}" not found\n`
        : `container "${container}" in pod "${pod}" is not available\n`,
    );
    return;
  }
  const timestamps = flag('timestamps');
  const sinceSeconds = num('sinceSeconds');
  const sinceTime = q.get('sinceTime');
  const sinceMs = sinceSeconds !== undefined ? Date.now() - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : undefined;
  const limitBytes = num('limitBytes');
  const tailLines = num('tailLines');
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  const lines = readLines(file);
  let sent = 0;
  const send = (text: string): boolean => {
    if (limitBytes !== undefined) {
      const room = limitBytes - sent;
      if (room <= 0) return false;
      const buf = Buffer.from(text);
      if (buf.length > room) {
        res.write(buf.subarray(0, room));
        sent = limitBytes;
        return false;
      }
    }
    sent += Buffer.byteLength(text);
    if (text) res.write(text);
    return true;
  };
  const first = renderLogLines(lines, { timestamps, tailLines, sinceMs });
  if (!send(first) || !flag('follow') || previous) {
    res.end();
    return;
  }
  // Follow: poll the file for what the log pump appends, until the container stops or the client leaves.
  let seen = lines.length;
  let closed = false;
  req.on('close', () => (closed = true));
  while (!closed) {
    await new Promise((r) => setTimeout(r, 100));
    const running = logs.isRunning(namespace, pod, container);
    const current = logs.logPath(namespace, pod, container, false) === file ? readLines(file) : [];
    const fresh = current.slice(seen);
    seen = current.length;
    let more = true;
    for (const l of fresh) if (!(more = send(renderLogLine(l, timestamps)))) break;
    if (!more || !running) break;
  }
  res.end();
}

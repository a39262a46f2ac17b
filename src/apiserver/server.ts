// The HTTP/1.1 listener: a thin layer over the core's handle(). Serves a loopback TCP port and a unix socket
// path (which crosses network namespaces), keep-alive, chunked watch streams, and the node proxy for
// pods/{name}/exec|attach|portforward|log (upgrades piped byte for byte both ways). TLS and authentication
// plug in through `createServer` and `authenticate`.
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import type { Duplex } from 'node:stream';
import { errorResponse, isProxy, isStream, type ApiCore, type ApiRequest, type ApiResponse } from './core.ts';
import { ApiError } from './errors.ts';

export interface ApiServerOptions {
  core: ApiCore;
  /** Loopback by default. */
  host?: string;
  /** 0 for an ephemeral port; omit (with socketPath) for no TCP listener. */
  port?: number;
  /** Also (or only) listen on this unix socket path. */
  socketPath?: string;
  /** For TLS later: a factory returning an https.Server (same request/upgrade events). */
  createServer?: (handler: http.RequestListener) => http.Server;
  /** For authentication later: throw an ApiError (401/403) to refuse a request. */
  authenticate?: (req: http.IncomingMessage) => Promise<void> | void;
  /** Hears about every finished request (an access log): status, and ms until the response ended. */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface RequestLogEntry {
  method: string;
  url: string;
  status: number;
  ms: number;
  userAgent: string;
}

export interface ApiServer {
  /** `http://127.0.0.1:PORT` (or `unix://PATH` when only a socket). */
  url: string;
  port: number;
  socketPath?: string;
  close(): Promise<void>;
}

/** Largest request body accepted (Kubernetes' limit is 3 MiB for most requests). */
const maxBodyBytes = 3 * 1024 * 1024;

function toApiRequest(req: http.IncomingMessage, body: Buffer): ApiRequest {
  const url = new URL(req.url ?? '/', 'http://localhost');
  return { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBodyBytes) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function writeResponse(res: http.ServerResponse, req: http.IncomingMessage, answer: ApiResponse, body: Buffer): Promise<void> {
  if (isProxy(answer)) {
    proxyHttp(req, res, answer.proxy, body);
    return;
  }
  if (isStream(answer)) {
    res.writeHead(answer.status, { ...answer.headers, 'cache-control': 'no-cache, private' });
    res.flushHeaders();
    const onClose = (): void => answer.cancel();
    res.on('close', onClose);
    try {
      for await (const chunk of answer.stream) {
        if (res.destroyed) break;
        // Backpressure: a slow watcher holds its events in our queue, not in the socket's buffer.
        if (!res.write(chunk))
          await new Promise<void>((resolve) => {
            const done = (): void => {
              res.off('drain', done);
              res.off('close', done);
              resolve();
            };
            res.on('drain', done);
            res.on('close', done);
          });
      }
    } finally {
      answer.cancel();
      res.off('close', onClose);
      if (!res.destroyed) res.end();
    }
    return;
  }
  const out = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(out.length), 'cache-control': 'no-cache, private' });
  res.end(req.method === 'HEAD' ? undefined : out);
}

/** Plain HTTP forwarding to the node agent (logs, and exec/attach without an upgrade). */
function proxyHttp(req: http.IncomingMessage, res: http.ServerResponse, target: { host: string; port: number; path: string }, body: Buffer): void {
  const headers = { ...req.headers, host: `${target.host}:${target.port}` };
  const upstream = http.request({ host: target.host, port: target.port, path: target.path, method: req.method, headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', (err) => {
    if (res.headersSent) res.destroy();
    else sendError(res, ApiError.internal(`error dialing backend: ${err.message}`));
  });
  res.on('close', () => upstream.destroy());
  // The request body was read already (the core saw it).
  upstream.end(body);
}

/** Upgrade (WebSocket / SPDY) forwarding: replay the request line and headers, then pipe bytes both ways. */
function proxyUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, target: { host: string; port: number; path: string }): void {
  const upstream = net.connect(target.port, target.host, () => {
    let head_ = `${req.method} ${target.path} HTTP/1.1\r\n`;
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      head_ += name.toLowerCase() === 'host' ? `Host: ${target.host}:${target.port}\r\n` : `${name}: ${req.rawHeaders[i + 1]}\r\n`;
    }
    upstream.write(head_ + '\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  const end = (): void => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on('error', () => {
    if (upstream.bytesRead === 0 && socket.writable) {
      const status = ApiError.internal('error dialing backend: connection refused').toStatus();
      const body = JSON.stringify(status);
      socket.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    } else end();
  });
  upstream.on('close', end);
  socket.on('error', end);
  socket.on('close', end);
}

function sendError(res: http.ServerResponse, err: unknown): void {
  const answer = errorResponse(err);
  const body = Buffer.from(answer.body);
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
  res.end(body);
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { core } = options;
  const sockets = new Set<net.Socket | Duplex>();

  const handler: http.RequestListener = (req, res) => {
    if (options.onRequest) {
      const started = performance.now();
      const log = options.onRequest;
      res.once('close', () =>
        log({
          method: req.method ?? '',
          url: req.url ?? '',
          status: res.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
          userAgent: String(req.headers['user-agent'] ?? ''),
        }),
      );
    }
    void (async () => {
      try {
        await options.authenticate?.(req);
        const body = await readBody(req);
        const answer = await core.handle(toApiRequest(req, body));
        await writeResponse(res, req, answer, body);
      } catch (err) {
        if (!res.headersSent) sendError(res, err);
        else res.destroy();
      }
    })();
  };

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    void (async () => {
      try {
        await options.authenticate?.(req);
        const answer = await core.handle(toApiRequest(req, Buffer.alloc(0)));
        if (isProxy(answer)) return proxyUpgrade(req, socket, head, answer.proxy);
        // Not an upgradable endpoint: answer like a normal request and close.
        if (isStream(answer)) answer.cancel();
        const body = isStream(answer) ? '' : String(answer.body);
        const status = isStream(answer) ? 400 : answer.status;
        socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      } catch (err) {
        const answer = errorResponse(err);
        const body = String(answer.body);
        socket.end(`HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      }
    })();
  };

  const make = (): http.Server => {
    const server = options.createServer ? options.createServer(handler) : http.createServer({ keepAlive: true }, handler);
    server.on('upgrade', onUpgrade);
    server.on('connection', (s: net.Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    // Watches are long: no idle timeout on responses; keep-alive between requests.
    server.requestTimeout = 0;
    server.keepAliveTimeout = 65_000;
    return server;
  };

  const servers: http.Server[] = [];
  let port = 0;
  const host = options.host ?? '127.0.0.1';
  if (options.port !== undefined || !options.socketPath) {
    const tcp = make();
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(options.port ?? 0, host, () => resolve());
    });
    port = (tcp.address() as net.AddressInfo).port;
    servers.push(tcp);
  }
  if (options.socketPath) {
    // A stale socket file from an earlier run would make listen fail.
    try {
      if (fs.statSync(options.socketPath).isSocket()) fs.unlinkSync(options.socketPath);
    } catch {
      // absent: fine
    }
    const unix = make();
    await new Promise<void>((resolve, reject) => {
      unix.once('error', reject);
      unix.listen(options.socketPath, () => resolve());
    });
    servers.push(unix);
  }
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  return {
    url: port ? `http://${hostForUrl}:${port}` : `unix://${options.socketPath}`,
    port,
    socketPath: options.socketPath,
    async close() {
      const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      for (const s of servers) s.closeAllConnections();
      for (const s of sockets) s.destroy();
      await Promise.all(closed);
      if (options.socketPath) fs.rmSync(options.socketPath, { force: true });
    },
  };
}

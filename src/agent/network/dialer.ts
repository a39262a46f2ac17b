// A connection relay that lives in a node's network namespace. The agent runs in the host's namespace and
// cannot reach pod IPs; this small program, started with `ip netns exec <node-ns> node dialer.ts <socket>`,
// listens on a unix socket (a file path crosses namespaces), reads `<host> <port>\n`, connects from the node
// namespace, answers `OK\n` or `ERR <message>\n`, then relays bytes both ways. Probes (httpGet, tcpSocket)
// and port-forward use it. It exits when its stdin closes (the agent went away).
import net from 'node:net';
import fs from 'node:fs';

export function dialThroughNode(socketPath: string, host: string, port: number, timeoutMs = 5000): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ path: socketPath, allowHalfOpen: true });
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`dial tcp ${hostPort(host, port)}: i/o timeout`)), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      sock.destroy();
      reject(err);
    };
    sock.on('error', (err) => fail(err));
    sock.once('connect', () => sock.write(`${host} ${port}\n`));
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const nl = buffered.indexOf(10);
      if (nl < 0) return;
      sock.off('data', onData);
      sock.pause();
      clearTimeout(timer);
      const line = buffered.subarray(0, nl).toString('utf8');
      const rest = buffered.subarray(nl + 1);
      if (line !== 'OK') {
        sock.destroy();
        reject(new Error(line.replace(/^ERR /, '')));
        return;
      }
      sock.removeAllListeners('error');
      if (rest.length > 0) sock.unshift(rest);
      resolve(sock);
      // Explicitly paused, the socket would not flow again when the caller adds a 'data' listener: resume it
      // once the caller's continuation (a microtask) has attached its listeners.
      setImmediate(() => sock.resume());
    };
    sock.on('data', onData);
  });
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go's net error wording, which Kubernetes probe messages carry. */
function dialError(host: string, port: number, err: NodeJS.ErrnoException): string {
  const addr = hostPort(host, port);
  if (err.code === 'ECONNREFUSED') return `dial tcp ${addr}: connect: connection refused`;
  if (err.code === 'EHOSTUNREACH') return `dial tcp ${addr}: connect: no route to host`;
  if (err.code === 'ETIMEDOUT') return `dial tcp ${addr}: i/o timeout`;
  return `dial tcp ${addr}: ${err.message}`;
}

function serve(socketPath: string): void {
  try {
    fs.unlinkSync(socketPath);
  } catch {
    // absent
  }
  // Half-open on both legs: a client that finishes sending (HTTP/1.0 style) still gets the whole answer.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(10);
      if (nl < 0) {
        if (head.length > 512) client.destroy();
        return;
      }
      client.off('data', onData);
      client.pause();
      const [host = '', portText = ''] = head.subarray(0, nl).toString('utf8').trim().split(' ');
      const rest = head.subarray(nl + 1);
      const port = Number(portText);
      const upstream = net.connect({ host, port, allowHalfOpen: true });
      upstream.setNoDelay(true);
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        client.write('OK\n');
        if (rest.length) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => client.end());
        client.on('close', () => upstream.destroy());
      });
      upstream.once('error', (err: NodeJS.ErrnoException) => {
        client.end(`ERR ${dialError(host, port, err)}\n`);
      });
    };
    client.on('data', onData);
    client.on('error', () => {});
  });
  server.listen(socketPath, () => process.stdout.write('ready\n'));
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
}

if (import.meta.main) {
  const socketPath = process.argv[2];
  if (!socketPath) {
    process.stderr.write('usage: dialer.ts <socket path>\n');
    process.exit(2);
  }
  serve(socketPath);
}

// clusterip's agnhost: the two modes Kubernetes' Service e2e tests use, with agnhost's flags and answers.
//   netexec [--http-port 8080] [--udp-port 8081] [--sctp-port -1] — HTTP /hostname /echo?msg= /clientip
//     /shell?cmd= /healthz /exit?code= /hostName, UDP: "hostname", "echo <msg>", "clientip".
//   serve-hostname [--port 9376] [--tcp] [--udp] [--http] — answers the pod's hostname.
// The hostname is the pod's (the agent gives each pod its own UTS namespace and sets HOSTNAME).
import http from 'node:http';
import net from 'node:net';
import dgram from 'node:dgram';
import os from 'node:os';
import { exec } from 'node:child_process';

function hostname(): string {
  return os.hostname() || process.env.HOSTNAME || 'localhost';
}

/** `--flag=value`, `--flag value`, `--flag` (boolean). */
function parseFlags(args: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (!a.startsWith('-')) continue;
    const name = a.replace(/^--?/, '');
    const eq = name.indexOf('=');
    if (eq >= 0) out.set(name.slice(0, eq), name.slice(eq + 1));
    else if (args[i + 1] !== undefined && !(args[i + 1] ?? '').startsWith('-')) out.set(name, args[++i] ?? '');
    else out.set(name, 'true');
  }
  return out;
}

function log(msg: string): void {
  const t = new Date().toISOString().replace('T', ' ').replace('Z', '');
  process.stdout.write(`I${t} ${msg}\n`);
}

function clientAddr(sock: net.Socket | undefined): string {
  const addr = (sock?.remoteAddress ?? '').replace(/^::ffff:/, '');
  const port = sock?.remotePort ?? 0;
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function netexec(flags: Map<string, string>): void {
  const httpPort = Number(flags.get('http-port') ?? 8080);
  const udpPort = Number(flags.get('udp-port') ?? 8081);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    log(`GET ${url.pathname}${url.search}`);
    const text = (code: number, body: string): void => {
      // Go's net/http sets Content-Length on small answers; clients reading raw responses rely on it.
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    switch (url.pathname) {
      case '/':
        return text(200, `NOW: ${new Date().toISOString()}`);
      case '/hostname':
      case '/hostName':
        return text(200, hostname());
      case '/echo': {
        const code = Number(url.searchParams.get('code') ?? 200);
        return text(code, url.searchParams.get('msg') ?? '');
      }
      case '/clientip':
        return text(200, clientAddr(req.socket));
      case '/healthz':
        return text(200, 'ok');
      case '/readyz':
        return text(200, 'ok');
      case '/header': {
        const key = url.searchParams.get('key') ?? '';
        return text(200, String(req.headers[key.toLowerCase()] ?? ''));
      }
      case '/exit': {
        const code = Number(url.searchParams.get('code') ?? 0);
        text(200, '');
        setTimeout(() => process.exit(code), 10);
        return;
      }
      case '/shell': {
        const cmd = url.searchParams.get('shellCommand') ?? url.searchParams.get('cmd') ?? '';
        exec(cmd, { shell: '/bin/sh' }, (err, stdout, stderr) => {
          const body: Record<string, string> = { output: stdout };
          if (err) body.error = `exit status ${err.code ?? 1}${stderr ? `: ${stderr}` : ''}`;
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(body));
        });
        return;
      }
      default:
        return text(404, '404 page not found\n');
    }
  });
  server.listen(httpPort, () => log(`Started HTTP server on port ${httpPort}`));
  if (udpPort > 0) {
    for (const type of ['udp4', 'udp6'] as const) {
      const sock = dgram.createSocket({ type, ipv6Only: type === 'udp6' });
      sock.on('message', (msg, rinfo) => {
        const line = msg.toString('utf8').trim();
        let reply: string;
        if (line === 'hostname' || line === 'hostName') reply = hostname();
        else if (line.startsWith('echo ')) reply = line.slice(5);
        else if (line === 'clientip') reply = rinfo.family === 'IPv6' ? `[${rinfo.address}]:${rinfo.port}` : `${rinfo.address}:${rinfo.port}`;
        else reply = '';
        log(`UDP ${line}`);
        sock.send(reply, rinfo.port, rinfo.address);
      });
      sock.on('error', () => sock.close());
      sock.bind(udpPort);
    }
    log(`Started UDP server on port ${udpPort}`);
  }
}

function serveHostname(flags: Map<string, string>): void {
  const port = Number(flags.get('port') ?? 9376);
  const udp = flags.get('udp') === 'true';
  const tcp = flags.get('tcp') === 'true';
  const httpMode = flags.get('http') !== 'false';
  const name = hostname();
  log(`Serving on port ${port}.`);
  if (udp) {
    for (const type of ['udp4', 'udp6'] as const) {
      const sock = dgram.createSocket({ type, ipv6Only: type === 'udp6' });
      sock.on('message', (_msg, rinfo) => sock.send(name, rinfo.port, rinfo.address));
      sock.on('error', () => sock.close());
      sock.bind(port);
    }
  }
  if (tcp) {
    net.createServer((s) => s.end(name)).listen(port);
  } else if (httpMode) {
    http
      .createServer((req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(name) });
        res.end(name);
      })
      .listen(port);
  }
}

function main(): void {
  const [mode, ...rest] = process.argv.slice(2);
  const flags = parseFlags(rest);
  if (mode === 'serve-hostname') {
    // As agnhost's serve-hostname: keep serving after SIGTERM ("Awaiting pod deletion.") until the kubelet's
    // grace period ends, so a rolling update drains through the Service without dropped requests.
    process.on('SIGTERM', () => {
      process.stderr.write('Shutting down after receiving signal: terminated.\nAwaiting pod deletion.\n');
      setTimeout(() => process.exit(0), 60_000);
    });
  } else {
    const delayMs = Number(flags.get('delay-shutdown') ?? 0) * 1000;
    process.on('SIGTERM', () => setTimeout(() => process.exit(0), delayMs));
  }
  if (mode === 'netexec') netexec(flags);
  else if (mode === 'serve-hostname') serveHostname(flags);
  else if (mode === 'pause') setInterval(() => {}, 1 << 30);
  else {
    process.stdout.write('Usage: agnhost [command]\n\nAvailable Commands (clusterip): netexec, serve-hostname, pause\n');
    process.exit(mode ? 1 : 0);
  }
}

main();

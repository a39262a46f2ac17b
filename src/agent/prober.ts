// Runs one probe (the I/O side of probes.ts): httpGet and tcpSocket from the node namespace to the pod IP
// (through the node's dialer), exec inside the container's namespaces. Outcomes carry Kubernetes' messages.
import http from 'node:http';
import { spawn } from 'node:child_process';
import type { ContainerPort, Probe } from '../api/index.ts';
import { dialThroughNode } from './network/dialer.ts';
import { CONTAINER_PATH } from './container.ts';

export interface ProbeContext {
  podIP: string;
  containerPid: number;
  ports: ContainerPort[];
  dialerSocket: string;
  timeoutMs: number;
  /** The container's environment (exec probes run with it, as in the container). */
  env?: Map<string, string>;
}

export interface ProbeOutcome {
  ok: boolean;
  output: string;
}

function resolvePort(port: number | string, ports: ContainerPort[]): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return ports.find((p) => p.name === port)?.containerPort;
}

export async function runProbe(probe: Probe, ctx: ProbeContext): Promise<ProbeOutcome> {
  if (probe.httpGet) return httpProbe(probe.httpGet, ctx);
  if (probe.tcpSocket) return tcpProbe(probe.tcpSocket, ctx);
  if (probe.exec) return execProbe(probe.exec.command ?? [], ctx);
  return { ok: true, output: '' };
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

async function tcpProbe(t: NonNullable<Probe['tcpSocket']>, ctx: ProbeContext): Promise<ProbeOutcome> {
  const port = resolvePort(t.port, ctx.ports);
  if (port === undefined) return { ok: false, output: `unknown port ${t.port}` };
  try {
    const sock = await dialThroughNode(ctx.dialerSocket, t.host || ctx.podIP, port, ctx.timeoutMs);
    sock.destroy();
    return { ok: true, output: '' };
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  }
}

async function httpProbe(h: NonNullable<Probe['httpGet']>, ctx: ProbeContext): Promise<ProbeOutcome> {
  const port = resolvePort(h.port, ctx.ports);
  const host = h.host || ctx.podIP;
  const p = h.path ?? '/';
  const url = `${(h.scheme ?? 'HTTP').toLowerCase()}://${hostPort(host, port ?? 0)}${p.startsWith('/') ? p : `/${p}`}`;
  if (port === undefined) return { ok: false, output: `unknown port ${h.port}` };
  let sock;
  try {
    sock = await dialThroughNode(ctx.dialerSocket, host, port, ctx.timeoutMs);
  } catch (err) {
    return { ok: false, output: `Get "${url}": ${(err as Error).message}` };
  }
  const connected = sock;
  return new Promise<ProbeOutcome>((resolve) => {
    const req = http.request({
      createConnection: () => connected,
      host,
      port,
      path: p.startsWith('/') ? p : `/${p}`,
      method: 'GET',
      headers: { 'User-Agent': 'kube-probe/1.33', Accept: '*/*', Connection: 'close' },
      timeout: ctx.timeoutMs,
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on('error', (err) => resolve({ ok: false, output: `Get "${url}": ${err.message}` }));
    req.on('response', (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      connected.destroy();
      // As the kubelet: 200 ≤ code < 400 succeeds.
      if (code >= 200 && code < 400) resolve({ ok: true, output: '' });
      else resolve({ ok: false, output: `HTTP probe failed with statuscode: ${code}` });
    });
    req.end();
  });
}

function execProbe(command: string[], ctx: ProbeContext): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const env: Record<string, string> = { PATH: CONTAINER_PATH, HOME: '/root' };
    for (const [k, v] of ctx.env ?? []) env[k] = v;
    const child = spawn('nsenter', ['-t', String(ctx.containerPid), '-n', '-m', '-u', '--', ...command], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
      cwd: '/',
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ok: false, output: `command "${command.join(' ')}" timed out` });
    }, ctx.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, output: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, output: output.trim() });
    });
  });
}

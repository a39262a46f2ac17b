// Crash-test tools: the API server as a real child process (`node src/apiserver/main.ts`) on SQLite or etcd,
// Service creates through its REST API at a bounded concurrency, and the checks a restart must pass.
import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';

const repo = new URL('../../', import.meta.url).pathname;

export type StorageOption = { kind: 'sqlite' } | { kind: 'etcd'; endpoints: string[] };

export interface ApiServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr (its log). */
  log(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
// Should a test die before its own cleanup, no API server outlives the test process.
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export async function startApiServerProcess(dataDir: string, storage: StorageOption, serviceCIDR = '10.96.0.0/16'): Promise<ApiServerProcess> {
  const args = ['src/apiserver/main.ts', '--data-dir', dataDir, '--port', '0', '--service-cidr', serviceCIDR, '--storage', storage.kind];
  if (storage.kind === 'etcd') args.push('--etcd-endpoints', storage.endpoints.join(','));
  const child = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`API server did not start in 30 s:\n${stderr}`));
    }, 30_000);
    const poll = setInterval(() => {
      const m = /serving on (http:\/\/[0-9.]+:\d+)/.exec(stderr);
      if (m) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(m[1]!);
      }
    }, 10);
    void exited.then(() => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`API server exited (${child.exitCode ?? child.signalCode}):\n${stderr}`));
    });
  });
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(sig);
    // A server that does not stop on SIGTERM within 5 s is killed: tests never hang on it.
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(force);
  };
  return { url, child, log: () => stderr, kill9: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}

export interface Ack {
  name: string;
  clusterIP: string;
}

export interface CreateRun {
  /** Creates answered 201, with the address the answer carried. */
  acks: Ack[];
  /** Answered 409 AlreadyExists (a create repeated after an ambiguous failure). */
  existed: string[];
  /** Other HTTP answers (status and message). */
  refused: { name: string; status: number; message: string }[];
  /** No answer: the connection failed (the server went away under the request). */
  unanswered: string[];
  /** Names never sent because the run was told to stop. */
  unsent: string[];
}

/**
 * POSTs one Service per name with at most `concurrency` requests in flight (workers pulling from one
 * queue). `onAck(n)` runs after each 201; once `stop()` returns true no new request is sent.
 */
export async function createServices(
  url: string,
  names: string[],
  options: { concurrency: number; namespace?: string; onAck?: (n: number) => void; stop?: () => boolean; timeoutMs?: number },
): Promise<CreateRun> {
  const run: CreateRun = { acks: [], existed: [], refused: [], unanswered: [], unsent: [] };
  const namespace = options.namespace ?? 'default';
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const name = names[next++]!;
      if (options.stop?.()) {
        run.unsent.push(name);
        continue;
      }
      let status: number;
      let body: { spec?: { clusterIP?: string }; message?: string };
      try {
        const res = await fetch(`${url}/api/v1/namespaces/${namespace}/services`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }] } }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        });
        status = res.status;
        body = (await res.json()) as typeof body;
      } catch {
        run.unanswered.push(name);
        continue;
      }
      if (status === 201) {
        assert.ok(body.spec?.clusterIP, `${name}: 201 without a clusterIP`);
        run.acks.push({ name, clusterIP: body.spec.clusterIP });
        options.onAck?.(run.acks.length);
      } else if (status === 409) run.existed.push(name);
      else run.refused.push({ name, status, message: body.message ?? '' });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return run;
}

interface Svc {
  metadata: { name: string; namespace: string };
  spec: { clusterIPs?: string[] };
}
interface IPAddr {
  metadata: { name: string };
  spec: { parentRef: { namespace?: string; name: string; resource: string } };
}

async function listAll<T>(url: string, path: string): Promise<T[]> {
  // 503 is the store saying "not now" (an etcd leader election just after a member was killed): retry a
  // few times, as any client does, within a bounded time.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(30_000) });
    if (res.status === 503 && Date.now() < deadline) {
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    assert.equal(res.status, 200, `GET ${path}`);
    return ((await res.json()) as { items: T[] }).items;
  }
}

export interface Census {
  /** namespace/name → the addresses it holds. */
  services: Map<string, string[]>;
  /** Addresses held by more than one Service. */
  duplicates: string[];
  /** Service addresses without their IPAddress, and IPAddresses without their Service. */
  unmatched: string[];
}

/** Every Service and IPAddress in the cluster, and how they pair up. */
export async function census(url: string): Promise<Census> {
  // IPAddresses first: a Service created in between then only shows up as a Service (repair's order).
  const ips = await listAll<IPAddr>(url, '/apis/networking.k8s.io/v1/ipaddresses');
  const list = await listAll<Svc>(url, '/api/v1/services');
  const services = new Map(list.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, (s.spec.clusterIPs ?? []).filter((ip) => ip !== 'None')]));
  const holders = new Map<string, string[]>();
  for (const [svc, addrs] of services) for (const ip of addrs) holders.set(ip, [...(holders.get(ip) ?? []), svc]);
  const duplicates = [...holders].filter(([, h]) => h.length > 1).map(([ip, h]) => `${ip} held by ${h.join(', ')}`);
  const unmatched: string[] = [];
  const recorded = new Map(ips.map((i) => [i.metadata.name, `${i.spec.parentRef.namespace}/${i.spec.parentRef.name}`]));
  for (const [ip, h] of holders) if (recorded.get(ip) !== h[0]) unmatched.push(`${ip} of ${h.join(', ')}: IPAddress names ${recorded.get(ip) ?? 'nothing'}`);
  for (const [ip, owner] of recorded) if (!holders.has(ip)) unmatched.push(`IPAddress ${ip} of ${owner}: no Service holds it`);
  return { services, duplicates, unmatched };
}

// SQLite vs etcd behind the API server, in the same run: Service create latency over HTTP (p50, p99; the
// Service and its IPAddress are one storage txn) and watch delivery latency (create sent → ADDED event read by
// a client watching over HTTP). Both backends serve an identical in-process API server on a loopback port;
// the rounds alternate between them so both see the same machine load.
// Run: node bench/storage-api.ts [--creates N] [--rounds R]
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApiCore, startApiServer, type ApiServer, type ApiCore } from '../src/apiserver/index.ts';
import {
  bootstrapServiceNetworking,
  ipAddressStrategy,
  serviceCIDRStrategy,
  serviceNetworkConfig,
  serviceStrategy,
} from '../src/apiserver/registry/service/index.ts';
import { openEtcdBackend, openSqliteBackend, type Backend } from '../src/storage/index.ts';
import { etcdSkipReason, startEtcd, type EtcdCluster } from '../test/storage/etcd-harness.ts';

const args = process.argv.slice(2);
const argNum = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const CREATES = argNum('--creates', 1000); // per backend and per measure, split over the rounds
const ROUNDS = argNum('--rounds', 5);
const DEADLINE = Date.now() + 120_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const serviceBody = (name: string): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } });

interface Target {
  name: string;
  server: ApiServer;
  core: ApiCore;
  backend: Backend;
  creates: number[];
  delivery: number[];
  close(): Promise<void>;
}

async function serve(name: string, backend: Backend, cleanup: () => Promise<void>): Promise<Target> {
  const network = serviceNetworkConfig('10.96.0.0/12', 6443);
  const core = await createApiCore({
    backend,
    strategies: { services: serviceStrategy(network), ipaddresses: ipAddressStrategy, servicecidrs: serviceCIDRStrategy },
  });
  await bootstrapServiceNetworking(backend, network);
  const server = await startApiServer({ core, host: '127.0.0.1', port: 0 });
  for (const ns of ['bench-create', 'bench-watch'])
    await post(`${server.url}/api/v1/namespaces`, JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
  return {
    name,
    server,
    core,
    backend,
    creates: [],
    delivery: [],
    close: async () => {
      await server.close();
      await core.close();
      await backend.close();
      await cleanup();
    },
  };
}

/** Sequential creates, each timed from request sent to 201 read. */
async function measureCreates(t: Target, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count && Date.now() < DEADLINE; i++) {
    const t0 = performance.now();
    const status = await post(`${t.server.url}/api/v1/namespaces/bench-create/services`, serviceBody(`c-${i}`));
    t.creates.push(performance.now() - t0);
    if (status !== 201) throw new Error(`${t.name}: create answered ${status}`);
  }
}

/** One watch over HTTP; each create is timed from request sent until its ADDED event is read. */
async function measureDelivery(t: Target, from: number, count: number): Promise<void> {
  const seen = new Map<string, () => void>();
  const watchAgent = new http.Agent({ keepAlive: false });
  const req = http.get(`${t.server.url}/api/v1/namespaces/bench-watch/services?watch=true&resourceVersion=${await t.backend.currentRevision()}`, { agent: watchAgent });
  const ready = new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const event = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } };
          const name = event.object.metadata?.name;
          if (event.type === 'ADDED' && name) seen.get(name)?.();
        }
      });
      resolve();
    });
    req.on('error', reject);
  });
  await ready;
  try {
    for (let i = from; i < from + count && Date.now() < DEADLINE; i++) {
      const name = `w-${i}`;
      const t0 = performance.now();
      const delivered = new Promise<void>((resolve) => seen.set(name, resolve));
      const status = await post(`${t.server.url}/api/v1/namespaces/bench-watch/services`, serviceBody(name));
      if (status !== 201) throw new Error(`${t.name}: create answered ${status}`);
      await delivered;
      t.delivery.push(performance.now() - t0);
      seen.delete(name);
    }
  } finally {
    req.destroy();
    watchAgent.destroy();
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'clusterip-bench-storage-api-'));
const targets: Target[] = [];
let etcd: EtcdCluster | undefined;
try {
  targets.push(await serve('sqlite', await openSqliteBackend(path.join(dir, 'state.db')), async () => {}));
  const skip = etcdSkipReason();
  if (skip) console.log(`etcd skipped: ${skip}`);
  else {
    etcd = await startEtcd(1);
    targets.push(await serve('etcd', await openEtcdBackend({ endpoints: etcd.endpoints }), async () => {}));
  }
  // Warm-up (JIT, connections, the allocator's first probes), not measured.
  for (const t of targets) await measureCreates(t, -20, 20).then(() => (t.creates.length = 0));
  const per = Math.ceil(CREATES / ROUNDS);
  for (let r = 0; r < ROUNDS; r++) {
    for (const t of targets) await measureCreates(t, r * per, per);
    for (const t of targets) await measureDelivery(t, r * per, per);
  }

  const figures = targets.map((t) => {
    const c = [...t.creates].sort((a, b) => a - b);
    const d = [...t.delivery].sort((a, b) => a - b);
    return { name: t.name, n: c.length, createP50: percentile(c, 50), createP99: percentile(c, 99), watchP50: percentile(d, 50), watchP99: percentile(d, 99) };
  });
  const [sqlite, other] = figures;
  console.log(`API server on SQLite vs etcd 3.4 (one local member): ${sqlite?.n} sequential Service creates per backend over HTTP, and as many create → watch ADDED deliveries`);
  console.log(`${'figure (ms)'.padEnd(34)} ${'sqlite'.padStart(9)} ${'etcd'.padStart(9)} ${'etcd/sqlite'.padStart(12)}`);
  const rows: [string, 'createP50' | 'createP99' | 'watchP50' | 'watchP99'][] = [
    ['create Service p50', 'createP50'],
    ['create Service p99', 'createP99'],
    ['create → watch event p50', 'watchP50'],
    ['create → watch event p99', 'watchP99'],
  ];
  for (const [label, field] of rows) {
    const s = sqlite?.[field] ?? NaN;
    const e = other?.[field];
    console.log(`${label.padEnd(34)} ${s.toFixed(2).padStart(9)} ${(e === undefined ? '-' : e.toFixed(2)).padStart(9)} ${(e === undefined ? '-' : `${(e / s).toFixed(2)}×`).padStart(12)}`);
  }
} finally {
  agent.destroy();
  for (const t of targets) await t.close();
  await etcd?.stop();
  await rm(dir, { recursive: true, force: true });
}

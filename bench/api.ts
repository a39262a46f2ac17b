// API server benchmark: create-Service latency (p50, p99) over HTTP on loopback, and LIST of 10,000
// Services (JSON and Table), each as a ratio against the raw storage operation measured in the same run
// on the same SQLite file. Targets: create p99 ≤ 10 ms, LIST 10k ≤ 200 ms.
// Run: node bench/api.ts [--creates N] [--services N]
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApiCore, encodeForStorage, startApiServer, storageKeyFor, type Strategy } from '../src/apiserver/index.ts';
import { openSqliteBackend, type Backend, type TxnOp } from '../src/storage/index.ts';

const args = process.argv.slice(2);
const argNum = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const creates = argNum('--creates', 1000);
const listSize = argNum('--services', 10_000);
const listRounds = 10;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(ms: number[]): { p50: number; p99: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: pct(s, 50), p99: pct(s, 99) };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(url: string, method: string, body?: string, accept = 'application/json'): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: { 'content-type': 'application/json', accept } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function strategies(): Promise<{ strategies: Record<string, Strategy>; bootstrap?: (b: Backend, port: number) => Promise<unknown> }> {
  try {
    const svc = (await import('../src/apiserver/registry/service/index.ts')) as {
      serviceStrategy(c: unknown): Strategy;
      ipAddressStrategy: Strategy;
      serviceCIDRStrategy: Strategy;
      serviceNetworkConfig(cidrs?: string, port?: number): unknown;
      bootstrapServiceNetworking(b: Backend, c: unknown): Promise<unknown>;
    };
    // A /12 so 10k+ Services fit.
    const config = svc.serviceNetworkConfig('10.96.0.0/12', 6443);
    return {
      strategies: { services: svc.serviceStrategy(config), ipaddresses: svc.ipAddressStrategy, servicecidrs: svc.serviceCIDRStrategy },
      bootstrap: (b) => svc.bootstrapServiceNetworking(b, config),
    };
  } catch {
    return { strategies: {} };
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterip-bench-api-'));
const backend = await openSqliteBackend(path.join(dir, 'state.db'));
const { strategies: strats, bootstrap } = await strategies();
const core = await createApiCore({ backend, strategies: strats });
const server = await startApiServer({ core, port: 0 });
await bootstrap?.(backend, server.port);
const deadline = Date.now() + 120_000;

try {
  const ns = 'bench';
  await request(`${server.url}/api/v1/namespaces`, 'POST', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
  const svc = (name: string): string =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { app: 'bench' } }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } });

  // Raw storage write of a Service-sized value (the durable write every create pays), interleaved with the
  // API creates so both see the same disk conditions.
  const raw: number[] = [];
  const api: number[] = [];
  for (let i = 0; i < 50; i++) await request(`${server.url}/api/v1/namespaces/${ns}/services`, 'POST', svc(`warm-${i}`));
  for (let i = 0; i < creates && Date.now() < deadline; i++) {
    let t0 = performance.now();
    await backend.create(`/bench/raw/${i}`, svc(`raw-${i}`));
    raw.push(performance.now() - t0);
    t0 = performance.now();
    const r = await request(`${server.url}/api/v1/namespaces/${ns}/services`, 'POST', svc(`svc-${i}`));
    api.push(performance.now() - t0);
    if (r.status !== 201) throw new Error(`create answered ${r.status}`);
  }
  const rawS = summary(raw);
  const apiS = summary(api);

  // Fill to listSize Services in the namespace, written straight to storage in batches (the API path was
  // measured above; this is only setup).
  const have = 50 + api.length;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (let i = have; i < listSize; i += 500) {
    const ops: TxnOp[] = [];
    for (let j = i; j < Math.min(listSize, i + 500); j++) {
      const name = `fill-${String(j).padStart(6, '0')}`;
      const obj = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: ns, uid: `00000000-0000-4000-8000-${String(j).padStart(12, '0')}`, creationTimestamp: now, generation: 1, labels: { app: 'bench' } },
        spec: { type: 'ClusterIP', selector: { app: name }, ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }], clusterIP: `10.${100 + (j >> 16)}.${(j >> 8) & 255}.${j & 255}`, sessionAffinity: 'None' },
        status: { loadBalancer: {} },
      };
      ops.push({ op: 'create', key: storageKeyFor('services', ns, name), value: encodeForStorage(obj) });
    }
    await backend.txn(ops);
  }
  const prefix = storageKeyFor('services', ns, '');
  const count = await backend.count(prefix);

  const rawList: number[] = [];
  const jsonList: number[] = [];
  const tableList: number[] = [];
  let bytes = 0;
  for (let i = 0; i < listRounds && Date.now() < deadline; i++) {
    let t0 = performance.now();
    const l = await backend.list(prefix);
    for (const kv of l.items) JSON.parse(kv.value); // a raw read that yields objects, as the API must
    rawList.push(performance.now() - t0);
    t0 = performance.now();
    const r = await request(`${server.url}/api/v1/namespaces/${ns}/services`, 'GET');
    jsonList.push(performance.now() - t0);
    bytes = r.bytes;
    t0 = performance.now();
    await request(`${server.url}/api/v1/namespaces/${ns}/services?limit=500`, 'GET', undefined, 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json');
    tableList.push(performance.now() - t0);
  }
  const rl = summary(rawList);
  const jl = summary(jsonList);
  const tl = summary(tableList);
  const f = (n: number): string => n.toFixed(2);
  console.log(`create Service over HTTP (${api.length} sequential, SQLite synchronous=FULL)`);
  console.log(`  api   p50 ${f(apiS.p50)} ms  p99 ${f(apiS.p99)} ms   (target p99 ≤ 10 ms: ${apiS.p99 <= 10 ? 'met' : 'MISSED'})`);
  console.log(`  raw storage create  p50 ${f(rawS.p50)} ms  p99 ${f(rawS.p99)} ms`);
  console.log(`  ratio api/raw  p50 ${f(apiS.p50 / rawS.p50)}x  p99 ${f(apiS.p99 / rawS.p99)}x`);
  console.log(`LIST of ${count} Services (${listRounds} rounds, ${(bytes / 1e6).toFixed(1)} MB JSON)`);
  console.log(`  api JSON   p50 ${f(jl.p50)} ms  p99 ${f(jl.p99)} ms   (target ≤ 200 ms: ${jl.p99 <= 200 ? 'met' : 'MISSED'})`);
  console.log(`  api Table page of 500 (kubectl get)  p50 ${f(tl.p50)} ms`);
  console.log(`  raw storage list+parse  p50 ${f(rl.p50)} ms  p99 ${f(rl.p99)} ms`);
  console.log(`  ratio api/raw  p50 ${f(jl.p50 / rl.p50)}x`);
} finally {
  await server.close();
  await core.close();
  await backend.close();
  agent.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}

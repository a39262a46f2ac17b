// ClusterIP allocation benchmark on SQLite: create-Service latency through the Service Strategy (prepare,
// validate, allocate, one txn with the IPAddress) against a baseline txn writing the same Service and an
// IPAddress at a precomputed address, measured in the same run on the same kind of file; at an empty /12,
// with 10,000 Services already there, and in a /20 that is 95% full (long walks past allocated addresses).
// Run: node bench/allocator.ts [--creates N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Service } from '../src/api/index.ts';
import { openSqliteBackend, type Backend } from '../src/storage/index.ts';
import { serviceNetworkConfig } from '../src/allocator/index.ts';
import { serviceStrategy } from '../src/apiserver/registry/service/index.ts';
import { createService } from '../src/apiserver/registry/service/testing.ts';
import { encodeForStorage } from '../src/apiserver/index.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--creates');
const creates = at >= 0 ? Number(args[at + 1]) : 1000;
const deadline = Date.now() + 120_000;

function svc(name: string): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ port: 80 }] } };
}

function summary(ms: number[]): { p50: number; p99: number; mean: number } {
  const s = [...ms].sort((a, b) => a - b);
  const p = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { p50: p(0.5), p99: p(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

async function withStore<T>(fn: (b: Backend) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cip-bench-alloc-'));
  const b = await openSqliteBackend(path.join(dir, 'state.db'));
  try {
    return await fn(b);
  } finally {
    await b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Raw: the same two writes with no decision made (the floor any allocator sits on). */
async function baseline(b: Backend, n: number, offset: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n && Date.now() < deadline; i++) {
    const s = svc(`base${offset + i}`);
    const k = offset + i;
    const ip = `10.${200 + ((k >> 16) & 31)}.${(k >> 8) & 255}.${k & 255}`;
    const t = performance.now();
    await b.txn([
      { op: 'create', key: `/registry/services/specs/default/base${offset + i}`, value: encodeForStorage(s) },
      { op: 'create', key: `/registry/ipaddresses/${ip}`, value: JSON.stringify({ metadata: { name: ip } }) },
    ]);
    out.push(performance.now() - t);
  }
  return out;
}

function line(label: string, ms: number[], base: number[]): void {
  const s = summary(ms);
  const b = summary(base);
  console.log(
    `${label.padEnd(40)} n=${String(ms.length).padStart(5)}  p50 ${s.p50.toFixed(3)} ms  p99 ${s.p99.toFixed(3)} ms` +
      `  | baseline p50 ${b.p50.toFixed(3)} ms  → ${(s.p50 / b.p50).toFixed(2)}x`,
  );
}

/** Strategy creates and baseline txns interleaved one by one, so machine noise hits both alike. */
async function measure(b: Backend, cidr: string, prefix: string, n: number): Promise<{ strategy: number[]; base: number[] }> {
  const strategy = serviceStrategy(serviceNetworkConfig(cidr));
  const out = { strategy: [] as number[], base: [] as number[] };
  for (let i = 0; i < n && Date.now() < deadline; i++) {
    out.base.push(...(await baseline(b, 1, prefix.charCodeAt(0) * 100_000 + i)));
    const t = performance.now();
    await createService(b, strategy, svc(`${prefix}${i}`));
    out.strategy.push(performance.now() - t);
  }
  return out;
}

await withStore(async (b) => {
  const m = await measure(b, '10.96.0.0/12', 'a', creates);
  line('create, empty 10.96.0.0/12', m.strategy, m.base);
});

await withStore(async (b) => {
  const strategy = serviceStrategy(serviceNetworkConfig('10.96.0.0/12'));
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) await createService(b, strategy, svc(`fill${i}`));
  const m = await measure(b, '10.96.0.0/12', 'b', creates);
  line('create, 10k Services in the /12', m.strategy, m.base);
});

await withStore(async (b) => {
  const strategy = serviceStrategy(serviceNetworkConfig('10.96.0.0/20'));
  const fill = Math.floor(4094 * 0.95);
  for (let i = 0; i < fill && Date.now() < deadline; i++) await createService(b, strategy, svc(`fill${i}`));
  const m = await measure(b, '10.96.0.0/20', 'c', 150);
  line('create, /20 95% full', m.strategy, m.base);
});

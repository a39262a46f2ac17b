// Raw storage figures the API benchmark compares against: write latency (sequential creates), list of
// 10,000 keys, and watch delivery latency, for SQLite and etcd (one local member) in the same run.
//   node bench/storage.ts [writes=2000]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend, TxnOp } from '../src/storage/index.ts';
import { openEtcdBackend, openSqliteBackend } from '../src/storage/index.ts';
import { etcdSkipReason, startEtcd } from '../test/storage/etcd-harness.ts';

const WRITES = Number(process.argv[2] ?? 2000);
const LIST_KEYS = 10_000;
const LIST_RUNS = 7;
const WATCH_EVENTS = 500;
// About the size of a stored Service.
const VALUE = JSON.stringify({
  kind: 'Service',
  apiVersion: 'v1',
  metadata: { name: 'svc', namespace: 'default', uid: '7f0c7c1e-5b0e-4a53-9d5c-0d2b8f6c1e11', labels: { app: 'web' } },
  spec: { type: 'ClusterIP', clusterIP: '10.96.12.34', clusterIPs: ['10.96.12.34'], ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], selector: { app: 'web' } },
});

interface Figures {
  writeP50: number;
  writeP99: number;
  list10k: number;
  watchP50: number;
  watchP99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

async function measure(b: Backend): Promise<Figures> {
  const writes: number[] = [];
  for (let i = 0; i < WRITES; i++) {
    const t0 = performance.now();
    await b.create(`/bench/writes/k${i}`, VALUE);
    writes.push(performance.now() - t0);
  }
  writes.sort((x, y) => x - y);

  for (let i = 0; i < LIST_KEYS; i += 100) {
    const ops: TxnOp[] = [];
    for (let j = i; j < i + 100; j++) ops.push({ op: 'create', key: `/bench/list/s${String(j).padStart(5, '0')}`, value: VALUE });
    await b.txn(ops);
  }
  const lists: number[] = [];
  for (let i = 0; i < LIST_RUNS; i++) {
    const t0 = performance.now();
    const res = await b.list('/bench/list/');
    lists.push(performance.now() - t0);
    if (res.items.length !== LIST_KEYS) throw new Error(`listed ${res.items.length} keys`);
  }
  lists.sort((x, y) => x - y);

  // Watch delivery: from the write call to the event in a watcher's hands.
  const delivery: number[] = [];
  let arrived: (() => void) | undefined;
  const watcher = b.watch('/bench/watch/', await b.currentRevision(), () => arrived?.());
  try {
    for (let i = 0; i < WATCH_EVENTS; i++) {
      const t0 = performance.now();
      const seen = new Promise<void>((resolve) => (arrived = resolve));
      await b.create(`/bench/watch/k${i}`, VALUE);
      await seen;
      delivery.push(performance.now() - t0);
    }
  } finally {
    watcher.stop();
  }
  delivery.sort((x, y) => x - y);
  return {
    writeP50: percentile(writes, 50),
    writeP99: percentile(writes, 99),
    list10k: percentile(lists, 50),
    watchP50: percentile(delivery, 50),
    watchP99: percentile(delivery, 99),
  };
}

const rows: [string, keyof Figures][] = [
  ['create p50 (ms)', 'writeP50'],
  ['create p99 (ms)', 'writeP99'],
  ['list 10k median (ms)', 'list10k'],
  ['write→watch event p50 (ms)', 'watchP50'],
  ['write→watch event p99 (ms)', 'watchP99'],
];

const dir = await mkdtemp(join(tmpdir(), `clusterip-bench-${process.pid}-`));
let sqlite: Figures;
try {
  const b = await openSqliteBackend(join(dir, 'state.db'));
  try {
    sqlite = await measure(b);
  } finally {
    await b.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

let etcd: Figures | undefined;
const skip = etcdSkipReason();
if (!skip) {
  const cluster = await startEtcd(1);
  try {
    const b = await openEtcdBackend({ endpoints: cluster.endpoints });
    try {
      etcd = await measure(b);
    } finally {
      await b.close();
    }
  } finally {
    await cluster.stop();
  }
}

console.log(`storage benchmark: ${WRITES} sequential creates of a ${VALUE.length}-byte value, list of ${LIST_KEYS} keys, ${WATCH_EVENTS} watch events`);
console.log(`${'figure'.padEnd(28)} ${'sqlite'.padStart(9)} ${'etcd'.padStart(9)} ${'etcd/sqlite'.padStart(12)}`);
for (const [label, field] of rows) {
  const s = sqlite[field];
  const e = etcd?.[field];
  console.log(
    `${label.padEnd(28)} ${s.toFixed(3).padStart(9)} ${(e === undefined ? '-' : e.toFixed(3)).padStart(9)} ${(e === undefined ? '-' : `${(e / s).toFixed(1)}×`).padStart(12)}`,
  );
}
if (skip) console.log(`etcd skipped: ${skip}`);

// The API core on the etcd backend where etcd answers differently from SQLite: a list at a revision not yet
// written (504 "Too large resource version", as kube-apiserver), a watch whose store goes away (the stream
// ends cleanly, no ERROR event), and a watch resumed from a compacted revision (410 ERROR event).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { errorResponse, isStream, type ApiCore } from '../../src/apiserver/index.ts';
import { openEtcdBackend, StorageError, type Backend } from '../../src/storage/index.ts';
import { etcdSkipReason, startEtcd, type EtcdCluster } from '../storage/etcd-harness.ts';
import { startTestCluster, type TestCluster } from './harness.ts';

const skip = etcdSkipReason();
let etcd: EtcdCluster | undefined;
after(() => etcd?.stop());

async function cluster(t: { after(fn: () => Promise<void>): void }): Promise<TestCluster> {
  etcd ??= await startEtcd(1);
  const endpoints = etcd.endpoints;
  const c = await startTestCluster({ openBackend: (dir) => openEtcdBackend({ endpoints, prefix: `/${path.basename(dir)}` }) });
  t.after(() => c.stop());
  return c;
}

function get(core: ApiCore, p: string, query: Record<string, string> = {}) {
  return core.handle({ method: 'GET', path: p, query: new URLSearchParams(query), headers: {}, body: Buffer.alloc(0) });
}

async function readAll(stream: AsyncIterable<string>, timeoutMs: number): Promise<{ lines: string[]; ended: boolean }> {
  const lines: string[] = [];
  const it = stream[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return { lines, ended: false };
    const next = await Promise.race([it.next(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), left))]);
    if (next === 'timeout') return { lines, ended: false };
    if (next.done) return { lines, ended: true };
    lines.push(next.value);
  }
}

test('list at a resourceVersion not written yet: 504 Timeout, Too large resource version', { skip }, async (t) => {
  const c = await cluster(t);
  const current = await c.backend.currentRevision();
  const res = await get(c.core, '/api/v1/namespaces/default/services', { resourceVersion: String(current + 1000), resourceVersionMatch: 'Exact' });
  assert.ok(!isStream(res) && 'status' in res);
  assert.equal(res.status, 504);
  const status = JSON.parse(String(res.body)) as { reason: string; message: string; details: { causes: { reason: string; message: string }[]; retryAfterSeconds: number } };
  assert.equal(status.reason, 'Timeout');
  assert.match(status.message, new RegExp(`^Timeout: Too large resource version: ${current + 1000}, current: \\d+$`));
  assert.deepEqual(status.details.causes, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);
  assert.equal(status.details.retryAfterSeconds, 1);
});

test('errorResponse: a FutureRevision from any store is the same 504', () => {
  const res = errorResponse(new StorageError('FutureRevision', '/registry/services/', 'revision 90 is newer than the current 12'));
  assert.equal(res.status, 504);
  const status = JSON.parse(String(res.body)) as { reason: string; message: string; details: { causes: { reason: string }[] } };
  assert.equal(status.reason, 'Timeout');
  assert.equal(status.message, 'Timeout: Too large resource version: 90, current: 12');
  assert.equal(status.details.causes[0]?.reason, 'ResourceVersionTooLarge');
});

test('a watch whose store closes ends cleanly, without an ERROR event', { skip }, async (t) => {
  const c = await cluster(t);
  const rv = await c.backend.currentRevision();
  const res = await get(c.core, '/api/v1/namespaces/default/services', { watch: 'true', resourceVersion: String(rv) });
  assert.ok(isStream(res));
  await c.backend.close();
  const { lines, ended } = await readAll(res.stream, 5000);
  assert.ok(ended, 'the stream ended');
  assert.deepEqual(lines.filter((l) => l.includes('"ERROR"')), []);
});

test('a watch from a compacted resourceVersion: 410 ERROR event', { skip }, async (t) => {
  const c = await cluster(t);
  const backend: Backend = c.backend;
  const first = await backend.currentRevision();
  await backend.create('/registry/configmaps/default/a', '{}');
  await backend.update('/registry/configmaps/default/a', '{"x":1}');
  await backend.compact(await backend.currentRevision());
  const res = await get(c.core, '/api/v1/namespaces/default/services', { watch: 'true', resourceVersion: String(first) });
  assert.ok(isStream(res));
  const { lines } = await readAll(res.stream, 5000);
  const event = JSON.parse(lines[0] ?? '{}') as { type: string; object: { code: number; reason: string; message: string } };
  assert.equal(event.type, 'ERROR');
  assert.equal(event.object.code, 410);
  assert.match(event.object.message, /^too old resource version: \d+ \(\d+\)$/);
});

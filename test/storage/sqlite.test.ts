// The backend contract on the embedded SQLite store, each case on a fresh file in a temp dir.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Backend, StorageError } from '../../src/storage/index.ts';
import { openSqliteBackend } from '../../src/storage/index.ts';
import { runBackendContract } from '../../src/storage/contract.ts';

async function freshStore() {
  const dir = await mkdtemp(join(tmpdir(), `clusterip-storage-${process.pid}-`));
  const path = join(dir, 'state.db');
  let backend: Backend = await openSqliteBackend(path);
  return {
    path,
    get backend() {
      return backend;
    },
    async reopen() {
      await backend.close();
      backend = await openSqliteBackend(path);
      return backend;
    },
    async cleanup() {
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

runBackendContract('sqlite', freshStore);

describe('sqlite backend', () => {
  it('refuses a second opener of the same file', async () => {
    const store = await freshStore();
    try {
      await assert.rejects(openSqliteBackend(store.path), /database is locked/);
      assert.equal(await store.backend.count('/'), 0);
    } finally {
      await store.cleanup();
    }
  });

  it('a compaction that overtakes a replaying watch ends it with Compacted', async () => {
    const store = await freshStore();
    try {
      const b = store.backend;
      for (let i = 0; i < 30; i++) {
        await b.txn(Array.from({ length: 100 }, (_, j) => ({ op: 'create' as const, key: `/r/k${i}-${j}`, value: 'v' })));
      }
      const events: string[] = [];
      let error: StorageError | undefined;
      b.watch('/r/', 0, (e) => events.push(e.key), (err) => (error = err));
      // The replay is paged: let one page out, then compact past it.
      await new Promise((r) => setImmediate(r));
      assert.ok(events.length > 0 && events.length < 3000, `${events.length} events before compaction`);
      await b.compact(await b.currentRevision());
      assert.equal(error?.code, 'Compacted');
      const delivered = events.length;
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(events.length, delivered, 'nothing after the error');
    } finally {
      await store.cleanup();
    }
  });

  it('lists 10,000 keys fast, also at an older revision', async () => {
    const store = await freshStore();
    try {
      const b = store.backend;
      const value = JSON.stringify({ kind: 'Service', spec: { ports: [{ port: 80 }], selector: { app: 'x' } } });
      const ops = [];
      for (let i = 0; i < 10_000; i++) ops.push({ op: 'create' as const, key: `/registry/services/specs/ns/s${i}`, value });
      for (let i = 0; i < ops.length; i += 1000) await b.txn(ops.slice(i, i + 1000));
      const revision = await b.currentRevision();
      await b.create('/registry/services/specs/ns/later', value);
      let t0 = performance.now();
      const now = await b.list('/registry/services/specs/');
      const current = performance.now() - t0;
      t0 = performance.now();
      const old = await b.list('/registry/services/specs/', { revision });
      const snapshot = performance.now() - t0;
      assert.equal(now.items.length, 10_001);
      assert.equal(old.items.length, 10_000);
      console.log(`list 10k: current ${current.toFixed(1)} ms, at an older revision ${snapshot.toFixed(1)} ms`);
      assert.ok(current < 200, `list of 10k took ${current} ms`);
      assert.ok(snapshot < 500, `snapshot list of 10k took ${snapshot} ms`);
    } finally {
      await store.cleanup();
    }
  });
});

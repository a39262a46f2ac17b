// The backend contract on real etcd (Debian's etcd-server): one member for the contract, each case under
// its own key prefix; then a three-member cluster that keeps taking writes with one member killed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Backend } from '../../src/storage/index.ts';
import { openEtcdBackend } from '../../src/storage/index.ts';
import { runBackendContract } from '../../src/storage/contract.ts';
import { etcdSkipReason, startEtcd, type EtcdCluster } from './etcd-harness.ts';

const skip = etcdSkipReason();
let single: EtcdCluster | undefined;
let cases = 0;

describe('etcd', { skip }, () => {
  before(async () => {
    single = await startEtcd(1);
  });
  after(async () => {
    await single?.stop();
  });

  runBackendContract('etcd', async () => {
    if (!single) throw new Error('etcd not started');
    const endpoints = single.endpoints;
    const prefix = `/t${process.pid}-${++cases}`;
    let backend: Backend = await openEtcdBackend({ endpoints, prefix });
    return {
      get backend() {
        return backend;
      },
      async reopen() {
        await backend.close();
        backend = await openEtcdBackend({ endpoints, prefix });
        return backend;
      },
      async cleanup() {
        await backend.close();
      },
    };
  });

  it('a three-member cluster keeps taking writes and watching with its leader killed', async () => {
    const cluster = await startEtcd(3);
    let backend: Backend | undefined;
    try {
      backend = await openEtcdBackend({ endpoints: cluster.endpoints, prefix: '/three' });
      const b = backend;
      const seen: string[] = [];
      const watcher = b.watch('/k/', await b.currentRevision(), (e) => seen.push(e.key));
      for (let i = 0; i < 20; i++) await b.create(`/k/before${i}`, 'v');
      // The worst case: the leader. A write caught in the election waits out etcd's request timeout
      // (5 s + 2 × election timeout); the following ones go to the new leader.
      cluster.kill(await cluster.leader());
      const acknowledged: string[] = [];
      const t0 = Date.now();
      let slowest = 0;
      for (let i = 0; i < 50; i++) {
        const key = `/k/after${i}`;
        const w0 = Date.now();
        await b.create(key, 'v');
        slowest = Math.max(slowest, Date.now() - w0);
        acknowledged.push(key);
      }
      console.log(`3 members, leader killed: 50 writes in ${Date.now() - t0} ms, slowest ${slowest} ms`);
      const all = await b.list('/k/');
      assert.equal(all.items.length, 70);
      for (const key of acknowledged) assert.ok(all.items.some((kv) => kv.key === key), key);
      const deadline = Date.now() + 10_000;
      while (seen.length < 70 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      watcher.stop();
      assert.equal(seen.length, 70, 'the watch resumed on another member without gap or duplicate');
      assert.equal(new Set(seen).size, 70);
    } finally {
      await backend?.close();
      await cluster.stop();
    }
  });
});

// The allocator's guarantees on every storage Backend (memory, SQLite, etcd): concurrent creates never share
// an address, a /28 runs out and frees, delete releases, repair reconciles. The Strategy's correctness rests on
// each backend's txn guards, so the same cases run against each.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IPAddress, Service } from '../../src/api/index.ts';
import { memoryBackend } from '../../src/apiserver/index.ts';
import { openEtcdBackend, openSqliteBackend, type Backend } from '../../src/storage/index.ts';
import { serviceNetworkConfig } from '../../src/allocator/index.ts';
import { repairServiceAllocations, serviceStrategy } from '../../src/apiserver/registry/service/index.ts';
import { createService, deleteService, kubectlMessage } from '../../src/apiserver/registry/service/testing.ts';
import { etcdSkipReason, startEtcd, type EtcdCluster } from '../storage/etcd-harness.ts';

interface BackendCase {
  name: string;
  skip?: string;
  open: () => Promise<Backend>;
}

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

let etcd: EtcdCluster | undefined;
let etcdKeys = 0;

const backends: BackendCase[] = [
  { name: 'memory', open: async () => memoryBackend() },
  {
    name: 'sqlite',
    open: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cip-alloc-backend-${process.pid}-`));
      const b = await openSqliteBackend(path.join(dir, 'state.db'));
      cleanups.push(async () => {
        await b.close();
        fs.rmSync(dir, { recursive: true, force: true });
      });
      return b;
    },
  },
  {
    name: 'etcd',
    skip: etcdSkipReason(),
    open: async () => {
      if (!etcd) {
        etcd = await startEtcd(1);
        const e = etcd;
        cleanups.unshift(() => e.stop());
      }
      const b = await openEtcdBackend({ endpoints: etcd.endpoints, prefix: `/alloc-${process.pid}-${++etcdKeys}` });
      cleanups.push(() => b.close());
      return b;
    },
  },
];

function svc(name: string, clusterIP?: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { selector: { app: name }, ports: [{ port: 80 }], ...(clusterIP ? { clusterIP } : {}) },
  };
}

async function ipAddresses(b: Backend): Promise<IPAddress[]> {
  return (await b.list('/registry/ipaddresses/')).items.map((kv) => JSON.parse(kv.value) as IPAddress);
}

for (const backend of backends) {
  test(`${backend.name}: 300 concurrent creates (50 for one explicit IP) never share an address`, { skip: backend.skip }, async () => {
    const b = await backend.open();
    const strategy = serviceStrategy(serviceNetworkConfig('10.96.0.0/22'));
    const results = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) => createService(b, strategy, svc(`c${i}`, i < 50 ? '10.96.0.20' : undefined))),
    );
    const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    assert.equal(ok.length, 251);
    assert.equal(ok.filter((s) => s.spec.clusterIP === '10.96.0.20').length, 1);
    for (const f of failed) assert.match(kubectlMessage(f), /failed to allocate IP 10\.96\.0\.20: provided IP is already allocated/);
    assert.equal(new Set(ok.map((s) => s.spec.clusterIP)).size, 251);
    const ips = await ipAddresses(b);
    assert.equal(ips.length, 251);
    const owner = new Map(ips.map((i) => [i.metadata.name, i.spec.parentRef.name]));
    for (const s of ok) assert.equal(owner.get(s.spec.clusterIP), s.metadata.name);
  });

  test(`${backend.name}: a /28 runs out, frees, and repair finds nothing to fix`, { skip: backend.skip }, async () => {
    const b = await backend.open();
    const config = serviceNetworkConfig('10.0.0.0/28');
    const strategy = serviceStrategy(config);
    const made = await Promise.all(Array.from({ length: 14 }, (_, i) => createService(b, strategy, svc(`s${i}`))));
    assert.equal(new Set(made.map((s) => s.spec.clusterIP)).size, 14);
    await assert.rejects(createService(b, strategy, svc('full')), (err: unknown) => {
      assert.equal(kubectlMessage(err), 'Error from server (InternalError): Internal error occurred: failed to allocate a serviceIP: range is full');
      return true;
    });
    await deleteService(b, strategy, 'default', 's7');
    const again = await createService(b, strategy, svc('again'));
    assert.equal(again.spec.clusterIP, made[7].spec.clusterIP);
    assert.deepEqual(await repairServiceAllocations(b, config), { removedIPAddresses: [], createdIPAddresses: [], conflicts: [], outOfRange: [] });
  });
}

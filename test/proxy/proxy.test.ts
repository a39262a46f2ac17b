// The proxy against the real kernel: a node namespace with a bridge and pods, the real executor loading our
// table with nft, and traffic from a client pod. Needs root; every namespace is ours and removed afterwards.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EndpointSlice, Service } from '../../src/api/index.ts';
import { Executor, NetnsRunner } from '../../src/proxy/executor.ts';
import { Proxier } from '../../src/proxy/proxier.ts';
import { makeService, makeSlice } from '../../src/proxy/testing.ts';
import { type Pod, Topology, sh, tally } from './topology.ts';

const isRoot = process.getuid?.() === 0;
const CLUSTER_CIDRS = ['10.244.0.0/16', 'fd00:10:244::/48'];

describe('proxy in a real node namespace', { skip: isRoot ? false : 'needs root (network namespaces)', timeout: 60_000 }, () => {
  const topo = new Topology('px');
  let pods: Pod[] = [];
  let client: Pod;
  let remote: Pod;
  let proxier: Proxier;
  const services = new Map<string, Service>();
  const slices = new Map<string, EndpointSlice>();

  const runners: NetnsRunner[] = [];
  function newProxier(): Proxier {
    const runner = new NetnsRunner(topo.nodeNetns);
    runners.push(runner);
    return new Proxier({
      config: { nodeName: 'node-a', clusterCIDRs: CLUSTER_CIDRS },
      executor: new Executor(runner),
      minSyncPeriodMs: 5,
      retryDelayMs: 100,
    });
  }

  async function apply(svcs: Service[], sls: EndpointSlice[]): Promise<void> {
    for (const s of svcs) {
      services.set(s.metadata.name ?? '', s);
      proxier.upsertService(s);
    }
    for (const s of sls) {
      slices.set(s.metadata.name ?? '', s);
      proxier.upsertEndpointSlice(s);
    }
    await proxier.waitForSync();
  }

  const webSlice = (ready: [boolean, boolean, boolean] = [true, true, true]) =>
    makeSlice({
      name: 'web-abc',
      service: 'web',
      ports: [{ name: 'http', port: 8080 }, { name: 'alt', port: 9090 }, { name: 'dns', port: 5353, protocol: 'UDP' }],
      endpoints: pods.map((p, i) => ({ ip: p.ip, ready: ready[i], serving: ready[i] })),
    });

  before(async () => {
    try {
      await topo.createNode();
      pods = [await topo.addPod('p1', 11), await topo.addPod('p2', 12), await topo.addPod('p3', 13)];
      client = await topo.addPod('c', 20);
      await topo.createPeerNode();
      remote = await topo.addPod('r', 31, true);
      await Promise.all([...pods, remote].map((p) => topo.serve(p, [8080, 9090], 5353)));
      proxier = newProxier();
      proxier.start();
      await apply(
        [
          makeService({
            name: 'web',
            clusterIPs: ['10.96.0.10'],
            ports: [{ name: 'http', port: 80 }, { name: 'alt', port: 90 }, { name: 'dns', port: 53, protocol: 'UDP' }],
          }),
          makeService({ name: 'empty', clusterIPs: ['10.96.0.11'], ports: [{ port: 80 }] }),
          makeService({ name: 'self', clusterIPs: ['10.96.0.12'], ports: [{ port: 80 }] }),
          makeService({ name: 'sticky', clusterIPs: ['10.96.0.13'], ports: [{ name: 'http', port: 80 }], affinitySeconds: 300 }),
          makeService({ name: 'dual', clusterIPs: ['fd00:96::14', '10.96.0.14'], ports: [{ port: 80 }] }),
          makeService({ name: 'remote', clusterIPs: ['10.96.0.15'], ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }),
        ],
        [
          webSlice(),
          makeSlice({ name: 'self-1', service: 'self', ports: [{ port: 8080 }], endpoints: [{ ip: '10.244.1.11' }] }),
          makeSlice({
            name: 'sticky-1',
            service: 'sticky',
            ports: [{ name: 'http', port: 8080 }],
            endpoints: pods.map((p) => ({ ip: p.ip })),
          }),
          makeSlice({ name: 'dual-6', service: 'dual', family: 6, ports: [{ port: 8080 }], endpoints: pods.map((p) => ({ ip: p.ip6 })) }),
          makeSlice({ name: 'dual-4', service: 'dual', ports: [{ port: 8080 }], endpoints: [{ ip: pods[1]?.ip ?? '' }] }),
          makeSlice({
            name: 'remote-1',
            service: 'remote',
            ports: [{ port: 8080 }, { port: 5353, protocol: 'UDP' }],
            endpoints: [{ ip: remote.ip, node: 'node-b' }],
          }),
        ],
      );
    } catch (err) {
      await topo.destroy();
      throw err;
    }
  });

  after(async () => {
    await proxier?.stop();
    for (const r of runners) r.close();
    await topo.destroy();
  });

  test('300 requests to the ClusterIP reach all 3 pods, each at least 15%', async () => {
    const results = await topo.client(client, { proto: 'tcp', host: '10.96.0.10', port: 80, count: 300 });
    const counts = tally(results);
    for (const p of pods) assert.ok((counts.get(`${p.name}:8080`) ?? 0) >= 45, `${p.name}: ${JSON.stringify([...counts])}`);
    assert.equal(results.filter((r) => r.startsWith('ERR')).length, 0);
  });

  test('IPv6 and dual-stack: each family of a Service reaches its own endpoints', async () => {
    const v6 = tally(await topo.client(client, { proto: 'tcp', host: 'fd00:96::14', port: 80, count: 60 }));
    assert.deepEqual([...v6.keys()].sort(), ['p1:8080', 'p2:8080', 'p3:8080'], JSON.stringify([...v6]));
    const v4 = await topo.client(client, { proto: 'tcp', host: '10.96.0.14', port: 80, count: 5 });
    assert.deepEqual([...new Set(v4)], ['p2:8080']);
  });

  test('cross-node: a pod reaches a Service whose endpoint is on another node (TCP and UDP)', async () => {
    const tcp = await topo.client(client, { proto: 'tcp', host: '10.96.0.15', port: 80, count: 5 });
    assert.deepEqual([...new Set(tcp)], ['r:8080']);
    const udp = await topo.client(client, { proto: 'udp', host: '10.96.0.15', port: 53, count: 3 });
    assert.deepEqual([...new Set(udp)], ['r:5353']);
  });

  test('off-cluster client: masqueraded, so replies come back through the proxy node', async () => {
    // The client is node b's own namespace (172.31.0.2, outside the cluster CIDR); the endpoint is a pod on
    // node b. Without masquerade the pod would answer the client directly, bypassing node a's un-DNAT.
    const outside: Pod = { name: 'nodeb', netns: topo.peerNetns, ip: '172.31.0.2', ip6: '' };
    const tcp = await topo.client(outside, { proto: 'tcp', host: '10.96.0.15', port: 80, count: 3, timeoutMs: 1000 });
    assert.deepEqual([...new Set(tcp)], ['r:8080']);
  });

  test('multi-port: each service port reaches its own target port', async () => {
    const results = await topo.client(client, { proto: 'tcp', host: '10.96.0.10', port: 90, count: 20 });
    assert.ok(results.every((r) => /^p[123]:9090$/.test(r)), results.join(' '));
  });

  test('a Service without endpoints refuses at once; so does an unknown port of a ClusterIP', async () => {
    const start = performance.now();
    const results = await topo.client(client, { proto: 'tcp', host: '10.96.0.11', port: 80, count: 5 });
    const unknownPort = await topo.client(client, { proto: 'tcp', host: '10.96.0.10', port: 81, count: 1 });
    assert.deepEqual([...new Set(results)], ['ERR:ECONNREFUSED']);
    assert.deepEqual(unknownPort, ['ERR:ECONNREFUSED']);
    assert.ok(performance.now() - start < 1500, 'refusals should be immediate');
  });

  test('hairpin: a pod reaches itself through its Service', async () => {
    const results = await topo.client(pods[0] as Pod, { proto: 'tcp', host: '10.96.0.12', port: 80, count: 5 });
    assert.deepEqual([...new Set(results)], ['p1:8080']);
  });

  test('session affinity ClientIP sticks to one pod', async () => {
    const results = await topo.client(client, { proto: 'tcp', host: '10.96.0.13', port: 80, count: 30 });
    assert.equal(new Set(results).size, 1, results.join(' '));
    assert.match(results[0] ?? '', /^p[123]:8080$/);
  });

  test('UDP works, and a removed endpoint’s flow is re-NATed at once (conntrack clean-up)', async () => {
    const first = await topo.client(client, { proto: 'udp', host: '10.96.0.10', port: 53, count: 3, localPort: 40053 });
    assert.equal(new Set(first).size, 1, first.join(' '));
    const used = (first[0] ?? '').split(':')[0];
    assert.match(used ?? '', /^p[123]$/);
    // Take that pod out of rotation; it keeps running, so only a stale conntrack entry could reach it.
    const ready = pods.map((p) => p.name !== used) as [boolean, boolean, boolean];
    await apply([], [webSlice(ready)]);
    const next = await topo.client(client, { proto: 'udp', host: '10.96.0.10', port: 53, count: 3, localPort: 40053 });
    assert.ok(next.every((r) => /^p[123]:5353$/.test(r) && !r.startsWith(`${used}:`)), next.join(' '));
    await apply([], [webSlice()]);
  });

  test('an endpoint turning unready leaves rotation within 100 ms', async () => {
    // The best of three flips, so a busy CI machine (other suites run concurrently) does not decide it.
    let elapsed = Infinity;
    for (let attempt = 0; attempt < 3 && elapsed >= 100; attempt++) {
      if (attempt > 0) await apply([], [webSlice()]);
      const start = performance.now();
      await apply([], [webSlice([false, true, true])]);
      elapsed = Math.min(elapsed, performance.now() - start);
    }
    const results = await topo.client(client, { proto: 'tcp', host: '10.96.0.10', port: 80, count: 60 });
    assert.ok(!results.some((r) => r.startsWith('p1:')), results.join(' '));
    assert.ok(elapsed < 100, `took ${elapsed.toFixed(1)} ms`);
    await apply([], [webSlice()]);
  });

  test('restarting the proxier under a steady request loop fails 0 requests', async () => {
    const loop = topo.client(client, { proto: 'tcp', host: '10.96.0.10', port: 80, count: 150, intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 200));
    await proxier.stop();
    runners.at(-1)?.close(); // as a proxy process exiting
    proxier = newProxier();
    for (const s of services.values()) proxier.upsertService(s);
    for (const s of slices.values()) proxier.upsertEndpointSlice(s);
    proxier.start();
    await proxier.waitForSync();
    assert.equal(proxier.lastSync?.full, true, 'a new proxier adopts the table with a full sync');
    const results = await loop;
    assert.deepEqual(results.filter((r) => r.startsWith('ERR')), []);
    assert.equal(results.length, 150);
  });

  test('deleting a Service removes its rules', async () => {
    const svc = services.get('self');
    assert.ok(svc);
    proxier.deleteService(svc);
    await proxier.waitForSync();
    const ips = await topo.nft(['list', 'set', 'inet', 'clusterip', 'cluster-ips4']);
    assert.ok(!ips.includes('10.96.0.12'), ips);
    const vmap = await topo.nft(['list', 'map', 'inet', 'clusterip', 'service-ips4']);
    assert.ok(!vmap.includes('10.96.0.12'), vmap);
    assert.ok(vmap.includes('10.96.0.10'), vmap);
    const results = await topo.client(pods[0] as Pod, { proto: 'tcp', host: '10.96.0.12', port: 80, count: 1, timeoutMs: 500 });
    assert.match(results[0] ?? '', /^ERR:/);
  });

  test('the golden rule sets load in nft', async () => {
    const dir = path.join(import.meta.dirname, '../../src/proxy/testdata');
    const ns = `cipx-${topo.id}-golden`;
    await sh('ip', ['netns', 'add', ns]);
    try {
      await sh('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], fs.readFileSync(path.join(dir, 'full-scenario.nft'), 'utf8'));
      await sh('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], fs.readFileSync(path.join(dir, 'diff-scenario.nft'), 'utf8'));
    } finally {
      await sh('ip', ['netns', 'del', ns]);
    }
  });
});

// The whole cluster DNS (startClusterDNS) against a fake API server on a unix socket: it lists and watches
// Services, EndpointSlices and Namespaces, answers from its index, keeps answering while the API server is
// gone, and catches up (relist after 410) when it returns.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serviceObject, sliceObject } from '../../src/dns/fixture.ts';
import { startClusterDNS, type ClusterDNS } from '../../src/dns/run.ts';
import { dig } from './dig.ts';
import { FakeAPI, ns } from './fake-api.ts';

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), `clusterip-dns-run-${process.pid}-`));
let dns: ClusterDNS | undefined;
let api: FakeAPI | undefined;
after(async () => {
  await dns?.stop();
  await api?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('lists, watches, survives the API server going away and catches up', { timeout: 60_000 }, async () => {
  const socketPath = path.join(dir, 'api.sock');
  const nginx = serviceObject('default', 'nginx-service', { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ name: 'http', port: 80 }] });
  nginx.metadata.resourceVersion = '5';
  api = new FakeAPI(
    {
      '/api/v1/services': [nginx],
      '/apis/discovery.k8s.io/v1/endpointslices': [],
      '/api/v1/namespaces': [ns('default'), ns('kube-system'), ns('empty')],
    },
    10,
  );
  await api.listen(socketPath);
  dns = await startClusterDNS({
    host: '127.0.0.1',
    port: 0,
    api: `unix://${socketPath}`,
    zone: 'cluster.local',
    ttl: 5,
    pods: 'disabled',
    healthPort: 0,
    metricsPort: 0,
    upstreams: [],
    log: () => {},
  });
  await Promise.race([
    dns.synced,
    new Promise((_, reject) => setTimeout(() => reject(new Error('not synced within 10 s')), 10_000).unref()),
  ]);
  const port = dns.port;
  assert.equal((await fetch(`http://127.0.0.1:${dns.http.healthPort}/ready`)).status, 200);

  assert.deepEqual((await dig(port, ['nginx-service.default.svc.cluster.local', 'A'])).answer, ['nginx-service.default.svc.cluster.local. 5 IN A 10.96.0.20']);
  // A namespace without Services exists (NODATA), a missing one does not.
  assert.equal((await dig(port, ['empty.svc.cluster.local', 'A'])).status, 'NOERROR');
  assert.equal((await dig(port, ['missing.svc.cluster.local', 'A'])).status, 'NXDOMAIN');

  // Watch events reach the answers.
  const db = serviceObject('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] });
  api.push('/api/v1/services', 'ADDED', db);
  api.push('/apis/discovery.k8s.io/v1/endpointslices', 'ADDED', sliceObject('default', 'db', 'db-abc', 'IPv4', [{ ip: '10.244.1.5', hostname: 'db-0' }], [{ name: 'pg', port: 5432 }]));
  await eventually('the headless db Service resolves', async () => (await dig(port, ['db-0.db.default.svc.cluster.local', 'A'])).answer.length === 1);
  const srv = await dig(port, ['_pg._tcp.db.default.svc.cluster.local', 'SRV']);
  assert.deepEqual(srv.answer, ['_pg._tcp.db.default.svc.cluster.local. 5 IN SRV 0 100 5432 db-0.db.default.svc.cluster.local.']);

  // The API server goes away: answers keep coming from the index.
  await api.close();
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual((await dig(port, ['nginx-service.default.svc.cluster.local', 'A'])).answer, ['nginx-service.default.svc.cluster.local. 5 IN A 10.96.0.20']);
  assert.equal((await dig(port, ['db.default.svc.cluster.local', 'A'])).answer.length, 1);

  // It returns with a compacted history and a changed state: the informers relist and the index follows.
  const web = serviceObject('default', 'web', { clusterIP: '10.96.0.30', clusterIPs: ['10.96.0.30'], ports: [{ name: 'http', port: 80 }] });
  web.metadata.resourceVersion = '40';
  api = new FakeAPI(
    {
      '/api/v1/services': [nginx, web],
      '/apis/discovery.k8s.io/v1/endpointslices': [],
      '/api/v1/namespaces': [ns('default'), ns('kube-system')],
    },
    50,
  );
  api.gone = true;
  fs.rmSync(socketPath, { force: true });
  await api.listen(socketPath);
  await eventually('web resolves after the relist', async () => (await dig(port, ['web.default.svc.cluster.local', 'A'])).answer.length === 1, 15_000);
  api.gone = false;
  await eventually('db is gone after the relist', async () => (await dig(port, ['db.default.svc.cluster.local', 'A'])).status === 'NXDOMAIN');
  assert.equal((await dig(port, ['empty.svc.cluster.local', 'A'])).status, 'NXDOMAIN');
});

// The proxy process (src/proxy/main.ts) end to end: list/watch from a fake API server over a unix socket,
// programming a real node namespace, /healthz and /metrics, and SIGTERM leaving the rules in place.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeService, makeSlice } from '../../src/proxy/testing.ts';
import { FakeAPI } from '../dns/fake-api.ts';
import { type Pod, Topology } from './topology.ts';

const isRoot = process.getuid?.() === 0;
const main = path.join(import.meta.dirname, '../../src/proxy/main.ts');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('proxy process', { skip: isRoot ? false : 'needs root (network namespaces)', timeout: 60_000 }, () => {
  const topo = new Topology('pm');
  let dir = '';
  let api: FakeAPI;
  let proxy: ChildProcess | undefined;
  let server: Pod;
  let client: Pod;
  let healthzPort = 0;

  before(async () => {
    try {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cipx-proxy-main-'));
      await topo.createNode();
      server = await topo.addPod('s', 11);
      client = await topo.addPod('c', 20);
      await topo.serve(server, [8080], 5353);
      api = new FakeAPI(
        {
          '/api/v1/services': [makeService({ name: 'web', clusterIPs: ['10.96.0.10'], ports: [{ port: 80 }] })],
          '/apis/discovery.k8s.io/v1/endpointslices': [
            makeSlice({ name: 'web-1', service: 'web', ports: [{ port: 8080 }], endpoints: [{ ip: server.ip }] }),
          ],
        },
        10,
      );
      const socket = path.join(dir, 'api.sock');
      await api.listen(socket);
      healthzPort = await freePort();
      proxy = spawn(
        process.execPath,
        [main, '--node', 'node-a', '--netns', topo.nodeNetns, '--api', `unix://${socket}`, '--cluster-cidr', '10.244.0.0/16', '--healthz-port', String(healthzPort)],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      proxy.stderr?.resume();
    } catch (err) {
      await topo.destroy();
      throw err;
    }
  });

  after(async () => {
    if (proxy && proxy.exitCode === null) proxy.kill('SIGKILL');
    await api?.close();
    await topo.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('lists, programs the node, and reports healthz and metrics', async () => {
    const body = await until('healthz after a sync', async () => {
      const res = await fetch(`http://127.0.0.1:${healthzPort}/healthz`);
      const json = (await res.json()) as { lastUpdated: string; currentTime: string; nodeEligible: boolean };
      return res.status === 200 && Date.parse(json.lastUpdated) > 0 ? json : undefined;
    });
    assert.equal(body.nodeEligible, true);
    assert.ok(Date.parse(body.currentTime) >= Date.parse(body.lastUpdated));
    assert.deepEqual(await topo.client(client, { proto: 'tcp', host: '10.96.0.10', port: 80, count: 3 }), ['s:8080', 's:8080', 's:8080']);
    const metrics = await (await fetch(`http://127.0.0.1:${healthzPort}/metrics`)).text();
    assert.match(metrics, /kubeproxy_sync_proxy_rules_duration_seconds_count [1-9]/);
    assert.match(metrics, /kubeproxy_sync_proxy_rules_last_timestamp_seconds \d/);
  });

  test('a Service added through the watch is programmed', async () => {
    api.push('/apis/discovery.k8s.io/v1/endpointslices', 'ADDED', makeSlice({ name: 'db-1', service: 'db', ports: [{ port: 8080 }], endpoints: [{ ip: server.ip }] }));
    api.push('/api/v1/services', 'ADDED', makeService({ name: 'db', clusterIPs: ['10.96.0.20'], ports: [{ port: 5432 }] }));
    const reply = await until('the new Service to answer', async () => {
      const [r] = await topo.client(client, { proto: 'tcp', host: '10.96.0.20', port: 5432, count: 1, timeoutMs: 500 });
      return r === 's:8080' ? r : undefined;
    });
    assert.equal(reply, 's:8080');
  });

  test('SIGTERM exits cleanly and leaves the rules for the next proxy to adopt', async () => {
    const exited = new Promise<number | null>((resolve) => proxy?.on('exit', (code) => resolve(code)));
    proxy?.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.deepEqual(await topo.client(client, { proto: 'tcp', host: '10.96.0.10', port: 80, count: 1 }), ['s:8080']);
  });
});

// The sync loop against a fake runner: batching, diffs only, full resync after failure, conntrack clean-up,
// healthz and metrics. No kernel.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ConntrackFilter, staleConntrackFilters } from './conntrack.ts';
import { Executor, type NftRunner } from './executor.ts';
import type { PlannedPort } from './plan.ts';
import { Proxier } from './proxier.ts';
import { makeService, makeSlice } from './testing.ts';

class FakeRunner implements NftRunner {
  scripts: string[] = [];
  conntrack: ConntrackFilter[] = [];
  failNext = 0;
  async runScript(script: string): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('Error: Could not process rule: No such file or directory');
    }
    this.scripts.push(script);
  }
  async deleteConntrack(filter: ConntrackFilter): Promise<void> {
    this.conntrack.push(filter);
  }
  async deleteTable(): Promise<void> {}
}

function setup(clock?: () => number) {
  const runner = new FakeRunner();
  const proxier = new Proxier({
    config: { nodeName: 'node-a', clusterCIDRs: ['10.244.0.0/16'] },
    executor: new Executor(runner),
    minSyncPeriodMs: 5,
    retryDelayMs: 5,
    ...(clock ? { clock } : {}),
  });
  return { runner, proxier };
}

const web = makeService({ name: 'web', clusterIPs: ['10.96.0.10'], ports: [{ port: 53, protocol: 'UDP' }] });
const slice = (ips: string[]) =>
  makeSlice({ name: 'web-1', service: 'web', ports: [{ port: 5353, protocol: 'UDP' }], endpoints: ips.map((ip) => ({ ip })) });

describe('proxier', () => {
  test('first sync replaces the table; later syncs send only element changes, batched', async () => {
    const { runner, proxier } = setup();
    proxier.upsertService(web);
    proxier.upsertEndpointSlice(slice(['10.244.1.2']));
    proxier.start();
    await proxier.waitForSync();
    assert.equal(runner.scripts.length, 1);
    assert.match(runner.scripts[0] ?? '', /^add table inet clusterip\ndelete table inet clusterip\n/);
    // Three changes in one window: one transaction.
    proxier.upsertEndpointSlice(slice(['10.244.1.2', '10.244.1.3']));
    proxier.upsertService(makeService({ name: 'db', clusterIPs: ['10.96.0.20'], ports: [{ port: 5432 }] }));
    proxier.upsertEndpointSlice(slice(['10.244.1.3']));
    await proxier.waitForSync();
    assert.equal(runner.scripts.length, 2);
    const diff = runner.scripts[1] ?? '';
    assert.doesNotMatch(diff, /table/);
    assert.match(diff, /delete element inet clusterip service-endpoints4 \{ 10\.96\.0\.10 \. udp \. 53 \. 0 \}/);
    assert.match(diff, /add element inet clusterip service-endpoints4 \{ 10\.96\.0\.10 \. udp \. 53 \. 0 : 10\.244\.1\.3 \. 5353 \}/);
    assert.match(diff, /add element inet clusterip no-endpoint-services4 \{ 10\.96\.0\.20 \. tcp \. 5432 : goto reject-chain \}/);
    // The UDP endpoint that went away has its flows deleted.
    assert.deepEqual(runner.conntrack, [{ protocol: 'udp', origDst: '10.96.0.10', origPortDst: 53, replySrc: '10.244.1.2' }]);
    // No change, no script.
    proxier.upsertService(web);
    await proxier.waitForSync();
    assert.equal(runner.scripts.length, 2);
    await proxier.stop();
  });

  test('a failed sync is retried as a full sync and the loop goes on', async () => {
    const { runner, proxier } = setup();
    proxier.upsertService(web);
    proxier.start();
    await proxier.waitForSync();
    runner.failNext = 2;
    proxier.upsertEndpointSlice(slice(['10.244.1.2']));
    await proxier.waitForSync();
    assert.equal(runner.scripts.length, 2);
    assert.match(runner.scripts[1] ?? '', /^add table inet clusterip\ndelete table inet clusterip\n/);
    assert.match(runner.scripts[1] ?? '', /10\.96\.0\.10 \. udp \. 53 \. 0 : 10\.244\.1\.2 \. 5353/);
    const metrics = await proxier.registry.metrics();
    assert.match(metrics, /kubeproxy_sync_proxy_rules_nftables_sync_failures_total 2/);
    assert.match(metrics, /kubeproxy_sync_proxy_rules_duration_seconds_count 2/);
    assert.match(metrics, /kubeproxy_sync_proxy_rules_last_timestamp_seconds \d/);
    await proxier.stop();
  });

  test('network programming latency is observed from the slice trigger time', async () => {
    const { proxier } = setup();
    proxier.upsertService(web);
    proxier.start();
    await proxier.waitForSync();
    const s = slice(['10.244.1.2']);
    s.metadata.annotations = { 'endpoints.kubernetes.io/last-change-trigger-time': new Date(Date.now() - 2000).toISOString() };
    proxier.upsertEndpointSlice(s);
    await proxier.waitForSync();
    const metrics = await proxier.registry.metrics();
    assert.match(metrics, /kubeproxy_network_programming_duration_seconds_bucket\{le="1"\} 0/);
    assert.match(metrics, /kubeproxy_network_programming_duration_seconds_bucket\{le="5"\} 1/);
    await proxier.stop();
  });

  test('healthz: 200 with kube-proxy fields; 503 when a change waits past the timeout', async () => {
    let now = 1_000_000;
    const { proxier } = setup(() => now);
    const h = proxier.healthz();
    assert.equal(h.status, 200);
    assert.deepEqual(Object.keys(h.body), ['lastUpdated', 'currentTime', 'nodeEligible']);
    proxier.upsertService(web); // queued, not started: nothing syncs
    now += 61_000;
    assert.equal(proxier.healthz().status, 503);
    proxier.start();
    await proxier.waitForSync();
    assert.equal(proxier.healthz().status, 200);
    assert.equal(proxier.healthz().body.lastUpdated, new Date(now).toISOString());
    await proxier.stop();
  });
});

describe('stale conntrack filters', () => {
  const port = (backends: string[], protocol: PlannedPort['protocol'] = 'UDP'): PlannedPort => ({
    key: 'k',
    family: 4,
    vip: '10.96.0.10',
    protocol,
    port: 53,
    backends: backends.map((ip) => ({ ip, port: 5353 })),
  });
  const cases: { name: string; before: [string, PlannedPort][]; after: [string, PlannedPort][]; want: string[] }[] = [
    { name: 'endpoint removed', before: [['a', port(['1.1.1.1', '2.2.2.2'])]], after: [['a', port(['2.2.2.2'])]], want: ['10.96.0.10:53<-1.1.1.1'] },
    { name: 'port removed', before: [['a', port(['1.1.1.1'])]], after: [], want: ['10.96.0.10:53<-1.1.1.1'] },
    { name: 'first endpoint', before: [['a', port([])]], after: [['a', port(['1.1.1.1'])]], want: ['10.96.0.10:53<-*'] },
    { name: 'tcp is left to the kernel', before: [['a', port(['1.1.1.1'], 'TCP')]], after: [], want: [] },
    { name: 'unchanged', before: [['a', port(['1.1.1.1'])]], after: [['a', port(['1.1.1.1'])]], want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = staleConntrackFilters(new Map(c.before), new Map(c.after)).map(
        (f) => `${f.origDst}:${f.origPortDst}<-${f.replySrc ?? '*'}`,
      );
      assert.deepEqual(got, c.want);
    });
  }
});

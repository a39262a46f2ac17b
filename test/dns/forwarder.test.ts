// The forwarder against fake upstreams on loopback: TTL-respecting cache (clock injected), timeouts and
// falling over to the next upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { Forwarder } from '../../src/dns/forwarder.ts';
import { FakeUpstream } from './dig.ts';

test('the cache keeps answers for their TTL, aging them', async () => {
  const upstream = new FakeUpstream({ 'example.test A': [{ name: 'example.test', type: 'A', ttl: 60, data: '192.0.2.1' }] });
  const port = await upstream.start();
  let now = 1_000_000;
  const forwarder = new Forwarder({ upstreams: [{ host: '127.0.0.1', port }], timeoutMs: 1000, clock: () => now });
  try {
    const q = { name: 'example.test', type: 'A', class: 'IN' };
    const first = await forwarder.resolve(q);
    assert.equal(first.rcode, 0);
    assert.equal((first.answers[0] as { ttl?: number }).ttl, 60);
    now += 10_000;
    const second = await forwarder.resolve({ ...q, name: 'EXAMPLE.test' });
    assert.equal((second.answers[0] as { ttl?: number }).ttl, 50, 'aged by 10 s');
    assert.equal(upstream.asked.length, 1);
    now += 51_000;
    await forwarder.resolve(q);
    assert.equal(upstream.asked.length, 2, 'expired after 60 s');
    // Negative answers are cached for the SOA minimum (30 s in the fake).
    const nx = await forwarder.resolve({ name: 'missing.test', type: 'A', class: 'IN' });
    assert.equal(nx.rcode, 3);
    await forwarder.resolve({ name: 'missing.test', type: 'A', class: 'IN' });
    assert.equal(upstream.asked.filter((a) => a === 'missing.test A').length, 1);
  } finally {
    forwarder.close();
    await upstream.stop();
  }
});

test('a silent upstream times out and the next one answers; none answering is SERVFAIL', async () => {
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
  const upstream = new FakeUpstream({ 'example.test A': [{ name: 'example.test', type: 'A', ttl: 60, data: '192.0.2.1' }] });
  const port = await upstream.start();
  const both = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: silent.address().port }, { host: '127.0.0.1', port }], timeoutMs: 200 });
  const onlySilent = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: silent.address().port }], timeoutMs: 200 });
  try {
    const started = Date.now();
    const r = await both.resolve({ name: 'example.test', type: 'A', class: 'IN' });
    assert.equal(r.rcode, 0);
    assert.equal(r.answers.length, 1);
    assert.ok(Date.now() - started < 2000);
    const failed = await onlySilent.resolve({ name: 'example.test', type: 'A', class: 'IN' });
    assert.equal(failed.rcode, 2);
  } finally {
    both.close();
    onlySilent.close();
    await upstream.stop();
    silent.close();
  }
});

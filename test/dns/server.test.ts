// The DNS server on a loopback port, queried with the real dig over UDP and TCP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { ClusterIndex } from '../../src/dns/cluster-index.ts';
import { fixtureIndex, serviceObject, sliceObject } from '../../src/dns/fixture.ts';
import { Forwarder } from '../../src/dns/forwarder.ts';
import { startHttpEndpoints } from '../../src/dns/http.ts';
import { DnsMetrics } from '../../src/dns/metrics.ts';
import { DnsServer } from '../../src/dns/server.ts';
import { dig, FakeUpstream } from './dig.ts';

const answerOptions = { zone: 'cluster.local', ttl: 5, pods: 'disabled' as const };
let index: ClusterIndex;
let server: DnsServer;
let upstream: FakeUpstream;
let forwarder: Forwarder;
let metrics: DnsMetrics;
let port: number;

before(async () => {
  index = fixtureIndex();
  // A headless Service whose A answer (60 × 16+ bytes) cannot fit in 512 bytes.
  index.upsertService(serviceObject('testns', 'big', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
  index.upsertEndpointSlice(
    sliceObject('testns', 'big', 'big-a', 'IPv4', Array.from({ length: 60 }, (_, i) => ({ ip: `10.244.9.${i + 1}` })), [{ name: 'http', port: 80 }]),
  );
  upstream = new FakeUpstream({
    'example.test A': [{ name: 'example.test', type: 'A', ttl: 60, data: '192.0.2.1' }],
    'ext.interwebs.test A': [{ name: 'ext.interwebs.test', type: 'A', ttl: 60, data: '192.0.2.7' }],
  });
  const upstreamPort = await upstream.start();
  forwarder = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: upstreamPort }], timeoutMs: 1000 });
  metrics = new DnsMetrics({ server: 'dns://127.0.0.1:0' });
  server = new DnsServer({ index, answer: answerOptions, forwarder, metrics, host: '127.0.0.1', port: 0 });
  ({ port } = await server.start());
});

after(async () => {
  await server?.stop();
  forwarder?.close();
  await upstream?.stop();
});

test('A over UDP: authoritative, TTL 5', async () => {
  const r = await dig(port, ['svc1.testns.svc.cluster.local', 'A']);
  assert.equal(r.status, 'NOERROR');
  // As CoreDNS: qr aa rd, no ra on its own answers (dig warns "recursion requested but not available").
  assert.deepEqual(r.flags, ['qr', 'aa', 'rd'], r.raw);
  assert.deepEqual(r.answer, ['svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1']);
  assert.ok(r.raw.includes('(UDP)'));
});

test('A over TCP', async () => {
  const r = await dig(port, ['+tcp', 'svc1.testns.svc.cluster.local', 'A']);
  assert.deepEqual(r.answer, ['svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1']);
  assert.ok(r.raw.includes('(TCP)'));
});

test('AAAA', async () => {
  const r = await dig(port, ['svc6.testns.svc.cluster.local', 'AAAA']);
  assert.deepEqual(r.answer, ['svc6.testns.svc.cluster.local. 5 IN AAAA 1234:abcd::1']);
});

test('SRV with the target address in additional', async () => {
  const r = await dig(port, ['_http._tcp.svc1.testns.svc.cluster.local', 'SRV']);
  assert.deepEqual(r.answer, ['_http._tcp.svc1.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc1.testns.svc.cluster.local.']);
  assert.deepEqual(r.additional, ['svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1']);
});

test('PTR for a ClusterIP (dig -x)', async () => {
  const r = await dig(port, ['-x', '10.0.0.1']);
  assert.deepEqual(r.answer, ['1.0.0.10.in-addr.arpa. 5 IN PTR svc1.testns.svc.cluster.local.']);
});

test('NXDOMAIN carries the SOA', async () => {
  const r = await dig(port, ['svc0.testns.svc.cluster.local', 'A']);
  assert.equal(r.status, 'NXDOMAIN');
  assert.ok(r.flags.includes('aa'));
  assert.deepEqual(r.answer, []);
  assert.equal(r.authority.length, 1);
  assert.match(r.authority[0], /^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/);
});

test('NODATA: NOERROR, no answer, SOA', async () => {
  const r = await dig(port, ['svc1.testns.svc.cluster.local', 'AAAA']);
  assert.equal(r.status, 'NOERROR');
  assert.deepEqual(r.answer, []);
  assert.match(r.authority[0] ?? '', / IN SOA /);
});

test('the query case is kept, also from the cache', async () => {
  for (let i = 0; i < 2; i++) {
    const r = await dig(port, ['SVC1.TestNs.svc.Cluster.LOCAL', 'A']);
    assert.deepEqual(r.answer, ['SVC1.TestNs.svc.Cluster.LOCAL. 5 IN A 10.0.0.1']);
    const lower = await dig(port, ['svc1.testns.svc.cluster.local', 'A']);
    assert.deepEqual(lower.answer, ['svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1']);
  }
});

test('a large answer over plain UDP is truncated with TC', async () => {
  const r = await dig(port, ['+ignore', '+noedns', 'big.testns.svc.cluster.local', 'A']);
  assert.ok(r.flags.includes('tc'), r.raw);
  assert.ok(r.answer.length < 60);
  const size = Number(/MSG SIZE\s+rcvd: (\d+)/.exec(r.raw)?.[1]);
  assert.ok(size <= 512, `${size} bytes`);
});

test('dig retries a truncated answer over TCP and gets all of it', async () => {
  const r = await dig(port, ['+noedns', 'big.testns.svc.cluster.local', 'A']);
  assert.ok(r.raw.includes('Truncated, retrying in TCP mode'), r.raw);
  assert.equal(r.answer.length, 60);
  assert.ok(!r.flags.includes('tc'));
});

test('an EDNS0 buffer size large enough avoids truncation', async () => {
  const r = await dig(port, ['+bufsize=4096', '+ignore', 'big.testns.svc.cluster.local', 'A']);
  assert.ok(!r.flags.includes('tc'), r.raw);
  assert.equal(r.answer.length, 60);
});

test('several queries on one TCP connection', async () => {
  const names: [string, 'A' | 'AAAA'][] = [
    ['svc1.testns.svc.cluster.local', 'A'],
    ['svc6.testns.svc.cluster.local', 'AAAA'],
    ['svc0.testns.svc.cluster.local', 'A'],
  ];
  const replies = await new Promise<dnsPacket.DecodedPacket[]>((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const got: dnsPacket.DecodedPacket[] = [];
    let buf = Buffer.alloc(0);
    sock.setTimeout(5000, () => reject(new Error('timeout')));
    sock.on('error', reject);
    sock.on('connect', () => {
      // All three written at once, in one segment: the server must split them by their length prefixes.
      sock.write(Buffer.concat(names.map(([name, type], i) => dnsPacket.streamEncode({ type: 'query', id: 100 + i, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type }] }))));
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        got.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (got.length === names.length) {
        sock.end();
        resolve(got);
      }
    });
  });
  const byId = new Map(replies.map((r) => [r.id, r]));
  assert.equal((byId.get(100)?.answers?.[0] as { data?: string } | undefined)?.data, '10.0.0.1');
  assert.equal((byId.get(101)?.answers?.[0] as { data?: string } | undefined)?.data, '1234:abcd::1');
  assert.equal((byId.get(102)?.flags ?? 0) & 0xf, 3);
});

test('an index change is visible at once (the cached reply is dropped)', async () => {
  const before = await dig(port, ['svcempty.testns.svc.cluster.local', 'A']);
  assert.deepEqual(before.answer, ['svcempty.testns.svc.cluster.local. 5 IN A 10.0.0.2']);
  index.upsertService(serviceObject('testns', 'svcempty', { clusterIP: '10.0.0.99', ports: [{ name: 'http', port: 80 }] }));
  const changed = await dig(port, ['svcempty.testns.svc.cluster.local', 'A']);
  assert.deepEqual(changed.answer, ['svcempty.testns.svc.cluster.local. 5 IN A 10.0.0.99']);
  const ptr = await dig(port, ['-x', '10.0.0.99']);
  assert.deepEqual(ptr.answer, ['99.0.0.10.in-addr.arpa. 5 IN PTR svcempty.testns.svc.cluster.local.']);
  index.deleteService({ metadata: { namespace: 'testns', name: 'svcempty' } });
  const gone = await dig(port, ['svcempty.testns.svc.cluster.local', 'A']);
  assert.equal(gone.status, 'NXDOMAIN');
  // A new endpoint of a headless Service.
  const hdls = await dig(port, ['hdlsprtls.testns.svc.cluster.local', 'A']);
  assert.equal(hdls.answer.length, 1);
  index.upsertEndpointSlice(sliceObject('testns', 'hdlsprtls', 'hdlsprtls-a', 'IPv4', [{ ip: '172.0.0.20' }, { ip: '172.0.0.21' }], null));
  const grown = await dig(port, ['hdlsprtls.testns.svc.cluster.local', 'A']);
  assert.equal(grown.answer.length, 2);
});

test('names outside the zone go to the upstream, once per TTL', async () => {
  const first = await dig(port, ['example.test', 'A']);
  assert.equal(first.status, 'NOERROR');
  assert.deepEqual(first.answer.map((l) => l.split(' ').slice(2).join(' ')), ['IN A 192.0.2.1']);
  assert.deepEqual(first.flags, ['qr', 'rd', 'ra'], 'forwarded: not authoritative, the upstream\'s RA');
  const asked = upstream.asked.filter((q) => q === 'example.test A').length;
  const second = await dig(port, ['example.test', 'A']);
  assert.deepEqual(second.answer.map((l) => l.split(' ').slice(3).join(' ')), ['A 192.0.2.1']);
  assert.equal(upstream.asked.filter((q) => q === 'example.test A').length, asked, 'second answer from the cache');
  const missing = await dig(port, ['nothing.test', 'A']);
  assert.equal(missing.status, 'NXDOMAIN');
});

test('the cluster zone is never forwarded', async () => {
  const before = upstream.asked.length;
  await dig(port, ['svc0.testns.svc.cluster.local', 'A']);
  await dig(port, ['nonexistent.cluster.local', 'A']);
  await dig(port, ['svc1.testns.svc.cluster.local', 'TXT']);
  await dig(port, ['svc1.testns.svc.cluster.local', 'MX']);
  assert.equal(upstream.asked.filter((q) => q.includes('cluster.local')).length, 0);
  assert.equal(upstream.asked.length, before);
});

test('ExternalName: the CNAME, then the target resolved upstream', async () => {
  const r = await dig(port, ['external.testns.svc.cluster.local', 'A']);
  assert.equal(r.answer[0], 'external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test.');
  assert.deepEqual(r.answer.slice(1).map((l) => l.split(' ').slice(3).join(' ')), ['A 192.0.2.7']);
});

test('a name that cannot be encoded never breaks a reply, and the server keeps serving', async () => {
  // The API validates externalName; a bad one is not a name (NXDOMAIN), not a malformed message.
  index.upsertService(serviceObject('testns', 'badext', { type: 'ExternalName', externalName: `${'x'.repeat(70)}.example` }));
  const r = await dig(port, ['badext.testns.svc.cluster.local', 'CNAME']);
  assert.equal(r.status, 'NXDOMAIN');
  // A record beyond what DNS can carry (an over-long hostname label) gets SERVFAIL instead of a broken reply.
  index.upsertEndpointSlice(sliceObject('testns', 'hdlsempty', 'hdlsempty-a', 'IPv4', [{ ip: '172.0.0.31', hostname: 'h'.repeat(64) }], [{ name: 'http', port: 80 }]));
  const srv = await dig(port, ['_http._tcp.hdlsempty.testns.svc.cluster.local', 'SRV']);
  assert.equal(srv.status, 'SERVFAIL');
  assert.deepEqual((await dig(port, ['svc1.testns.svc.cluster.local', 'A'])).answer, ['svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1']);
});

test('an unknown EDNS version gets BADVERS', async () => {
  const r = await dig(port, ['+edns=1', '+noednsnegotiation', 'svc1.testns.svc.cluster.local', 'A']);
  assert.equal(r.status, 'BADVERS', r.raw);
});

test('dns-version TXT', async () => {
  const r = await dig(port, ['dns-version.cluster.local', 'TXT']);
  assert.deepEqual(r.answer, ['dns-version.cluster.local. 28800 IN TXT "1.1.0"']);
});

test('SERVFAIL until the first sync; /ready follows', async () => {
  const unsynced = new ClusterIndex();
  const s = new DnsServer({ index: unsynced, answer: answerOptions, host: '127.0.0.1', port: 0 });
  const { port: p } = await s.start();
  const httpEndpoints = await startHttpEndpoints({ host: '127.0.0.1', healthPort: 0, metricsPort: 0, ready: () => unsynced.synced, metrics });
  try {
    const base = `http://127.0.0.1:${httpEndpoints.healthPort}`;
    assert.equal((await dig(p, ['svc1.testns.svc.cluster.local', 'A'])).status, 'SERVFAIL');
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'OK');
    assert.equal((await fetch(`${base}/ready`)).status, 503);
    unsynced.upsertService(serviceObject('testns', 'svc1', { clusterIP: '10.0.0.1', ports: [{ name: 'http', port: 80 }] }));
    unsynced.markSynced();
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    assert.equal((await dig(p, ['svc0.testns.svc.cluster.local', 'A'])).status, 'NXDOMAIN');
    assert.deepEqual((await dig(p, ['svc1.testns.svc.cluster.local', 'A'])).answer, ['svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1']);

    const text = await (await fetch(`http://127.0.0.1:${httpEndpoints.metricsPort}/metrics`)).text();
    assert.match(text, /coredns_dns_requests_total\{server="dns:\/\/127\.0\.0\.1:0",zone="\.",view="",proto="udp",family="1",type="A"\} \d+/);
    assert.match(text, /coredns_dns_responses_total\{server="dns:\/\/127\.0\.0\.1:0",zone="\.",view="",rcode="NXDOMAIN",plugin="kubernetes"\} \d+/);
    assert.match(text, /coredns_dns_responses_total\{[^}]*rcode="NOERROR",plugin="forward"\} \d+/);
    assert.match(text, /coredns_dns_request_duration_seconds_bucket\{le="0.00025",server="dns:\/\/127\.0\.0\.1:0",zone="\.",view="",type="A"\} \d+/);
  } finally {
    await httpEndpoints.close();
    await s.stop();
  }
});

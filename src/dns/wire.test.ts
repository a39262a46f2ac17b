// The wire layer without sockets: reading queries on the fast path, encoding with truncation, patching
// cached replies, and the reply cache's invalidation by dependency key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import type { DnsRecord } from './records.ts';
import { encodeReply, patchReply, readQuery, ReplyCache, replySizeLimit } from './wire.ts';

function query(name: string, type: dnsPacket.RecordType, opts: { id?: number; rd?: boolean; edns?: number; doBit?: boolean } = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: opts.id ?? 7,
    flags: opts.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type }],
    additionals: opts.edns
      ? [{ name: '.', type: 'OPT', udpPayloadSize: opts.edns, extendedRcode: 0, ednsVersion: 0, flags: opts.doBit ? dnsPacket.DNSSEC_OK : 0, flag_do: opts.doBit ?? false, options: [] }]
      : [],
  });
}

test('readQuery: the fields of a standard query, the exact question bytes in the key', () => {
  const q = readQuery(query('Svc1.testns.svc.cluster.local', 'AAAA', { id: 4242, edns: 1232, doBit: true }));
  assert.ok(q);
  assert.equal(q.id, 4242);
  assert.equal(q.qtype, 28);
  assert.equal(q.qclass, 1);
  assert.deepEqual(q.edns, { udpSize: 1232, version: 0, dnssecOK: true });
  const lower = readQuery(query('svc1.testns.svc.cluster.local', 'AAAA', { edns: 1232, doBit: true }));
  assert.notEqual(q.hash, lower?.hash, 'case variants hash apart');
  assert.equal(readQuery(query('svc1.testns.svc.cluster.local', 'AAAA'))?.hash, lower?.hash);
  assert.notEqual(readQuery(query('svc1.testns.svc.cluster.local', 'AAAA'))?.variant, lower?.variant, 'EDNS is part of the key');
});

test('readQuery: anything unusual takes the full-decode path', () => {
  const response = dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 'a.b', type: 'A' }] });
  assert.equal(readQuery(response), undefined);
  const two = dnsPacket.encode({ type: 'query', id: 1, questions: [{ name: 'a.b', type: 'A' }, { name: 'c.d', type: 'A' }] });
  assert.equal(readQuery(two), undefined);
  assert.equal(readQuery(Buffer.from([1, 2, 3])), undefined);
});

test('replySizeLimit: 512 plain, the EDNS size (≥ 512, ≤ 4096), 64 KiB on TCP', () => {
  const table: [Parameters<typeof replySizeLimit>, number][] = [
    [['udp', undefined], 512],
    [['udp', { udpSize: 1232 }], 1232],
    [['udp', { udpSize: 100 }], 512],
    [['udp', { udpSize: 65000 }], 4096],
    [['tcp', undefined], 65535],
  ];
  for (const [args, want] of table) assert.equal(replySizeLimit(...args), want, JSON.stringify(args));
});

function aRecords(n: number): DnsRecord[] {
  return Array.from({ length: n }, (_, i) => ({ name: 'big.testns.svc.cluster.local', type: 'A' as const, class: 'IN' as const, ttl: 5, data: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
}

test('encodeReply: truncation drops additional first, then whole answers with TC', () => {
  const question = { name: 'big.testns.svc.cluster.local', type: 'A', class: 'IN' };
  const opts = { id: 1, queryFlags: dnsPacket.RECURSION_DESIRED, edns: undefined, limit: 512 };
  const fits = encodeReply(question, { rcode: 'NOERROR', aa: true, answer: aRecords(3), authority: [], additional: aRecords(40) }, opts);
  assert.equal(fits.truncated, false);
  const decodedFits = dnsPacket.decode(fits.buf);
  assert.equal(decodedFits.answers?.length, 3);
  assert.equal(decodedFits.additionals?.length, 0, 'additional dropped without TC');
  assert.equal(decodedFits.flag_tc, false);

  const big = encodeReply(question, { rcode: 'NOERROR', aa: true, answer: aRecords(100), authority: [], additional: [] }, opts);
  assert.equal(big.truncated, true);
  assert.ok(big.buf.length <= 512, `${big.buf.length}`);
  const decoded = dnsPacket.decode(big.buf);
  assert.equal(decoded.flag_tc, true);
  assert.ok((decoded.answers?.length ?? 0) > 0 && (decoded.answers?.length ?? 0) < 100);
  assert.equal(decoded.flag_rd, true);
  assert.equal(decoded.flag_aa, true);

  const tcp = encodeReply(question, { rcode: 'NOERROR', aa: true, answer: aRecords(100), authority: [], additional: [] }, { ...opts, limit: 65535 });
  assert.equal(dnsPacket.decode(tcp.buf).answers?.length, 100);
});

test('patchReply: the ID, RD and CD of the new query, the current SOA serial', () => {
  const question = { name: 'svc0.testns.svc.cluster.local', type: 'A', class: 'IN' };
  const soa: DnsRecord = {
    name: 'cluster.local', type: 'SOA', class: 'IN', ttl: 5,
    data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 111, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 },
  };
  const encoded = encodeReply(question, { rcode: 'NXDOMAIN', aa: true, answer: [], authority: [soa], additional: [] }, { id: 1, queryFlags: 0, edns: { udpSize: 1232, dnssecOK: false, version: 0 }, limit: 1232 });
  assert.ok(encoded.serialOffset > 0);
  const patched = patchReply({ buf: encoded.buf, serialOffset: encoded.serialOffset, qtype: 1, rcode: 3 }, query(question.name, 'A', { id: 0xbeef, rd: true }), 222);
  const reply = dnsPacket.decode(patched);
  assert.equal(reply.id, 0xbeef);
  assert.equal(reply.flag_rd, true);
  assert.equal((reply.flags ?? 0) & 0xf, 3);
  const patchedSoa = reply.authorities?.[0] as dnsPacket.SoaAnswer;
  assert.equal(patchedSoa.data.serial, 222);
  assert.equal(patchedSoa.data.minimum, 5);
  assert.equal(reply.additionals?.[0]?.type, 'OPT');
});

test('ReplyCache: exact question, EDNS variant and limit; invalidation by dependency key', () => {
  const cache = new ReplyCache();
  const entry = (rcode: number) => ({ buf: Buffer.alloc(12), serialOffset: -1, qtype: 1, rcode });
  const msgA = query('a.ns.svc.cluster.local', 'A');
  const msgB = query('b.ns.svc.cluster.local', 'A');
  const msgC = query('c.ns.svc.cluster.local', 'A');
  const qa = readQuery(msgA)!;
  const qb = readQuery(msgB)!;
  const qc = readQuery(msgC)!;
  cache.set(msgA, qa, 512, entry(1), ['svc/ns/a', 'ns/ns']);
  cache.set(msgB, qb, 512, entry(2), ['svc/ns/b', 'ns/ns']);
  cache.set(msgC, qc, 512, entry(3), ['ip/10.0.0.1']);
  assert.equal(cache.find(msgA, qa, 512)?.rcode, 1);
  assert.equal(cache.find(msgA, qa, 1232), undefined, 'another size limit is another reply');
  const upper = query('A.ns.svc.cluster.local', 'A');
  assert.equal(cache.find(upper, readQuery(upper)!, 512), undefined, 'another case is another reply');
  const withEdns = query('a.ns.svc.cluster.local', 'A', { edns: 512 });
  assert.equal(cache.find(withEdns, readQuery(withEdns)!, 512), undefined, 'EDNS is another reply');
  cache.invalidate(['svc/ns/a']);
  assert.equal(cache.find(msgA, qa, 512), undefined);
  assert.equal(cache.find(msgB, qb, 512)?.rcode, 2);
  cache.invalidate(['ns/ns']);
  assert.equal(cache.find(msgB, qb, 512), undefined);
  assert.equal(cache.find(msgC, qc, 512)?.rcode, 3);
  const small = new ReplyCache(2);
  small.set(msgA, qa, 512, entry(1), []);
  small.set(msgB, qb, 512, entry(2), []);
  small.set(msgC, qc, 512, entry(3), []);
  assert.ok(small.size <= 2, 'bounded');
});

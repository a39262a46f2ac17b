// Table test of the answer function, in CoreDNS' style (plugin/kubernetes/handler_test.go): query → rcode,
// answer, authority (and additional where it matters), records written as zone-file strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answer, ipFromReverseName, reverseName, type AnswerOptions } from './answer.ts';
import { ClusterIndex } from './cluster-index.ts';
import { fixtureIndex, fixtureSerial as serial, serviceObject as svc, sliceObject as slice } from './fixture.ts';
import { formatRecord, normalizeZoneLine, type DnsRecord } from './records.ts';

const soa = `cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ${serial} 7200 1800 86400 5`;

interface Case {
  name: string;
  qname: string;
  qtype: string;
  rcode: string;
  answer?: string[];
  ns?: string[];
  extra?: string[];
  /** Forwarded upstream instead of answered. */
  forward?: boolean;
  options?: Partial<AnswerOptions>;
}

const cases: Case[] = [
  // ClusterIP Services
  { name: 'A service', qname: 'svc1.testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR', answer: ['svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1'] },
  { name: 'A service without endpoints', qname: 'svcempty.testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR', answer: ['svcempty.testns.svc.cluster.local. 5 IN A 10.0.0.2'] },
  { name: 'AAAA of an IPv4 service is NODATA', qname: 'svc1.testns.svc.cluster.local', qtype: 'AAAA', rcode: 'NOERROR', ns: [soa] },
  { name: 'AAAA service', qname: 'svc6.testns.svc.cluster.local', qtype: 'AAAA', rcode: 'NOERROR', answer: ['svc6.testns.svc.cluster.local. 5 IN AAAA 1234:abcd::1'] },
  { name: 'A of an IPv6 service is NODATA', qname: 'svc6.testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR', ns: [soa] },
  { name: 'dual-stack A', qname: 'dual.testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR', answer: ['dual.testns.svc.cluster.local. 5 IN A 10.0.0.3'] },
  { name: 'dual-stack AAAA', qname: 'dual.testns.svc.cluster.local', qtype: 'AAAA', rcode: 'NOERROR', answer: ['dual.testns.svc.cluster.local. 5 IN AAAA 1234:abcd::3'] },
  { name: 'missing service', qname: 'svc0.testns.svc.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'missing service AAAA', qname: 'svc0.testns.svc.cluster.local', qtype: 'AAAA', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'missing namespace', qname: 'svc1.nons.svc.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'TXT exists only as dns-version (coredns#5737)', qname: 'svc1.testns.svc.cluster.local', qtype: 'TXT', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'TXT of a missing name', qname: 'svc0.testns.svc.cluster.local', qtype: 'TXT', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'SOA below the apex is NODATA', qname: 'svc1.testns.svc.cluster.local', qtype: 'SOA', rcode: 'NOERROR', ns: [soa] },
  { name: 'SOA of a missing name', qname: 'svc0.testns.svc.cluster.local', qtype: 'SOA', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'MX of an existing service is NODATA', qname: 'svc1.testns.svc.cluster.local', qtype: 'MX', rcode: 'NOERROR', ns: [soa] },
  { name: 'CNAME of a ClusterIP service is NODATA', qname: 'svc1.testns.svc.cluster.local', qtype: 'CNAME', rcode: 'NOERROR', ns: [soa] },
  // SRV
  {
    name: 'SRV named port', qname: '_http._tcp.svc1.testns.svc.cluster.local', qtype: 'SRV', rcode: 'NOERROR',
    answer: ['_http._tcp.svc1.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc1.testns.svc.cluster.local.'],
    extra: ['svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1'],
  },
  {
    name: 'SRV of the service name lists every port', qname: 'multi.testns.svc.cluster.local', qtype: 'SRV', rcode: 'NOERROR',
    answer: [
      'multi.testns.svc.cluster.local. 5 IN SRV 0 33 80 multi.testns.svc.cluster.local.',
      'multi.testns.svc.cluster.local. 5 IN SRV 0 33 443 multi.testns.svc.cluster.local.',
      'multi.testns.svc.cluster.local. 5 IN SRV 0 33 53 multi.testns.svc.cluster.local.',
    ],
    extra: ['multi.testns.svc.cluster.local. 5 IN A 10.0.0.5'],
  },
  {
    name: 'SRV udp port', qname: '_dns._udp.multi.testns.svc.cluster.local', qtype: 'SRV', rcode: 'NOERROR',
    answer: ['_dns._udp.multi.testns.svc.cluster.local. 5 IN SRV 0 100 53 multi.testns.svc.cluster.local.'],
    extra: ['multi.testns.svc.cluster.local. 5 IN A 10.0.0.5'],
  },
  { name: 'SRV wrong protocol', qname: '_dns._tcp.multi.testns.svc.cluster.local', qtype: 'SRV', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'SRV not udp or tcp', qname: '_http._not-udp-or-tcp.svc1.testns.svc.cluster.local', qtype: 'SRV', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'SRV for an unnamed port does not exist', qname: '_http._tcp.unnamed.testns.svc.cluster.local', qtype: 'SRV', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'A of a port name answers the service', qname: '_http._tcp.svc1.testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR', answer: ['_http._tcp.svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1'] },
  {
    name: 'SRV IPv6 service', qname: '_http._tcp.svc6.testns.svc.cluster.local', qtype: 'SRV', rcode: 'NOERROR',
    answer: ['_http._tcp.svc6.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc6.testns.svc.cluster.local.'],
    extra: ['svc6.testns.svc.cluster.local. 5 IN AAAA 1234:abcd::1'],
  },
  {
    name: 'SRV dual-stack folds into one record', qname: '_http._tcp.dual.testns.svc.cluster.local', qtype: 'SRV', rcode: 'NOERROR',
    answer: ['_http._tcp.dual.testns.svc.cluster.local. 5 IN SRV 0 50 80 dual.testns.svc.cluster.local.'],
    extra: ['dual.testns.svc.cluster.local. 5 IN A 10.0.0.3', 'dual.testns.svc.cluster.local. 5 IN AAAA 1234:abcd::3'],
  },
  // Headless
  {
    name: 'A headless: ready endpoints only', qname: 'hdls1.testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR',
    answer: [
      'hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.2',
      'hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.3',
      'hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.4',
      'hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.5',
    ],
  },
  {
    name: 'AAAA headless', qname: 'hdls1.testns.svc.cluster.local', qtype: 'AAAA', rcode: 'NOERROR',
    answer: ['hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::1', 'hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::2'],
  },
  { name: 'headless without ready endpoints', qname: 'hdlsempty.testns.svc.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'A headless portless', qname: 'hdlsprtls.testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR', answer: ['hdlsprtls.testns.svc.cluster.local. 5 IN A 172.0.0.20'] },
  { name: 'SRV headless portless is NODATA', qname: 'hdlsprtls.testns.svc.cluster.local', qtype: 'SRV', rcode: 'NOERROR', ns: [soa] },
  { name: 'endpoint dashed IP', qname: '172-0-0-2.hdls1.testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR', answer: ['172-0-0-2.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.2'] },
  { name: 'endpoint of a portless service', qname: '172-0-0-20.hdlsprtls.testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR', answer: ['172-0-0-20.hdlsprtls.testns.svc.cluster.local. 5 IN A 172.0.0.20'] },
  {
    name: 'endpoint by hostname', qname: 'dup-name.hdls1.testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR',
    answer: ['dup-name.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.4', 'dup-name.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.5'],
  },
  { name: 'endpoint IPv6 dashed', qname: '5678-abcd--2.hdls1.testns.svc.cluster.local', qtype: 'AAAA', rcode: 'NOERROR', answer: ['5678-abcd--2.hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::2'] },
  { name: 'not-ready endpoint has no name', qname: '172-0-0-9.hdls1.testns.svc.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'bogus endpoint', qname: 'bogusendpoint.hdls1.testns.svc.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'endpoint of a missing service', qname: 'bogusendpoint.svc0.testns.svc.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'endpoint name of a ClusterIP service (CoreDNS)', qname: 'web-0.svc1.testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR', answer: ['web-0.svc1.testns.svc.cluster.local. 5 IN A 172.0.1.1'] },
  {
    name: 'SRV headless per endpoint × port', qname: '_http._tcp.hdls1.testns.svc.cluster.local', qtype: 'SRV', rcode: 'NOERROR',
    answer: [
      '_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 16 80 172-0-0-2.hdls1.testns.svc.cluster.local.',
      '_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 16 80 172-0-0-3.hdls1.testns.svc.cluster.local.',
      '_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 16 80 dup-name.hdls1.testns.svc.cluster.local.',
      '_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 16 80 5678-abcd--1.hdls1.testns.svc.cluster.local.',
      '_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 16 80 5678-abcd--2.hdls1.testns.svc.cluster.local.',
    ],
    extra: [
      '172-0-0-2.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.2',
      '172-0-0-3.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.3',
      'dup-name.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.4',
      'dup-name.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.5',
      '5678-abcd--1.hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::1',
      '5678-abcd--2.hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::2',
    ],
  },
  // ExternalName
  { name: 'CNAME external', qname: 'external.testns.svc.cluster.local', qtype: 'CNAME', rcode: 'NOERROR', answer: ['external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test.'] },
  { name: 'A external: CNAME, target left to the forwarder', qname: 'external.testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR', answer: ['external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test.'] },
  {
    name: 'A external to an internal service follows the CNAME', qname: 'external-to-service.testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR',
    answer: ['external-to-service.testns.svc.cluster.local. 5 IN CNAME svc1.testns.svc.cluster.local.', 'svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1'],
  },
  { name: 'SRV of an ExternalName is NODATA', qname: 'external.testns.svc.cluster.local', qtype: 'SRV', rcode: 'NOERROR', ns: [soa] },
  { name: 'ExternalName with an IP is not a name', qname: 'external-ip.testns.svc.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'ExternalName has no endpoints', qname: 'ep.external.testns.svc.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  // Zone structure
  { name: 'dns-version TXT', qname: 'dns-version.cluster.local', qtype: 'TXT', rcode: 'NOERROR', answer: ['dns-version.cluster.local. 28800 IN TXT "1.1.0"'] },
  { name: 'dns-version A is not a cluster name (CoreDNS)', qname: 'dns-version.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'apex SOA', qname: 'cluster.local', qtype: 'SOA', rcode: 'NOERROR', answer: [soa] },
  {
    name: 'apex NS', qname: 'cluster.local', qtype: 'NS', rcode: 'NOERROR',
    answer: ['cluster.local. 5 IN NS ns.dns.cluster.local.'], extra: ['ns.dns.cluster.local. 5 IN A 10.96.0.10'],
  },
  { name: 'nameserver A', qname: 'ns.dns.cluster.local', qtype: 'A', rcode: 'NOERROR', answer: ['ns.dns.cluster.local. 5 IN A 10.96.0.10'] },
  { name: 'apex A is NODATA', qname: 'cluster.local', qtype: 'A', rcode: 'NOERROR', ns: [soa] },
  { name: 'svc.<zone> is NODATA', qname: 'svc.cluster.local', qtype: 'A', rcode: 'NOERROR', ns: [soa] },
  { name: 'pod.<zone> is NODATA', qname: 'pod.cluster.local', qtype: 'A', rcode: 'NOERROR', ns: [soa] },
  { name: 'namespace name is NODATA', qname: 'testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR', ns: [soa] },
  { name: 'namespace without services is NODATA', qname: 'emptyns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR', ns: [soa] },
  { name: 'missing namespace name', qname: 'nons.svc.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'NS of an existing name below the apex is NODATA', qname: 'svc.cluster.local', qtype: 'NS', rcode: 'NOERROR', ns: [soa] },
  { name: 'NS of a namespace name is NODATA', qname: 'testns.svc.cluster.local', qtype: 'NS', rcode: 'NOERROR', ns: [soa] },
  { name: 'NS of a missing name', qname: 'foo.cluster.local', qtype: 'NS', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'NS of a missing namespace', qname: 'foo.svc.cluster.local', qtype: 'NS', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'unknown kind label', qname: 'svc1.testns.foo.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'too many labels', qname: 'a.b.c.svc1.testns.svc.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'search-path expansion of an outside name', qname: 'example.com.testns.svc.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'wildcards are gone (CoreDNS 1.9)', qname: 'svc1.*.svc.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  // Case
  {
    name: 'query case kept', qname: 'SVC1.TestNS.svc.Cluster.Local', qtype: 'A', rcode: 'NOERROR',
    answer: ['SVC1.TestNS.svc.Cluster.Local. 5 IN A 10.0.0.1'],
  },
  {
    name: 'query case kept in the SOA', qname: 'Svc0.testns.svc.Cluster.Local', qtype: 'A', rcode: 'NXDOMAIN',
    ns: [`Cluster.Local. 5 IN SOA ns.dns.Cluster.Local. hostmaster.Cluster.Local. ${serial} 7200 1800 86400 5`],
  },
  // Pods
  { name: 'pods disabled: no namespace names under pod either', qname: 'testns.pod.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'pods insecure: namespace name is NODATA', qname: 'testns.pod.cluster.local', qtype: 'A', rcode: 'NOERROR', ns: [soa], options: { pods: 'insecure' } },
  { name: 'pods disabled', qname: '10-244-1-5.testns.pod.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa] },
  { name: 'pods insecure', qname: '10-244-1-5.testns.pod.cluster.local', qtype: 'A', rcode: 'NOERROR', answer: ['10-244-1-5.testns.pod.cluster.local. 5 IN A 10.244.1.5'], options: { pods: 'insecure' } },
  { name: 'pods insecure IPv6', qname: 'fd00--5.testns.pod.cluster.local', qtype: 'AAAA', rcode: 'NOERROR', answer: ['fd00--5.testns.pod.cluster.local. 5 IN AAAA fd00::5'], options: { pods: 'insecure' } },
  { name: 'pods insecure, not an IP', qname: 'nginx.testns.pod.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa], options: { pods: 'insecure' } },
  { name: 'pods insecure, missing namespace', qname: '10-244-1-5.nons.pod.cluster.local', qtype: 'A', rcode: 'NXDOMAIN', ns: [soa], options: { pods: 'insecure' } },
  { name: 'pods insecure, AAAA of an IPv4 pod', qname: '10-244-1-5.testns.pod.cluster.local', qtype: 'AAAA', rcode: 'NOERROR', ns: [soa], options: { pods: 'insecure' } },
  // PTR
  { name: 'PTR ClusterIP', qname: '1.0.0.10.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answer: ['1.0.0.10.in-addr.arpa. 5 IN PTR svc1.testns.svc.cluster.local.'] },
  { name: 'PTR headless endpoint', qname: '2.0.0.172.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answer: ['2.0.0.172.in-addr.arpa. 5 IN PTR 172-0-0-2.hdls1.testns.svc.cluster.local.'] },
  { name: 'PTR endpoint hostname', qname: '4.0.0.172.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answer: ['4.0.0.172.in-addr.arpa. 5 IN PTR dup-name.hdls1.testns.svc.cluster.local.'] },
  {
    name: 'PTR IPv6 ClusterIP', qname: reverseName('1234:abcd::1'), qtype: 'PTR', rcode: 'NOERROR',
    answer: [`${reverseName('1234:abcd::1')}. 5 IN PTR svc6.testns.svc.cluster.local.`],
  },
  { name: 'PTR unknown IP falls through upstream', qname: '99.0.0.10.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', forward: true },
  // Outside the zone
  { name: 'outside the zone is forwarded', qname: 'example.com', qtype: 'A', rcode: 'NOERROR', forward: true },
  { name: 'a lookalike zone is outside', qname: 'svc1.testns.svc.notcluster.local', qtype: 'A', rcode: 'NOERROR', forward: true },
  // Other zone name
  {
    name: 'configured zone', qname: 'svc1.testns.svc.k8s.example', qtype: 'A', rcode: 'NOERROR',
    answer: ['svc1.testns.svc.k8s.example. 5 IN A 10.0.0.1'], options: { zone: 'k8s.example' },
  },
  {
    name: 'configured TTL', qname: 'svc1.testns.svc.cluster.local', qtype: 'A', rcode: 'NOERROR',
    answer: ['svc1.testns.svc.cluster.local. 30 IN A 10.0.0.1'], options: { ttl: 30 },
  },
];

const defaults: AnswerOptions = { zone: 'cluster.local', ttl: 5, pods: 'disabled' };

function lines(records: DnsRecord[]): string[] {
  return records.map((r) => normalizeZoneLine(formatRecord(r))).sort();
}

function want(records: string[] | undefined): string[] {
  return (records ?? []).map(normalizeZoneLine).sort();
}

test('answer: table', () => {
  const index = fixtureIndex();
  assert.ok(cases.length >= 40, `${cases.length} cases`);
  for (const c of cases) {
    const got = answer({ name: c.qname, type: c.qtype, class: 'IN' }, index, { ...defaults, ...c.options });
    assert.equal(got.forward, c.forward === true, `${c.name}: forward`);
    if (c.forward) continue;
    assert.equal(got.rcode, c.rcode, `${c.name}: rcode`);
    assert.equal(got.aa, true, `${c.name}: aa`);
    assert.deepEqual(lines(got.answer), want(c.answer), `${c.name}: answer`);
    assert.deepEqual(lines(got.authority), want(c.ns), `${c.name}: authority`);
    if (c.extra !== undefined) assert.deepEqual(lines(got.additional), want(c.extra), `${c.name}: additional`);
  }
});

test('answer: CNAME comes before its target', () => {
  const got = answer({ name: 'external-to-service.testns.svc.cluster.local', type: 'A' }, fixtureIndex(), defaults);
  assert.deepEqual(got.answer.map((r) => r.type), ['CNAME', 'A']);
});

test('answer: ExternalName outside the zone asks the server to resolve the target', () => {
  const got = answer({ name: 'external.testns.svc.cluster.local', type: 'A' }, fixtureIndex(), defaults);
  assert.equal(got.resolveTarget, 'ext.interwebs.test');
});

test('answer: SERVFAIL before the first sync, positive answers already served', () => {
  const index = new ClusterIndex({ clock: () => serial * 1000 });
  index.upsertService(svc('testns', 'svc1', { clusterIP: '10.0.0.1', ports: [{ name: 'http', port: 80 }] }));
  const missing = answer({ name: 'svc0.testns.svc.cluster.local', type: 'A' }, index, defaults);
  assert.equal(missing.rcode, 'SERVFAIL');
  assert.deepEqual(lines(missing.authority), want([soa]));
  const present = answer({ name: 'svc1.testns.svc.cluster.local', type: 'A' }, index, defaults);
  assert.equal(present.rcode, 'NOERROR');
  index.markSynced();
  assert.equal(answer({ name: 'svc0.testns.svc.cluster.local', type: 'A' }, index, defaults).rcode, 'NXDOMAIN');
});

test('answer: every change that alters a name reports the keys its answers depended on', () => {
  const index = fixtureIndex();
  const invalidated: string[] = [];
  index.onInvalidate((keys) => invalidated.push(...keys));
  const before = answer({ name: 'hdls1.testns.svc.cluster.local', type: 'A' }, index, defaults);
  index.upsertEndpointSlice(slice('testns', 'hdls1', 'hdls1-a', 'IPv4', [{ ip: '172.0.0.7' }], [{ name: 'http', port: 80 }]));
  assert.ok(before.deps.some((d) => invalidated.includes(d)), `${before.deps} ∩ ${invalidated}`);
  const after = answer({ name: 'hdls1.testns.svc.cluster.local', type: 'A' }, index, defaults);
  assert.deepEqual(lines(after.answer), want(['hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.7']));

  invalidated.length = 0;
  const ptr = answer({ name: '1.0.0.10.in-addr.arpa', type: 'PTR' }, index, defaults);
  index.deleteService({ metadata: { namespace: 'testns', name: 'svc1' } });
  assert.ok(ptr.deps.some((d) => invalidated.includes(d)));
  const chained = answer({ name: 'external-to-service.testns.svc.cluster.local', type: 'A' }, index, defaults);
  assert.deepEqual(lines(chained.answer), want(['external-to-service.testns.svc.cluster.local. 5 IN CNAME svc1.testns.svc.cluster.local.']));
  assert.ok(chained.deps.includes('svc/testns/svc1'), 'a CNAME chain depends on its target');

  // An update with nothing DNS-visible is not a change.
  invalidated.length = 0;
  index.upsertService(svc('testns', 'svcempty', { clusterIP: '10.0.0.2', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }));
  assert.deepEqual(invalidated, []);
});

test('reverse names round-trip', () => {
  for (const ip of ['10.96.0.10', 'fd00::a', '1234:abcd::1', '2001:db8:0:1::5']) {
    assert.equal(ipFromReverseName(reverseName(ip)), ip);
  }
  assert.equal(ipFromReverseName('10.in-addr.arpa'), undefined);
});

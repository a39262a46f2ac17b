import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podResolvConf, type PodResolvConfInput } from './pod-resolv-conf.ts';

const host = 'nameserver 10.255.255.53\nsearch corp.example\noptions timeout:2\n';
const base: PodResolvConfInput = { namespace: 'default', spec: {}, clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', hostResolvConf: host };

test('pod resolv.conf per dnsPolicy', () => {
  const table: { name: string; input: PodResolvConfInput; want: string }[] = [
    {
      name: 'ClusterFirst (default)',
      input: base,
      want: 'search default.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n',
    },
    {
      name: 'ClusterFirst in another namespace',
      input: { ...base, namespace: 'shop', spec: { dnsPolicy: 'ClusterFirst' } },
      want: 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n',
    },
    { name: 'ClusterFirst on the host network is Default', input: { ...base, spec: { hostNetwork: true } }, want: 'search corp.example\nnameserver 10.255.255.53\noptions timeout:2\n' },
    {
      name: 'ClusterFirstWithHostNet',
      input: { ...base, spec: { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' } },
      want: 'search default.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n',
    },
    { name: 'Default', input: { ...base, spec: { dnsPolicy: 'Default' } }, want: 'search corp.example\nnameserver 10.255.255.53\noptions timeout:2\n' },
    {
      name: 'None + dnsConfig',
      input: { ...base, spec: { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } } },
      want: 'search a.example\nnameserver 1.1.1.1\noptions ndots:2 edns0\n',
    },
    {
      name: 'ClusterFirst + dnsConfig overrides ndots',
      input: { ...base, spec: { dnsConfig: { options: [{ name: 'ndots', value: '1' }] } } },
      want: 'search default.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:1\n',
    },
    { name: 'no cluster DNS configured falls back to Default', input: { ...base, clusterDNS: [] }, want: 'search corp.example\nnameserver 10.255.255.53\noptions timeout:2\n' },
  ];
  for (const c of table) assert.equal(podResolvConf(c.input), c.want, c.name);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCidrList } from './cidr.ts';
import { nodePlan, nodeUplinkIPv6, podPlan, routeLines, staleRouteLines } from './plan.ts';
import { clusterNetnsName, nodeNetnsName, podNetnsName, podVethName, nodeUplinkPeerName } from '../names.ts';

test('names: cluster-owned prefix, short link names', () => {
  assert.equal(clusterNetnsName('demo'), 'cip-demo__net');
  assert.equal(nodeNetnsName('demo', 'node-1'), 'cip-demo_node-1');
  assert.equal(podNetnsName('demo', 'node-1', '6a344b86-fb25-48cd-a709-2c1d22f396ff'), 'cip-demo_node-1_6a344b86fb');
  assert.ok(podVethName('6a344b86-fb25-48cd-a709-2c1d22f396ff').length <= 15);
  assert.ok(nodeUplinkPeerName('a-very-long-node-name-indeed').length <= 15);
  // Another cluster whose name extends this one's never shares the prefix.
  assert.ok(!nodeNetnsName('demo-2', 'n').startsWith('cip-demo_'));
});

test('pod plan: /32 + /128, gateway link route, default via gateway, hairpin', () => {
  const p = podPlan({
    cluster: 'c',
    node: 'n1',
    uid: 'aaaaaaaa-bbbb',
    podCIDRs: parseCidrList('10.244.1.0/24,fd00:10:244:1::/64'),
    ips: ['10.244.1.5', 'fd00:10:244:1::5'],
  });
  assert.equal(p.netns, 'cip-c_n1_aaaaaaaabb');
  assert.equal(p.nodeSide.netns, 'cip-c_n1');
  assert.deepEqual(p.nodeSide.lines, [
    'link add vaaaaaaaabb type veth peer name eth0 netns cip-c_n1_aaaaaaaabb',
    'link set vaaaaaaaabb master cbr0',
    'link set vaaaaaaaabb type bridge_slave hairpin on',
    'link set vaaaaaaaabb up',
  ]);
  assert.deepEqual(p.podSide.lines, [
    'link set lo up',
    'link set eth0 up',
    'addr add 10.244.1.5/32 dev eth0',
    'route add 10.244.1.1 dev eth0 scope link',
    'route add default via 10.244.1.1 dev eth0',
    'addr add fd00:10:244:1::5/128 dev eth0 nodad',
    'route add fd00:10:244:1::1 dev eth0 scope link',
    'route add default via fd00:10:244:1::1 dev eth0',
  ]);
});

test('node plan and routes to peers', () => {
  const n = nodePlan({ cluster: 'c', node: 'n1', nodeIP: '172.31.0.2/24', podCIDRs: parseCidrList('10.244.1.0/24') });
  assert.ok(n.node.lines.includes('addr replace 10.244.1.1/24 dev cbr0'));
  assert.ok(n.node.lines.includes('addr replace 172.31.0.2/24 dev eth0'));
  assert.ok(n.sysctls.includes('net.ipv4.ip_forward=1'));
  assert.ok(n.sysctls.includes('net.ipv4.conf.all.send_redirects=0'));
  assert.equal(nodeUplinkIPv6('172.31.0.3'), 'fd63:6970::ac1f:3');
  const peers = [
    { name: 'n1', ip: '172.31.0.2', podCIDRs: ['10.244.1.0/24'] },
    { name: 'n3', ip: '172.31.0.4', podCIDRs: ['10.244.3.0/24', 'fd00:10:244:3::/64'] },
    { name: 'n2', ip: '172.31.0.3', podCIDRs: ['10.244.2.0/24'] },
    { name: 'nx', ip: '', podCIDRs: ['10.244.9.0/24'] },
  ];
  const lines = routeLines('n1', peers);
  assert.deepEqual(lines, [
    'route replace 10.244.2.0/24 via 172.31.0.3 dev eth0',
    'route replace 10.244.3.0/24 via 172.31.0.4 dev eth0',
    'route replace fd00:10:244:3::/64 via fd63:6970::ac1f:4 dev eth0',
  ]);
  assert.deepEqual(staleRouteLines(lines, lines.slice(0, 1)), ['route del 10.244.3.0/24', 'route del fd00:10:244:3::/64']);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_POD_CIDRS, DEFAULT_SERVICE_CIDRS, nthSubnet, planCluster, type UpFlags } from './plan.ts';

const flags = (o: Partial<UpFlags> = {}): UpFlags => ({
  name: 'clusterip',
  nodes: 2,
  dataDir: '/tmp/x',
  apiPort: 6443,
  serviceCIDRs: DEFAULT_SERVICE_CIDRS,
  podCIDRs: DEFAULT_POD_CIDRS,
  storage: 'sqlite',
  ...o,
});

describe('planCluster', () => {
  it('default two-node cluster', () => {
    const plan = planCluster(flags());
    assert.equal(plan.kubernetesServiceIP, '10.96.0.1');
    assert.equal(plan.dnsServiceIP, '10.96.0.10');
    assert.deepEqual(
      plan.nodes.map((n) => [n.name, n.podCIDRs.join(','), n.nodeIP]),
      [
        ['node-1', '10.244.1.0/24,fd00:10:244:1::/64', '172.31.0.2/24'],
        ['node-2', '10.244.2.0/24,fd00:10:244:2::/64', '172.31.0.3/24'],
      ],
    );
  });

  const bad: [string, Partial<UpFlags>, RegExp][] = [
    ['bad name', { name: 'Bad_Name' }, /--name "Bad_Name"/],
    ['too many nodes for a /23 pod range', { podCIDRs: '10.244.0.0/23', nodes: 2 }, /has room for 1 nodes/],
    ['not a CIDR', { serviceCIDRs: '10.96.0.0' }, /--service-cidr: "10.96.0.0" is not a CIDR/],
    ['negative nodes', { nodes: -1 }, /--nodes must be 0..200/],
  ];
  for (const [name, o, want] of bad) it(`refuses: ${name}`, () => assert.throws(() => planCluster(flags(o)), want));
});

describe('nthSubnet', () => {
  const cases: [string, number, number, string][] = [
    ['10.244.0.0/16', 24, 0, '10.244.0.0/24'],
    ['10.244.0.0/16', 24, 255, '10.244.255.0/24'],
    ['fd00:10:244::/56', 64, 3, 'fd00:10:244:3::/64'],
  ];
  for (const [cidr, prefix, i, want] of cases) it(`${cidr} #${i}`, () => assert.equal(nthSubnet(cidr, prefix, i), want));
});

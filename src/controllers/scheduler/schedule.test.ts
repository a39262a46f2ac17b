import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node } from '../../api/index.ts';
import { pod } from '../testdata.ts';
import { schedulePod } from './schedule.ts';

const node = (name: string, o: { ready?: boolean; labels?: Record<string, string>; unschedulable?: boolean } = {}): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
  spec: { unschedulable: o.unschedulable },
  status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});
const unbound = (nodeSelector?: Record<string, string>) => {
  const p = pod('p');
  p.spec.nodeName = undefined;
  p.spec.nodeSelector = nodeSelector;
  return p;
};

describe('schedulePod', () => {
  const cases: { name: string; nodes: Node[]; counts?: [string, number][]; selector?: Record<string, string>; want: string }[] = [
    { name: 'fewest pods wins', nodes: [node('a'), node('b')], counts: [['a', 3], ['b', 1]], want: 'node b' },
    { name: 'ties broken by name', nodes: [node('b'), node('a')], want: 'node a' },
    { name: 'not-ready nodes are skipped', nodes: [node('a', { ready: false }), node('b')], counts: [['b', 9]], want: 'node b' },
    { name: 'nodeSelector', nodes: [node('a'), node('b', { labels: { disk: 'ssd' } })], selector: { disk: 'ssd' }, counts: [['b', 5]], want: 'node b' },
    { name: 'no nodes', nodes: [], want: 'no nodes available to schedule pods' },
    {
      name: 'nothing fits: kube-scheduler FitError text',
      nodes: [node('a', { unschedulable: true }), node('b'), node('c', { ready: false })],
      selector: { disk: 'ssd' },
      want:
        "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = schedulePod(unbound(c.selector), c.nodes, new Map(c.counts ?? []));
      assert.equal('node' in result ? `node ${result.node}` : result.unschedulable, c.want);
    });
  }
});

// Table tests of the ReplicaSet decision: counts, adoption/release, scale-down order, status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, ReplicaSet } from '../../api/index.ts';
import { pod } from '../testdata.ts';
import { podFromTemplate, podsToDelete, POD_DELETION_COST, reconcileReplicaSet } from './reconcile.ts';

const now = new Date('2026-11-23T12:00:00Z');

function rs(replicas: number, o: { deleting?: boolean; minReady?: number } = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-abc', namespace: 'default', uid: 'uid-rs', generation: 3, deletionTimestamp: o.deleting ? '2026-11-23T11:00:00Z' : undefined },
    spec: {
      replicas,
      minReadySeconds: o.minReady,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  };
}

const ours = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'uid-rs', controller: true };
const theirs = { ...ours, name: 'other', uid: 'uid-other' };

function owned(name: string, o: Parameters<typeof pod>[1] & { created?: string; readySince?: string; cost?: number; restarts?: number } = {}): Pod {
  const p = pod(name, o);
  p.metadata.ownerReferences = [ours];
  p.metadata.creationTimestamp = o.created ?? '2026-11-23T10:00:00Z';
  if (o.readySince) p.status!.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: o.readySince }];
  if (o.cost !== undefined) p.metadata.annotations = { [POD_DELETION_COST]: String(o.cost) };
  if (o.restarts) p.status!.containerStatuses = [{ name: 'c', ready: true, restartCount: o.restarts, image: '', imageID: '' } as never];
  if (o.node === '') delete (p.spec as { nodeName?: string }).nodeName;
  return p;
}

test('reconcileReplicaSet decides creates, deletes, adoption and release', () => {
  const orphan = pod('orphan');
  const foreign = pod('foreign');
  foreign.metadata.ownerReferences = [theirs];
  const moved = owned('moved', { labels: { app: 'other' } });
  const cases: { name: string; rs: ReplicaSet; pods: Pod[]; want: { create: number; delete: string[]; adopt: string[]; release: string[]; replicas: number } }[] = [
    { name: 'empty → create all', rs: rs(3), pods: [], want: { create: 3, delete: [], adopt: [], release: [], replicas: 0 } },
    { name: 'enough', rs: rs(2), pods: [owned('a'), owned('b')], want: { create: 0, delete: [], adopt: [], release: [], replicas: 2 } },
    { name: 'orphan adopted and counted', rs: rs(2), pods: [owned('a'), orphan], want: { create: 0, delete: [], adopt: ['orphan'], release: [], replicas: 2 } },
    { name: "another controller's pod is left alone", rs: rs(1), pods: [foreign], want: { create: 1, delete: [], adopt: [], release: [], replicas: 0 } },
    { name: 'relabelled pod released and replaced', rs: rs(1), pods: [moved], want: { create: 1, delete: [], adopt: [], release: ['moved'], replicas: 0 } },
    { name: 'terminating pods do not count', rs: rs(1), pods: [owned('t', { terminating: true })], want: { create: 1, delete: [], adopt: [], release: [], replicas: 0 } },
    { name: 'failed pods do not count', rs: rs(1), pods: [owned('f', { phase: 'Failed' })], want: { create: 1, delete: [], adopt: [], release: [], replicas: 0 } },
    { name: 'scale down by 1', rs: rs(1), pods: [owned('a', { created: '2026-11-23T09:00:00Z' }), owned('b')], want: { create: 0, delete: ['b'], adopt: [], release: [], replicas: 2 } },
    { name: 'being deleted: neither creates, deletes nor adopts', rs: rs(5, { deleting: true }), pods: [owned('a'), orphan], want: { create: 0, delete: [], adopt: [], release: [], replicas: 1 } },
  ];
  for (const c of cases) {
    const d = reconcileReplicaSet(c.rs, c.pods, now);
    const got = {
      create: d.create,
      delete: d.delete.map((p) => p.metadata.name!),
      adopt: d.adopt.map((p) => p.metadata.name!),
      release: d.release.map((p) => p.metadata.name!),
      replicas: d.status.replicas!,
    };
    assert.deepEqual(got, c.want, c.name);
  }
});

test('scale-down deletes the least useful pods first', () => {
  const cases: { name: string; pods: Pod[]; count: number; want: string[] }[] = [
    { name: 'unassigned first', pods: [owned('bound'), owned('unbound', { node: '' })], count: 1, want: ['unbound'] },
    { name: 'pending before running', pods: [owned('run'), owned('pend', { phase: 'Pending' })], count: 1, want: ['pend'] },
    { name: 'not ready before ready', pods: [owned('ready'), owned('notready', { ready: false })], count: 1, want: ['notready'] },
    { name: 'lower deletion cost first', pods: [owned('cheap', { cost: -5 }), owned('dear', { cost: 10 })], count: 1, want: ['cheap'] },
    { name: 'doubled-up node first', pods: [owned('n1a', { node: 'n1' }), owned('n1b', { node: 'n1' }), owned('n2', { node: 'n2' })], count: 1, want: ['n1a'] }, // either pod of n1; ties go by name
    {
      name: 'ready for less time first',
      pods: [owned('old', { readySince: '2026-11-23T10:00:00Z' }), owned('new', { readySince: '2026-11-23T11:00:00Z' })],
      count: 1,
      want: ['new'],
    },
    { name: 'more restarts first', pods: [owned('calm'), owned('crashy', { restarts: 4 })], count: 1, want: ['crashy'] },
    { name: 'newest first', pods: [owned('older', { created: '2026-11-23T09:00:00Z' }), owned('newer', { created: '2026-11-23T11:00:00Z' })], count: 1, want: ['newer'] },
  ];
  for (const c of cases) assert.deepEqual(podsToDelete(c.pods, c.count).map((p) => p.metadata.name), c.want, c.name);
});

test('status counts ready and available pods (minReadySeconds) and asks to be synced again', () => {
  const pods = [
    owned('a', { readySince: '2026-11-23T11:00:00Z' }),
    owned('b', { readySince: '2026-11-23T11:59:55Z' }),
    owned('c', { ready: false }),
  ];
  const d = reconcileReplicaSet(rs(3, { minReady: 10 }), pods, now);
  assert.deepEqual(d.status, { replicas: 3, fullyLabeledReplicas: 0, readyReplicas: 2, availableReplicas: 1, observedGeneration: 3 });
  assert.equal(d.recheckAfterMs, 5001);
});

test('podFromTemplate carries the template and our controller reference', () => {
  const p = podFromTemplate(rs(1));
  assert.equal(p.metadata.generateName, 'web-abc-');
  assert.deepEqual(p.metadata.labels, { app: 'web', tier: 'x' });
  assert.deepEqual(p.metadata.ownerReferences, [{ ...ours, blockOwnerDeletion: true }]);
  assert.equal(p.spec.containers[0].image, 'nginx');
});

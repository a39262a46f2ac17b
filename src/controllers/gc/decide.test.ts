import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/index.ts';
import { decideDependent, ownerFinalizerToRemove } from './decide.ts';

const owner = (uid: string, o: { deleting?: boolean; finalizers?: string[] } = {}): KubeObject => ({
  metadata: { name: `o-${uid}`, uid, deletionTimestamp: o.deleting ? '2026-11-23T00:00:00Z' : undefined, finalizers: o.finalizers },
});
const dependent = (uids: string[], block = false): KubeObject => ({
  metadata: { name: 'd', namespace: 'default', ownerReferences: uids.map((uid) => ({ apiVersion: 'v1', kind: 'Service', name: `o-${uid}`, uid, blockOwnerDeletion: block })) },
});

describe('decideDependent', () => {
  const cases: { name: string; owners: KubeObject[]; dep: KubeObject; want: ReturnType<typeof decideDependent> }[] = [
    { name: 'no owner refs: keep', owners: [], dep: dependent([]), want: { action: 'keep' } },
    { name: 'owner alive: keep', owners: [owner('1')], dep: dependent(['1']), want: { action: 'keep' } },
    { name: 'owner gone: delete in background', owners: [], dep: dependent(['1']), want: { action: 'delete', propagation: 'Background' } },
    { name: 'one of two owners alive: keep', owners: [owner('2')], dep: dependent(['1', '2']), want: { action: 'keep' } },
    { name: 'owner uid differs (recreated): gone', owners: [{ metadata: { name: 'o-1', uid: 'other' } }], dep: dependent(['1']), want: { action: 'delete', propagation: 'Background' } },
    { name: 'owner orphaning: remove the ref', owners: [owner('1', { deleting: true, finalizers: ['orphan'] })], dep: dependent(['1']), want: { action: 'removeOwnerRefs', uids: ['1'] } },
    { name: 'owner deleting in foreground: delete', owners: [owner('1', { deleting: true, finalizers: ['foregroundDeletion'] })], dep: dependent(['1'], true), want: { action: 'delete', propagation: 'Foreground' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const lookup = (ref: { name: string }) => c.owners.find((o) => o.metadata.name === ref.name);
      assert.deepEqual(decideDependent(c.dep, lookup), c.want);
    });
  }
});

describe('ownerFinalizerToRemove', () => {
  it('foreground finalizer stays while a blocking dependent remains', () => {
    const o = owner('1', { deleting: true, finalizers: ['foregroundDeletion'] });
    assert.equal(ownerFinalizerToRemove(o, [dependent(['1'], true)]), undefined);
    assert.equal(ownerFinalizerToRemove(o, [dependent(['1'], false)]), 'foregroundDeletion');
    assert.equal(ownerFinalizerToRemove(o, []), 'foregroundDeletion');
  });
  it('orphan finalizer goes once no dependent points at the owner', () => {
    const o = owner('1', { deleting: true, finalizers: ['orphan'] });
    assert.equal(ownerFinalizerToRemove(o, [dependent(['1'])]), undefined);
    assert.equal(ownerFinalizerToRemove(o, [dependent(['2'])]), 'orphan');
  });
});

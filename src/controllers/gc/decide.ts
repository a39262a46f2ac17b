// The garbage collector's decisions (pkg/controller/garbagecollector), pure: what happens to a dependent
// given the state of its owners, and when an owner's deletion finalizer may be dropped.
import type { KubeObject, OwnerReference } from '../../api/index.ts';

export const FINALIZER_FOREGROUND = 'foregroundDeletion';
export const FINALIZER_ORPHAN = 'orphan';

/** What the collector knows about an owner: absent (deleted or uid mismatch), or the live object. */
export type OwnerLookup = (ref: OwnerReference, namespace: string | undefined) => KubeObject | undefined;

export type DependentAction =
  | { action: 'keep' }
  | { action: 'delete'; propagation: 'Background' | 'Foreground' }
  | { action: 'removeOwnerRefs'; uids: string[] };

export function decideDependent(dependent: KubeObject, lookup: OwnerLookup): DependentAction {
  const refs = dependent.metadata.ownerReferences ?? [];
  if (!refs.length || dependent.metadata.deletionTimestamp) return { action: 'keep' };
  const orphanFrom: string[] = [];
  let liveOwners = 0;
  let foregroundOwner = false;
  for (const ref of refs) {
    const owner = lookup(ref, dependent.metadata.namespace);
    if (!owner || owner.metadata.uid !== ref.uid) continue; // owner gone
    const finalizers = owner.metadata.finalizers ?? [];
    if (owner.metadata.deletionTimestamp && finalizers.includes(FINALIZER_ORPHAN)) {
      orphanFrom.push(ref.uid);
      continue;
    }
    if (owner.metadata.deletionTimestamp && finalizers.includes(FINALIZER_FOREGROUND)) {
      foregroundOwner = true;
      continue;
    }
    liveOwners++;
  }
  if (orphanFrom.length) return { action: 'removeOwnerRefs', uids: orphanFrom };
  if (liveOwners > 0) return { action: 'keep' };
  // Every owner is gone or being deleted in the foreground: the dependent goes too.
  return { action: 'delete', propagation: foregroundOwner ? 'Foreground' : 'Background' };
}

/**
 * An owner being deleted with a foregroundDeletion or orphan finalizer: the finalizer it may drop now
 * (no blocking dependents left / no dependents still pointing at it), or undefined.
 */
export function ownerFinalizerToRemove(owner: KubeObject, dependents: readonly KubeObject[]): string | undefined {
  if (!owner.metadata.deletionTimestamp) return undefined;
  const finalizers = owner.metadata.finalizers ?? [];
  const pointing = dependents.filter((d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid));
  if (finalizers.includes(FINALIZER_ORPHAN) && pointing.length === 0) return FINALIZER_ORPHAN;
  if (finalizers.includes(FINALIZER_FOREGROUND)) {
    const blocking = pointing.filter((d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid && r.blockOwnerDeletion));
    if (blocking.length === 0) return FINALIZER_FOREGROUND;
  }
  return undefined;
}

// Which owner a dependent's change concerns, as client-go controllers resolve it (resolveControllerRef,
// getPodReplicaSets): its controlling owner of the given kind; for an orphan, every owner in its namespace
// whose selector matches (one of them may adopt it); and on a change of owner, the previous one too.
import type { KubeObject, LabelSelector } from '../../api/index.ts';
import { objectKey, type Informer } from '../../client/index.ts';
import { controllerRef, labelSelectorMatches } from '../podutil.ts';

export function queueOwnersOfChanges<D extends KubeObject, O extends KubeObject & { spec?: { selector?: LabelSelector } }>(
  dependents: Informer<D>,
  ownerKind: string,
  owners: Informer<O>,
  enqueue: (ownerKey: string) => void,
): void {
  const onChange = (dependent: D) => {
    const ref = controllerRef(dependent);
    if (ref) {
      if (ref.kind === ownerKind) enqueue(`${dependent.metadata.namespace}/${ref.name}`);
      return;
    }
    for (const owner of owners.list()) {
      if (owner.metadata.namespace === dependent.metadata.namespace && labelSelectorMatches(owner.spec?.selector, dependent.metadata.labels)) {
        enqueue(objectKey(owner));
      }
    }
  };
  dependents.on('add', onChange).on('delete', onChange);
  dependents.on('update', (dependent, old) => {
    onChange(dependent);
    const oldRef = controllerRef(old);
    if (oldRef?.kind === ownerKind && oldRef.uid !== controllerRef(dependent)?.uid) enqueue(`${old.metadata.namespace}/${oldRef.name}`);
  });
}

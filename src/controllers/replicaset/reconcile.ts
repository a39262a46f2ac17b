// The ReplicaSet controller's decision (pkg/controller/replicaset): which pods to create, delete, adopt and
// release so that `replicas` pods matching the selector run, and the status to report. Pure.
import type { OwnerReference, Pod, ReplicaSet } from '../../api/index.ts';
import { controllerRef, isPodAvailable, isPodReady, isPodTerminal, labelSelectorMatches } from '../podutil.ts';

export interface ReplicaSetDecision {
  /** How many pods to create from the template. */
  create: number;
  delete: Pod[];
  /** Orphans matching the selector: take them (set our controller ownerReference). */
  adopt: Pod[];
  /** Owned pods that no longer match: let them go (drop our ownerReference). */
  release: Pod[];
  status: NonNullable<ReplicaSet['status']>;
}

/** Kubernetes creates at most this many pods per sync (burstReplicas). */
export const BURST_REPLICAS = 500;

export function replicaSetOwnerRef(rs: ReplicaSet): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name ?? '', uid: rs.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

function isActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Deletion order as ActivePods' Less: unassigned before assigned, pending before running, not ready before
 * ready, more restarts first, newer before older — so the least useful pods go first.
 */
export function deletionOrder(a: Pod, b: Pod): number {
  const assigned = Number(!!a.spec.nodeName) - Number(!!b.spec.nodeName);
  if (assigned) return assigned;
  const phase = (phaseRank[a.status?.phase ?? 'Pending'] ?? 0) - (phaseRank[b.status?.phase ?? 'Pending'] ?? 0);
  if (phase) return phase;
  const ready = Number(isPodReady(a)) - Number(isPodReady(b));
  if (ready) return ready;
  const restarts = (p: Pod) => (p.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0);
  const r = restarts(b) - restarts(a);
  if (r) return r;
  const created = Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? '');
  if (created) return created;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

export function reconcileReplicaSet(rs: ReplicaSet, podsInNamespace: readonly Pod[], now: Date): ReplicaSetDecision {
  const uid = rs.metadata.uid;
  const selector = rs.spec?.selector;
  const owned: Pod[] = [];
  const adopt: Pod[] = [];
  const release: Pod[] = [];
  for (const pod of podsInNamespace) {
    const ref = controllerRef(pod);
    const matches = labelSelectorMatches(selector, pod.metadata.labels);
    if (ref?.uid === uid) {
      if (matches) owned.push(pod);
      else release.push(pod);
    } else if (!ref && matches && isActive(pod) && !rs.metadata.deletionTimestamp) {
      adopt.push(pod);
      owned.push(pod);
    }
  }
  const active = owned.filter(isActive);
  const want = rs.metadata.deletionTimestamp ? 0 : (rs.spec?.replicas ?? 1);
  const diff = active.length - want;
  const create = diff < 0 ? Math.min(-diff, BURST_REPLICAS) : 0;
  const remove = diff > 0 ? [...active].sort(deletionOrder).slice(0, Math.min(diff, BURST_REPLICAS)) : [];
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const status: NonNullable<ReplicaSet['status']> = {
    replicas: active.length,
    fullyLabeledReplicas: active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
    readyReplicas: active.filter(isPodReady).length,
    availableReplicas: active.filter((p) => isPodAvailable(p, minReady, now)).length,
    observedGeneration: rs.metadata.generation,
  };
  return { create, delete: remove, adopt, release, status };
}

/** A pod for the ReplicaSet (controller.GetPodFromTemplate): template labels/annotations, our owner ref. */
export function podFromTemplate(rs: ReplicaSet): Pod {
  const template = rs.spec?.template ?? {};
  const prefix = `${rs.metadata.name}-`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: prefix.length > 58 ? `${prefix.slice(0, 57)}-` : prefix,
      namespace: rs.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: template.metadata?.annotations ? { ...template.metadata.annotations } : undefined,
      ownerReferences: [replicaSetOwnerRef(rs)],
    },
    spec: structuredClone(template.spec ?? { containers: [] }),
  };
}

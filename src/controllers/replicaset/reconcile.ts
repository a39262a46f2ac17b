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
  /** Some ready pod becomes available (minReadySeconds) after this many ms: sync again then. */
  recheckAfterMs?: number;
}

/** Kubernetes creates or deletes at most this many pods per sync (burstReplicas). */
export const BURST_REPLICAS = 500;

/** The annotation that ranks pods for scale-down (KEP-2255): lower cost goes first. */
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

export function replicaSetOwnerRef(rs: ReplicaSet): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name ?? '', uid: rs.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** controller.IsPodActive: not terminal and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(p: Pod): number {
  const v = Number(p.metadata.annotations?.[POD_DELETION_COST] ?? 0);
  return Number.isFinite(v) ? v : 0;
}

function readySince(p: Pod): number {
  const c = (p.status?.conditions ?? []).find((x) => x.type === 'Ready' && x.status === 'True');
  const t = Date.parse(c?.lastTransitionTime ?? '');
  return Number.isFinite(t) ? t : 0;
}

function restarts(p: Pod): number {
  return (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

/**
 * Scale-down order as ActivePodsWithRanks.Less, least useful first: unassigned before assigned, Pending before
 * Unknown before Running, not ready before ready, lower pod-deletion-cost first, pods doubled up on a node
 * (higher rank) first, ready for less time first, more restarts first, newer before older.
 * `rank` is the number of this set's active pods on the pod's node (getPodsRankedByRelatedPodsOnSameNode).
 */
export function deletionOrder(a: Pod, b: Pod, rank: (p: Pod) => number = () => 0): number {
  const assigned = Number(!!a.spec.nodeName) - Number(!!b.spec.nodeName);
  if (assigned) return assigned;
  const phase = (phaseRank[a.status?.phase ?? 'Pending'] ?? 0) - (phaseRank[b.status?.phase ?? 'Pending'] ?? 0);
  if (phase) return phase;
  const ready = Number(isPodReady(a)) - Number(isPodReady(b));
  if (ready) return ready;
  const cost = deletionCost(a) - deletionCost(b);
  if (cost) return cost;
  const ranked = rank(b) - rank(a);
  if (ranked) return ranked;
  if (isPodReady(a) && isPodReady(b)) {
    const since = readySince(b) - readySince(a);
    if (since) return since;
  }
  const r = restarts(b) - restarts(a);
  if (r) return r;
  const created = Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? '');
  if (created) return created;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** The pods to delete to go from `active` to `want` pods. */
export function podsToDelete(active: readonly Pod[], count: number): Pod[] {
  const perNode = new Map<string, number>();
  for (const p of active) if (p.spec.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const rank = (p: Pod) => (p.spec.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  return [...active].sort((a, b) => deletionOrder(a, b, rank)).slice(0, count);
}

export function reconcileReplicaSet(rs: ReplicaSet, podsInNamespace: readonly Pod[], now: Date): ReplicaSetDecision {
  const uid = rs.metadata.uid;
  const selector = rs.spec?.selector;
  const deleting = !!rs.metadata.deletionTimestamp;
  const owned: Pod[] = [];
  const adopt: Pod[] = [];
  const release: Pod[] = [];
  // ClaimPods over the active pods: ours that match stay, ours that don't are released, matching orphans
  // are adopted unless we are being deleted.
  for (const pod of podsInNamespace) {
    if (!isPodActive(pod)) continue;
    const ref = controllerRef(pod);
    const matches = labelSelectorMatches(selector, pod.metadata.labels);
    if (ref?.uid === uid) {
      if (matches) owned.push(pod);
      else release.push(pod);
    } else if (!ref && matches && !deleting) {
      adopt.push(pod);
      owned.push(pod);
    }
  }
  let create = 0;
  let remove: Pod[] = [];
  // A ReplicaSet being deleted is not managed (its pods are the garbage collector's, or orphaned).
  if (!deleting) {
    const diff = owned.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) create = Math.min(-diff, BURST_REPLICAS);
    if (diff > 0) remove = podsToDelete(owned, Math.min(diff, BURST_REPLICAS));
  }
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  let recheckAfterMs: number | undefined;
  const available = owned.filter((p) => {
    if (isPodAvailable(p, minReady, now)) return true;
    if (isPodReady(p) && minReady) {
      const wait = readySince(p) + minReady * 1000 - now.getTime();
      if (wait > 0) recheckAfterMs = Math.min(recheckAfterMs ?? Infinity, wait + 1);
    }
    return false;
  });
  const status: NonNullable<ReplicaSet['status']> = {
    ...(rs.status ?? {}),
    replicas: owned.length,
    fullyLabeledReplicas: owned.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
    readyReplicas: owned.filter(isPodReady).length,
    availableReplicas: available.length,
    observedGeneration: rs.metadata.generation,
  };
  return { create, delete: remove, adopt, release, status, recheckAfterMs };
}

/** A pod for the ReplicaSet (controller.GetPodFromTemplate): template labels/annotations/finalizers, our owner ref. */
export function podFromTemplate(rs: ReplicaSet): Pod {
  const template = rs.spec?.template ?? {};
  const prefix = `${rs.metadata.name}-`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      // names.SimpleNameGenerator keeps 58 characters of the prefix for the random suffix.
      generateName: prefix.length > 58 ? prefix.slice(0, 58) : prefix,
      namespace: rs.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: template.metadata?.annotations ? { ...template.metadata.annotations } : undefined,
      finalizers: template.metadata?.finalizers ? [...template.metadata.finalizers] : undefined,
      ownerReferences: [replicaSetOwnerRef(rs)],
    },
    spec: structuredClone(template.spec ?? { containers: [] }),
  };
}

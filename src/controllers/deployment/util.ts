// Deployment helpers as pkg/controller/deployment/util: IntOrString scaling, surge/unavailable fenceposts,
// replica annotations, revisions, conditions, template equality. Pure.
import type { Condition, Deployment, LabelSelector, OwnerReference, PodTemplateSpec, ReplicaSet } from '../../api/index.ts';
import { canonicalJSON } from './hash.ts';

/** Label (and selector key) that ties a ReplicaSet and its pods to one template (DefaultDeploymentUniqueLabelKey). */
export const POD_TEMPLATE_HASH = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
/** Annotations a Deployment does not copy to its ReplicaSets (annotationsToSkip). */
const annotationsToSkip = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);
/** Longest revision-history annotation kept (the controller's default MaxRevHistoryLengthInChars). */
const MAX_REV_HISTORY_CHARS = 2000;

// Condition types and reasons, with Kubernetes' words.
export const AVAILABLE = 'Available';
export const PROGRESSING = 'Progressing';
export const REPLICA_FAILURE = 'ReplicaFailure';
export const reasons = {
  replicaSetUpdated: 'ReplicaSetUpdated',
  failedRSCreate: 'ReplicaSetCreateError',
  newReplicaSetCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

export type DeploymentStatus = NonNullable<Deployment['status']>;

export function replicasOf(o: { spec?: { replicas?: number } } | undefined): number {
  return o?.spec?.replicas ?? 0;
}

export function desiredReplicas(d: Deployment): number {
  return d.spec?.replicas ?? 1;
}

/** intstr.GetScaledValueFromIntOrPercent: an int as is, a percent of total rounded up or down. */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+%$/.test(v)) {
    const x = (parseInt(v, 10) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return 0;
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

function rollingUpdate(d: Deployment): { maxSurge?: unknown; maxUnavailable?: unknown } {
  return (d.spec?.strategy?.rollingUpdate as { maxSurge?: unknown; maxUnavailable?: unknown } | undefined) ?? {};
}

/** ResolveFenceposts: surge rounds up, unavailable down, and both zero means one unavailable. */
export function resolveFenceposts(maxSurge: unknown, maxUnavailable: unknown, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? '25%', desired, true);
  let unavailable = scaledValue(maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = rollingUpdate(d);
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, desiredReplicas(d)).surge;
}

export function maxUnavailable(d: Deployment): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  const ru = rollingUpdate(d);
  return Math.min(resolveFenceposts(ru.maxSurge, ru.maxUnavailable, desired).unavailable, desired);
}

export function revisionOf(o: { metadata: { annotations?: Record<string, string> } }): number {
  const v = Number(o.metadata.annotations?.[REVISION] ?? 0);
  return Number.isInteger(v) && v > 0 ? v : 0;
}

export function maxRevision(sets: readonly ReplicaSet[]): number {
  return sets.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** The template without its pod-template-hash label, for EqualIgnoreHash. */
function withoutHash(t: PodTemplateSpec | undefined): unknown {
  const c = structuredClone(t ?? {});
  if (c.metadata?.labels) {
    delete c.metadata.labels[POD_TEMPLATE_HASH];
    if (!Object.keys(c.metadata.labels).length) delete c.metadata.labels;
  }
  if (c.metadata && !Object.keys(c.metadata).filter((k) => (c.metadata as Record<string, unknown>)[k] !== undefined).length) delete c.metadata;
  return c;
}

/** EqualIgnoreHash: the same template but for the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJSON(withoutHash(a)) === canonicalJSON(withoutHash(b));
}

export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? '');
  return d || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(d: Deployment, sets: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...sets].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export function deploymentOwnerRef(d: Deployment): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name ?? '', uid: d.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** CloneSelectorAndAddLabel. */
export function selectorWithHash(s: LabelSelector | undefined, hash: string): LabelSelector {
  const out: LabelSelector = structuredClone(s ?? {});
  out.matchLabels = { ...(out.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
  return out;
}

/** SetReplicasAnnotations; true when something changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS] !== String(desired)) {
    a[DESIRED_REPLICAS] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS] !== String(max)) {
    a[MAX_REPLICAS] = String(max);
    changed = true;
  }
  return changed;
}

/** SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the revision (keeping history). */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  let changed = false;
  const a = (rs.metadata.annotations ??= {});
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (annotationsToSkip.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const had = Object.hasOwn(a, REVISION);
  const oldRevision = revisionOf(rs);
  if (oldRevision < newRevision) {
    a[REVISION] = String(newRevision);
    changed = true;
    // A ReplicaSet brought back (rollback) keeps the revisions it had before.
    if (had && oldRevision > 0) {
      const history = a[REVISION_HISTORY] ? a[REVISION_HISTORY].split(',') : [];
      history.push(String(oldRevision));
      while (history.join(',').length > MAX_REV_HISTORY_CHARS && history.length > 1) history.shift();
      a[REVISION_HISTORY] = history.join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

export function getCondition(status: DeploymentStatus | undefined, type: string): Condition | undefined {
  return (status?.conditions ?? []).find((c) => c.type === type);
}

export function newCondition(type: string, status: Condition['status'], reason: string, message: string, now: string): Condition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

/** SetDeploymentCondition: same status and reason is no change; same status keeps the transition time. */
export function setCondition(status: DeploymentStatus, c: Condition): void {
  const cur = getCondition(status, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  if (cur && cur.status === c.status) c = { ...c, lastTransitionTime: cur.lastTransitionTime };
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), c];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (!status.conditions.length) delete status.conditions;
}

// The Deployment controller's decision (pkg/controller/deployment: syncDeployment, rolloutRolling,
// rolloutRecreate, sync/scale, getNewReplicaSet, syncRolloutStatus, cleanupDeployment): from a Deployment, the
// ReplicaSets in its namespace and their pods, the ordered writes of one sync. Like Kubernetes, a sync takes one
// step (create or scale up the new ReplicaSet, or scale down old ones) and the next event brings the next.
// Pure: time is an argument.
import type { Deployment, OwnerReference, Pod, ReplicaSet } from '../../api/index.ts';
import { controllerRef, isPodTerminal, labelSelectorMatches } from '../podutil.ts';
import { computeHash } from './hash.ts';
import {
  AVAILABLE,
  byCreation,
  deploymentOwnerRef,
  desiredReplicas,
  findNewReplicaSet,
  getCondition,
  isRollingUpdate,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  POD_TEMPLATE_HASH,
  PROGRESSING,
  reasons,
  removeCondition,
  REPLICA_FAILURE,
  replicasOf,
  revisionOf,
  REVISION,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  selectorWithHash,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  type DeploymentStatus,
} from './util.ts';

export type DeploymentAction =
  | { kind: 'createReplicaSet'; rs: ReplicaSet }
  /** PUT the whole ReplicaSet (spec.replicas, annotations, minReadySeconds). */
  | { kind: 'updateReplicaSet'; rs: ReplicaSet }
  | { kind: 'deleteReplicaSet'; rs: ReplicaSet }
  /** Adopt (add our controller reference) or release (drop it): the new ownerReferences. */
  | { kind: 'setReplicaSetOwners'; rs: ReplicaSet; ownerReferences: OwnerReference[] }
  /** The Deployment's deployment.kubernetes.io/revision annotation. */
  | { kind: 'setRevision'; revision: string }
  | { kind: 'event'; type: 'Normal' | 'Warning'; reason: string; message: string }
  | { kind: 'updateStatus'; status: DeploymentStatus };

export interface DeploymentPlan {
  actions: DeploymentAction[];
  /** Sync again after this long (progress deadline checks), as requeueStuckDeployment. */
  requeueAfterMs?: number;
}

const MAX_INT32 = 2147483647;

function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== MAX_INT32;
}

const isActive = (rs: ReplicaSet | undefined): rs is ReplicaSet => !!rs && replicasOf(rs) > 0;
const sum = (sets: readonly (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number): number =>
  sets.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
const specReplicas = (sets: readonly (ReplicaSet | undefined)[]) => sum(sets, replicasOf);
const statusReplicas = (sets: readonly (ReplicaSet | undefined)[]) => sum(sets, (rs) => rs.status?.replicas ?? 0);
const availableReplicas = (sets: readonly (ReplicaSet | undefined)[]) => sum(sets, (rs) => rs.status?.availableReplicas ?? 0);

/** DeploymentStatus fields are omitempty: zeros are not written. */
function compact(s: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = {};
  for (const [k, v] of Object.entries(s) as [keyof DeploymentStatus, unknown][]) {
    if (v === undefined || v === 0 || (Array.isArray(v) && !v.length)) continue;
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

class Planner {
  readonly actions: DeploymentAction[] = [];
  requeueAfterMs: number | undefined;
  private readonly d: Deployment;
  private readonly now: Date;
  private readonly nowText: string;
  private readonly pods: readonly Pod[];
  /** The status as this sync has changed it so far (Kubernetes' in-memory d.Status). */
  status: DeploymentStatus;
  /** The ReplicaSets this Deployment owns after claiming (working copies). */
  owned: ReplicaSet[] = [];

  constructor(d: Deployment, pods: readonly Pod[], now: Date) {
    this.d = structuredClone(d);
    this.pods = pods;
    this.now = now;
    this.nowText = now.toISOString().replace(/\.\d+Z$/, 'Z');
    this.status = structuredClone(d.status ?? {});
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.actions.push({ kind: 'event', type, reason, message });
  }

  /** ClaimReplicaSets: keep ours that match, release ours that don't, adopt matching orphans. */
  claim(all: readonly ReplicaSet[]): void {
    const d = this.d;
    for (const orig of all) {
      if (orig.metadata.namespace !== d.metadata.namespace) continue;
      const rs = structuredClone(orig);
      const ref = controllerRef(rs);
      const matches = labelSelectorMatches(d.spec?.selector, rs.metadata.labels);
      if (ref?.uid === d.metadata.uid) {
        if (matches) this.owned.push(rs);
        else this.actions.push({ kind: 'setReplicaSetOwners', rs, ownerReferences: (rs.metadata.ownerReferences ?? []).filter((r) => r.uid !== d.metadata.uid) });
      } else if (!ref && matches && !d.metadata.deletionTimestamp && !rs.metadata.deletionTimestamp) {
        const refs = [...(rs.metadata.ownerReferences ?? []), deploymentOwnerRef(d)];
        this.actions.push({ kind: 'setReplicaSetOwners', rs, ownerReferences: refs });
        rs.metadata.ownerReferences = refs;
        this.owned.push(rs);
      }
    }
  }

  private setRevision(revision: number): void {
    const a = (this.d.metadata.annotations ??= {});
    if (a[REVISION] === String(revision)) return;
    a[REVISION] = String(revision);
    this.actions.push({ kind: 'setRevision', revision: String(revision) });
  }

  /** scaleReplicaSet: write replicas and the replica annotations when either changed. */
  private scaleReplicaSet(rs: ReplicaSet, newScale: number, operation: string): boolean {
    const d = this.d;
    const oldScale = replicasOf(rs);
    const sizeChanged = oldScale !== newScale;
    const probe = structuredClone(rs);
    const annotationsChanged = setReplicasAnnotations(probe, desiredReplicas(d), desiredReplicas(d) + maxSurge(d));
    if (!sizeChanged && !annotationsChanged) return false;
    rs.spec = { ...(rs.spec ?? {}), replicas: newScale };
    setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d));
    this.actions.push({ kind: 'updateReplicaSet', rs: structuredClone(rs) });
    if (sizeChanged) this.event('Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`);
    return sizeChanged;
  }

  scaleAndRecord(rs: ReplicaSet, newScale: number): boolean {
    if (replicasOf(rs) === newScale) return false;
    return this.scaleReplicaSet(rs, newScale, replicasOf(rs) < newScale ? 'up' : 'down');
  }

  /** NewRSNewReplicas. */
  private newRSNewReplicas(all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
    const d = this.d;
    const desired = desiredReplicas(d);
    if (!isRollingUpdate(d)) return desired;
    const maxTotal = desired + maxSurge(d);
    const current = specReplicas(all);
    if (current >= maxTotal) return replicasOf(newRS);
    return replicasOf(newRS) + Math.min(maxTotal - current, desired - replicasOf(newRS));
  }

  /** getAllReplicaSetsAndSyncRevision / getNewReplicaSet. */
  allReplicaSets(create: boolean): { newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] } {
    const d = this.d;
    const existing = findNewReplicaSet(d, this.owned);
    const oldRSs = this.owned.filter((rs) => rs !== existing);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const annotationsUpdated = setNewReplicaSetAnnotations(d, existing, newRevision, true);
      const wantMinReady = d.spec?.minReadySeconds ?? 0;
      if (annotationsUpdated || (existing.spec?.minReadySeconds ?? 0) !== wantMinReady) {
        existing.spec = { ...(existing.spec ?? {}), minReadySeconds: wantMinReady || undefined };
        this.actions.push({ kind: 'updateReplicaSet', rs: structuredClone(existing) });
        return { newRS: existing, oldRSs };
      }
      this.setRevision(revisionOf(existing));
      if (hasProgressDeadline(d) && !getCondition(this.status, PROGRESSING))
        setCondition(this.status, newCondition(PROGRESSING, 'True', reasons.foundNewRS, `Found new replica set "${existing.metadata.name}"`, this.nowText));
      return { newRS: existing, oldRSs };
    }
    if (!create) return { newRS: undefined, oldRSs };
    const template = structuredClone(d.spec?.template ?? {});
    const hash = computeHash(d.spec?.template, this.status.collisionCount);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash } };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...template.metadata.labels },
        ownerReferences: [deploymentOwnerRef(d)],
      },
      spec: { replicas: 0, selector: selectorWithHash(d.spec?.selector, hash), template },
    };
    if (d.spec?.minReadySeconds) rs.spec!.minReadySeconds = d.spec.minReadySeconds;
    const replicas = this.newRSNewReplicas([...oldRSs, rs], rs);
    rs.spec!.replicas = replicas;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    this.actions.push({ kind: 'createReplicaSet', rs: structuredClone(rs) });
    if (replicas > 0) this.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${rs.metadata.name} from 0 to ${replicas}`);
    this.setRevision(newRevision);
    if (hasProgressDeadline(d))
      setCondition(this.status, newCondition(PROGRESSING, 'True', reasons.newReplicaSetCreated, `Created new replica set "${rs.metadata.name}"`, this.nowText));
    rs.metadata.creationTimestamp = this.nowText;
    this.owned.push(rs);
    return { newRS: rs, oldRSs };
  }

  /** calculateStatus. */
  private calculateStatus(all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentStatus {
    const d = this.d;
    const available = availableReplicas(all);
    const status: DeploymentStatus = {
      observedGeneration: d.metadata.generation,
      replicas: statusReplicas(all),
      updatedReplicas: newRS?.status?.replicas ?? 0,
      readyReplicas: sum(all, (rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, specReplicas(all) - available),
      conditions: structuredClone(this.status.conditions ?? []),
      collisionCount: this.status.collisionCount,
    };
    if (available >= desiredReplicas(d) - maxUnavailable(d))
      setCondition(status, newCondition(AVAILABLE, 'True', reasons.minimumReplicasAvailable, 'Deployment has minimum availability.', this.nowText));
    else setCondition(status, newCondition(AVAILABLE, 'False', reasons.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', this.nowText));
    return status;
  }

  complete(s: DeploymentStatus): boolean {
    const want = desiredReplicas(this.d);
    return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.observedGeneration ?? 0) >= (this.d.metadata.generation ?? 0);
  }

  private progressing(s: DeploymentStatus): boolean {
    const old = this.status;
    const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
    const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
    return (
      (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
      newOld < oldOld ||
      (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
      (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
    );
  }

  private timedOut(s: DeploymentStatus): boolean {
    if (!hasProgressDeadline(this.d)) return false;
    const c = getCondition(s, PROGRESSING);
    if (!c || c.reason === reasons.newRSAvailable) return false;
    if (c.reason === reasons.timedOut) return true;
    const from = Date.parse(c.lastUpdateTime ?? '');
    return Number.isFinite(from) && from + (this.d.spec?.progressDeadlineSeconds ?? 0) * 1000 < this.now.getTime();
  }

  /** syncRolloutStatus: status plus the Progressing condition. */
  syncRolloutStatus(all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): void {
    const d = this.d;
    const next = this.calculateStatus(all, newRS);
    if (!hasProgressDeadline(d)) removeCondition(next, PROGRESSING);
    const current = getCondition(this.status, PROGRESSING);
    const isComplete = next.replicas === next.updatedReplicas && current?.reason === reasons.newRSAvailable;
    if (hasProgressDeadline(d) && !isComplete) {
      const what = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
      if (this.complete(next)) {
        setCondition(next, newCondition(PROGRESSING, 'True', reasons.newRSAvailable, `${what} has successfully progressed.`, this.nowText));
      } else if (this.progressing(next)) {
        const c = newCondition(PROGRESSING, 'True', reasons.replicaSetUpdated, `${what} is progressing.`, this.nowText);
        // Progress refreshes lastUpdateTime even with the same reason (the special case in syncRolloutStatus).
        if (current) {
          if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
          removeCondition(next, PROGRESSING);
        }
        setCondition(next, c);
      } else if (this.timedOut(next)) {
        setCondition(next, newCondition(PROGRESSING, 'False', reasons.timedOut, `${what} has timed out progressing.`, this.nowText));
      }
    }
    const failure = all.flatMap((rs) => (rs?.status?.conditions ?? []).filter((c) => c.type === REPLICA_FAILURE))[0];
    if (failure) setCondition(next, { ...failure, lastUpdateTime: failure.lastTransitionTime });
    else removeCondition(next, REPLICA_FAILURE);
    if (JSON.stringify(compact(next)) === JSON.stringify(compact(this.status))) {
      this.requeueStuck(next);
      return;
    }
    this.status = next;
  }

  /** requeueStuckDeployment: look again when the progress deadline would pass. */
  private requeueStuck(next: DeploymentStatus): void {
    const c = getCondition(this.status, PROGRESSING);
    if (!hasProgressDeadline(this.d) || !c || this.complete(next) || c.reason === reasons.timedOut) return;
    const after = Date.parse(c.lastUpdateTime ?? '') + (this.d.spec?.progressDeadlineSeconds ?? 0) * 1000 - this.now.getTime();
    if (!Number.isFinite(after)) return;
    this.requeueAfterMs = after < 1000 ? 0 : after + 1000;
  }

  /** syncDeploymentStatus (paused and scaling syncs): the status without progress estimation. */
  syncDeploymentStatus(all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): void {
    const next = this.calculateStatus(all, newRS);
    if (JSON.stringify(compact(next)) !== JSON.stringify(compact(this.status))) this.status = next;
  }

  /** cleanupDeployment: keep revisionHistoryLimit old ReplicaSets; delete older empty ones. */
  cleanup(oldRSs: readonly ReplicaSet[]): void {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of cleanable.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      this.actions.push({ kind: 'deleteReplicaSet', rs });
    }
  }

  /** isScalingEvent: an active ReplicaSet was sized for another replica count. */
  isScalingEvent(): boolean {
    const { newRS, oldRSs } = this.allReplicaSets(false);
    for (const rs of [...oldRSs, newRS].filter(isActive)) {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
      if (desired !== undefined && Number(desired) !== desiredReplicas(this.d)) return true;
    }
    return false;
  }

  /** scale: a replica count change spread over the active ReplicaSets (proportional scaling). */
  scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
    const d = this.d;
    const desired = desiredReplicas(d);
    const activeOrLatest = ((): ReplicaSet | undefined => {
      if (!newRS && !oldRSs.length) return undefined;
      const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
      const active = [...newestFirst, newRS].filter(isActive);
      if (active.length === 0) return newRS ?? newestFirst[0];
      if (active.length === 1) return active[0];
      return undefined;
    })();
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) !== desired) this.scaleAndRecord(activeOrLatest, desired);
      return;
    }
    const saturated =
      newRS &&
      newRS.metadata.annotations?.[DESIRED_REPLICAS] === String(desired) &&
      replicasOf(newRS) === desired &&
      (newRS.status?.availableReplicas ?? 0) === desired;
    if (saturated) {
      for (const old of oldRSs.filter(isActive)) this.scaleAndRecord(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = [...oldRSs, newRS].filter(isActive);
    const allowed = desired > 0 ? desired + maxSurge(d) : 0;
    const toAdd = allowed - specReplicas(all);
    let operation = '';
    if (toAdd > 0) {
      // ReplicaSetsBySizeNewer: larger first, newer first on ties.
      all.sort((a, b) => replicasOf(b) - replicasOf(a) || byCreation(b, a));
      operation = 'up';
    } else if (toAdd < 0) {
      // ReplicaSetsBySizeOlder: larger first, older first on ties.
      all.sort((a, b) => replicasOf(b) - replicasOf(a) || byCreation(a, b));
      operation = 'down';
    }
    let added = 0;
    const size = new Map<ReplicaSet, number>();
    for (const rs of all) {
      if (toAdd === 0) {
        size.set(rs, replicasOf(rs));
        continue;
      }
      const proportion = this.proportion(rs, toAdd, added);
      size.set(rs, replicasOf(rs) + proportion);
      added += proportion;
    }
    all.forEach((rs, i) => {
      if (i === 0 && toAdd !== 0) size.set(rs, Math.max(0, size.get(rs)! + toAdd - added));
      this.scaleReplicaSet(rs, size.get(rs)!, operation);
    });
  }

  /** GetProportion / getReplicaSetFraction (max-replicas annotation as the previous size). */
  private proportion(rs: ReplicaSet, toAdd: number, added: number): number {
    if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
    const d = this.d;
    let fraction: number;
    if (desiredReplicas(d) === 0) fraction = -replicasOf(rs);
    else {
      const deploymentReplicas = desiredReplicas(d) + maxSurge(d);
      const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS] ?? NaN);
      const previous = Number.isInteger(annotated) && annotated > 0 ? annotated : (d.status?.replicas ?? 0);
      fraction = previous ? Math.round((replicasOf(rs) * deploymentReplicas) / previous) - replicasOf(rs) : 0;
    }
    const allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  /** reconcileNewReplicaSet. */
  reconcileNewReplicaSet(all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): boolean {
    const desired = desiredReplicas(this.d);
    if (replicasOf(newRS) === desired) return false;
    if (replicasOf(newRS) > desired) return this.scaleAndRecord(newRS, desired);
    return this.scaleAndRecord(newRS, this.newRSNewReplicas(all, newRS));
  }

  /** reconcileOldReplicaSets: scale old ones down as far as availability allows, unhealthy pods first. */
  reconcileOldReplicaSets(all: (ReplicaSet | undefined)[], oldActive: ReplicaSet[], newRS: ReplicaSet): boolean {
    if (specReplicas(oldActive) === 0) return false;
    const d = this.d;
    const minAvailable = desiredReplicas(d) - maxUnavailable(d);
    const newRSUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = specReplicas(all) - minAvailable - newRSUnavailable;
    if (maxScaledDown <= 0) return false;
    // cleanupUnhealthyReplicas: old replicas that are not available go first, oldest ReplicaSet first.
    let cleaned = 0;
    for (const rs of [...oldActive].sort(byCreation)) {
      if (cleaned >= maxScaledDown) break;
      const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
      if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown - cleaned, unhealthy);
      this.scaleAndRecord(rs, replicasOf(rs) - n);
      cleaned += n;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: then available ones, down to minAvailable.
    let scaledDown = 0;
    const availableNow = availableReplicas(all);
    if (availableNow > minAvailable) {
      const budget = availableNow - minAvailable;
      for (const rs of [...oldActive].sort(byCreation)) {
        if (scaledDown >= budget) break;
        if (replicasOf(rs) === 0) continue;
        const n = Math.min(replicasOf(rs), budget - scaledDown);
        this.scaleAndRecord(rs, replicasOf(rs) - n);
        scaledDown += n;
      }
    }
    return cleaned + scaledDown > 0;
  }

  /** oldPodsRunning (Recreate): some old ReplicaSet still has pods that are not finished. */
  oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): boolean {
    if (statusReplicas(oldRSs) > 0) return true;
    const oldUIDs = new Set(oldRSs.map((rs) => rs.metadata.uid));
    return this.pods.some((p) => {
      const ref = controllerRef(p);
      return !!ref && ref.uid !== newRS?.metadata.uid && oldUIDs.has(ref.uid) && !isPodTerminal(p);
    });
  }

  /** checkPausedConditions. */
  checkPausedConditions(): void {
    if (!hasProgressDeadline(this.d)) return;
    const c = getCondition(this.status, PROGRESSING);
    if (c?.reason === reasons.timedOut) return;
    const pausedCond = c?.reason === reasons.paused;
    if (this.d.spec?.paused && !pausedCond)
      setCondition(this.status, newCondition(PROGRESSING, 'Unknown', reasons.paused, 'Deployment is paused', this.nowText));
    else if (!this.d.spec?.paused && pausedCond)
      setCondition(this.status, newCondition(PROGRESSING, 'Unknown', reasons.resumed, 'Deployment is resumed', this.nowText));
  }

  get deployment(): Deployment {
    return this.d;
  }
}

/** One sync of a Deployment (syncDeployment). `replicaSets` and `pods` are those of its namespace. */
export function planDeployment(deployment: Deployment, replicaSets: readonly ReplicaSet[], pods: readonly Pod[], now: Date): DeploymentPlan {
  const p = new Planner(deployment, pods, now);
  const d = p.deployment;
  const original = compact(structuredClone(deployment.status ?? {}));
  const finish = (): DeploymentPlan => {
    const status = compact(p.status);
    if (JSON.stringify(status) !== JSON.stringify(original)) p.actions.push({ kind: 'updateStatus', status });
    return { actions: p.actions, requeueAfterMs: p.requeueAfterMs };
  };
  const sel = d.spec?.selector;
  if (!Object.keys(sel?.matchLabels ?? {}).length && !(sel?.matchExpressions ?? []).length) {
    p.actions.push({ kind: 'event', type: 'Warning', reason: 'SelectingAll', message: 'This deployment is selecting all pods. A non-empty selector is required.' });
    if ((p.status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) p.status.observedGeneration = d.metadata.generation;
    return finish();
  }
  p.claim(replicaSets);
  if (d.metadata.deletionTimestamp) {
    const { newRS, oldRSs } = p.allReplicaSets(false);
    p.syncDeploymentStatus([...oldRSs, newRS], newRS);
    return finish();
  }
  p.checkPausedConditions();
  if (d.spec?.paused || p.isScalingEvent()) {
    const { newRS, oldRSs } = p.allReplicaSets(false);
    p.scale(newRS, oldRSs);
    if (d.spec?.paused) p.cleanup(oldRSs);
    p.syncDeploymentStatus([...oldRSs, newRS], newRS);
    return finish();
  }
  if (isRollingUpdate(d)) {
    const { newRS, oldRSs } = p.allReplicaSets(true);
    const all = [...oldRSs, newRS];
    if (newRS && p.reconcileNewReplicaSet(all, newRS)) {
      p.syncRolloutStatus(all, newRS);
      return finish();
    }
    if (newRS && p.reconcileOldReplicaSets(all, oldRSs.filter(isActive), newRS)) {
      p.syncRolloutStatus(all, newRS);
      return finish();
    }
    if (p.complete(p.status)) p.cleanup(oldRSs);
    p.syncRolloutStatus(all, newRS);
    return finish();
  }
  // Recreate: all old pods gone before the new ReplicaSet scales up.
  let { newRS, oldRSs } = p.allReplicaSets(false);
  let all: (ReplicaSet | undefined)[] = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of oldRSs.filter(isActive)) if (p.scaleAndRecord(rs, 0)) scaledDown = true;
  if (scaledDown || p.oldPodsRunning(newRS, oldRSs)) {
    p.syncRolloutStatus(all, newRS);
    return finish();
  }
  if (!newRS) {
    ({ newRS, oldRSs } = p.allReplicaSets(true));
    all = [...oldRSs, newRS];
  }
  if (newRS) p.scaleAndRecord(newRS, desiredReplicas(d));
  if (p.complete(p.status)) p.cleanup(oldRSs);
  p.syncRolloutStatus(all, newRS);
  return finish();
}

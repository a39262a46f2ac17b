// The Deployment controller's I/O: Deployment, ReplicaSet and pod events → Deployment keys → planDeployment →
// the planned writes, in order. A failed write stops the sync; the work queue retries with back-off.
import type { Deployment, Pod, ReplicaSet } from '../../api/index.ts';
import { ApiError, Informer, objectKey, type ApiClient } from '../../client/index.ts';
import { controllerRef } from '../podutil.ts';
import { EventRecorder } from '../runtime/events.ts';
import { WriteTracker, type SharedInformers } from '../runtime/informers.ts';
import { WorkQueue } from '../runtime/queue.ts';
import { queueOwnersOfChanges } from '../runtime/owners.ts';
import { planDeployment } from './plan.ts';
import { equalIgnoreHash } from './util.ts';

const deploymentsPath = (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`;
const rsPath = (ns: string) => `/apis/apps/v1/namespaces/${ns}/replicasets`;

export interface DeploymentControllerOptions {
  now?: () => Date;
  onError?: (key: string, err: unknown) => void;
  onInformerError?: (err: Error) => void;
}

export class DeploymentController {
  readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly client: ApiClient;
  private readonly informers: SharedInformers;
  private readonly queue: WorkQueue;
  private readonly tracker = new WriteTracker();
  private readonly events: EventRecorder;
  private readonly now: () => Date;

  /** `replicaSets` is the ReplicaSet controller's informer, shared. */
  constructor(client: ApiClient, informers: SharedInformers, replicaSets: Informer<ReplicaSet>, options: DeploymentControllerOptions = {}) {
    this.client = client;
    this.informers = informers;
    this.replicaSets = replicaSets;
    this.now = options.now ?? (() => new Date());
    this.events = new EventRecorder(client, 'deployment-controller', { now: this.now });
    this.deployments = new Informer<Deployment>(client, { path: '/apis/apps/v1/deployments', pageSize: 500, onError: options.onInformerError });
    this.queue = new WorkQueue((key) => this.sync(key), { workers: 4 }, options.onError);
    const enqueue = (d: Deployment) => this.queue.add(objectKey(d));
    this.deployments.on('add', enqueue).on('update', enqueue).on('delete', (d) => {
      this.tracker.forget(objectKey(d));
    });
    queueOwnersOfChanges(replicaSets, 'Deployment', this.deployments, (key) => this.queue.add(key));
    // Recreate waits for the old pods to be gone: a pod deletion may unblock its Deployment.
    informers.pods.on('delete', (pod: Pod) => {
      const ref = controllerRef(pod);
      if (ref?.kind !== 'ReplicaSet') return;
      const rs = this.replicaSets.get(`${pod.metadata.namespace}/${ref.name}`);
      const owner = rs && controllerRef(rs);
      if (owner?.kind === 'Deployment') this.queue.add(`${pod.metadata.namespace}/${owner.name}`);
    });
  }

  /** Starts the Deployment informer; resolves after its first list (never, if the API lacks apps/v1). */
  start(): Promise<void> {
    return this.deployments.start();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): void {
    this.queue.stop();
    this.deployments.stop();
  }

  private async sync(key: string): Promise<void> {
    const d = this.deployments.get(key);
    if (!d) return; // its ReplicaSets go through the garbage collector
    if (!this.replicaSets.synced || !this.informers.pods.synced || !this.tracker.caughtUp(key, this.replicaSets)) {
      this.queue.addAfter(key, 10);
      return;
    }
    const namespace = d.metadata.namespace ?? 'default';
    const sets = this.replicaSets.list().filter((rs) => rs.metadata.namespace === namespace);
    const pods = this.informers.pods.list().filter((p) => p.metadata.namespace === namespace);
    const plan = planDeployment(d, sets, pods, this.now());
    const about = { ...d, apiVersion: 'apps/v1', kind: 'Deployment' };
    // Several writes to one object in a sync: each goes with the resourceVersion the previous one returned.
    const latest = new Map<string, string | undefined>();
    let deploymentRV = d.metadata.resourceVersion;
    for (const a of plan.actions) {
      switch (a.kind) {
        case 'createReplicaSet': {
          try {
            const created = await this.client.create<ReplicaSet>(rsPath(namespace), a.rs);
            this.tracker.recordWrite(key, created.metadata.resourceVersion);
            latest.set(created.metadata.name!, created.metadata.resourceVersion);
          } catch (err) {
            if (!(err instanceof ApiError && err.code === 409 && err.reason === 'AlreadyExists')) {
              const msg = `Failed to create new replica set "${a.rs.metadata.name}": ${(err as Error).message}`;
              void this.events.record(about, 'Warning', 'ReplicaSetCreateError', msg);
              throw err;
            }
            await this.onNameTaken(d, a.rs, deploymentRV);
            this.queue.addAfter(key, 10);
            return;
          }
          break;
        }
        case 'updateReplicaSet': {
          const name = a.rs.metadata.name!;
          const body = { ...a.rs, metadata: { ...a.rs.metadata, resourceVersion: latest.get(name) ?? a.rs.metadata.resourceVersion } };
          const updated = await this.client.update<ReplicaSet>(`${rsPath(namespace)}/${name}`, body);
          this.tracker.recordWrite(key, updated.metadata.resourceVersion);
          latest.set(name, updated.metadata.resourceVersion);
          break;
        }
        case 'deleteReplicaSet':
          await this.client
            .delete(`${rsPath(namespace)}/${a.rs.metadata.name}`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: a.rs.metadata.uid } })
            .then(() => this.tracker.recordDelete(key, objectKey(a.rs)), ignore(404, 409));
          break;
        case 'setReplicaSetOwners': {
          const name = a.rs.metadata.name!;
          const patched = await this.client
            .patch<ReplicaSet>(`${rsPath(namespace)}/${name}`, { metadata: { ownerReferences: a.ownerReferences.length ? a.ownerReferences : null, resourceVersion: latest.get(name) ?? a.rs.metadata.resourceVersion } }, 'merge')
            .catch(ignore(404, 409));
          if (!patched) return; // changed meanwhile: its event queues us again
          this.tracker.recordWrite(key, patched.metadata.resourceVersion);
          latest.set(name, patched.metadata.resourceVersion);
          break;
        }
        case 'setRevision': {
          // On the main resource: a status write keeps metadata as stored (our registry's status strategy).
          const patched = await this.client.patch<Deployment>(`${deploymentsPath(namespace)}/${d.metadata.name}`, { metadata: { annotations: { 'deployment.kubernetes.io/revision': a.revision } } }, 'merge');
          deploymentRV = patched.metadata.resourceVersion;
          break;
        }
        case 'event':
          void this.events.record(about, a.type, a.reason, a.message);
          break;
        case 'updateStatus':
          try {
            const body = { ...d, metadata: { ...d.metadata, resourceVersion: deploymentRV }, status: a.status };
            await this.client.update(`${deploymentsPath(namespace)}/${d.metadata.name}/status`, body);
          } catch (err) {
            // A newer Deployment is on its way through the informer, which queues us again.
            if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
          }
          break;
      }
    }
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  /** The new ReplicaSet's name exists: ours with the same template (a stale cache), or a hash collision. */
  private async onNameTaken(d: Deployment, wanted: ReplicaSet, deploymentRV: string | undefined): Promise<void> {
    const namespace = d.metadata.namespace ?? 'default';
    const existing = await this.client.get<ReplicaSet>(`${rsPath(namespace)}/${wanted.metadata.name}`).catch(ignore(404));
    if (!existing) return;
    if (controllerRef(existing)?.uid === d.metadata.uid && equalIgnoreHash(existing.spec?.template, d.spec?.template)) return;
    // Collision: bump status.collisionCount so the next hash differs (as getNewReplicaSet).
    const status = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
    await this.client
      .update(`${deploymentsPath(namespace)}/${d.metadata.name}/status`, { ...d, metadata: { ...d.metadata, resourceVersion: deploymentRV }, status })
      .catch(ignore(404, 409));
  }
}

function ignore(...codes: number[]) {
  return (err: unknown): undefined => {
    if (err instanceof ApiError && codes.includes(err.code)) return undefined;
    throw err;
  };
}

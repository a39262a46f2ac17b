// The ReplicaSet controller's I/O: ReplicaSet and pod events → ReplicaSet keys → reconcileReplicaSet →
// pod creates/deletes, adoption and release patches, and the status write.
import type { Pod, ReplicaSet } from '../../api/index.ts';
import { ApiError, Informer, objectKey, type ApiClient } from '../../client/index.ts';
import { EventRecorder } from '../runtime/events.ts';
import { WriteTracker, type SharedInformers } from '../runtime/informers.ts';
import { WorkQueue } from '../runtime/queue.ts';
import { queueOwnersOfChanges } from '../runtime/owners.ts';
import { podFromTemplate, reconcileReplicaSet, replicaSetOwnerRef } from './reconcile.ts';

const rsPath = (ns: string) => `/apis/apps/v1/namespaces/${ns}/replicasets`;
const podsPath = (ns: string) => `/api/v1/namespaces/${ns}/pods`;

export interface ReplicaSetControllerOptions {
  now?: () => Date;
  onError?: (key: string, err: unknown) => void;
  onInformerError?: (err: Error) => void;
}

export class ReplicaSetController {
  readonly replicaSets: Informer<ReplicaSet>;
  private readonly client: ApiClient;
  private readonly informers: SharedInformers;
  private readonly queue: WorkQueue;
  private readonly tracker = new WriteTracker();
  private readonly events: EventRecorder;
  private readonly now: () => Date;

  constructor(client: ApiClient, informers: SharedInformers, options: ReplicaSetControllerOptions = {}) {
    this.client = client;
    this.informers = informers;
    this.now = options.now ?? (() => new Date());
    this.events = new EventRecorder(client, 'replicaset-controller', { now: this.now });
    this.replicaSets = new Informer<ReplicaSet>(client, { path: '/apis/apps/v1/replicasets', pageSize: 500, onError: options.onInformerError });
    this.queue = new WorkQueue((key) => this.sync(key), { workers: 4 }, options.onError);
    const enqueueRS = (rs: ReplicaSet) => this.queue.add(objectKey(rs));
    this.replicaSets.on('add', enqueueRS).on('update', enqueueRS).on('delete', (rs) => {
      this.tracker.forget(objectKey(rs));
      enqueueRS(rs);
    });
    // An orphan pod: every ReplicaSet whose selector matches may adopt it (getPodReplicaSets).
    queueOwnersOfChanges(informers.pods, 'ReplicaSet', this.replicaSets, (key) => this.queue.add(key));
  }

  /** Starts the ReplicaSet informer; resolves after its first list (never, if the API lacks apps/v1). */
  start(): Promise<void> {
    return this.replicaSets.start();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): void {
    this.queue.stop();
    this.replicaSets.stop();
  }

  private async sync(key: string): Promise<void> {
    const rs = this.replicaSets.get(key);
    if (!rs) return; // its pods go through the garbage collector (ownerReferences)
    // The pod cache must be listed (else a restart would create every pod again) and hold our own creates
    // and deletes (the controller's "expectations").
    if (!this.informers.pods.synced || !this.tracker.caughtUp(key, this.informers.pods)) {
      this.queue.addAfter(key, 5);
      return;
    }
    const namespace = rs.metadata.namespace ?? 'default';
    const pods = this.informers.pods.list().filter((p) => p.metadata.namespace === namespace);
    const decision = reconcileReplicaSet(rs, pods, this.now());
    const ref = replicaSetOwnerRef(rs);
    const about = { ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' };

    for (const pod of decision.adopt) {
      const patched = await this.client
        .patch<Pod>(`${podsPath(namespace)}/${pod.metadata.name}`, { metadata: { ownerReferences: [...(pod.metadata.ownerReferences ?? []), ref], resourceVersion: pod.metadata.resourceVersion } }, 'merge')
        .catch(ignore(404, 409));
      if (patched) this.tracker.recordWrite(key, patched.metadata.resourceVersion);
    }
    for (const pod of decision.release) {
      const refs = (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid);
      await this.client
        .patch(`${podsPath(namespace)}/${pod.metadata.name}`, { metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: pod.metadata.resourceVersion } }, 'merge')
        .catch(ignore(404, 409));
    }
    let failure: unknown;
    if (decision.create) {
      // Slow start, as Kubernetes: batches of 1, 2, 4 … so a failing template fails fast.
      let remaining = decision.create;
      for (let batch = 1; remaining > 0 && failure === undefined; batch *= 2) {
        const n = Math.min(batch, remaining);
        const results = await Promise.allSettled(Array.from({ length: n }, () => this.client.create<Pod>(podsPath(namespace), podFromTemplate(rs))));
        for (const r of results) {
          if (r.status === 'fulfilled') {
            this.tracker.recordWrite(key, r.value.metadata.resourceVersion);
            void this.events.record(about, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`);
          } else if (failure === undefined) {
            failure = r.reason;
            void this.events.record(about, 'Warning', 'FailedCreate', `Error creating: ${(r.reason as Error).message}`);
          }
        }
        remaining -= n;
      }
    }
    await Promise.all(
      decision.delete.map((pod) =>
        this.client.delete<Pod>(`${podsPath(namespace)}/${pod.metadata.name}`).then(
          (deleted) => {
            // The answer carries the deletion's (or the graceful mark's) resourceVersion.
            this.tracker.recordWrite(key, deleted?.metadata?.resourceVersion);
            void this.events.record(about, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          },
          ignore(404),
        ),
      ),
    );
    const current = rs.status ?? {};
    const next = decision.status;
    if (JSON.stringify(current) !== JSON.stringify(next)) {
      try {
        await this.client.update(`${rsPath(namespace)}/${rs.metadata.name}/status`, { ...rs, status: next });
      } catch (err) {
        // A newer ReplicaSet is on its way through the informer, which queues us again.
        if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
      }
    }
    if (failure !== undefined) throw failure;
    if (decision.recheckAfterMs !== undefined) this.queue.addAfter(key, decision.recheckAfterMs);
  }
}

function ignore(...codes: number[]) {
  return (err: unknown): undefined => {
    if (err instanceof ApiError && codes.includes(err.code)) return undefined;
    throw err;
  };
}

// The Endpoints controller's I/O: Service and pod events → Service keys → reconcileEndpoints → API writes.
import type { Endpoints } from '../../api/index.ts';
import { ApiError, objectKey, type ApiClient } from '../../client/index.ts';
import type { SharedInformers } from '../runtime/informers.ts';
import { WriteTracker } from '../runtime/informers.ts';
import { WorkQueue } from '../runtime/queue.ts';
import { queueOnServiceAndPodChanges, TriggerTimes } from '../runtime/service-keyed.ts';
import { reconcileEndpoints } from './reconcile.ts';

export interface EndpointsControllerOptions {
  workers?: number;
  maxAddresses?: number;
  now?: () => Date;
  onError?: (key: string, err: unknown) => void;
}

/** Endpoints the controller never manages: the API server's own (`default/kubernetes`). */
const UNMANAGED = new Set(['default/kubernetes']);

export class EndpointsController {
  private readonly client: ApiClient;
  private readonly informers: SharedInformers;
  private readonly queue: WorkQueue;
  private readonly tracker = new WriteTracker();
  private readonly options: EndpointsControllerOptions;
  private readonly now: () => Date;
  private readonly triggerTimes: TriggerTimes;

  constructor(client: ApiClient, informers: SharedInformers, options: EndpointsControllerOptions = {}) {
    this.client = client;
    this.informers = informers;
    this.options = options;
    this.now = options.now ?? (() => new Date());
    this.queue = new WorkQueue((key) => this.sync(key), { workers: options.workers ?? 4 }, options.onError);
    this.triggerTimes = new TriggerTimes(this.now);
    const enqueue = (key: string) => {
      if (UNMANAGED.has(key)) return;
      this.triggerTimes.mark(key);
      this.queue.add(key);
    };
    queueOnServiceAndPodChanges(informers, enqueue);
    // Someone else changed or deleted an Endpoints object we manage: put it back.
    informers.endpoints.on('update', (e) => enqueue(objectKey(e)));
    informers.endpoints.on('delete', (e) => enqueue(objectKey(e)));
  }

  resyncAll(): void {
    for (const s of this.informers.services.list()) if (!UNMANAGED.has(objectKey(s))) this.queue.add(objectKey(s));
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): void {
    this.queue.stop();
  }

  private async sync(key: string): Promise<void> {
    if (!this.tracker.caughtUp(key, this.informers.endpoints)) {
      this.queue.addAfter(key, 2);
      return;
    }
    const [namespace, name] = key.split('/');
    const service = this.informers.services.get(key);
    const current = this.informers.endpoints.get(key);
    // Only Endpoints of Services with a selector are ours; a selector-less Service's are its user's.
    if (!service && current && !this.wasOurs(current)) return;
    const pods = this.informers.pods.list().filter((p) => p.metadata.namespace === namespace);
    const write = reconcileEndpoints(service, pods, current, { triggerTime: this.triggerTimes.take(key), maxAddresses: this.options.maxAddresses });
    const path = `/api/v1/namespaces/${namespace}/endpoints`;
    try {
      if (write.action === 'create' && write.object) {
        const created = await this.client.create<Endpoints>(path, write.object);
        this.tracker.recordWrite(key, created.metadata.resourceVersion);
      } else if (write.action === 'update' && write.object) {
        const updated = await this.client.update<Endpoints>(`${path}/${name}`, write.object);
        this.tracker.recordWrite(key, updated.metadata.resourceVersion);
      } else if (write.action === 'delete') {
        await this.client.delete(`${path}/${name}`);
        this.tracker.recordDelete(key, key);
      }
    } catch (err) {
      // A deleted object, or one created meanwhile: the informer event re-queues the key.
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) {
        this.queue.addAfter(key, 5);
        return;
      }
      throw err;
    }
  }

  /** Endpoints the controller made carry the trigger-time annotation; hand-written ones rarely do. */
  private wasOurs(endpoints: Endpoints): boolean {
    return endpoints.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'] !== undefined;
  }
}

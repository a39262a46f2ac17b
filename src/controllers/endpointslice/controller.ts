// The EndpointSlice controller's I/O: informer events → Service keys → reconcile → API writes. Also runs
// EndpointSlice mirroring for selector-less Services.
import type { EndpointSlice } from '../../api/index.ts';
import { ApiError, objectKey, type ApiClient } from '../../client/index.ts';
import type { SharedInformers } from '../runtime/informers.ts';
import { WriteTracker } from '../runtime/informers.ts';
import { WorkQueue } from '../runtime/queue.ts';
import { queueOnServiceAndPodChanges, TriggerTimes } from '../runtime/service-keyed.ts';
import { reconcileMirroredSlices } from './mirror.ts';
import {
  DEFAULT_MAX_ENDPOINTS_PER_SLICE,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  MANAGED_BY_CONTROLLER,
  MANAGED_BY_MIRRORING,
  reconcileEndpointSlices,
  type SliceWrites,
} from './reconcile.ts';

export interface EndpointSliceControllerOptions {
  maxEndpointsPerSlice?: number;
  workers?: number;
  now?: () => Date;
  onError?: (key: string, err: unknown) => void;
}

const slicesPath = (ns: string) => `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`;

export class EndpointSliceController {
  private readonly client: ApiClient;
  private readonly informers: SharedInformers;
  private readonly queue: WorkQueue;
  private readonly tracker = new WriteTracker();
  private readonly maxPerSlice: number;
  private readonly now: () => Date;
  private readonly triggerTimes: TriggerTimes;

  constructor(client: ApiClient, informers: SharedInformers, options: EndpointSliceControllerOptions = {}) {
    this.client = client;
    this.informers = informers;
    this.maxPerSlice = Math.min(options.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE, 1000);
    this.now = options.now ?? (() => new Date());
    this.queue = new WorkQueue((key) => this.sync(key), { workers: options.workers ?? 4 }, options.onError);

    this.triggerTimes = new TriggerTimes(this.now);
    const enqueue = (key: string) => {
      this.triggerTimes.mark(key);
      this.queue.add(key);
    };
    queueOnServiceAndPodChanges(informers, enqueue);
    const onSlice = (slice: EndpointSlice) => {
      const service = slice.metadata.labels?.[LABEL_SERVICE_NAME];
      if (service) enqueue(`${slice.metadata.namespace}/${service}`);
    };
    informers.endpointSlices.on('add', onSlice);
    informers.endpointSlices.on('update', onSlice);
    informers.endpointSlices.on('delete', onSlice);
    // Mirroring: hand-written Endpoints of selector-less Services.
    const onEndpoints = (e: { metadata: { namespace?: string; name?: string } }) => enqueue(`${e.metadata.namespace}/${e.metadata.name}`);
    informers.endpoints.on('add', onEndpoints);
    informers.endpoints.on('update', onEndpoints);
    informers.endpoints.on('delete', onEndpoints);
  }

  /** Queue every Service (after the informers synced). */
  resyncAll(): void {
    for (const s of this.informers.services.list()) this.queue.add(objectKey(s));
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): void {
    this.queue.stop();
  }

  private async sync(key: string): Promise<void> {
    if (!this.tracker.caughtUp(key, this.informers.endpointSlices)) {
      this.queue.addAfter(key, 2);
      return;
    }
    const [namespace, name] = key.split('/');
    const service = this.informers.services.get(key);
    const slices = this.informers.endpointSlices
      .list()
      .filter((s) => s.metadata.namespace === namespace && s.metadata.labels?.[LABEL_SERVICE_NAME] === name);
    const ours = slices.filter((s) => s.metadata.labels?.[LABEL_MANAGED_BY] === MANAGED_BY_CONTROLLER);
    const mirrored = slices.filter((s) => s.metadata.labels?.[LABEL_MANAGED_BY] === MANAGED_BY_MIRRORING);
    const options = { maxEndpointsPerSlice: this.maxPerSlice, triggerTime: this.triggerTimes.take(key) };

    let writes: SliceWrites = { create: [], update: [], delete: [] };
    if (!service || service.spec.type === 'ExternalName') {
      // Slices of a deleted Service are garbage-collected through their ownerReference; delete ours at once.
      writes.delete.push(...ours, ...mirrored);
    } else if (service.spec.selector) {
      const pods = this.informers.pods.list().filter((p) => p.metadata.namespace === namespace);
      writes = reconcileEndpointSlices(service, pods, ours, options);
      writes.delete.push(...mirrored);
    } else {
      writes = reconcileMirroredSlices(service, this.informers.endpoints.get(key), mirrored, options);
      writes.delete.push(...ours);
    }
    await this.apply(key, namespace, writes);
  }

  private async apply(key: string, namespace: string, writes: SliceWrites): Promise<void> {
    for (const slice of writes.delete) {
      try {
        await this.client.delete(`${slicesPath(namespace)}/${slice.metadata.name}`);
        this.tracker.recordDelete(key, objectKey(slice));
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    for (const slice of writes.update) {
      const written = await this.client.update<EndpointSlice>(`${slicesPath(namespace)}/${slice.metadata.name}`, slice);
      this.tracker.recordWrite(key, written.metadata.resourceVersion);
    }
    for (const slice of writes.create) {
      const written = await this.client.create<EndpointSlice>(slicesPath(namespace), slice);
      this.tracker.recordWrite(key, written.metadata.resourceVersion);
    }
  }
}

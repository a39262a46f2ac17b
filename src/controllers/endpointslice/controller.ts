// The EndpointSlice controller's I/O: informer events → Service keys → reconcile → API writes. Also runs
// EndpointSlice mirroring for selector-less Services.
import type { EndpointSlice, Pod, Service } from '../../api/index.ts';
import { ApiError, objectKey, type ApiClient } from '../../client/index.ts';
import { selectorMatches } from '../podutil.ts';
import type { SharedInformers } from '../runtime/informers.ts';
import { WriteTracker } from '../runtime/informers.ts';
import { WorkQueue } from '../runtime/queue.ts';
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

/** Services in the pod's namespace whose selector matches the pod's labels (now or before the change). */
export function servicesSelecting(services: readonly Service[], pod: Pod, oldPod?: Pod): string[] {
  const keys: string[] = [];
  for (const service of services) {
    if (service.metadata.namespace !== pod.metadata.namespace || !service.spec.selector) continue;
    if (selectorMatches(service.spec.selector, pod.metadata.labels) || (oldPod && selectorMatches(service.spec.selector, oldPod.metadata.labels))) {
      keys.push(objectKey(service));
    }
  }
  return keys;
}

export class EndpointSliceController {
  private readonly client: ApiClient;
  private readonly informers: SharedInformers;
  private readonly queue: WorkQueue;
  private readonly tracker = new WriteTracker();
  private readonly maxPerSlice: number;
  private readonly now: () => Date;
  /** When a key was first queued since its last sync: the change's trigger time. */
  private readonly firstQueued = new Map<string, Date>();

  constructor(client: ApiClient, informers: SharedInformers, options: EndpointSliceControllerOptions = {}) {
    this.client = client;
    this.informers = informers;
    this.maxPerSlice = Math.min(options.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE, 1000);
    this.now = options.now ?? (() => new Date());
    this.queue = new WorkQueue((key) => this.sync(key), { workers: options.workers ?? 4 }, options.onError);

    const enqueue = (key: string) => {
      if (!this.firstQueued.has(key)) this.firstQueued.set(key, this.now());
      this.queue.add(key);
    };
    informers.services.on('add', (s) => enqueue(objectKey(s)));
    informers.services.on('update', (s) => enqueue(objectKey(s)));
    informers.services.on('delete', (s) => enqueue(objectKey(s)));
    const onPod = (pod: Pod, old?: Pod) => servicesSelecting(informers.services.list(), pod, old).forEach(enqueue);
    informers.pods.on('add', (p) => onPod(p));
    informers.pods.on('update', (p, old) => onPod(p, old));
    informers.pods.on('delete', (p) => onPod(p));
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
    const triggerTime = (this.firstQueued.get(key) ?? this.now()).toISOString();
    this.firstQueued.delete(key);
    const options = { maxEndpointsPerSlice: this.maxPerSlice, triggerTime };

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

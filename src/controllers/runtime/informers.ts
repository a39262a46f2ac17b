// The informers the controllers share (one list+watch per resource, as client-go's SharedInformerFactory),
// and a tracker that keeps a controller from acting on a cache older than its own last write.
import type { Endpoints, EndpointSlice, KubeObject, Lease, Node, Pod, Service } from '../../api/index.ts';
import { Informer, type ApiClient } from '../../client/index.ts';

export interface SharedInformers {
  services: Informer<Service>;
  pods: Informer<Pod>;
  endpointSlices: Informer<EndpointSlice>;
  endpoints: Informer<Endpoints>;
  nodes: Informer<Node>;
  leases: Informer<Lease>;
  start(): Promise<void>;
  stop(): void;
}

export function createSharedInformers(client: ApiClient, onError?: (err: Error) => void): SharedInformers {
  const make = <T extends KubeObject>(path: string) => new Informer<T>(client, { path, onError, pageSize: 500 });
  const informers = {
    services: make<Service>('/api/v1/services'),
    pods: make<Pod>('/api/v1/pods'),
    endpointSlices: make<EndpointSlice>('/apis/discovery.k8s.io/v1/endpointslices'),
    endpoints: make<Endpoints>('/api/v1/endpoints'),
    nodes: make<Node>('/api/v1/nodes'),
    leases: make<Lease>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases'),
  };
  const all = Object.values(informers) as Informer<KubeObject>[];
  return {
    ...informers,
    start: async () => {
      await Promise.all(all.map((i) => i.start()));
    },
    stop: () => all.forEach((i) => i.stop()),
  };
}

/**
 * Remembers, per controller key, the newest resourceVersion this controller wrote and the objects it
 * deleted, so a reconcile waits until the informer has caught up (as the EndpointSlice controller's
 * endpointSliceTracker does) instead of creating duplicates from a stale cache.
 */
export class WriteTracker {
  private readonly written = new Map<string, number>();
  private readonly deleted = new Map<string, Set<string>>();

  recordWrite(key: string, resourceVersion: string | undefined): void {
    const rv = Number(resourceVersion ?? 0);
    if (rv > (this.written.get(key) ?? 0)) this.written.set(key, rv);
  }

  recordDelete(key: string, objectKey: string): void {
    let set = this.deleted.get(key);
    if (!set) this.deleted.set(key, (set = new Set()));
    set.add(objectKey);
  }

  /** True when the informer has seen everything this controller wrote for key. */
  caughtUp(key: string, informer: { lastResourceVersion: string; get(k: string): unknown }): boolean {
    const rv = this.written.get(key);
    if (rv !== undefined) {
      if (Number(informer.lastResourceVersion || 0) < rv) return false;
      this.written.delete(key);
    }
    const gone = this.deleted.get(key);
    if (gone) {
      for (const k of gone) if (informer.get(k) === undefined) gone.delete(k);
      if (gone.size) return false;
      this.deleted.delete(key);
    }
    return true;
  }

  forget(key: string): void {
    this.written.delete(key);
    this.deleted.delete(key);
  }
}

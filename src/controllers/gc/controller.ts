// The garbage collector's I/O: informers over owner and dependent resources; dependents whose owners are
// gone are deleted, orphaning and foreground deletion are carried out.
import type { KubeObject, OwnerReference } from '../../api/index.ts';
import { ApiError, Informer, objectKey, type ApiClient } from '../../client/index.ts';
import { WorkQueue } from '../runtime/queue.ts';
import { decideDependent, ownerFinalizerToRemove } from './decide.ts';

export interface GCResource {
  apiVersion: string;
  kind: string;
  /** Cluster-wide list path, e.g. /api/v1/pods. */
  listPath: string;
  /** Object path for (namespace, name). */
  objectPath: (namespace: string | undefined, name: string) => string;
}

export function coreResource(kind: string, plural: string, namespaced = true): GCResource {
  return {
    apiVersion: 'v1',
    kind,
    listPath: `/api/v1/${plural}`,
    objectPath: (ns, name) => (namespaced ? `/api/v1/namespaces/${ns}/${plural}/${name}` : `/api/v1/${plural}/${name}`),
  };
}

export function groupResource(group: string, version: string, kind: string, plural: string): GCResource {
  return {
    apiVersion: `${group}/${version}`,
    kind,
    listPath: `/apis/${group}/${version}/${plural}`,
    objectPath: (ns, name) => `/apis/${group}/${version}/namespaces/${ns}/${plural}/${name}`,
  };
}

export const DEFAULT_GC_RESOURCES: GCResource[] = [
  coreResource('Pod', 'pods'),
  coreResource('Service', 'services'),
  groupResource('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices'),
  groupResource('apps', 'v1', 'ReplicaSet', 'replicasets'),
  groupResource('apps', 'v1', 'Deployment', 'deployments'),
];

export class GarbageCollector {
  private readonly client: ApiClient;
  private readonly resources: GCResource[];
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly queue: WorkQueue;

  constructor(client: ApiClient, resources: GCResource[] = DEFAULT_GC_RESOURCES, options: { onError?: (key: string, err: unknown) => void } = {}) {
    this.client = client;
    this.resources = resources;
    this.queue = new WorkQueue((key) => this.sync(key), { workers: 2 }, options.onError);
    for (const r of resources) {
      const informer = new Informer<KubeObject>(client, { path: r.listPath });
      const kindKey = (o: KubeObject) => `${r.kind}|${objectKey(o)}`;
      informer.on('add', (o) => this.queue.add(kindKey(o)));
      informer.on('update', (o) => this.queue.add(kindKey(o)));
      // An owner going away: its dependents need a look.
      informer.on('delete', (o) => this.enqueueDependentsOf(o.metadata.uid));
      this.informers.set(r.kind, informer);
    }
  }

  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start()));
    for (const [kind, informer] of this.informers) for (const o of informer.list()) this.queue.add(`${kind}|${objectKey(o)}`);
  }

  stop(): void {
    this.queue.stop();
    for (const i of this.informers.values()) i.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private enqueueDependentsOf(uid: string | undefined): void {
    if (!uid) return;
    for (const [kind, informer] of this.informers) {
      for (const o of informer.list()) {
        if ((o.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) this.queue.add(`${kind}|${objectKey(o)}`);
      }
    }
  }

  private lookup = (ref: OwnerReference, namespace: string | undefined): KubeObject | undefined => {
    const informer = this.informers.get(ref.kind);
    if (!informer) return { metadata: { uid: ref.uid } } as KubeObject; // unknown kinds: assume alive
    // An owner kind not listed yet (the apps/v1 informers start with the others): alive until we know, or a
    // restart would collect every Deployment's pods before the ReplicaSets are in the cache.
    if (!informer.synced) return { metadata: { uid: ref.uid } } as KubeObject;
    return informer.get(namespace ? `${namespace}/${ref.name}` : ref.name) ?? informer.get(ref.name);
  };

  private dependentsOf(uid: string): { kind: string; object: KubeObject }[] {
    const out: { kind: string; object: KubeObject }[] = [];
    for (const [kind, informer] of this.informers) {
      for (const object of informer.list()) {
        if ((object.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) out.push({ kind, object });
      }
    }
    return out;
  }

  private async sync(key: string): Promise<void> {
    const [kind, objKey] = key.split('|');
    const resource = this.resources.find((r) => r.kind === kind);
    const object = this.informers.get(kind)?.get(objKey);
    if (!resource || !object) return;
    const path = resource.objectPath(object.metadata.namespace, object.metadata.name ?? '');
    try {
      const decision = decideDependent(object, this.lookup);
      if (decision.action === 'delete') {
        await this.client.delete(path, {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          propagationPolicy: decision.propagation,
          preconditions: { uid: object.metadata.uid },
        });
      } else if (decision.action === 'removeOwnerRefs') {
        const remaining = (object.metadata.ownerReferences ?? []).filter((r) => !decision.uids.includes(r.uid));
        await this.client.patch(path, { metadata: { ownerReferences: remaining.length ? remaining : null, resourceVersion: object.metadata.resourceVersion } }, 'merge');
      }
      // As an owner in deletion: drop its finalizer once its dependents are handled.
      if (object.metadata.deletionTimestamp && object.metadata.uid) {
        const dependents = this.dependentsOf(object.metadata.uid);
        for (const d of dependents) this.queue.add(`${d.kind}|${objectKey(d.object)}`);
        const finalizer = ownerFinalizerToRemove(object, dependents.map((d) => d.object));
        if (finalizer) {
          const finalizers = (object.metadata.finalizers ?? []).filter((f) => f !== finalizer);
          await this.client.patch(path, { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: object.metadata.resourceVersion } }, 'merge');
        } else if (dependents.length) {
          this.queue.addAfter(key, 200);
        }
      }
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }
}

// What the Service-keyed controllers (EndpointSlice, Endpoints) share: which informer events queue which
// Service, and the trigger time each queued change carries (the
// `endpoints.kubernetes.io/last-change-trigger-time` the proxy measures network programming latency from).
import type { Pod } from '../../api/index.ts';
import { objectKey } from '../../client/index.ts';
import { selectorMatches } from '../podutil.ts';
import type { SharedInformers } from './informers.ts';

/** Services in the pod's namespace whose selector matches the pod's labels (now or before the change). */
export function servicesSelecting(services: readonly { metadata: { namespace?: string; name?: string }; spec: { selector?: Record<string, string> } }[], pod: Pod, oldPod?: Pod): string[] {
  const keys: string[] = [];
  for (const service of services) {
    if (service.metadata.namespace !== pod.metadata.namespace || !service.spec.selector) continue;
    if (selectorMatches(service.spec.selector, pod.metadata.labels) || (oldPod && selectorMatches(service.spec.selector, oldPod.metadata.labels))) {
      keys.push(`${service.metadata.namespace}/${service.metadata.name}`);
    }
  }
  return keys;
}

/** Queues a Service key on every change of the Service or of a pod it selects. */
export function queueOnServiceAndPodChanges(informers: SharedInformers, enqueue: (key: string) => void): void {
  informers.services.on('add', (s) => enqueue(objectKey(s)));
  informers.services.on('update', (s) => enqueue(objectKey(s)));
  informers.services.on('delete', (s) => enqueue(objectKey(s)));
  const onPod = (pod: Pod, old?: Pod) => servicesSelecting(informers.services.list(), pod, old).forEach(enqueue);
  informers.pods.on('add', (p) => onPod(p));
  informers.pods.on('update', (p, old) => onPod(p, old));
  informers.pods.on('delete', (p) => onPod(p));
}

/** The time a key was first queued since it was last synced: when the change it syncs happened. */
export class TriggerTimes {
  private readonly first = new Map<string, Date>();
  private readonly now: () => Date;

  constructor(now: () => Date) {
    this.now = now;
  }

  mark(key: string): void {
    if (!this.first.has(key)) this.first.set(key, this.now());
  }

  /** RFC 3339 trigger time for key, forgetting it (the next change starts a new one). */
  take(key: string): string {
    const time = (this.first.get(key) ?? this.now()).toISOString();
    this.first.delete(key);
    return time;
  }
}

// The scheduler's I/O: pending pods (no spec.nodeName, our scheduler name) are bound to a node through
// pods/binding, with kube-scheduler's events and PodScheduled condition.
import type { Node, Pod } from '../../api/index.ts';
import { ApiError, objectKey, type ApiClient } from '../../client/index.ts';
import { isPodTerminal } from '../podutil.ts';
import { EventRecorder } from '../runtime/events.ts';
import type { SharedInformers } from '../runtime/informers.ts';
import { WorkQueue } from '../runtime/queue.ts';
import { schedulePod } from './schedule.ts';

export const SCHEDULER_NAME = 'default-scheduler';

function isPending(pod: Pod): boolean {
  return (
    !pod.spec.nodeName &&
    !pod.metadata.deletionTimestamp &&
    !isPodTerminal(pod) &&
    (pod.spec.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME
  );
}

export class Scheduler {
  private readonly client: ApiClient;
  private readonly informers: SharedInformers;
  private readonly queue: WorkQueue;
  private readonly events: EventRecorder;
  /** Bindings made but not yet seen by the informer, so spreading counts them. */
  private readonly assumed = new Map<string, string>();

  constructor(client: ApiClient, informers: SharedInformers, options: { onError?: (key: string, err: unknown) => void } = {}) {
    this.client = client;
    this.informers = informers;
    this.events = new EventRecorder(client, SCHEDULER_NAME);
    // One worker: decisions see each other's bindings, as the real scheduler's one scheduling cycle does.
    this.queue = new WorkQueue((key) => this.sync(key), { workers: 1 }, options.onError);
    const onPod = (pod: Pod) => {
      if (isPending(pod)) this.queue.add(objectKey(pod));
      else this.assumed.delete(objectKey(pod));
    };
    informers.pods.on('add', onPod);
    informers.pods.on('update', onPod);
    informers.pods.on('delete', (pod) => this.assumed.delete(objectKey(pod)));
    // A node that appears or becomes Ready may fit pods that did not fit before.
    const retryPending = () => this.resyncAll();
    informers.nodes.on('add', retryPending);
    informers.nodes.on('update', (node: Node, old: Node) => {
      if (JSON.stringify(node.status?.conditions?.map((c) => [c.type, c.status])) !== JSON.stringify(old.status?.conditions?.map((c) => [c.type, c.status])) || node.spec.unschedulable !== old.spec.unschedulable) retryPending();
    });
  }

  resyncAll(): void {
    for (const pod of this.informers.pods.list()) if (isPending(pod)) this.queue.add(objectKey(pod));
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): void {
    this.queue.stop();
  }

  private podsPerNode(): Map<string, number> {
    const counts = new Map<string, number>();
    const seen = new Set<string>();
    for (const pod of this.informers.pods.list()) {
      const node = pod.spec.nodeName ?? this.assumed.get(objectKey(pod));
      if (!node || isPodTerminal(pod)) continue;
      seen.add(objectKey(pod));
      counts.set(node, (counts.get(node) ?? 0) + 1);
    }
    for (const [key, node] of this.assumed) if (!seen.has(key)) counts.set(node, (counts.get(node) ?? 0) + 1);
    return counts;
  }

  private async sync(key: string): Promise<void> {
    const pod = this.informers.pods.get(key);
    if (!pod || !isPending(pod) || this.assumed.has(key)) return;
    const result = schedulePod(pod, this.informers.nodes.list(), this.podsPerNode());
    const { namespace, name } = pod.metadata;
    if ('node' in result) {
      try {
        await this.client.create(`/api/v1/namespaces/${namespace}/pods/${name}/binding`, {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name, namespace, uid: pod.metadata.uid },
          target: { apiVersion: 'v1', kind: 'Node', name: result.node },
        });
      } catch (err) {
        if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return; // gone or already bound
        throw err;
      }
      this.assumed.set(key, result.node);
      await this.events.record({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${result.node}`);
      return;
    }
    const already = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    if (already?.status !== 'False' || already.message !== result.unschedulable) {
      const condition = {
        type: 'PodScheduled',
        status: 'False' as const,
        lastProbeTime: null,
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        reason: 'Unschedulable',
        message: result.unschedulable,
      };
      try {
        await this.client.patch(`/api/v1/namespaces/${namespace}/pods/${name}/status`, { status: { conditions: [condition] } }, 'strategic');
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
      await this.events.record({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Warning', 'FailedScheduling', result.unschedulable);
    }
    // Kubernetes retries unschedulable pods on cluster changes and periodically.
    this.queue.addAfter(key, 10_000);
  }
}

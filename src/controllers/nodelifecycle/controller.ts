// The node lifecycle controller (pkg/controller/nodelifecycle): a node whose agent stopped renewing its
// Lease for longer than the grace period goes Ready=Unknown, and its pods stop being Ready so the
// endpoint controllers take them out of Services.
import type { Condition, Lease, Node, Pod } from '../../api/index.ts';
import { ApiError, type ApiClient } from '../../client/index.ts';
import type { SharedInformers } from '../runtime/informers.ts';

/** kube-controller-manager's --node-monitor-grace-period default. */
export const NODE_MONITOR_GRACE_MS = 40_000;

/** Pure: is the node's last heartbeat (lease renewal, else Ready condition heartbeat) older than the grace? */
export function nodeHeartbeatExpired(node: Node, lease: Lease | undefined, now: Date, graceMs: number): boolean {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const beats = [lease?.spec.renewTime, ready?.lastHeartbeatTime].filter((t): t is string => !!t).map((t) => Date.parse(t));
  if (!beats.length) return false; // never reported: nothing to time out from
  return now.getTime() - Math.max(...beats) > graceMs;
}

export class NodeLifecycleController {
  private readonly client: ApiClient;
  private readonly informers: SharedInformers;
  private readonly now: () => Date;
  private readonly graceMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(client: ApiClient, informers: SharedInformers, options: { now?: () => Date; graceMs?: number } = {}) {
    this.client = client;
    this.informers = informers;
    this.now = options.now ?? (() => new Date());
    this.graceMs = options.graceMs ?? NODE_MONITOR_GRACE_MS;
  }

  start(periodMs = 5000): void {
    this.timer = setInterval(() => void this.check().catch(() => {}), periodMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async check(): Promise<void> {
    const now = this.now();
    const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z');
    for (const node of this.informers.nodes.list()) {
      const name = node.metadata.name ?? '';
      const lease = this.informers.leases.get(`kube-node-lease/${name}`);
      if (!nodeHeartbeatExpired(node, lease, now, this.graceMs)) continue;
      const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
      if (ready?.status !== 'Unknown') {
        const conditions: Condition[] = (node.status?.conditions ?? []).map((c) =>
          ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].includes(c.type)
            ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: stamp }
            : c,
        );
        await this.client.patch(`/api/v1/nodes/${name}/status`, { status: { conditions } }, 'strategic').catch(ignoreNotFound);
      }
      for (const pod of this.informers.pods.list()) {
        if (pod.spec.nodeName !== name) continue;
        await this.markPodNotReady(pod, stamp);
      }
    }
  }

  private async markPodNotReady(pod: Pod, stamp: string): Promise<void> {
    const conditions = pod.status?.conditions ?? [];
    if (!conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return;
    const updated = conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' as const, lastTransitionTime: stamp } : c));
    await this.client
      .patch(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, { status: { conditions: updated } }, 'strategic')
      .catch(ignoreNotFound);
  }
}

function ignoreNotFound(err: unknown): void {
  if (!(err instanceof ApiError && err.code === 404)) throw err;
}

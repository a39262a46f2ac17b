// Registers this node and keeps it alive: Node object (create, or take over an existing one), node status
// heartbeat and the kube-node-lease Lease, every heartbeat period.
import fs from 'node:fs';
import os from 'node:os';
import { ApiError, type ApiClient } from '../client/index.ts';
import type { Lease, Node } from '../api/index.ts';
import { microTime, nodeLease, nodeObject, nodeStatus, type NodeFacts } from './nodeobject.ts';
import type { AgentConfig } from './config.ts';

export function hostFacts(cfg: AgentConfig): NodeFacts {
  const read = (p: string, fallback: string): string => {
    try {
      return fs.readFileSync(p, 'utf8').trim();
    } catch {
      return fallback;
    }
  };
  const pretty = /PRETTY_NAME="([^"]*)"/.exec(read('/etc/os-release', ''))?.[1] ?? 'Linux';
  return {
    name: cfg.node,
    internalIP: cfg.nodeIP.split('/')[0] ?? '',
    podCIDRs: cfg.podCIDRs.map((c) => c.text),
    kubeletPort: cfg.kubeletPort,
    kernelVersion: os.release(),
    osImage: pretty,
    cpus: os.cpus().length,
    memoryKi: Math.floor(os.totalmem() / 1024),
    bootID: read('/proc/sys/kernel/random/boot_id', ''),
    machineID: read('/etc/machine-id', ''),
  };
}

export class NodeHeartbeat {
  private readonly client: ApiClient;
  private readonly facts: NodeFacts;
  private readonly periodMs: number;
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private nodeUID: string | undefined;

  constructor(client: ApiClient, facts: NodeFacts, periodMs: number, clock: () => number = Date.now) {
    this.client = client;
    this.facts = facts;
    this.periodMs = periodMs;
    this.clock = clock;
  }

  /** Creates (or re-registers) the Node, then heartbeats. */
  async start(): Promise<void> {
    await this.register();
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => {}), this.periodMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private now(): string {
    return new Date(this.clock()).toISOString().replace(/\.\d+Z$/, 'Z');
  }

  private async register(): Promise<void> {
    const node = nodeObject(this.facts, this.now());
    try {
      const created = await this.client.create<Node>('/api/v1/nodes', node);
      this.nodeUID = created.metadata.uid;
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 409) throw err;
      // Already registered (agent restart): as the kubelet, reconcile labels and podCIDRs.
      const existing = await this.client.patch<Node>(
        `/api/v1/nodes/${this.facts.name}`,
        { metadata: { labels: node.metadata.labels }, spec: podCIDRSpec(node) },
        'merge',
      );
      this.nodeUID = existing.metadata.uid;
    }
    // Some API servers drop status on create: write it through the status subresource.
    await this.client.patch(`/api/v1/nodes/${this.facts.name}/status`, { status: node.status }, 'merge');
  }

  private async beat(): Promise<void> {
    let previous: Node | undefined;
    try {
      previous = await this.client.get<Node>(`/api/v1/nodes/${this.facts.name}`);
    } catch {
      previous = undefined;
    }
    if (!previous) {
      await this.register();
    } else {
      this.nodeUID = previous.metadata.uid;
      const status = nodeStatus(this.facts, previous.status?.conditions, this.now());
      await this.client.patch(`/api/v1/nodes/${this.facts.name}/status`, { status }, 'merge');
    }
    await this.renewLease();
  }

  private async renewLease(): Promise<void> {
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${this.facts.name}`;
    const nowMs = this.clock();
    try {
      const lease = await this.client.get<Lease>(path);
      lease.spec = { ...lease.spec, holderIdentity: this.facts.name, leaseDurationSeconds: 40, renewTime: microTime(nowMs) };
      await this.client.update(path, lease);
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 404) throw err;
      await this.client.create('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', nodeLease(this.facts.name, this.nodeUID, nowMs));
    }
  }
}

function podCIDRSpec(node: Node): Node['spec'] {
  return { podCIDR: node.spec.podCIDR, podCIDRs: node.spec.podCIDRs };
}

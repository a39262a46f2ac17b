// The Node and Lease objects the agent keeps (pure), as the kubelet registers and heartbeats them.
import type { Condition, Lease, Node } from '../api/index.ts';

export const KUBELET_VERSION = 'v1.33.0-clusterip';
export const RUNTIME_VERSION = 'clusterip://0.1.0';
export const LEASE_DURATION_SECONDS = 40;

export interface NodeFacts {
  name: string;
  /** Without prefix. */
  internalIP: string;
  podCIDRs: string[];
  kubeletPort: number;
  kernelVersion: string;
  osImage: string;
  cpus: number;
  memoryKi: number;
  bootID: string;
  machineID: string;
}

export function nodeLabels(name: string): Record<string, string> {
  return {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': 'amd64',
  };
}

/** The kubelet's node conditions, keeping transition times of unchanged ones. */
export function nodeConditions(previous: Condition[] | undefined, now: string): Condition[] {
  const make = (type: string, status: 'True' | 'False', reason: string, message: string): Condition => {
    const prev = previous?.find((c) => c.type === type);
    return {
      type,
      status,
      lastHeartbeatTime: now,
      lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
      reason,
      message,
    };
  };
  return [
    make('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    make('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    make('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    make('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

export function nodeStatus(f: NodeFacts, previous: Condition[] | undefined, now: string): NonNullable<Node['status']> {
  const capacity = {
    cpu: String(f.cpus),
    memory: `${f.memoryKi}Ki`,
    pods: '110',
    'ephemeral-storage': '10Gi',
  };
  return {
    conditions: nodeConditions(previous, now),
    addresses: [
      { type: 'InternalIP', address: f.internalIP },
      { type: 'Hostname', address: f.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: f.kubeletPort } },
    nodeInfo: {
      machineID: f.machineID,
      systemUUID: f.machineID,
      bootID: f.bootID,
      kernelVersion: f.kernelVersion,
      osImage: f.osImage,
      containerRuntimeVersion: RUNTIME_VERSION,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
    capacity,
    allocatable: { ...capacity },
  };
}

export function nodeObject(f: NodeFacts, now: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: f.name, labels: nodeLabels(f.name), annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: { podCIDR: f.podCIDRs[0], podCIDRs: f.podCIDRs },
    status: nodeStatus(f, undefined, now),
  };
}

/** The node's Lease in kube-node-lease (renewTime with microseconds, as MicroTime). */
export function nodeLease(name: string, nodeUID: string | undefined, nowMs: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: 'kube-node-lease',
      ...(nodeUID ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: nodeUID }] } : {}),
    },
    spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(nowMs) },
  };
}

export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

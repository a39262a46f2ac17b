// Builders for the controllers' table tests.
import type { Pod, Service } from '../api/index.ts';

export function service(name: string, patch: Partial<Service['spec']> = {}, namespace = 'default'): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, uid: `uid-svc-${name}` },
    spec: {
      selector: { app: name },
      ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
      clusterIP: '10.96.0.20',
      ipFamilies: ['IPv4'],
      ...patch,
    },
  };
}

export interface PodOptions {
  ip?: string;
  ips?: string[];
  ready?: boolean;
  terminating?: boolean;
  phase?: 'Running' | 'Succeeded' | 'Failed' | 'Pending';
  labels?: Record<string, string>;
  node?: string;
  namespace?: string;
  ports?: { name: string; containerPort: number; protocol?: 'TCP' | 'UDP' }[];
  hostname?: string;
  subdomain?: string;
}

export function pod(name: string, o: PodOptions = {}): Pod {
  const ips = o.ips ?? (o.ip === '' ? [] : [o.ip ?? '10.244.1.10']);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'web' },
      deletionTimestamp: o.terminating ? '2026-11-23T00:00:00Z' : undefined,
    },
    spec: {
      containers: [{ name: 'c', ports: o.ports }],
      nodeName: o.node ?? 'node-1',
      hostname: o.hostname,
      subdomain: o.subdomain,
    },
    status: {
      phase: o.phase ?? 'Running',
      podIP: ips[0],
      podIPs: ips.map((ip) => ({ ip })),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

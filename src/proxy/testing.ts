// Builders of Service and EndpointSlice objects for the proxy's tests (unit, real-kernel and bench).
import type { EndpointSlice, Protocol, Service } from '../api/index.ts';

export interface ServiceSpecLite {
  ns?: string;
  name: string;
  clusterIPs: string[];
  ports: { name?: string; port: number; protocol?: Protocol }[];
  affinitySeconds?: number;
  internalLocal?: boolean;
}

export function makeService(s: ServiceSpecLite): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: s.ns ?? 'default', name: s.name, resourceVersion: '1' },
    spec: {
      type: 'ClusterIP',
      clusterIP: s.clusterIPs[0],
      clusterIPs: s.clusterIPs,
      ports: s.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
      ...(s.affinitySeconds
        ? { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: s.affinitySeconds } } }
        : {}),
      ...(s.internalLocal ? { internalTrafficPolicy: 'Local' } : {}),
    },
  };
}

export interface EndpointLite {
  ip: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  node?: string;
}

export function makeSlice(s: {
  ns?: string;
  name: string;
  service: string;
  family?: 4 | 6;
  ports: { name?: string; port: number; protocol?: Protocol }[];
  endpoints: EndpointLite[];
  triggerTime?: string;
}): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace: s.ns ?? 'default',
      name: s.name,
      resourceVersion: '1',
      labels: { 'kubernetes.io/service-name': s.service },
      ...(s.triggerTime ? { annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': s.triggerTime } } : {}),
    },
    addressType: s.family === 6 ? 'IPv6' : 'IPv4',
    ports: s.ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints: s.endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: {
        ready: e.ready ?? true,
        serving: e.serving ?? e.ready ?? true,
        terminating: e.terminating ?? false,
      },
      nodeName: e.node ?? 'node-a',
    })),
  };
}

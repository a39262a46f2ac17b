// The endpoints of the `default/kubernetes` Service, which Kubernetes' API server keeps itself (the
// endpoint reconciler in pkg/controlplane/reconcilers): an Endpoints object marked skip-mirror and an
// EndpointSlice named `kubernetes`, both pointing at the address the API server advertises.
import type { EndpointSlice, Endpoints, KubeObject } from '../api/index.ts';
import { findResource } from './resources.ts';
import { rfc3339, type Store } from './registry/store.ts';

export interface AdvertisedEndpoint {
  /** The address pods reach the API server at (never loopback: Kubernetes refuses it in Endpoints). */
  ip: string;
  /** The API server's port (the kubernetes Service's targetPort). */
  port: number;
}

/** The desired objects for one advertised address. Pure. */
export function kubernetesEndpointObjects(ep: AdvertisedEndpoint): { endpoints: Endpoints; slice: EndpointSlice } {
  const ports = [{ name: 'https', port: ep.port, protocol: 'TCP' as const }];
  return {
    endpoints: {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: ep.ip }], ports }],
    },
    slice: {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: ep.ip.includes(':') ? 'IPv6' : 'IPv4',
      endpoints: [{ addresses: [ep.ip], conditions: { ready: true } }],
      ports,
    },
  };
}

/** Create or correct both objects (no write when they already match). */
export async function reconcileKubernetesEndpoints(store: Store, ep: AdvertisedEndpoint, now = new Date()): Promise<void> {
  const want = kubernetesEndpointObjects(ep);
  const ctx = { now: rfc3339(now), dryRun: false };
  const pairs: [string, KubeObject][] = [
    ['endpoints', want.endpoints],
    ['endpointslices', want.slice],
  ];
  for (const [plural, desired] of pairs) {
    const r = findResource(plural === 'endpoints' ? '' : 'discovery.k8s.io', 'v1', plural)!;
    await store.update(
      r,
      'default',
      'kubernetes',
      ctx,
      (old) => (old ? { ...old, ...desired, metadata: { ...old.metadata, labels: { ...old.metadata.labels, ...desired.metadata.labels } } } : desired),
      { createOnMissing: true },
    );
  }
}

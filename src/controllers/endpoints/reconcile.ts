// The Endpoints controller's decision (pkg/controller/endpoint): the legacy Endpoints object that
// `kubectl get endpoints` and `kubectl describe service` read, computed from a Service and its pods. Pure.
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service } from '../../api/index.ts';
import { findPort, isPodReady, podIPs, selectorMatches, shouldPodBeInEndpoints, shouldSetHostname } from '../podutil.ts';
import { ANNOTATION_TRIGGER_TIME, LABEL_HEADLESS } from '../endpointslice/reconcile.ts';

export const MAX_ENDPOINT_ADDRESSES = 1000;
export const ANNOTATION_OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';

function addressKey(a: EndpointAddress): string {
  return `${a.ip}/${a.targetRef?.uid ?? ''}`;
}

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  // As endpoints.SortSubsets: by IP bytes, then by UID.
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const ua = a.targetRef?.uid ?? '';
  const ub = b.targetRef?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

function portsKey(ports: EndpointPort[]): string {
  return ports
    .map((p) => `${p.name ?? ''}/${p.protocol ?? 'TCP'}/${p.port}`)
    .sort()
    .join(',');
}

/**
 * Subsets as endpoints.RepackSubsets leaves them: one subset per distinct port set, addresses and
 * notReadyAddresses sorted, an address ready in any subset never listed as not ready in the same one.
 */
export function desiredSubsets(service: Service, pods: readonly Pod[]): EndpointSubset[] {
  const selector = service.spec.selector ?? {};
  const publishNotReady = service.spec.publishNotReadyAddresses === true;
  const bySet = new Map<string, { ports: EndpointPort[]; ready: Map<string, EndpointAddress>; notReady: Map<string, EndpointAddress> }>();
  for (const pod of pods) {
    if (pod.metadata.namespace !== service.metadata.namespace) continue;
    if (!selectorMatches(selector, pod.metadata.labels)) continue;
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const ip = podIPs(pod).find((candidate) => {
      const family = service.spec.ipFamilies?.[0] ?? 'IPv4';
      return candidate.includes(':') === (family === 'IPv6');
    });
    if (!ip) continue;
    const address: EndpointAddress = {
      ip,
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    };
    if (pod.spec.nodeName) address.nodeName = pod.spec.nodeName;
    if (shouldSetHostname(pod, service)) address.hostname = pod.spec.hostname;
    const ready = publishNotReady || isPodReady(pod);

    const ports: EndpointPort[] = [];
    const servicePorts = service.spec.ports ?? [];
    for (const servicePort of servicePorts) {
      const port = findPort(pod, servicePort);
      if (port === undefined) continue;
      const endpointPort: EndpointPort = { port, protocol: servicePort.protocol ?? 'TCP' };
      if (servicePort.name) endpointPort.name = servicePort.name;
      if (servicePort.appProtocol) endpointPort.appProtocol = servicePort.appProtocol;
      ports.push(endpointPort);
    }
    // A pod that resolves none of a ported Service's ports contributes nothing; headless Services without
    // ports still list their pods (with no ports).
    if (servicePorts.length && !ports.length) continue;
    // Kubernetes builds one subset per (pod, port) and repacks; grouping by the pod's port set is equivalent.
    const key = portsKey(ports);
    let set = bySet.get(key);
    if (!set) bySet.set(key, (set = { ports, ready: new Map(), notReady: new Map() }));
    (ready ? set.ready : set.notReady).set(addressKey(address), address);
  }
  const subsets: EndpointSubset[] = [];
  for (const set of bySet.values()) {
    for (const k of set.ready.keys()) set.notReady.delete(k);
    const subset: EndpointSubset = {};
    const addresses = [...set.ready.values()].sort(compareAddresses);
    const notReady = [...set.notReady.values()].sort(compareAddresses);
    if (addresses.length) subset.addresses = addresses;
    if (notReady.length) subset.notReadyAddresses = notReady;
    if (set.ports.length) subset.ports = [...set.ports].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    subsets.push(subset);
  }
  return subsets.sort((a, b) => portsKey(a.ports ?? []).localeCompare(portsKey(b.ports ?? [])));
}

/** Caps the total addresses at max (ready ones first), as the controller does for huge Services. */
export function truncateSubsets(subsets: EndpointSubset[], max: number): { subsets: EndpointSubset[]; truncated: boolean } {
  const total = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
  if (total <= max) return { subsets, truncated: false };
  let budget = max;
  const out: EndpointSubset[] = subsets.map((s) => ({ ...s }));
  for (const s of out) {
    const n = Math.min(budget, s.addresses?.length ?? 0);
    if (s.addresses) s.addresses = s.addresses.slice(0, n);
    budget -= n;
  }
  for (const s of out) {
    const n = Math.min(budget, s.notReadyAddresses?.length ?? 0);
    if (s.notReadyAddresses) s.notReadyAddresses = s.notReadyAddresses.slice(0, n);
    budget -= n;
  }
  for (const s of out) {
    if (s.addresses && !s.addresses.length) delete s.addresses;
    if (s.notReadyAddresses && !s.notReadyAddresses.length) delete s.notReadyAddresses;
  }
  return { subsets: out.filter((s) => s.addresses || s.notReadyAddresses), truncated: true };
}

export interface EndpointsWrite {
  action: 'none' | 'create' | 'update' | 'delete';
  object?: Endpoints;
}

/**
 * The write that makes the Service's Endpoints match (create, update, or nothing). Services without a
 * selector are left to their users (and to EndpointSlice mirroring).
 */
export function reconcileEndpoints(
  service: Service | undefined,
  pods: readonly Pod[],
  current: Endpoints | undefined,
  options: { triggerTime?: string; maxAddresses?: number },
): EndpointsWrite {
  if (!service) {
    // The Service is gone: its controller-made Endpoints go too.
    return current ? { action: 'delete', object: current } : { action: 'none' };
  }
  if (!service.spec.selector || service.spec.type === 'ExternalName') return { action: 'none' };
  const { subsets, truncated } = truncateSubsets(desiredSubsets(service, pods), options.maxAddresses ?? MAX_ENDPOINT_ADDRESSES);

  const labels: Record<string, string> = { ...(service.metadata.labels ?? {}) };
  if (service.spec.clusterIP === 'None') labels[LABEL_HEADLESS] = '';
  const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
  if (truncated) annotations[ANNOTATION_OVER_CAPACITY] = 'truncated';
  else delete annotations[ANNOTATION_OVER_CAPACITY];

  if (current) {
    const same =
      JSON.stringify(current.subsets ?? []) === JSON.stringify(subsets) &&
      JSON.stringify(current.metadata.labels ?? {}) === JSON.stringify(labels) &&
      (current.metadata.annotations?.[ANNOTATION_OVER_CAPACITY] ?? '') === (annotations[ANNOTATION_OVER_CAPACITY] ?? '');
    if (same) return { action: 'none' };
  }
  if (options.triggerTime) annotations[ANNOTATION_TRIGGER_TIME] = options.triggerTime;
  const object: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      ...(current?.metadata ?? {}),
      name: service.metadata.name,
      namespace: service.metadata.namespace,
      labels,
      annotations,
    },
    subsets,
  };
  if (!Object.keys(annotations).length) delete object.metadata.annotations;
  return { action: current ? 'update' : 'create', object };
}

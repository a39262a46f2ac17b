// The EndpointSlice controller's decision (pkg/controller/endpointslice, staging endpointslice reconciler):
// from a Service, the pods it selects and the slices it already has, the slice writes that make them match.
// Pure: no I/O, no clock (the trigger time is passed in).
import type {
  AddressType,
  Endpoint,
  EndpointPort,
  EndpointSlice,
  OwnerReference,
  Pod,
  Service,
} from '../../api/index.ts';
import { findPort, isIPv6, isPodReady, podIPs, selectorMatches, shouldPodBeInEndpoints, shouldSetHostname } from '../podutil.ts';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY_CONTROLLER = 'endpointslice-controller.k8s.io';
export const MANAGED_BY_MIRRORING = 'endpointslicemirroring-controller.k8s.io';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
export const ANNOTATION_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

export interface SliceWrites {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export interface EndpointSliceOptions {
  maxEndpointsPerSlice: number;
  /** RFC 3339 time of the change that triggered this reconcile (set on written slices). */
  triggerTime?: string;
}

export interface EndpointGroup {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

/** The address types a Service's slices carry: one per IP family. */
export function addressTypesFor(service: Service): AddressType[] {
  const families = service.spec.ipFamilies ?? [];
  if (families.length) return families.map((f) => (f === 'IPv6' ? 'IPv6' : 'IPv4'));
  const ip = service.spec.clusterIP;
  return [ip && ip !== 'None' && isIPv6(ip) ? 'IPv6' : 'IPv4'];
}

export function portsKey(ports: readonly EndpointPort[] | null | undefined): string {
  return (ports ?? [])
    .map((p) => `${p.name ?? ''}/${p.protocol ?? 'TCP'}/${p.port}/${p.appProtocol ?? ''}`)
    .sort()
    .join(',');
}

function endpointKey(endpoint: Endpoint): string {
  return endpoint.targetRef?.uid ? `uid:${endpoint.targetRef.uid}` : `ip:${endpoint.addresses.join(',')}`;
}

/** The endpoint for one pod in one address family (podToEndpoint). */
export function podToEndpoint(pod: Pod, service: Service, address: string): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  // As Kubernetes: never ready while terminating, unless publishNotReadyAddresses.
  const ready = service.spec.publishNotReadyAddresses === true || (serving && !terminating);
  const endpoint: Endpoint = {
    addresses: [address],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec.nodeName) endpoint.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, service)) endpoint.hostname = pod.spec.hostname;
  return endpoint;
}

/** Desired endpoints of one address type, grouped by their resolved port set. */
export function desiredEndpointGroups(service: Service, pods: readonly Pod[], addressType: AddressType): EndpointGroup[] {
  const selector = service.spec.selector ?? {};
  const groups = new Map<string, EndpointGroup>();
  const sorted = [...pods].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const pod of sorted) {
    if (pod.metadata.namespace !== service.metadata.namespace) continue;
    if (!selectorMatches(selector, pod.metadata.labels)) continue;
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const address = podIPs(pod).find((ip) => isIPv6(ip) === (addressType === 'IPv6'));
    if (!address) continue;
    const ports: EndpointPort[] = [];
    for (const servicePort of service.spec.ports ?? []) {
      const port = findPort(pod, servicePort);
      if (port === undefined) continue; // this pod lacks the named port: left out of that port's slices
      const endpointPort: EndpointPort = { name: servicePort.name ?? '', port, protocol: servicePort.protocol ?? 'TCP' };
      if (servicePort.appProtocol) endpointPort.appProtocol = servicePort.appProtocol;
      ports.push(endpointPort);
    }
    const key = portsKey(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, endpoints: [] }));
    group.endpoints.push(podToEndpoint(pod, service, address));
  }
  return [...groups.values()];
}

export function sliceLabels(service: Service, managedBy = MANAGED_BY_CONTROLLER): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata.labels ?? {})) {
    if (k !== LABEL_SERVICE_NAME && k !== LABEL_MANAGED_BY) labels[k] = v;
  }
  labels[LABEL_SERVICE_NAME] = service.metadata.name ?? '';
  labels[LABEL_MANAGED_BY] = managedBy;
  if (service.spec.clusterIP === 'None') labels[LABEL_HEADLESS] = '';
  return labels;
}

export function serviceOwnerReference(service: Service): OwnerReference {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    name: service.metadata.name ?? '',
    uid: service.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** generateName for a Service's slices: the name and a dash, cut so the generated name stays ≤ 63. */
export function sliceGenerateName(serviceName: string): string {
  const prefix = `${serviceName}-`;
  return prefix.length > 58 ? `${prefix.slice(0, 57)}-` : prefix;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Desired endpoint groups per address type, from the pods a Service selects. */
export function desiredFromPods(service: Service, pods: readonly Pod[]): Map<AddressType, EndpointGroup[]> {
  return new Map(addressTypesFor(service).map((t) => [t, desiredEndpointGroups(service, pods, t)]));
}

/**
 * The EndpointSlice controller's writes for one Service: its pods → slices, minimal churn (see
 * reconcileSlices).
 */
export function reconcileEndpointSlices(
  service: Service,
  pods: readonly Pod[],
  existing: readonly EndpointSlice[],
  options: EndpointSliceOptions,
): SliceWrites {
  return reconcileSlices(service, desiredFromPods(service, pods), existing, options, MANAGED_BY_CONTROLLER);
}

/**
 * The writes that make `existing` (a Service's slices managed by `managedBy`) hold the desired endpoints,
 * with minimal churn: endpoints stay in the slice they are in, new ones fill free room before a new slice
 * is made, and a slice is written only when its content changes.
 */
export function reconcileSlices(
  service: Service,
  desired: Map<AddressType, EndpointGroup[]>,
  existing: readonly EndpointSlice[],
  options: EndpointSliceOptions,
  managedBy: string,
): SliceWrites {
  const writes: SliceWrites = { create: [], update: [], delete: [] };
  const labels = sliceLabels(service, managedBy);
  const owner = serviceOwnerReference(service);
  const max = Math.max(1, options.maxEndpointsPerSlice);
  const addressTypes = [...desired.keys()];

  const withMeta = (slice: EndpointSlice): EndpointSlice => {
    const annotations = { ...(slice.metadata.annotations ?? {}) };
    if (options.triggerTime) annotations[ANNOTATION_TRIGGER_TIME] = options.triggerTime;
    return {
      ...slice,
      metadata: { ...slice.metadata, labels, annotations, ownerReferences: [owner] },
    };
  };
  const newSlice = (addressType: AddressType, ports: EndpointPort[] | null, endpoints: Endpoint[]): EndpointSlice =>
    withMeta({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { generateName: sliceGenerateName(service.metadata.name ?? ''), namespace: service.metadata.namespace },
      addressType,
      endpoints,
      ports,
    });
  const metaChanged = (slice: EndpointSlice): boolean =>
    !sameJson(slice.metadata.labels ?? {}, labels) || !sameJson(slice.metadata.ownerReferences ?? [], [owner]);

  // Slices of address types the Service no longer has go away.
  for (const slice of existing) if (!addressTypes.includes(slice.addressType)) writes.delete.push(slice);

  for (const addressType of addressTypes) {
    const slices = existing.filter((s) => s.addressType === addressType);
    const groups = desired.get(addressType) ?? [];
    const total = groups.reduce((n, g) => n + g.endpoints.length, 0);

    if (total === 0) {
      // As Kubernetes: a Service with no endpoints keeps one empty placeholder slice per address type.
      const [keep, ...rest] = slices;
      writes.delete.push(...rest);
      if (!keep) writes.create.push(newSlice(addressType, null, []));
      else if ((keep.endpoints ?? []).length || (keep.ports ?? []).length || metaChanged(keep)) {
        writes.update.push(withMeta({ ...keep, endpoints: [], ports: null }));
      }
      continue;
    }

    const matched = new Set<EndpointSlice>();
    for (const group of groups) {
      const key = portsKey(group.ports);
      const desired = new Map(group.endpoints.map((e) => [endpointKey(e), e]));
      const candidates = slices.filter((s) => !matched.has(s) && portsKey(s.ports) === key && (s.endpoints ?? []).length > 0);
      const planned: { slice: EndpointSlice; endpoints: Endpoint[] }[] = [];
      // 1. Keep endpoints where they are, refreshed to their desired state.
      for (const slice of candidates) {
        matched.add(slice);
        const kept: Endpoint[] = [];
        for (const endpoint of slice.endpoints ?? []) {
          const want = desired.get(endpointKey(endpoint));
          if (want && kept.length < max) {
            kept.push(want);
            desired.delete(endpointKey(endpoint));
          }
        }
        planned.push({ slice, endpoints: kept });
      }
      // 2. New endpoints fill free room in existing slices, then new slices.
      const fresh = [...desired.values()];
      for (const plan of planned) {
        while (plan.endpoints.length < max && fresh.length) plan.endpoints.push(fresh.shift() as Endpoint);
      }
      for (const plan of planned) {
        if (plan.endpoints.length === 0) writes.delete.push(plan.slice);
        else if (!sameJson(plan.endpoints, plan.slice.endpoints) || metaChanged(plan.slice)) {
          writes.update.push(withMeta({ ...plan.slice, endpoints: plan.endpoints, ports: group.ports }));
        }
      }
      for (let i = 0; i < fresh.length; i += max) {
        writes.create.push(newSlice(addressType, group.ports, fresh.slice(i, i + max)));
      }
    }
    // Slices whose port set no longer exists (and empty leftovers) go away.
    for (const slice of slices) if (!matched.has(slice)) writes.delete.push(slice);
  }
  return writes;
}

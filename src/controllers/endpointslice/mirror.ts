// EndpointSlice mirroring (pkg/controller/endpointslicemirroring): a Service without a selector whose
// Endpoints a user wrote by hand gets matching EndpointSlices, so the proxy and DNS (which read slices only)
// serve it too. Pure.
import type { AddressType, Endpoint, EndpointPort, Endpoints, EndpointSlice, Service } from '../../api/index.ts';
import { isIPv6 } from '../podutil.ts';
import { MANAGED_BY_MIRRORING, portsKey, reconcileSlices, type EndpointGroup, type EndpointSliceOptions, type SliceWrites } from './reconcile.ts';

/** Desired groups from an Endpoints object's subsets (each subset is one port set). */
export function desiredFromEndpoints(endpoints: Endpoints): Map<AddressType, EndpointGroup[]> {
  const byType = new Map<AddressType, Map<string, EndpointGroup>>();
  for (const subset of endpoints.subsets ?? []) {
    const ports: EndpointPort[] = (subset.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' }));
    const add = (ready: boolean) => (address: { ip: string; hostname?: string; nodeName?: string; targetRef?: Endpoint['targetRef'] }) => {
      const type: AddressType = isIPv6(address.ip) ? 'IPv6' : 'IPv4';
      let groups = byType.get(type);
      if (!groups) byType.set(type, (groups = new Map()));
      const key = portsKey(ports);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { ports, endpoints: [] }));
      const endpoint: Endpoint = { addresses: [address.ip], conditions: { ready } };
      if (address.hostname) endpoint.hostname = address.hostname;
      if (address.nodeName) endpoint.nodeName = address.nodeName;
      if (address.targetRef) endpoint.targetRef = address.targetRef;
      group.endpoints.push(endpoint);
    };
    (subset.addresses ?? []).forEach(add(true));
    (subset.notReadyAddresses ?? []).forEach(add(false));
  }
  const out = new Map<AddressType, EndpointGroup[]>();
  for (const [type, groups] of byType) out.set(type, [...groups.values()]);
  if (!out.size) out.set('IPv4', []);
  return out;
}

/** Mirroring writes for a selector-less Service and its hand-written Endpoints (undefined: none). */
export function reconcileMirroredSlices(
  service: Service,
  endpoints: Endpoints | undefined,
  existing: readonly EndpointSlice[],
  options: EndpointSliceOptions,
): SliceWrites {
  if (service.spec.selector || !endpoints || service.spec.type === 'ExternalName') {
    return { create: [], update: [], delete: [...existing] };
  }
  return reconcileSlices(service, desiredFromEndpoints(endpoints), existing, options, MANAGED_BY_MIRRORING);
}

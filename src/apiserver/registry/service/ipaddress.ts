// IPAddress and ServiceCIDR objects (networking.k8s.io/v1, KEP-1880) as the allocator writes them, and reading
// the allocation record back. The only I/O is through the Backend handed in.
import type { IPAddress, IPFamily, Service, ServiceCIDR } from '../../../api/index.ts';
import type { Backend, TxnOp } from '../../../storage/index.ts';
import { canonicalIP, parseIP, serviceRange, type ServiceRange } from '../../../allocator/index.ts';
import { encodeForStorage, storageKeyFor } from '../../resources.ts';

export const labelIPFamily = 'ipaddress.kubernetes.io/ip-family';
export const labelManagedBy = 'ipaddress.kubernetes.io/managed-by';
/** ipallocator.ControllerName: the manager of IPAddresses that belong to Services. */
export const ipAllocatorManager = 'ipallocator.k8s.io';

export const ipAddressPrefix = '/registry/ipaddresses/';
export const serviceCIDRPrefix = '/registry/servicecidrs/';
export const servicePrefix = '/registry/services/specs/';

export function ipAddressKey(ip: string): string {
  return storageKeyFor('ipaddresses', undefined, canonicalIP(ip) ?? ip);
}

export function serviceKey(namespace: string, name: string): string {
  return storageKeyFor('services', namespace, name);
}

export function newUID(): string {
  return globalThis.crypto.randomUUID();
}

/** The IPAddress recording that ip belongs to svc (as ipallocator.createIPAddress builds it). */
export function ipAddressFor(ip: string, family: IPFamily, svc: Service, now: string): IPAddress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IPAddress',
    metadata: {
      name: canonicalIP(ip) ?? ip,
      uid: newUID(),
      creationTimestamp: now,
      labels: { [labelIPFamily]: family, [labelManagedBy]: ipAllocatorManager },
    },
    // ParentReference.group is omitempty: the core group does not appear.
    spec: { parentRef: { resource: 'services', namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '' } },
  };
}

export function createIPAddressOp(ip: string, family: IPFamily, svc: Service, now: string): TxnOp {
  return { op: 'create', key: ipAddressKey(ip), value: encodeForStorage(ipAddressFor(ip, family, svc, now)) };
}

export function deleteIPAddressOp(ip: string): TxnOp {
  return { op: 'delete', key: ipAddressKey(ip) };
}

/** The allocated (not None, well-formed) clusterIPs of a Service with their families. */
export function allocatedIPs(svc: Service): { ip: string; family: IPFamily }[] {
  if (svc.spec.type === 'ExternalName') return [];
  const out: { ip: string; family: IPFamily }[] = [];
  for (const ip of svc.spec.clusterIPs ?? (svc.spec.clusterIP ? [svc.spec.clusterIP] : [])) {
    const parsed = parseIP(ip);
    if (parsed) out.push({ ip, family: parsed.family });
  }
  return out;
}

/** Whether the IPAddress points at this Service. */
export function ownedBy(ipAddress: IPAddress, namespace: string, name: string): boolean {
  const ref = ipAddress.spec?.parentRef;
  return !!ref && (ref.group ?? '') === '' && ref.resource === 'services' && (ref.namespace ?? '') === namespace && ref.name === name;
}

function isReadyCIDR(cidr: ServiceCIDR): boolean {
  if (cidr.metadata.deletionTimestamp) return false;
  const ready = cidr.status?.conditions?.find((c) => c.type === 'Ready');
  // Kubernetes assumes Ready when no condition was written yet.
  return !ready || ready.status === 'True';
}

/**
 * The ranges allocation may use: the configured ones (primary first), then those of other ready ServiceCIDR
 * objects (a user may add ranges with `kubectl create -f servicecidr.yaml`, as KEP-1880 allows).
 */
export async function activeRanges(store: Backend, configured: readonly ServiceRange[]): Promise<ServiceRange[]> {
  const out = [...configured];
  const seen = new Set(out.map((r) => r.cidr));
  const list = await store.list(serviceCIDRPrefix);
  for (const kv of list.items) {
    let obj: ServiceCIDR;
    try {
      obj = JSON.parse(kv.value) as ServiceCIDR;
    } catch {
      continue;
    }
    if (!isReadyCIDR(obj)) continue;
    for (const cidr of obj.spec?.cidrs ?? []) {
      try {
        const r = serviceRange(cidr);
        if (!seen.has(r.cidr)) {
          seen.add(r.cidr);
          out.push(r);
        }
      } catch {
        // An unusable CIDR (validated on write; an IPv6 prefix under /64) offers no addresses.
      }
    }
  }
  return out;
}

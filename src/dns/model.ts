// The DNS' own view of the cluster: Services and EndpointSlices stripped down, at the boundary, to the fields
// the answers need (as CoreDNS' object.Service / object.Endpoints: "a stripped down api.Service with only the
// items we need"). Pure: no I/O.
import ipaddr from 'ipaddr.js';
import type { Endpoint, EndpointSlice, Namespace, Service } from '../api/index.ts';

export interface DnsPort {
  name: string;
  port: number;
  /** 'tcp' | 'udp' | 'sctp', lowercased for matching `_<proto>` labels. */
  protocol: string;
}

export type DnsServiceKind = 'ClusterIP' | 'Headless' | 'ExternalName';

export interface DnsService {
  namespace: string;
  name: string;
  kind: DnsServiceKind;
  /** ClusterIPs (IPv4 and/or IPv6); empty for headless and ExternalName. */
  clusterIPs: string[];
  /** Target of an ExternalName Service, without the trailing dot. */
  externalName: string;
  ports: DnsPort[];
}

export interface DnsEndpoint {
  addresses: string[];
  /** spec hostname; empty when unset (the dashed IP is used then). */
  hostname: string;
}

export interface DnsEndpointSlice {
  namespace: string;
  name: string;
  /** The kubernetes.io/service-name label: the Service this slice belongs to. */
  serviceName: string;
  /** Ready endpoints only: DNS publishes no others (CoreDNS: conditions.ready nil or true). */
  endpoints: DnsEndpoint[];
  /** Empty when the slice declares no ports (headless "portless" Services). */
  ports: DnsPort[];
}

export const serviceNameLabel = 'kubernetes.io/service-name';

/** 4 for a dotted-quad IPv4 address, 6 for an IPv6 address, 0 otherwise. */
export function ipFamily(s: string): 4 | 6 | 0 {
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) return 4;
  if (s.includes(':') && ipaddr.IPv6.isValid(s)) return 6;
  return 0;
}

/** A name DNS can carry: labels of 1–63 bytes, 253 in all (the API validates externalName the same way). */
export function isDomainName(name: string): boolean {
  const n = name.replace(/\.$/, '');
  if (n.length === 0 || n.length > 253) return false;
  return n.split('.').every((l) => l.length >= 1 && l.length <= 63);
}

export function isIP(s: string): boolean {
  return ipFamily(s) !== 0;
}

/** Canonical text form of an IP, so `::1` and `0:0::1` index alike (RFC 5952 for IPv6). */
export function canonicalIP(s: string): string {
  const family = ipFamily(s);
  if (family === 4) return ipaddr.IPv4.parse(s).toString();
  if (family === 6) return ipaddr.IPv6.parse(s).toRFC5952String();
  return s;
}

/** The address's bytes (4 or 16), for reverse names. */
export function ipBytes(s: string): number[] {
  return ipaddr.parse(s).toByteArray();
}

function toPorts(ports: readonly { name?: string; port?: number; protocol?: string }[] | null | undefined): DnsPort[] {
  const out: DnsPort[] = [];
  for (const p of ports ?? []) {
    if (typeof p.port !== 'number') continue;
    out.push({ name: (p.name ?? '').toLowerCase(), port: p.port, protocol: (p.protocol ?? 'TCP').toLowerCase() });
  }
  return out;
}

/** A Service as the DNS sees it; undefined for objects without a name/namespace. */
export function toDnsService(svc: Service): DnsService | undefined {
  const namespace = svc.metadata.namespace;
  const name = svc.metadata.name;
  if (!namespace || !name) return undefined;
  const spec = svc.spec ?? {};
  const base = { namespace, name, ports: toPorts(spec.ports) };
  if (spec.type === 'ExternalName') {
    const target = (spec.externalName ?? '').replace(/\.$/, '');
    return { ...base, kind: 'ExternalName', clusterIPs: [], externalName: isDomainName(target) ? target : '' };
  }
  if (spec.clusterIP === 'None') return { ...base, kind: 'Headless', clusterIPs: [], externalName: '' };
  const ips = (spec.clusterIPs && spec.clusterIPs.length > 0 ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [])
    .filter(isIP)
    .map(canonicalIP);
  return { ...base, kind: 'ClusterIP', clusterIPs: ips, externalName: '' };
}

function endpointReady(e: Endpoint): boolean {
  // As CoreDNS' EndpointSliceToEndpoints: an unknown readiness counts as ready.
  return e.conditions?.ready === undefined || e.conditions.ready === true;
}

/** An EndpointSlice as the DNS sees it; undefined for FQDN slices and slices not owned by a Service. */
export function toDnsEndpointSlice(slice: EndpointSlice): DnsEndpointSlice | undefined {
  const namespace = slice.metadata.namespace;
  const name = slice.metadata.name;
  const serviceName = slice.metadata.labels?.[serviceNameLabel];
  if (!namespace || !name || !serviceName) return undefined;
  if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') return undefined;
  const endpoints: DnsEndpoint[] = [];
  for (const e of slice.endpoints ?? []) {
    if (!endpointReady(e)) continue;
    const addresses = (e.addresses ?? []).filter(isIP).map(canonicalIP);
    if (addresses.length === 0) continue;
    endpoints.push({ addresses, hostname: (e.hostname ?? '').toLowerCase() });
  }
  return { namespace, name, serviceName, endpoints, ports: toPorts(slice.ports) };
}

export function namespaceName(ns: Namespace): string | undefined {
  return ns.metadata.name || undefined;
}

/** The endpoint's DNS label: its hostname, else the dashed IP (`10-244-1-5`, `fd00--5`), as CoreDNS. */
export function endpointLabel(hostname: string, ip: string): string {
  if (hostname) return hostname;
  return ip.includes(':') ? ip.replaceAll(':', '-') : ip.replaceAll('.', '-');
}

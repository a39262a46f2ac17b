// The proxy's domain model: Services and EndpointSlices stripped to the fields the data path needs, and the
// endpoint selection kube-proxy makes (pkg/proxy/endpointslicecache.go, pkg/proxy/topology.go). Pure.
import ipaddr from 'ipaddr.js';
import type { EndpointSlice, Protocol, Service } from '../api/index.ts';

export type Family = 4 | 6;

/** One port of a Service: what a `vip . proto . port` element stands for. */
export interface ServicePortInfo {
  /** `namespace/name:port/PROTOCOL`, unique per Service port (ports are unique by port and protocol). */
  key: string;
  /** The port's name, matched against the slices' port names (named target ports resolve per pod there). */
  name: string;
  protocol: Protocol;
  port: number;
}

export interface ServiceInfo {
  /** `namespace/name`. */
  id: string;
  namespace: string;
  name: string;
  /** Normalised addresses, at most one per family. */
  clusterIPs: string[];
  ports: ServicePortInfo[];
  /** sessionAffinity ClientIP timeout in seconds, 0 when affinity is None. */
  affinityTimeoutSeconds: number;
  /** internalTrafficPolicy Local: only this node's endpoints serve ClusterIP traffic. */
  internalTrafficLocal: boolean;
}

export interface EndpointInfo {
  ip: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName: string;
}

export interface SlicePortInfo {
  name: string;
  protocol: Protocol;
  port: number;
}

export interface SliceInfo {
  /** `namespace/name` of the slice. */
  id: string;
  /** `namespace/name` of the Service it belongs to (label kubernetes.io/service-name). */
  serviceId: string;
  family: Family;
  ports: SlicePortInfo[];
  endpoints: EndpointInfo[];
  /** endpoints.kubernetes.io/last-change-trigger-time in ms since the epoch, when present. */
  triggerTimeMs?: number;
}

/** An endpoint chosen for a Service port: the DNAT target. */
export interface Backend {
  ip: string;
  port: number;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
/** Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

/** Canonical text of an IP (nft and our element keys must agree), or undefined when it is not one. */
export function normalizeIP(text: string): { ip: string; family: Family } | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  const addr = ipaddr.parse(text);
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    // An IPv4-mapped address is an IPv4 address for our purposes (Kubernetes rejects them anyway).
    if (v6.isIPv4MappedAddress()) return { ip: v6.toIPv4Address().toString(), family: 4 };
    return { ip: v6.toString(), family: 6 };
  }
  return { ip: addr.toString(), family: 4 };
}

export function familyOf(ip: string): Family {
  return ip.includes(':') ? 6 : 4;
}

/**
 * A Service as the proxy sees it, or undefined when the proxy has nothing to program for it: ExternalName
 * and headless Services (as kube-proxy's newBaseServiceInfo, which skips "None" and empty cluster IPs).
 */
export function serviceFromApi(svc: Service): ServiceInfo | undefined {
  const namespace = svc.metadata.namespace ?? 'default';
  const name = svc.metadata.name ?? '';
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return undefined;
  const raw = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  const clusterIPs: string[] = [];
  const seenFamilies = new Set<Family>();
  for (const text of raw) {
    if (text === 'None' || text === '') continue;
    const parsed = normalizeIP(text);
    if (!parsed || seenFamilies.has(parsed.family)) continue;
    seenFamilies.add(parsed.family);
    clusterIPs.push(parsed.ip);
  }
  if (clusterIPs.length === 0) return undefined;
  const id = `${namespace}/${name}`;
  const ports: ServicePortInfo[] = (spec.ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP';
    return { key: `${id}:${p.port}/${protocol}`, name: p.name ?? '', protocol, port: p.port };
  });
  const affinityTimeoutSeconds =
    spec.sessionAffinity === 'ClientIP'
      ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS)
      : 0;
  return {
    id,
    namespace,
    name,
    clusterIPs,
    ports,
    affinityTimeoutSeconds,
    internalTrafficLocal: spec.internalTrafficPolicy === 'Local',
  };
}

/** An EndpointSlice as the proxy sees it, or undefined for slices it ignores (FQDN, no owning Service). */
export function sliceFromApi(slice: EndpointSlice): SliceInfo | undefined {
  const namespace = slice.metadata.namespace ?? 'default';
  const serviceName = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  if (!serviceName) return undefined;
  if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') return undefined;
  const family: Family = slice.addressType === 'IPv4' ? 4 : 6;
  const ports: SlicePortInfo[] = [];
  for (const p of slice.ports ?? []) {
    // As kube-proxy: a slice port without a port number carries nothing to forward to.
    if (typeof p.port !== 'number' || p.port <= 0) continue;
    ports.push({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port });
  }
  const endpoints: EndpointInfo[] = [];
  for (const ep of slice.endpoints ?? []) {
    // kube-proxy uses only the first address of an endpoint (the API allows exactly one).
    const first = ep.addresses?.[0];
    const parsed = first === undefined ? undefined : normalizeIP(first);
    if (!parsed || parsed.family !== family) continue;
    // As kube-proxy: ready unset means ready; serving unset means "same as ready"; terminating unset false.
    const ready = ep.conditions?.ready ?? true;
    const serving = ep.conditions?.serving ?? ready;
    const terminating = ep.conditions?.terminating ?? false;
    endpoints.push({ ip: parsed.ip, ready, serving, terminating, nodeName: ep.nodeName ?? '' });
  }
  const trigger = slice.metadata.annotations?.[TRIGGER_TIME_ANNOTATION];
  const triggerTimeMs = trigger ? Date.parse(trigger) : NaN;
  return {
    id: `${namespace}/${slice.metadata.name ?? ''}`,
    serviceId: `${namespace}/${serviceName}`,
    family,
    ports,
    endpoints,
    ...(Number.isFinite(triggerTimeMs) ? { triggerTimeMs } : {}),
  };
}

interface Candidate extends EndpointInfo {
  port: number;
}

/**
 * The endpoints that serve a Service port for one family, as kube-proxy's CategorizeEndpoints: ready ones;
 * when none is ready, the serving-and-terminating ones (KEP-1669); with internalTrafficPolicy Local only this
 * node's, with the same fallback among them. Endpoints are deduplicated across slices by ip:port (a ready
 * copy wins, as endpointslicecache). Sorted, so slots are stable.
 */
export function endpointsFor(
  service: ServiceInfo,
  port: ServicePortInfo,
  family: Family,
  slices: Iterable<SliceInfo>,
  nodeName: string,
): Backend[] {
  const byAddress = new Map<string, Candidate>();
  for (const slice of slices) {
    if (slice.serviceId !== service.id || slice.family !== family) continue;
    const slicePort = slice.ports.find((p) => p.name === port.name && p.protocol === port.protocol);
    if (!slicePort) continue;
    for (const ep of slice.endpoints) {
      const key = `${ep.ip}:${slicePort.port}`;
      const existing = byAddress.get(key);
      if (!existing || (!existing.ready && ep.ready)) byAddress.set(key, { ...ep, port: slicePort.port });
    }
  }
  let candidates = [...byAddress.values()];
  if (service.internalTrafficLocal) candidates = candidates.filter((ep) => ep.nodeName === nodeName);
  let chosen = candidates.filter((ep) => ep.ready);
  if (chosen.length === 0) chosen = candidates.filter((ep) => ep.serving && ep.terminating);
  const backends = chosen.map((ep) => ({ ip: ep.ip, port: ep.port }));
  if (backends.length > 1) backends.sort((a, b) => compareIP(a.ip, b.ip) || a.port - b.port);
  return backends;
}

/** Whether the Service port has any usable endpoint anywhere (decides REJECT vs DROP for ITP Local). */
export function hasAnyEndpoint(
  service: ServiceInfo,
  port: ServicePortInfo,
  family: Family,
  slices: Iterable<SliceInfo>,
): boolean {
  const anywhere: ServiceInfo = { ...service, internalTrafficLocal: false };
  return endpointsFor(anywhere, port, family, slices, '').length > 0;
}

/** Orders addresses numerically (IPv4 before IPv6). Inputs are normalised, as normalizeIP returns them. */
export function compareIP(a: string, b: string): number {
  const a4 = !a.includes(':');
  const b4 = !b.includes(':');
  if (a4 && b4) {
    const x = a.split('.');
    const y = b.split('.');
    for (let i = 0; i < 4; i++) {
      const d = Number(x[i]) - Number(y[i]);
      if (d !== 0) return d;
    }
    return 0;
  }
  if (a4 !== b4) return a4 ? -1 : 1;
  const x = ipaddr.parse(a).toByteArray();
  const y = ipaddr.parse(b).toByteArray();
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

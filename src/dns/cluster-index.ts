// The index of the cluster's names: Services, their EndpointSlices and the namespaces, converted at the
// boundary into DNS domain types and indexed by name and by IP. Every change reports the "dependency keys" it
// touched, so a cache of encoded answers drops exactly the answers that could change (see answer.ts: each
// answer lists the keys it consulted). Pure: no I/O; the clock (for the SOA serial) is injected.
import type { EndpointSlice, Namespace, Service } from '../api/index.ts';
import {
  endpointLabel,
  toDnsEndpointSlice,
  toDnsService,
  type DnsEndpointSlice,
  type DnsService,
} from './model.ts';

/** What an answer depended on; changes to the index name the keys they affect. */
export const depKey = {
  service: (namespace: string, name: string): string => `svc/${namespace}/${name}`,
  namespace: (namespace: string): string => `ns/${namespace}`,
  ip: (ip: string): string => `ip/${ip}`,
  /** Anything that depends on the sync state (every negative answer before the first sync). */
  synced: 'synced',
} as const;

/** One endpoint IP's reverse entry: the name a PTR for it points at (`<label>.<svc>.<ns>.svc.<zone>`). */
export interface EndpointName {
  namespace: string;
  service: string;
  label: string;
}

/** The read side answer() uses. */
export interface IndexView {
  readonly synced: boolean;
  /** SOA serial: seconds of the last change (as CoreDNS' Modified()). */
  readonly serial: number;
  service(namespace: string, name: string): DnsService | undefined;
  slicesOf(namespace: string, service: string): readonly DnsEndpointSlice[];
  namespaceExists(namespace: string): boolean;
  servicesWithClusterIP(ip: string): readonly DnsService[];
  endpointNamesFor(ip: string): readonly EndpointName[];
}

export type InvalidationListener = (keys: readonly string[]) => void;

export interface ClusterIndexOptions {
  /** Milliseconds since the epoch; injected so tests control the SOA serial. */
  clock?: () => number;
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function addTo<K, V>(map: Map<K, Set<V>>, k: K, v: V): void {
  let set = map.get(k);
  if (!set) map.set(k, (set = new Set()));
  set.add(v);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, k: K, v: V): void {
  const set = map.get(k);
  if (!set) return;
  set.delete(v);
  if (set.size === 0) map.delete(k);
}

export class ClusterIndex implements IndexView {
  private readonly clock: () => number;
  private readonly services = new Map<string, DnsService>();
  /** service key → slice key → slice */
  private readonly slices = new Map<string, Map<string, DnsEndpointSlice>>();
  /** slice key (ns/sliceName) → service key, so a slice whose label changes moves cleanly. */
  private readonly sliceOwner = new Map<string, string>();
  private readonly namespaces = new Set<string>();
  private readonly servicesPerNamespace = new Map<string, number>();
  private readonly byClusterIP = new Map<string, Set<string>>();
  /** endpoint ip → set of `ns/svc/label` */
  private readonly byEndpointIP = new Map<string, Set<string>>();
  private readonly listeners: InvalidationListener[] = [];
  private isSynced = false;
  private lastChange: number;

  constructor(options: ClusterIndexOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.lastChange = this.clock();
  }

  get synced(): boolean {
    return this.isSynced;
  }

  get serial(): number {
    return Math.floor(this.lastChange / 1000) >>> 0;
  }

  /** Called with the dependency keys of every change (see depKey). */
  onInvalidate(listener: InvalidationListener): void {
    this.listeners.push(listener);
  }

  // --- writes --------------------------------------------------------------------------------------------

  upsertService(svc: Service): void {
    const next = toDnsService(svc);
    if (!next) return;
    const k = key(next.namespace, next.name);
    const prev = this.services.get(k);
    if (prev && JSON.stringify(prev) === JSON.stringify(next)) return; // no DNS-visible change
    const keys = [depKey.service(next.namespace, next.name), depKey.namespace(next.namespace)];
    if (prev) this.unindexService(prev, keys);
    else this.servicesPerNamespace.set(next.namespace, (this.servicesPerNamespace.get(next.namespace) ?? 0) + 1);
    this.services.set(k, next);
    for (const ip of next.clusterIPs) {
      addTo(this.byClusterIP, ip, k);
      keys.push(depKey.ip(ip));
    }
    this.changed(keys);
  }

  deleteService(svc: Service | { metadata: { namespace?: string; name?: string } }): void {
    const ns = svc.metadata.namespace;
    const name = svc.metadata.name;
    if (!ns || !name) return;
    const prev = this.services.get(key(ns, name));
    if (!prev) return;
    const keys = [depKey.service(ns, name), depKey.namespace(ns)];
    this.unindexService(prev, keys);
    this.services.delete(key(ns, name));
    const left = (this.servicesPerNamespace.get(ns) ?? 1) - 1;
    if (left > 0) this.servicesPerNamespace.set(ns, left);
    else this.servicesPerNamespace.delete(ns);
    this.changed(keys);
  }

  upsertEndpointSlice(slice: EndpointSlice): void {
    const next = toDnsEndpointSlice(slice);
    const ns = slice.metadata.namespace;
    const name = slice.metadata.name;
    if (!ns || !name) return;
    const sliceKey = key(ns, name);
    const keys: string[] = [];
    const prevOwner = this.sliceOwner.get(sliceKey);
    const prev = prevOwner ? this.slices.get(prevOwner)?.get(sliceKey) : undefined;
    if (prev && next && prevOwner === key(ns, next.serviceName) && JSON.stringify(prev) === JSON.stringify(next)) {
      return;
    }
    if (prev) this.unindexSlice(prev, keys);
    if (next) {
      const owner = key(ns, next.serviceName);
      let forService = this.slices.get(owner);
      if (!forService) this.slices.set(owner, (forService = new Map()));
      forService.set(sliceKey, next);
      this.sliceOwner.set(sliceKey, owner);
      keys.push(depKey.service(ns, next.serviceName));
      for (const e of next.endpoints) {
        for (const ip of e.addresses) {
          addTo(this.byEndpointIP, ip, `${ns}/${next.serviceName}/${endpointLabel(e.hostname, ip)}`);
          keys.push(depKey.ip(ip));
        }
      }
    }
    if (keys.length > 0) this.changed(keys);
  }

  deleteEndpointSlice(slice: EndpointSlice | { metadata: { namespace?: string; name?: string } }): void {
    const ns = slice.metadata.namespace;
    const name = slice.metadata.name;
    if (!ns || !name) return;
    const sliceKey = key(ns, name);
    const owner = this.sliceOwner.get(sliceKey);
    const prev = owner ? this.slices.get(owner)?.get(sliceKey) : undefined;
    if (!prev) return;
    const keys: string[] = [];
    this.unindexSlice(prev, keys);
    this.changed(keys);
  }

  upsertNamespace(ns: Namespace): void {
    const name = ns.metadata.name;
    if (!name || this.namespaces.has(name)) return;
    this.namespaces.add(name);
    this.changed([depKey.namespace(name)]);
  }

  deleteNamespace(ns: Namespace | { metadata: { name?: string } }): void {
    const name = ns.metadata.name;
    if (!name || !this.namespaces.delete(name)) return;
    this.changed([depKey.namespace(name)]);
  }

  /** The first full list has been applied: from now on a missing name is NXDOMAIN, not SERVFAIL. */
  markSynced(): void {
    if (this.isSynced) return;
    this.isSynced = true;
    this.changed([depKey.synced]);
  }

  // --- reads ---------------------------------------------------------------------------------------------

  service(namespace: string, name: string): DnsService | undefined {
    return this.services.get(key(namespace, name));
  }

  slicesOf(namespace: string, service: string): readonly DnsEndpointSlice[] {
    const forService = this.slices.get(key(namespace, service));
    return forService ? [...forService.values()] : [];
  }

  /** A namespace exists when we saw its object, or a Service in it (no Service lives in a missing one). */
  namespaceExists(namespace: string): boolean {
    return this.namespaces.has(namespace) || this.servicesPerNamespace.has(namespace);
  }

  servicesWithClusterIP(ip: string): readonly DnsService[] {
    const keys = this.byClusterIP.get(ip);
    if (!keys) return [];
    const out: DnsService[] = [];
    for (const k of [...keys].sort()) {
      const s = this.services.get(k);
      if (s) out.push(s);
    }
    return out;
  }

  endpointNamesFor(ip: string): readonly EndpointName[] {
    const names = this.byEndpointIP.get(ip);
    if (!names) return [];
    return [...names].sort().map((n) => {
      const [namespace, service, label] = n.split('/');
      return { namespace, service, label };
    });
  }

  /** Counts for metrics and logs. */
  get size(): { services: number; endpointSlices: number; namespaces: number } {
    return { services: this.services.size, endpointSlices: this.sliceOwner.size, namespaces: this.namespaces.size };
  }

  // --- internals -----------------------------------------------------------------------------------------

  private unindexService(prev: DnsService, keys: string[]): void {
    const k = key(prev.namespace, prev.name);
    for (const ip of prev.clusterIPs) {
      removeFrom(this.byClusterIP, ip, k);
      keys.push(depKey.ip(ip));
    }
  }

  private unindexSlice(prev: DnsEndpointSlice, keys: string[]): void {
    const sliceKey = key(prev.namespace, prev.name);
    const owner = key(prev.namespace, prev.serviceName);
    const forService = this.slices.get(owner);
    forService?.delete(sliceKey);
    if (forService && forService.size === 0) this.slices.delete(owner);
    this.sliceOwner.delete(sliceKey);
    keys.push(depKey.service(prev.namespace, prev.serviceName));
    for (const e of prev.endpoints) {
      for (const ip of e.addresses) {
        removeFrom(this.byEndpointIP, ip, `${prev.namespace}/${prev.serviceName}/${endpointLabel(e.hostname, ip)}`);
        keys.push(depKey.ip(ip));
      }
    }
  }

  private changed(keys: string[]): void {
    this.lastChange = this.clock();
    for (const l of this.listeners) l(keys);
  }
}

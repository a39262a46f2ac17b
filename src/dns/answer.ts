// The cluster DNS' decision: answer(question, index, options) → rcode and sections. It follows kubernetes/dns
// docs/specification.md (schema 1.1.0) and, where the spec is silent, CoreDNS' kubernetes plugin
// (plugin/kubernetes: parseRequest, findServices, findPods, Reverse; plugin/backend_lookup.go for A/AAAA/SRV/
// CNAME and the SOA on negative answers). The server only decodes and encodes. Pure: no I/O.
import { depKey, type IndexView } from './cluster-index.ts';
import { canonicalIP, endpointLabel, ipFamily, isIP, type DnsPort } from './model.ts';
import type { DnsRecord } from './records.ts';

export const dnsSchemaVersion = '1.1.0';
/** TTL of dns-version TXT, as CoreDNS. */
const dnsVersionTTL = 28800;
/** SOA timers, as CoreDNS' plugin.SOA. */
const soaRefresh = 7200;
const soaRetry = 1800;
const soaExpire = 86400;
/** Where a chain of CNAMEs inside the zone stops (CoreDNS stops at 8 records). */
const maxCnameDepth = 8;
/** The Service whose ClusterIPs answer for `ns.dns.<zone>` when no nameserver IPs are configured. */
const kubeDNSService = { namespace: 'kube-system', name: 'kube-dns' } as const;

export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED';
export type PodMode = 'disabled' | 'insecure';

export interface Question {
  /** As asked (case kept), without the trailing dot. */
  name: string;
  /** dns-packet's type name: 'A', 'AAAA', 'SRV', … (unknown types arrive as 'UNKNOWN_<n>'). */
  type: string;
  class?: string;
}

export interface AnswerOptions {
  /** The cluster domain, e.g. 'cluster.local'. */
  zone: string;
  ttl: number;
  pods: PodMode;
  /** IPs answering for `ns.dns.<zone>` and the apex NS; default: the kube-system/kube-dns ClusterIPs. */
  nameservers?: readonly string[];
}

export interface DnsAnswer {
  rcode: Rcode;
  aa: boolean;
  answer: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  /** Not ours (outside the zone, or a reverse name we do not know): the server forwards it upstream. */
  forward: boolean;
  /** An ExternalName CNAME points outside the zone: the server appends the target's records if it can. */
  resolveTarget?: string;
  /** The index keys this answer consulted (see depKey); a change to any of them invalidates it. */
  deps: string[];
}

/** One answer candidate, as CoreDNS' msg.Service: an address or a CNAME target, a port, and its own name. */
interface Entry {
  host: string;
  cname: boolean;
  /** -1 when the endpoint declares no ports (no SRV for it). */
  port: number;
  /** The entry's own name below the zone (`svc.ns.svc`, `ep.svc.ns.svc`), the SRV target. */
  target: string;
}

type Lookup = { kind: 'nxdomain' } | { kind: 'entries'; entries: Entry[] };

interface Context {
  question: Question;
  lowerName: string;
  /** The zone as written in the question (CoreDNS keeps the query's case). */
  zoneAsAsked: string;
  index: IndexView;
  options: AnswerOptions;
  deps: Set<string>;
}

const nxdomain: Lookup = { kind: 'nxdomain' };

function isInZone(lowerName: string, zone: string): boolean {
  return lowerName === zone || lowerName.endsWith(`.${zone}`);
}

export function answer(question: Question, index: IndexView, options: AnswerOptions): DnsAnswer {
  const zone = options.zone.toLowerCase().replace(/\.$/, '');
  const name = question.name.replace(/\.$/, '');
  const lowerName = name.toLowerCase();
  if (lowerName.endsWith('.in-addr.arpa') || lowerName.endsWith('.ip6.arpa')) {
    return reverse({ ...question, name }, lowerName, index, options);
  }
  if (!isInZone(lowerName, zone)) return forwarded();
  const ctx: Context = {
    question: { ...question, name },
    lowerName,
    zoneAsAsked: name.slice(name.length - zone.length),
    index,
    options: { ...options, zone },
    deps: new Set(),
  };
  if (question.class !== undefined && question.class !== 'IN' && question.class !== 'ANY') {
    return { ...empty(ctx, 'REFUSED'), aa: false };
  }
  return inZone(ctx);
}

function forwarded(): DnsAnswer {
  return { rcode: 'NOERROR', aa: false, answer: [], authority: [], additional: [], forward: true, deps: [] };
}

function empty(ctx: Context, rcode: Rcode): DnsAnswer {
  return { rcode, aa: true, answer: [], authority: [], additional: [], forward: false, deps: [...ctx.deps] };
}

function soa(ctx: Context): DnsRecord {
  const z = ctx.zoneAsAsked;
  return {
    name: z,
    type: 'SOA',
    class: 'IN',
    ttl: Math.min(ctx.options.ttl, 300),
    data: {
      mname: `ns.dns.${z}`,
      rname: `hostmaster.${z}`,
      serial: ctx.index.serial,
      refresh: soaRefresh,
      retry: soaRetry,
      expire: soaExpire,
      minimum: ctx.options.ttl,
    },
  };
}

/** NXDOMAIN (or SERVFAIL before the first sync, as CoreDNS) with the SOA in authority. */
function nameError(ctx: Context): DnsAnswer {
  ctx.deps.add(depKey.synced);
  const rcode = ctx.index.synced ? 'NXDOMAIN' : 'SERVFAIL';
  return { ...empty(ctx, rcode), authority: [soa(ctx)] };
}

/** The name exists but has no record of the asked type: NOERROR, no answer, SOA in authority. */
function noData(ctx: Context): DnsAnswer {
  return { ...empty(ctx, 'NOERROR'), authority: [soa(ctx)] };
}

function positive(ctx: Context, answerRRs: DnsRecord[], additional: DnsRecord[] = []): DnsAnswer {
  if (answerRRs.length === 0) return noData(ctx);
  return { ...empty(ctx, 'NOERROR'), answer: answerRRs, additional };
}

function record(ctx: Context, name: string, type: 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'NS', data: string): DnsRecord {
  return { name, type, class: 'IN', ttl: ctx.options.ttl, data };
}

function addressType(ip: string): 'A' | 'AAAA' {
  return ipFamily(ip) === 6 ? 'AAAA' : 'A';
}

function nameservers(ctx: Context): string[] {
  if (ctx.options.nameservers && ctx.options.nameservers.length > 0) return [...ctx.options.nameservers];
  ctx.deps.add(depKey.service(kubeDNSService.namespace, kubeDNSService.name));
  return [...(ctx.index.service(kubeDNSService.namespace, kubeDNSService.name)?.clusterIPs ?? [])];
}

function inZone(ctx: Context): DnsAnswer {
  const { zone } = ctx.options;
  const qtype = ctx.question.type;
  const base = ctx.lowerName === zone ? '' : ctx.lowerName.slice(0, -(zone.length + 1));

  // As CoreDNS today: SOA and NS are answered at the apex only (elsewhere the name decides: NODATA or
  // NXDOMAIN); TXT exists only as dns-version, every other TXT question is NXDOMAIN (coredns#5737).
  if (base === '') {
    if (qtype === 'SOA') return positive(ctx, [soa(ctx)]);
    if (qtype === 'NS') {
      const nsName = `ns.dns.${ctx.zoneAsAsked}`;
      const glue = nameservers(ctx).map((ip) => record(ctx, nsName, addressType(ip), ip));
      return positive(ctx, [record(ctx, ctx.question.name, 'NS', nsName)], glue);
    }
  }
  if (qtype === 'TXT') {
    if (base !== 'dns-version') return nameError(ctx);
    return positive(ctx, [{ name: ctx.question.name, type: 'TXT', class: 'IN', ttl: dnsVersionTTL, data: [dnsSchemaVersion] }]);
  }
  if (base === '') return noData(ctx);
  if (base === 'ns.dns') {
    // CoreDNS' isDefaultNS: the nameserver's own name resolves to the DNS Service's addresses.
    if (qtype !== 'A' && qtype !== 'AAAA') return noData(ctx);
    const ips = nameservers(ctx).filter((ip) => addressType(ip) === qtype);
    return positive(ctx, ips.map((ip) => record(ctx, ctx.question.name, qtype, ip)));
  }

  const lookup = lookupName(ctx, base);
  if (lookup.kind === 'nxdomain') return nameError(ctx);
  return recordsFor(ctx, lookup.entries, 0);
}

/**
 * parseRequest + findServices/findPods: the candidates for a name below the zone. `[]` entries means the name
 * exists with nothing to answer (NODATA).
 */
function lookupName(ctx: Context, base: string): Lookup {
  const segs = base.split('.');
  const kind = segs[segs.length - 1];
  if (kind !== 'svc' && kind !== 'pod') return nxdomain;
  if (segs.length === 1) return { kind: 'entries', entries: [] }; // svc.<zone>, pod.<zone>: NODATA
  // pods disabled (the default): no names below pod.<zone> at all, as CoreDNS' findPods.
  if (kind === 'pod' && ctx.options.pods === 'disabled') return nxdomain;
  const namespace = segs[segs.length - 2];
  ctx.deps.add(depKey.namespace(namespace));
  if (!ctx.index.namespaceExists(namespace)) return nxdomain;
  if (segs.length === 2) return { kind: 'entries', entries: [] }; // <ns>.svc.<zone>: NODATA
  if (kind === 'pod') return lookupPod(ctx, segs);

  const service = segs[segs.length - 3];
  const rest = segs.slice(0, -3);
  // One more label is an endpoint; two are _port._proto; more is a name that cannot exist.
  let endpoint = '';
  let port: { name: string; protocol: string } | undefined;
  if (rest.length === 1) endpoint = rest[0];
  else if (rest.length === 2) port = { name: stripUnderscore(rest[0]), protocol: stripUnderscore(rest[1]) };
  else if (rest.length > 2) return nxdomain;
  return lookupService(ctx, namespace, service, endpoint, port);
}

function stripUnderscore(label: string): string {
  return label.startsWith('_') ? label.slice(1) : label;
}

function portMatches(want: { name: string; protocol: string } | undefined, p: DnsPort): boolean {
  return want === undefined || (want.name === p.name && want.protocol === p.protocol);
}

function lookupService(
  ctx: Context,
  namespace: string,
  name: string,
  endpoint: string,
  port: { name: string; protocol: string } | undefined,
): Lookup {
  ctx.deps.add(depKey.service(namespace, name));
  const svc = ctx.index.service(namespace, name);
  if (!svc) return nxdomain;
  const ownName = `${name}.${namespace}.svc`;

  if (svc.kind === 'ExternalName') {
    // An ExternalName Service has no endpoints; an IP "externalName" is not a CNAME target (CoreDNS HostType).
    if (endpoint !== '' || svc.externalName === '' || isIP(svc.externalName)) return nxdomain;
    return { kind: 'entries', entries: [{ host: svc.externalName, cname: true, port: -1, target: ownName }] };
  }

  if (svc.kind === 'Headless' || endpoint !== '') {
    // Headless Services and endpoint names answer from the ready endpoints; none matching is NXDOMAIN.
    const entries: Entry[] = [];
    const slices = [...ctx.index.slicesOf(namespace, name)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const slice of slices) {
      const ports: DnsPort[] = slice.ports.length > 0 ? slice.ports : [{ name: '', port: -1, protocol: '' }];
      for (const e of slice.endpoints) {
        for (const ip of e.addresses) {
          const label = endpointLabel(e.hostname, ip);
          if (endpoint !== '' && endpoint !== label) continue;
          for (const p of ports) {
            if (!portMatches(port, p)) continue;
            entries.push({ host: ip, cname: false, port: p.port, target: `${label}.${ownName}` });
          }
        }
      }
    }
    return entries.length > 0 ? { kind: 'entries', entries } : nxdomain;
  }

  // ClusterIP: the Service's own IPs, also with no endpoints; a port query must name one of its ports.
  let matched = false;
  const entries: Entry[] = [];
  for (const p of svc.ports) {
    if (!portMatches(port, p)) continue;
    matched = true;
    for (const ip of svc.clusterIPs) entries.push({ host: ip, cname: false, port: p.port, target: ownName });
  }
  return matched ? { kind: 'entries', entries } : nxdomain;
}

function lookupPod(ctx: Context, segs: string[]): Lookup {
  if (segs.length !== 3) return nxdomain; // <ip>.<ns>.pod
  const label = segs[0];
  // `1-2-3-4` is IPv4; anything else is read as IPv6 with '-' for ':' (`fd00--1`).
  const dashes = label.split('-').length - 1;
  const ip = dashes === 3 && !label.includes('--') ? label.replaceAll('-', '.') : label.replaceAll('-', ':');
  if (!isIP(ip)) return nxdomain;
  return { kind: 'entries', entries: [{ host: canonicalIP(ip), cname: false, port: -1, target: segs.join('.') }] };
}

/** plugin.A / AAAA / SRV / CNAME over the candidates; everything else is NODATA for an existing name. */
function recordsFor(ctx: Context, entries: Entry[], depth: number): DnsAnswer {
  const qtype = ctx.question.type;
  const qname = ctx.question.name;
  switch (qtype) {
    case 'A':
    case 'AAAA': {
      const out: DnsRecord[] = [];
      let resolveTarget: string | undefined;
      for (const e of entries) {
        if (e.cname) {
          out.push(record(ctx, qname, 'CNAME', e.host));
          const chased = chaseCname(ctx, e.host, depth);
          if (chased.inZone) out.push(...chased.records);
          else resolveTarget = e.host;
          continue;
        }
        if (addressType(e.host) === qtype) out.push(record(ctx, qname, qtype, e.host));
      }
      const result = positive(ctx, dedup(out));
      return resolveTarget !== undefined ? { ...result, resolveTarget } : result;
    }
    case 'CNAME':
      return positive(ctx, entries.filter((e) => e.cname).map((e) => record(ctx, qname, 'CNAME', e.host)));
    case 'SRV': {
      const targets = entries.filter((e) => !e.cname);
      // CoreDNS: weight 100/n across all candidates of the name, then duplicates fold into one record.
      const weight = targets.length > 0 ? Math.floor(100 / targets.length) : 0;
      const srv: DnsRecord[] = [];
      const extra: DnsRecord[] = [];
      for (const e of targets) {
        if (e.port === -1) continue;
        const target = `${e.target}.${ctx.zoneAsAsked}`;
        srv.push({ name: qname, type: 'SRV', class: 'IN', ttl: ctx.options.ttl, data: { priority: 0, weight, port: e.port, target } });
        extra.push(record(ctx, target, addressType(e.host), e.host));
      }
      return positive(ctx, dedup(srv), dedup(extra));
    }
    default:
      return noData(ctx);
  }
}

/** An ExternalName pointing inside the zone is followed here; outside, the server resolves it. */
function chaseCname(ctx: Context, target: string, depth: number): { inZone: boolean; records: DnsRecord[] } {
  const lower = target.toLowerCase();
  if (!isInZone(lower, ctx.options.zone)) return { inZone: false, records: [] };
  if (depth >= maxCnameDepth || lower === ctx.lowerName) return { inZone: true, records: [] };
  const base = lower === ctx.options.zone ? '' : lower.slice(0, -(ctx.options.zone.length + 1));
  const sub: Context = { ...ctx, question: { ...ctx.question, name: target }, lowerName: lower };
  const lookup = base === '' ? nxdomain : lookupName(sub, base);
  if (lookup.kind === 'nxdomain') return { inZone: true, records: [] };
  const result = recordsFor(sub, lookup.entries, depth + 1);
  return { inZone: true, records: result.answer };
}

function dedup(records: DnsRecord[]): DnsRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const k = `${r.name.toLowerCase()}|${r.type}|${JSON.stringify(r.data)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// --- reverse (PTR) ----------------------------------------------------------------------------------------

/** The IP a reverse name stands for, or undefined when it is not a full address. */
export function ipFromReverseName(lowerName: string): string | undefined {
  if (lowerName.endsWith('.in-addr.arpa')) {
    const labels = lowerName.slice(0, -'.in-addr.arpa'.length).split('.');
    if (labels.length !== 4 || !labels.every((l) => /^\d{1,3}$/.test(l) && Number(l) <= 255)) return undefined;
    return labels.reverse().map(Number).join('.');
  }
  if (lowerName.endsWith('.ip6.arpa')) {
    const nibbles = lowerName.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
    return canonicalIP(groups.join(':'));
  }
  return undefined;
}

/** The reverse name of an IP (`5.1.244.10.in-addr.arpa`), for tests and the benchmark zone. */
export function reverseName(ip: string): string {
  if (ipFamily(ip) === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const full = canonicalIP(ip);
  const groups = full.includes('::')
    ? (() => {
        const [h, t] = full.split('::');
        const head = h ? h.split(':') : [];
        const tail = t ? t.split(':') : [];
        return [...head, ...new Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
      })()
    : full.split(':');
  const hex = groups.map((g) => g.padStart(4, '0')).join('');
  return `${[...hex].reverse().join('.')}.ip6.arpa`;
}

function reverse(question: Question, lowerName: string, index: IndexView, options: AnswerOptions): DnsAnswer {
  // As kubeadm's Corefile (`kubernetes cluster.local in-addr.arpa ip6.arpa … fallthrough in-addr.arpa ip6.arpa`):
  // PTRs for ClusterIPs and endpoint IPs are ours; everything else falls through to the forwarder.
  if (question.type !== 'PTR') return forwarded();
  const ip = ipFromReverseName(lowerName);
  if (ip === undefined) return forwarded();
  const zone = options.zone.toLowerCase().replace(/\.$/, '');
  const deps = [depKey.ip(ip)];
  const ptr = (target: string): DnsRecord => ({ name: question.name, type: 'PTR', class: 'IN', ttl: options.ttl, data: target });
  const services = index.servicesWithClusterIP(ip);
  let answerRRs: DnsRecord[];
  if (services.length > 0) {
    // CoreDNS answers with the first Service holding the ClusterIP.
    answerRRs = [ptr(`${services[0].name}.${services[0].namespace}.svc.${zone}`)];
  } else {
    answerRRs = index.endpointNamesFor(ip).map((n) => ptr(`${n.label}.${n.service}.${n.namespace}.svc.${zone}`));
  }
  if (answerRRs.length === 0) return { ...forwarded(), deps };
  return { rcode: 'NOERROR', aa: true, answer: answerRRs, authority: [], additional: [], forward: false, deps };
}

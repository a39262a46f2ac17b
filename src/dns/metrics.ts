// CoreDNS' metric names and labels (plugin/metrics): coredns_dns_requests_total{server,zone,view,proto,family,
// type}, coredns_dns_request_duration_seconds{server,zone,view,type} and coredns_dns_responses_total{server,
// zone,view,rcode,plugin}, so the dashboards and alerts written for CoreDNS work unchanged. The labelled
// children are cached so the fast path pays a Map lookup, not prom-client's label hashing.
import client from 'prom-client';

/** Query types CoreDNS reports by name; the rest are "other". */
const namedTypes = new Set(['A', 'AAAA', 'MX', 'SOA', 'CNAME', 'PTR', 'TXT', 'NS', 'SRV', 'DS', 'DNSKEY', 'RRSIG', 'NSEC', 'NSEC3', 'HTTPS', 'IXFR', 'AXFR', 'ANY']);
const typeNames: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 43: 'DS', 46: 'RRSIG',
  47: 'NSEC', 48: 'DNSKEY', 50: 'NSEC3', 65: 'HTTPS', 251: 'IXFR', 252: 'AXFR', 255: 'ANY',
};
const rcodeNames = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export function metricType(qtype: number | string): string {
  if (typeof qtype === 'number') return typeNames[qtype] ?? 'other';
  return namedTypes.has(qtype) ? qtype : 'other';
}

export interface RequestObservation {
  proto: 'udp' | 'tcp';
  family: 4 | 6;
  qtype: number | string;
  rcode: number;
  /** Which part answered: 'kubernetes' or 'forward' (CoreDNS' plugin label). */
  plugin: string;
  seconds: number;
}

export class DnsMetrics {
  readonly registry: client.Registry;
  private readonly server: string;
  private readonly zone: string;
  private readonly requests: client.Counter<string>;
  private readonly duration: client.Histogram<string>;
  private readonly responses: client.Counter<string>;
  private readonly requestChildren = new Map<string, client.Counter.Internal>();
  private readonly durationChildren = new Map<string, client.Histogram.Internal<string>>();
  private readonly responseChildren = new Map<string, client.Counter.Internal>();

  /** server: CoreDNS' `dns://:53` form of the listen address; zone: the server block ('.' as kubeadm's). */
  constructor(options: { server: string; zone?: string; registry?: client.Registry }) {
    this.registry = options.registry ?? new client.Registry();
    this.server = options.server;
    this.zone = options.zone ?? '.';
    this.requests = new client.Counter({
      name: 'coredns_dns_requests_total',
      help: 'Counter of DNS requests made per zone, protocol and family.',
      labelNames: ['server', 'zone', 'view', 'proto', 'family', 'type'],
      registers: [this.registry],
    });
    this.duration = new client.Histogram({
      name: 'coredns_dns_request_duration_seconds',
      help: 'Histogram of the time (in seconds) each request took per zone.',
      labelNames: ['server', 'zone', 'view', 'type'],
      // CoreDNS' plugin.TimeBuckets: 0.25 ms doubling 16 times.
      buckets: client.exponentialBuckets(0.00025, 2, 16),
      registers: [this.registry],
    });
    this.responses = new client.Counter({
      name: 'coredns_dns_responses_total',
      help: 'Counter of response status codes.',
      labelNames: ['server', 'zone', 'view', 'rcode', 'plugin'],
      registers: [this.registry],
    });
    new client.Gauge({
      name: 'coredns_build_info',
      help: 'A metric with a constant \'1\' value labeled by version, revision, and goversion from which CoreDNS was built.',
      labelNames: ['version', 'revision', 'goversion'],
      registers: [this.registry],
    }).set({ version: 'clusterip', revision: '', goversion: process.version }, 1);
  }

  observe(o: RequestObservation): void {
    const type = metricType(o.qtype);
    const rk = `${o.proto}|${o.family}|${type}`;
    let req = this.requestChildren.get(rk);
    if (!req) {
      req = this.requests.labels({ server: this.server, zone: this.zone, view: '', proto: o.proto, family: o.family === 6 ? '2' : '1', type });
      this.requestChildren.set(rk, req);
    }
    req.inc();
    let dur = this.durationChildren.get(type);
    if (!dur) {
      dur = this.duration.labels({ server: this.server, zone: this.zone, view: '', type });
      this.durationChildren.set(type, dur);
    }
    dur.observe(o.seconds);
    const rcode = rcodeNames[o.rcode] ?? String(o.rcode);
    const sk = `${rcode}|${o.plugin}`;
    let resp = this.responseChildren.get(sk);
    if (!resp) {
      resp = this.responses.labels({ server: this.server, zone: this.zone, view: '', rcode, plugin: o.plugin });
      this.responseChildren.set(sk, resp);
    }
    resp.inc();
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

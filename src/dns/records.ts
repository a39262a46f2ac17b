// Resource records as the answer function builds them (the shape dns-packet encodes: names without the
// trailing dot) and their zone-file text, which tests and the knot benchmark zone use. Pure.

export interface RecordBase {
  name: string;
  ttl: number;
  class: 'IN';
}
export type DnsRecord =
  | (RecordBase & { type: 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'NS'; data: string })
  | (RecordBase & { type: 'SRV'; data: { priority: number; weight: number; port: number; target: string } })
  | (RecordBase & {
      type: 'SOA';
      data: { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
    })
  | (RecordBase & { type: 'TXT'; data: string[] });

function fqdn(name: string): string {
  return name === '' || name === '.' ? '.' : `${name.replace(/\.$/, '')}.`;
}

/** `svc1.testns.svc.cluster.local.	5	IN	A	10.0.0.1` */
export function formatRecord(rr: DnsRecord): string {
  let rdata: string;
  switch (rr.type) {
    case 'A':
    case 'AAAA':
      rdata = rr.data;
      break;
    case 'CNAME':
    case 'PTR':
    case 'NS':
      rdata = fqdn(rr.data);
      break;
    case 'SRV':
      rdata = `${rr.data.priority} ${rr.data.weight} ${rr.data.port} ${fqdn(rr.data.target)}`;
      break;
    case 'SOA': {
      const d = rr.data;
      rdata = `${fqdn(d.mname)} ${fqdn(d.rname)} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
      break;
    }
    case 'TXT':
      rdata = rr.data.map((s) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(' ');
      break;
  }
  return `${fqdn(rr.name)}\t${rr.ttl}\tIN\t${rr.type}\t${rdata}`;
}

/** Collapses whitespace so hand-written zone-file strings compare with formatRecord's output. */
export function normalizeZoneLine(line: string): string {
  return line.trim().split(/\s+/).join(' ');
}

// Which conntrack entries to delete after a sync. Pure. As kube-proxy (pkg/proxy/conntrack/cleanup.go): for
// UDP and SCTP there is no connection end the kernel would notice, so a flow NATed to an endpoint that went
// away keeps being sent there until it idles out; delete it so the next packet is NATed afresh (DNS fails over
// at once). And when a Service port gets its first endpoint, delete flows to the VIP that were set up without
// NAT while it had none.
import type { PlannedPort } from './plan.ts';

export interface ConntrackFilter {
  protocol: 'udp' | 'sctp';
  /** Original destination: the ClusterIP. */
  origDst: string;
  origPortDst: number;
  /** Reply source: the endpoint that went away (absent: every flow to the VIP port). */
  replySrc?: string;
}

export function staleConntrackFilters(
  before: ReadonlyMap<string, PlannedPort>,
  after: ReadonlyMap<string, PlannedPort>,
): ConntrackFilter[] {
  const out: ConntrackFilter[] = [];
  const seen = new Set<string>();
  const push = (f: ConntrackFilter) => {
    const id = `${f.protocol} ${f.origDst} ${f.origPortDst} ${f.replySrc ?? ''}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(f);
    }
  };
  for (const [id, old] of before) {
    if (old.protocol === 'TCP') continue;
    const protocol = old.protocol === 'UDP' ? 'udp' : 'sctp';
    const next = after.get(id);
    const kept = new Set((next?.backends ?? []).map((b) => `${b.ip}:${b.port}`));
    for (const b of old.backends) {
      if (!kept.has(`${b.ip}:${b.port}`)) push({ protocol, origDst: old.vip, origPortDst: old.port, replySrc: b.ip });
    }
  }
  for (const [id, next] of after) {
    if (next.protocol === 'TCP' || next.backends.length === 0) continue;
    const old = before.get(id);
    if (!old || old.backends.length === 0) {
      push({ protocol: next.protocol === 'UDP' ? 'udp' : 'sctp', origDst: next.vip, origPortDst: next.port });
    }
  }
  return out;
}

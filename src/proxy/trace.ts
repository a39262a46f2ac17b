// A packet-flow tracer over the planned nftables state, without a kernel: it walks the same chains in the
// same order the kernel does (filter -110 service-check, nat -100 services, nat postrouting masquerade) and
// reads the very elements the executor loads. Pure. (kube-proxy's runPacketFlowTests, for our rule shape.)
import ipaddr from 'ipaddr.js';
import { familyOf } from './model.ts';
import { type NftState, type ProxyConfig, REJECT_CHAIN, serviceKey, setName } from './plan.ts';

export interface Packet {
  src: string;
  dst: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  port: number;
}

export interface Verdict {
  /** Comma-separated `ip:port` of every endpoint the packet may be DNATed to, or REJECT, DROP, PASS. */
  result: string;
  /** Whether the packet would be masqueraded (off-cluster source, or hairpin to one of its endpoints). */
  masquerade: boolean;
}

function element(state: NftState, name: string, key: string): string | undefined {
  return state.elements.get(name)?.get(key);
}

function inCIDR(ip: string, cidr: string): boolean {
  try {
    const [net, bits] = ipaddr.parseCIDR(cidr);
    const addr = ipaddr.parse(ip);
    return addr.kind() === net.kind() && addr.match(net, bits);
  } catch {
    return false;
  }
}

/** The first packet of a new connection through our table. */
export function tracePacket(state: NftState, config: ProxyConfig, packet: Packet): Verdict {
  const fam = familyOf(packet.dst);
  const key = serviceKey(packet.dst, packet.protocol, packet.port);
  // filter prerouting/output -110: service-check.
  const noEndpoint = element(state, setName('no-endpoint-services', fam), key);
  if (noEndpoint === `goto ${REJECT_CHAIN}`) return { result: 'REJECT', masquerade: false };
  if (noEndpoint === 'drop') return { result: 'DROP', masquerade: false };
  if (noEndpoint !== undefined) throw new Error(`unexpected no-endpoint verdict ${noEndpoint}`);
  const isServicePort = element(state, setName('service-ports', fam), key) !== undefined;
  if (!isServicePort && element(state, setName('cluster-ips', fam), packet.dst) !== undefined) {
    return { result: 'REJECT', masquerade: false };
  }
  // nat prerouting/output -100: services → endpoints/N or affinity/N/T → dnat via service-endpoints.
  const verdict = element(state, setName('service-ips', fam), key);
  if (verdict === undefined) return { result: 'PASS', masquerade: false };
  const match = /^goto (endpoints\/(\d+)|affinity\/(\d+)\/\d+)$/.exec(verdict);
  if (!match) throw new Error(`unexpected service verdict ${verdict}`);
  const chainName = match[1] as string;
  if (!state.chains.has(chainName)) throw new Error(`verdict points at missing chain ${chainName}`);
  const count = Number(match[2] ?? match[3]);
  const endpoints: string[] = [];
  for (let slot = 0; slot < count; slot++) {
    const target = element(state, setName('service-endpoints', fam), `${key} . ${slot}`);
    // A slot without an element means the DNAT lookup misses: the packet would leave un-NATed. A bug.
    if (target === undefined) throw new Error(`${key} slot ${slot} has no endpoint`);
    const [ip, port] = target.split(' . ');
    endpoints.push(fam === 6 ? `[${ip}]:${port}` : `${ip}:${port}`);
  }
  // nat postrouting: masquerade off-cluster sources and hairpin.
  const offCluster =
    config.clusterCIDRs.some((c) => familyOf(c.split('/')[0] ?? '') === fam) &&
    !config.clusterCIDRs.some((c) => inCIDR(packet.src, c));
  const hairpin = endpoints.some((ep) => {
    const ip = ep.startsWith('[') ? ep.slice(1, ep.indexOf(']')) : ep.slice(0, ep.lastIndexOf(':'));
    return ip === packet.src && element(state, setName('hairpin', fam), `${ip} . ${ip}`) !== undefined;
  });
  const unique = [...new Set(endpoints)];
  return { result: unique.join(', '), masquerade: offCluster || hairpin };
}

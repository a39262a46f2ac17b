// A pod's /etc/resolv.conf per its dnsPolicy, as the kubelet writes it (pkg/kubelet/network/dns):
// ClusterFirst → the cluster DNS, `search <ns>.svc.<zone> svc.<zone> <zone>` + the host's search domains,
// `options ndots:5`; Default → the host's resolv.conf; None → only spec.dnsConfig; dnsConfig merges on top.
// For the node agent. Pure.
import type { PodSpec } from '../api/index.ts';
import { parseResolvConf } from './resolv-conf.ts';

export interface PodResolvConfInput {
  namespace: string;
  spec: Pick<PodSpec, 'dnsPolicy' | 'dnsConfig' | 'hostNetwork'>;
  /** The cluster DNS Service IPs (kubeadm: 10.96.0.10). Empty: ClusterFirst falls back to Default. */
  clusterDNS: readonly string[];
  clusterDomain: string;
  /** The host's resolv.conf text (what dnsPolicy Default copies). */
  hostResolvConf: string;
}

/** kubelet's limits: 3 nameservers (glibc's MAXNS), 32 search domains. */
const maxNameservers = 3;
const maxSearchDomains = 32;

function dedup(items: string[]): string[] {
  return [...new Set(items)];
}

export function podResolvConf(input: PodResolvConfInput): string {
  const host = parseResolvConf(input.hostResolvConf);
  const policy = input.spec.dnsPolicy ?? 'ClusterFirst';
  const zone = input.clusterDomain.replace(/\.$/, '');
  let nameservers: string[] = [];
  let search: string[] = [];
  let options: string[] = [];
  // ClusterFirst on a host-network pod means Default, unless the policy is ClusterFirstWithHostNet.
  const clusterFirst =
    input.clusterDNS.length > 0 &&
    (policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !input.spec.hostNetwork));
  if (clusterFirst) {
    nameservers = [...input.clusterDNS];
    search = [`${input.namespace}.svc.${zone}`, `svc.${zone}`, zone, ...host.search.filter((d) => d !== '.')];
    options = ['ndots:5'];
  } else if (policy !== 'None') {
    nameservers = host.nameservers;
    search = host.search.filter((d) => d !== '.');
    options = host.options;
  }
  const extra = input.spec.dnsConfig;
  if (extra) {
    nameservers = [...nameservers, ...(extra.nameservers ?? [])];
    search = [...search, ...(extra.searches ?? [])];
    // An option named again replaces the earlier one (kubelet mergeDNSOptions).
    const byName = new Map<string, string>();
    for (const o of options) byName.set(o.split(':')[0], o);
    for (const o of extra.options ?? []) byName.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
    options = [...byName.values()];
  }
  const lines: string[] = [];
  const s = dedup(search).slice(0, maxSearchDomains);
  if (s.length > 0) lines.push(`search ${s.join(' ')}`);
  for (const ns of dedup(nameservers).slice(0, maxNameservers)) lines.push(`nameserver ${ns}`);
  if (options.length > 0) lines.push(`options ${options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

// What `clusterip up` builds, decided from its flags before anything starts: node names, each node's pod
// CIDRs, node IPs on the cluster network, and the well-known Service addresses. Pure.
import { dnsServiceIP, formatCIDR, formatIP, kubernetesServiceIP, parseCIDR } from '../allocator/index.ts';

export const DEFAULT_SERVICE_CIDRS = '10.96.0.0/12,fd00:10:96::/112';
export const DEFAULT_POD_CIDRS = '10.244.0.0/16,fd00:10:244::/56';
/** The network joining the nodes; it exists only inside the cluster's own network namespaces. */
export const CLUSTER_NETWORK = '172.31.0.0/24';
export const CLUSTER_DOMAIN = 'cluster.local';

export interface UpFlags {
  name: string;
  nodes: number;
  dataDir: string;
  apiPort: number;
  serviceCIDRs: string;
  podCIDRs: string;
  storage: 'sqlite' | 'etcd';
  etcdEndpoints?: string;
}

export interface NodePlan {
  name: string;
  /** 1-based. */
  index: number;
  podCIDRs: string[];
  /** The node's address on the cluster network, with its prefix length (172.31.0.2/24). */
  nodeIP: string;
}

export interface ClusterPlan {
  flags: UpFlags;
  serviceCIDRs: string[];
  podCIDRs: string[];
  kubernetesServiceIP: string;
  dnsServiceIP: string;
  clusterDomain: string;
  nodes: NodePlan[];
}

export class PlanError extends Error {}

/** The i-th subnet of the given prefix length inside cidr (node i's pod range). */
export function nthSubnet(cidr: string, newPrefix: number, i: number): string {
  const parsed = parseCIDR(cidr);
  if (!parsed) throw new PlanError(`invalid CIDR "${cidr}"`);
  if (newPrefix < parsed.prefixLength) throw new PlanError(`${cidr} is smaller than a /${newPrefix} per node`);
  const count = 1n << BigInt(newPrefix - parsed.prefixLength);
  if (BigInt(i) >= count) throw new PlanError(`${cidr} has room for ${count - 1n} nodes of /${newPrefix}, not ${i}`);
  const network = parsed.network + (BigInt(i) << BigInt(parsed.bits - newPrefix));
  return formatCIDR({ ...parsed, network, prefixLength: newPrefix });
}

function splitCIDRs(list: string, what: string): string[] {
  const cidrs = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (!cidrs.length || cidrs.length > 2) throw new PlanError(`--${what} takes one or two CIDRs (one per IP family), got "${list}"`);
  for (const c of cidrs) if (!parseCIDR(c)) throw new PlanError(`--${what}: "${c}" is not a CIDR`);
  return cidrs;
}

export function planCluster(flags: UpFlags): ClusterPlan {
  if (!/^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$/.test(flags.name)) {
    throw new PlanError(`--name "${flags.name}": use 1-20 lower case letters, digits or '-' (it names network namespaces)`);
  }
  if (!Number.isInteger(flags.nodes) || flags.nodes < 0 || flags.nodes > 200) throw new PlanError(`--nodes must be 0..200, got ${flags.nodes}`);
  const serviceCIDRs = splitCIDRs(flags.serviceCIDRs, 'service-cidr');
  const podCIDRs = splitCIDRs(flags.podCIDRs, 'pod-cidr');
  const net = parseCIDR(CLUSTER_NETWORK);
  if (!net) throw new PlanError('bad cluster network');
  const nodes: NodePlan[] = [];
  for (let i = 1; i <= flags.nodes; i++) {
    nodes.push({
      name: `node-${i}`,
      index: i,
      podCIDRs: podCIDRs.map((c) => (parseCIDR(c)?.family === 'IPv6' ? nthSubnet(c, 64, i) : nthSubnet(c, 24, i))),
      nodeIP: `${formatIP('IPv4', net.network + BigInt(i + 1))}/${net.prefixLength}`,
    });
  }
  return {
    flags,
    serviceCIDRs,
    podCIDRs,
    kubernetesServiceIP: kubernetesServiceIP(serviceCIDRs[0]),
    dnsServiceIP: dnsServiceIP(serviceCIDRs[0]),
    clusterDomain: CLUSTER_DOMAIN,
    nodes,
  };
}

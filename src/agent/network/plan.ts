// What the network plumbing runs, as data (pure): `ip -n <netns> -batch -` lines per namespace and sysctls.
// The executor (plumbing.ts) only runs them. Batches keep pod setup at three `ip` spawns.
import { formatIP, gatewayOf, parseCidr, parseIPv4, type Cidr } from './cidr.ts';
import { LINK, clusterNetnsName, nodeNetnsName, nodeUplinkPeerName, podNetnsName, podVethName } from '../names.ts';

export interface NodeNetwork {
  cluster: string;
  node: string;
  /** The node's address on the cluster bridge with its prefix, e.g. 172.31.0.2/24. */
  nodeIP: string;
  podCIDRs: Cidr[];
}

export interface IpBatch {
  netns: string;
  lines: string[];
  /** Errors whose message matches are expected (idempotent re-runs). */
  tolerate?: RegExp;
}

/** The cluster namespace's bridge (created by whichever agent comes first; re-running is harmless). */
export function clusterBridgePlan(cluster: string): IpBatch {
  return {
    netns: clusterNetnsName(cluster),
    lines: [`link add ${LINK.clusterBridge} type bridge`, `link set ${LINK.clusterBridge} up`, 'link set lo up'],
    tolerate: /File exists/,
  };
}

/** The node namespace: uplink to the cluster bridge, cbr0 with the pod gateways. */
export function nodePlan(n: NodeNetwork): { uplink: IpBatch; node: IpBatch; sysctls: string[] } {
  const nodeNs = nodeNetnsName(n.cluster, n.node);
  const clusterNs = clusterNetnsName(n.cluster);
  const peer = nodeUplinkPeerName(n.node);
  const node: string[] = [
    'link set lo up',
    `link set ${LINK.eth0} up`,
    `addr replace ${n.nodeIP} dev ${LINK.eth0}`,
    `addr replace ${nodeUplinkIPv6(n.nodeIP.split('/')[0] ?? '')}/96 dev ${LINK.eth0} nodad`,
    `link add ${LINK.nodeBridge} type bridge`,
  ];
  for (const c of n.podCIDRs) {
    node.push(`addr replace ${gatewayOf(c)}/${c.prefix} dev ${LINK.nodeBridge}${c.family === 6 ? ' nodad' : ''}`);
  }
  node.push(`link set ${LINK.nodeBridge} up`);
  return {
    // Created from the cluster namespace so that no link ever appears in the host's namespace.
    uplink: {
      netns: clusterNs,
      lines: [
        `link add ${peer} type veth peer name ${LINK.eth0} netns ${nodeNs}`,
        `link set ${peer} master ${LINK.clusterBridge}`,
        `link set ${peer} up`,
      ],
      tolerate: /File exists/,
    },
    node: { netns: nodeNs, lines: node, tolerate: /File exists/ },
    sysctls: [
      'net.ipv4.ip_forward=1',
      'net.ipv6.conf.all.forwarding=1',
      // Pods route even same-bridge traffic through the node (their only route is the gateway), so the node
      // forwards out of the interface a packet came in on: redirects would teach pods to bypass the node's
      // L3, where the proxy's NAT runs.
      'net.ipv4.conf.all.send_redirects=0',
      'net.ipv4.conf.default.send_redirects=0',
      // Asymmetric paths (a pod's /32 behind cbr0, replies after the proxy's DNAT) must not be dropped by a
      // strict reverse-path filter inherited from the host's settings.
      'net.ipv4.conf.all.rp_filter=0',
      'net.ipv4.conf.default.rp_filter=0',
    ],
  };
}

/**
 * IPv6 pod ranges need an IPv6 next hop (this kernel refuses IPv6 routes via an IPv4 gateway), so every node
 * uplink also carries its IPv4 address embedded in a fixed ULA /96 (fd63:6970:: is "cip"): a peer's IPv6
 * next hop follows from the InternalIP it publishes, with nothing more to publish.
 */
export function nodeUplinkIPv6(nodeIPv4: string): string {
  return formatIP((0xfd636970n << 96n) | parseIPv4(nodeIPv4), 6);
}

/** Routes to every other node's pod ranges via that node's IP. */
export interface PeerNode {
  name: string;
  /** InternalIP without prefix. */
  ip: string;
  podCIDRs: string[];
}

export function routeLines(self: string, peers: PeerNode[]): string[] {
  const lines: string[] = [];
  for (const p of [...peers].sort((a, b) => a.name.localeCompare(b.name))) {
    if (p.name === self || !p.ip) continue;
    for (const text of p.podCIDRs) {
      let c: Cidr;
      try {
        c = parseCidr(text);
      } catch {
        continue;
      }
      lines.push(
        c.family === 4
          ? `route replace ${c.text} via ${p.ip} dev ${LINK.eth0}`
          : `route replace ${c.text} via ${nodeUplinkIPv6(p.ip)} dev ${LINK.eth0}`,
      );
    }
  }
  return lines;
}

/** The routes to delete: present before, gone now (keyed by destination). */
export function staleRouteLines(before: string[], now: string[]): string[] {
  const dest = (l: string): string => l.split(' ')[2] ?? '';
  const keep = new Set(now.map(dest));
  return before.filter((l) => !keep.has(dest(l))).map((l) => `route del ${dest(l)}`);
}

export interface PodNetwork {
  cluster: string;
  node: string;
  uid: string;
  podCIDRs: Cidr[];
  /** One address per pod range. */
  ips: string[];
}

export function podPlan(p: PodNetwork): { netns: string; nodeSide: IpBatch; podSide: IpBatch } {
  const netns = podNetnsName(p.cluster, p.node, p.uid);
  const nodeNs = nodeNetnsName(p.cluster, p.node);
  const veth = podVethName(p.uid);
  const podSide = ['link set lo up', `link set ${LINK.eth0} up`];
  p.podCIDRs.forEach((c, i) => {
    const ip = p.ips[i];
    if (!ip) return;
    const gw = gatewayOf(c);
    const v6 = c.family === 6;
    // `ip -batch` takes no per-line options; the family follows from the addresses.
    const f = '';
    // /32 and a link-scope route to the gateway only: every packet, even to a pod on the same bridge, goes
    // through the node namespace's L3 (and its nftables), as with kubenet-style point-to-point setups.
    podSide.push(`${f}addr add ${ip}/${v6 ? 128 : 32} dev ${LINK.eth0}${v6 ? ' nodad' : ''}`);
    podSide.push(`${f}route add ${gw} dev ${LINK.eth0} scope link`);
    podSide.push(`${f}route add default via ${gw} dev ${LINK.eth0}`);
  });
  return {
    netns,
    nodeSide: {
      netns: nodeNs,
      lines: [
        `link add ${veth} type veth peer name ${LINK.eth0} netns ${netns}`,
        `link set ${veth} master ${LINK.nodeBridge}`,
        // Hairpin: a pod reaching itself through a Service IP gets its packet back out of its own port.
        `link set ${veth} type bridge_slave hairpin on`,
        `link set ${veth} up`,
      ],
    },
    podSide: { netns, lines: podSide },
  };
}

// Names of everything the agent creates. Generated names use `_` as their separator: it can appear in neither
// a cluster name nor a node name (DNS labels/subdomains), so `cip-<cluster>_` is a prefix owned by exactly one
// cluster and cleanup by prefix can never touch another cluster's namespaces (`cip-a-` would also match the
// namespaces of a cluster called `a-b`).

/** Prefix of every network namespace (and /etc/netns directory) of one cluster. */
export function clusterPrefix(cluster: string): string {
  return `cip-${cluster}_`;
}

/** The namespace holding the bridge that joins all nodes. `__` cannot start a node name, so no node collides. */
export function clusterNetnsName(cluster: string): string {
  return `${clusterPrefix(cluster)}_net`;
}

/** A node's network namespace: pods' gateway, routes to other nodes, and where the proxy's nftables run. */
export function nodeNetnsName(cluster: string, node: string): string {
  return `${clusterPrefix(cluster)}${node}`;
}

/** Pod UIDs are 36-char UUIDs; 10 hex digits keep names short and still unique per node in practice. */
export function podShortId(uid: string): string {
  const hex = uid.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  return (hex + '0000000000').slice(0, 10);
}

export function podNetnsName(cluster: string, node: string, uid: string): string {
  return `${nodeNetnsName(cluster, node)}_${podShortId(uid)}`;
}

// Link names (kernel limit: 15 chars). They live only inside our namespaces, so they need to be unique
// per namespace, not per host.
export const LINK = {
  /** Bridge in the cluster namespace joining every node's uplink. */
  clusterBridge: 'br0',
  /** A node namespace's uplink to the cluster bridge, and a pod namespace's link to its node bridge. */
  eth0: 'eth0',
  /** The node bridge owning the podCIDR gateway (as kubenet's). */
  nodeBridge: 'cbr0',
} as const;

/** The cluster-namespace end of a node's uplink: `n` + 8 hex of a hash of the node name. */
export function nodeUplinkPeerName(node: string): string {
  return `n${fnv1a(node).toString(16).padStart(8, '0')}`;
}

/** The node-namespace end of a pod's veth (the pod end is eth0). */
export function podVethName(uid: string): string {
  return `v${podShortId(uid)}`;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

// Runs the network plans: namespaces, links, addresses and routes, only ever inside namespaces named
// `cip-<cluster>_…` (the host's own namespace is never changed).
import { readdir } from 'node:fs/promises';
import { run, runOk } from './exec.ts';
import { clusterBridgePlan, nodePlan, podPlan, type IpBatch, type NodeNetwork, type PodNetwork } from './plan.ts';
import { clusterNetnsName, nodeNetnsName, podVethName } from '../names.ts';

const NETNS_DIR = '/run/netns';

/** `ip -n <netns> -force -batch -`: one spawn for many commands; errors other than tolerated ones throw. */
export async function runIpBatch(batch: IpBatch): Promise<void> {
  if (batch.lines.length === 0) return;
  const r = await run('ip', ['-n', batch.netns, '-force', '-batch', '-'], batch.lines.join('\n') + '\n');
  if (r.code === 0) return;
  const errors = r.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('Command failed') && !(batch.tolerate && batch.tolerate.test(l)));
  if (errors.length > 0 || !batch.tolerate) {
    throw new Error(`ip -n ${batch.netns} -batch: ${errors.join('; ') || r.stderr.trim()}`);
  }
}

/** Creates a named network namespace; an existing one is fine (race-safe for several agents). */
export async function addNetns(name: string): Promise<void> {
  const r = await run('ip', ['netns', 'add', name]);
  if (r.code !== 0 && !/File exists/.test(r.stderr)) throw new Error(`ip netns add ${name}: ${r.stderr.trim()}`);
}

export async function deleteNetns(name: string): Promise<void> {
  const r = await run('ip', ['netns', 'delete', name]);
  if (r.code !== 0 && !/No such file|not found|Cannot remove|No such/.test(r.stderr)) {
    throw new Error(`ip netns delete ${name}: ${r.stderr.trim()}`);
  }
}

export async function listNetns(prefix: string): Promise<string[]> {
  try {
    return (await readdir(NETNS_DIR)).filter((n) => n.startsWith(prefix)).sort();
  } catch {
    return [];
  }
}

async function retrying<T>(what: () => Promise<T>, attempts = 20, delayMs = 25): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await what();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

/**
 * The cluster namespace and its bridge. Another agent may be creating them at the same moment: `netns add`
 * and `link add` tolerate "exists", and a namespace file that is not mounted yet makes `ip -n` fail, so retry.
 */
export async function ensureClusterNetwork(cluster: string): Promise<void> {
  await addNetns(clusterNetnsName(cluster));
  await retrying(() => runIpBatch(clusterBridgePlan(cluster)));
}

/** The node namespace (idempotent: an agent restart re-runs it without disturbing running pods). */
export async function ensureNodeNetwork(n: NodeNetwork): Promise<void> {
  await ensureClusterNetwork(n.cluster);
  const nodeNs = nodeNetnsName(n.cluster, n.node);
  await addNetns(nodeNs);
  const plan = nodePlan(n);
  const hasUplink = (await run('ip', ['-n', nodeNs, 'link', 'show', 'eth0'])).code === 0;
  if (!hasUplink) await retrying(() => runIpBatch(plan.uplink));
  await runIpBatch(plan.node);
  await runOk('ip', ['netns', 'exec', nodeNs, 'sysctl', '-q', '-w', ...plan.sysctls]);
}

/**
 * Namespace, veth on cbr0, addresses and routes for one pod, as one `sh` script running three `ip` commands:
 * a spawn blocks the agent's event loop for as long as fork takes (milliseconds for a process of Node's
 * size), so the agent spawns once and the small shell forks the rest.
 */
export async function setupPodNetwork(p: PodNetwork): Promise<string> {
  const plan = podPlan(p);
  const script = [
    'set -e',
    `ip netns add ${plan.netns} 2>/dev/null || test -e /run/netns/${plan.netns}`,
    `ip -n ${plan.nodeSide.netns} -batch - <<'CIP_NODE'`,
    ...plan.nodeSide.lines,
    'CIP_NODE',
    `ip -n ${plan.podSide.netns} -batch - <<'CIP_POD'`,
    ...plan.podSide.lines,
    'CIP_POD',
  ].join('\n');
  try {
    const r = await run('sh', ['-c', script]);
    if (r.code !== 0) throw new Error(`pod network ${plan.netns}: ${r.stderr.trim() || `exit ${r.code}`}`);
  } catch (err) {
    await teardownPodNetwork(p.cluster, p.node, p.uid).catch(() => {});
    throw err;
  }
  return plan.netns;
}

/** Deleting the namespace deletes its eth0 and with it the veth peer on cbr0; the explicit del is a safety net. */
export async function teardownPodNetwork(cluster: string, node: string, uid: string): Promise<void> {
  const { netns } = podPlan({ cluster, node, uid, podCIDRs: [], ips: [] });
  await deleteNetns(netns);
  await run('ip', ['-n', nodeNetnsName(cluster, node), 'link', 'del', podVethName(uid)]);
}

/** Replaces the node namespace's routes to other nodes' pod ranges; removes the stale ones. */
export async function applyRoutes(cluster: string, node: string, add: string[], del: string[]): Promise<void> {
  await runIpBatch({
    netns: nodeNetnsName(cluster, node),
    lines: [...del, ...add],
    tolerate: /No such process|Cannot find device/,
  });
}

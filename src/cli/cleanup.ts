// What `down` (and a stopped `up`) removes from the host: every network namespace, link, process and
// file the cluster's agents made. The agent knows its own names; this only asks it.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { cleanupCluster } from '../agent/index.ts';

/**
 * Also forgets the agents' node-local state (`<data-dir>/nodes`: pod sandboxes, IPAM), which describes
 * namespaces and processes that are gone now — as a node's kubelet state after a reboot. Objects in the API
 * stay; on the next `up` the agents build fresh sandboxes for the pods bound to them.
 */
export async function cleanupClusterHost(cluster: string, dataDir: string): Promise<void> {
  await cleanupCluster(cluster);
  await rm(path.join(dataDir, 'nodes'), { recursive: true, force: true });
}

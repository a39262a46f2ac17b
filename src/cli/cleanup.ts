// What `down` (and a stopped `up`) removes from the host: every network namespace, link, process and
// file the cluster's agents made. The agent knows its own names; this only asks it.
import { cleanupCluster } from '../agent/index.ts';

export async function cleanupClusterHost(cluster: string): Promise<void> {
  await cleanupCluster(cluster);
}

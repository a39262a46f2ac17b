// What `down` (and a stopped `up`) removes from the host: every network namespace, link, process and
// file the cluster's agents made. The agent knows its own names; this only asks it.
import { readdir, readFile, rm } from 'node:fs/promises';
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

/**
 * Parts left running by a supervisor that died (kill -9 of `up`): every process whose command line names
 * the cluster's data dir. SIGTERM, then SIGKILL after graceMs. Returns how many there were.
 */
export async function stopOrphanedParts(dataDir: string, graceMs = 3000): Promise<number> {
  const found: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0');
    if (args.some((a) => a === dataDir || a.startsWith(`${dataDir}/`) || a.startsWith(`unix://${dataDir}/`))) found.push(Number(entry));
  }
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  found.forEach((pid) => signal(pid, 'SIGTERM'));
  const deadline = Date.now() + graceMs;
  while (found.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  found.filter(alive).forEach((pid) => signal(pid, 'SIGKILL'));
  return found.length;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

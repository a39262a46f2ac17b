// `clusterip down`: removes every namespace, link, process and file the agents of one cluster made, also
// after a crash — found by the name prefix `cip-<cluster>_` that only this cluster's namespaces carry.
import fs from 'node:fs';
import path from 'node:path';
import { run } from './network/exec.ts';
import { deleteNetns, listNetns } from './network/plumbing.ts';
import { clusterNetnsName, clusterPrefix } from './names.ts';

export interface CleanupOptions {
  /** Agent data directories to remove (their agent.pid is killed first). */
  dataDirs?: string[];
}

export interface CleanupReport {
  namespaces: string[];
  killed: number;
}

export async function cleanupCluster(cluster: string, o: CleanupOptions = {}): Promise<CleanupReport> {
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(cluster)) throw new Error(`invalid cluster name "${cluster}"`);
  let killed = 0;
  for (const dir of o.dataDirs ?? []) {
    const pid = Number(readOr(path.join(dir, 'agent.pid'), ''));
    if (pid > 0 && pid !== process.pid && readOr(`/proc/${pid}/cmdline`, '').includes('agent')) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // gone
      }
    }
  }
  const prefix = clusterPrefix(cluster);
  const namespaces = await listNetns(prefix);
  // Every process inside one of our namespaces: containers, their children, the node dialers.
  for (let round = 0; round < 3; round++) {
    let found = 0;
    for (const ns of namespaces) {
      const r = await run('ip', ['netns', 'pids', ns]);
      for (const pid of r.stdout.split(/\s+/).filter(Boolean).map(Number)) {
        if (pid === process.pid) continue;
        try {
          process.kill(pid, 'SIGKILL');
          found++;
        } catch {
          // gone
        }
      }
    }
    killed += found;
    if (found === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // Pods first, then nodes, then the cluster bridge's namespace (deleting a namespace deletes its links).
  const clusterNs = clusterNetnsName(cluster);
  const ordered = [...namespaces].sort((a, b) => depth(b) - depth(a) || a.localeCompare(b)).filter((n) => n !== clusterNs);
  if (namespaces.includes(clusterNs)) ordered.push(clusterNs);
  for (const ns of ordered) await deleteNetns(ns).catch(() => {});
  for (const entry of safeReaddir('/etc/netns')) {
    if (entry.startsWith(prefix)) fs.rmSync(path.join('/etc/netns', entry), { recursive: true, force: true });
  }
  for (const dir of o.dataDirs ?? []) fs.rmSync(dir, { recursive: true, force: true });
  return { namespaces, killed };
}

function depth(ns: string): number {
  return ns.split('_').length;
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

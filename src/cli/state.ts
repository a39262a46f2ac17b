// Where a cluster keeps its files, and the state file `up` writes so that `status`, `logs` and `down`
// (other processes) can find its parts.
import { readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface ClusterState {
  name: string;
  /** The supervising `clusterip up` process. */
  pid: number;
  server: string;
  socket: string;
  kubeconfig: string;
  userKubeconfig?: string;
  nodes: { name: string; kubeletPort: number; proxyHealthzPort: number; netns: string }[];
  startedAt: string;
  ready: boolean;
}

export function defaultDataDir(name: string): string {
  return path.join(os.homedir(), '.clusterip', name);
}

export const stateFile = (dataDir: string) => path.join(dataDir, 'state.json');
export const logDir = (dataDir: string) => path.join(dataDir, 'logs');

export async function readState(dataDir: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(dataDir), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

export async function writeState(dataDir: string, state: ClusterState): Promise<void> {
  const tmp = `${stateFile(dataDir)}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, stateFile(dataDir));
}

export function processAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (dead, not yet reaped by its parent) still answers signal 0.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

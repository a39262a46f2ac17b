// A real cluster for end-to-end tests: `clusterip up --detach` with two nodes in a temp dir, kubectl against
// it, bounded waits, and `clusterip down --purge` afterwards. Needs root (nodes are network namespaces).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../src/cli/preflight.ts';

export const run = promisify(execFile);
export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CLI = path.join(ROOT, 'bin', 'clusterip');
export const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
export const isRoot = process.getuid?.() === 0;
export const needsRoot = isRoot ? false : 'needs root: nodes are network namespaces';

export interface E2ECluster {
  name: string;
  dataDir: string;
  kubeconfig: string;
  /** Seconds `clusterip up` took until every part (DNS included) was ready. */
  upSeconds: number;
  kubectl(...args: string[]): Promise<string>;
  /** `clusterip down`, keeping the data dir (the test checks what is left); `destroy()` purges. */
  down(): Promise<void>;
  /** `clusterip up` again on the same name, data dir and port. */
  up(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startE2ECluster(namePrefix: string, nodes = 2): Promise<E2ECluster> {
  const name = `${namePrefix}${process.pid % 100000}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `cip-${namePrefix}-`));
  const cacheDir = path.join(dataDir, 'kube-cache');
  const kubeconfig = path.join(dataDir, 'kubeconfig');
  const port = await freePort();
  const up = async () => {
    await run(CLI, ['up', '--name', name, '--nodes', String(nodes), '--data-dir', dataDir, '--api-port', String(port), '--no-kubeconfig', '--detach'], { timeout: 120_000 });
  };
  const started = performance.now();
  await up();
  const upSeconds = (performance.now() - started) / 1000;
  const down = async () => {
    await run(CLI, ['down', '--name', name, '--data-dir', dataDir], { timeout: 60_000 });
  };
  return {
    name,
    dataDir,
    kubeconfig,
    upSeconds,
    kubectl: async (...args) => (await run(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { timeout: 90_000 })).stdout,
    down,
    up,
    destroy: async () => {
      await run(CLI, ['down', '--name', name, '--data-dir', dataDir, '--purge'], { timeout: 60_000 }).catch((err) => console.log(`# down failed: ${err}`));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls probe until it returns a value, for at most timeoutMs; the error names what never happened. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

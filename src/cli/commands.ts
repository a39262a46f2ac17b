// `clusterip status`, `logs` and `down`: they find a running cluster through its state file.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Node, Pod } from '../api/index.ts';
import { ApiClient } from '../client/index.ts';
import { cleanupClusterHost, stopOrphanedParts } from './cleanup.ts';
import { removeFromUserKubeconfig, userKubeconfigPath } from './kubeconfig.ts';
import { logDir, processAlive, readState } from './state.ts';

export interface ClusterRef {
  name: string;
  dataDir: string;
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Prints each part's state; returns the exit code (0 when everything is up). */
export async function status(ref: ClusterRef, out: (line: string) => void): Promise<number> {
  const state = await readState(ref.dataDir);
  if (!state) {
    out(`Cluster "${ref.name}" has never been started here (no ${ref.dataDir}/state.json). Start it with: clusterip up --name ${ref.name}`);
    return 1;
  }
  const rows: [string, boolean, string][] = [];
  const supervisorUp = processAlive(state.pid);
  rows.push(['supervisor', supervisorUp, supervisorUp ? `pid ${state.pid}` : 'not running']);
  const client = new ApiClient({ server: `unix://${state.socket}` });
  const apiUp = await client.request('GET', '/readyz').then(() => true, () => false);
  rows.push(['apiserver', apiUp, state.server]);
  if (apiUp) {
    const nodes = await client.list<Node>('/api/v1/nodes').catch(() => ({ items: [] as Node[] }));
    for (const n of state.nodes) {
      const node = nodes.items.find((i) => i.metadata.name === n.name);
      const ready = (node?.status?.conditions ?? []).find((c) => c.type === 'Ready');
      rows.push([`agent ${n.name}`, ready?.status === 'True', ready ? `Ready=${ready.status}` : 'not registered']);
    }
    if (state.nodes.length) {
      const dns = await client.get<Pod>('/api/v1/namespaces/kube-system/pods/coredns').catch(() => undefined);
      const ready = (dns?.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      rows.push(['dns', ready, dns ? `pod ${dns.status?.phase ?? 'Pending'}${dns.status?.podIP ? ` ${dns.status.podIP}` : ''}` : 'no coredns pod']);
    }
  } else {
    for (const n of state.nodes) rows.push([`agent ${n.name}`, false, 'API server down']);
  }
  for (const n of state.nodes) {
    const ok = await httpOk(`http://127.0.0.1:${n.proxyHealthzPort}/healthz`);
    rows.push([`proxy ${n.name}`, ok, `healthz :${n.proxyHealthzPort}`]);
  }
  client.close();
  out(`Cluster "${state.name}" (${ref.dataDir})`);
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [part, ok, detail] of rows) out(`  ${ok ? '✓' : '✗'} ${part.padEnd(width)}  ${detail}`);
  return rows.every((r) => r[1]) ? 0 : 1;
}

export async function logs(ref: ClusterRef, part: string, follow: boolean, out: NodeJS.WritableStream): Promise<number> {
  const file = path.join(logDir(ref.dataDir), `${part}.log`);
  try {
    await access(file);
  } catch {
    const state = await readState(ref.dataDir);
    const parts = ['apiserver', 'controllers', ...(state?.nodes ?? []).flatMap((n) => [`agent-${n.name}`, `proxy-${n.name}`])];
    process.stderr.write(`no log for part "${part}" in ${logDir(ref.dataDir)}; parts: ${parts.join(', ')}\n`);
    return 1;
  }
  if (follow) {
    const tail = spawn('tail', ['-n', '+1', '-f', file], { stdio: ['ignore', 'inherit', 'inherit'] });
    await new Promise((resolve) => tail.on('exit', resolve));
    return 0;
  }
  await new Promise<void>((resolve, reject) => createReadStream(file).on('error', reject).on('end', resolve).pipe(out, { end: false }));
  return 0;
}

export async function down(ref: ClusterRef, purge: boolean, out: (line: string) => void): Promise<number> {
  const state = await readState(ref.dataDir);
  if (state && processAlive(state.pid)) {
    out(`Stopping cluster "${ref.name}" (pid ${state.pid}) ...`);
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 30_000;
    while (processAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (processAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  }
  // Also after a crash: parts a dead supervisor left running, then whatever the cluster made on the host.
  const orphans = await stopOrphanedParts(ref.dataDir);
  if (orphans) out(`Stopped ${orphans} process(es) left running by a supervisor that had died`);
  if (process.getuid?.() === 0) await cleanupClusterHost(ref.name, ref.dataDir);
  const kubeconfig = state?.userKubeconfig ?? userKubeconfigPath();
  if (await removeFromUserKubeconfig(kubeconfig, ref.name).catch(() => false)) out(`Removed context "clusterip-${ref.name}" from ${kubeconfig}`);
  if (purge) {
    await rm(ref.dataDir, { recursive: true, force: true });
    out(`Deleted ${ref.dataDir}`);
  } else {
    out(`Cluster "${ref.name}" stopped; its data stays in ${ref.dataDir} (--purge deletes it)`);
  }
  return 0;
}

// Test/bench harness: an API server (clusterip's own, in-process, on a random loopback port; the in-memory
// fake when the real one cannot load) and agents for a uniquely named cluster, always cleaned up.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAgent, cleanupCluster, parseAgentFlags, type Agent } from '../../src/agent/index.ts';
import { ApiClient } from '../../src/client/index.ts';
import type { Pod } from '../../src/api/index.ts';
import { FakeApiServer } from './fakeapi.ts';

export interface Harness {
  cluster: string;
  url: string;
  client: ApiClient;
  agents: Agent[];
  dataDir: string;
  kind: 'apiserver' | 'fake';
  addAgent(node: string, index: number, extra?: string[]): Promise<Agent>;
  close(): Promise<void>;
}

async function startApi(dataDir: string): Promise<{ url: string; kind: 'apiserver' | 'fake'; close(): Promise<void> }> {
  if (process.env.AGENT_TEST_FAKE_API !== '1') {
    try {
      const mod = (await import('../../src/apiserver/index.ts')) as unknown as {
        createApiCore(o: { backend: unknown; bootstrap?: boolean }): Promise<{ close(): Promise<void> | void }>;
        startApiServer(o: { core: unknown; host: string; port: number; socketPath?: string }): Promise<{ url: string; close(): Promise<void> }>;
        memoryBackend(): unknown;
      };
      const core = await mod.createApiCore({ backend: mod.memoryBackend(), bootstrap: true });
      const server = await mod.startApiServer({ core, host: '127.0.0.1', port: 0, socketPath: path.join(dataDir, 'api.sock') });
      return {
        url: server.url,
        kind: 'apiserver',
        close: async () => {
          await server.close();
          await core.close();
        },
      };
    } catch (err) {
      process.stderr.write(`harness: clusterip's API server unavailable (${(err as Error).message}); using the fake\n`);
    }
  }
  const fake = new FakeApiServer();
  const url = await fake.start();
  return { url, kind: 'fake', close: () => fake.stop() };
}

/** Clusters an earlier run of this harness left behind when it was killed (its pid is gone). */
async function reapStale(name: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/run/netns');
  } catch {
    return;
  }
  const stale = new Set<string>();
  for (const e of entries) {
    const m = new RegExp(`^cip-(${name}(\\d+))_`).exec(e);
    if (!m?.[1] || !m[2]) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || fs.existsSync(`/proc/${pid}`)) continue;
    stale.add(m[1]);
  }
  for (const cluster of stale) await cleanupCluster(cluster);
}

export async function startHarness(name: string): Promise<Harness> {
  await reapStale(name);
  const cluster = `${name}${process.pid}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `cip-agent-${name}-`));
  const api = await startApi(dataDir);
  const client = new ApiClient({ server: api.url });
  const agents: Agent[] = [];
  const dirs: string[] = [];
  return {
    cluster,
    url: api.url,
    client,
    agents,
    dataDir,
    kind: api.kind,
    async addAgent(node, index, extra = []) {
      const dir = path.join(dataDir, node);
      dirs.push(dir);
      const agent = await startAgent(
        parseAgentFlags([
          '--cluster', cluster, '--node', node, '--api', api.url, '--data-dir', dir,
          '--pod-cidr', `10.244.${index}.0/24`, '--node-ip', `172.31.0.${index + 1}/24`, '--kubelet-port', '0',
          ...extra,
        ]),
        { log: () => {} },
      );
      agents.push(agent);
      return agent;
    },
    async close() {
      for (const a of agents.splice(0)) await a.stop().catch(() => {});
      await cleanupCluster(cluster, { dataDirs: dirs });
      client.close();
      await api.close().catch(() => {});
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function isReady(p: Pod | undefined): boolean {
  return p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Polls the API until `check` holds (bounded). */
export async function waitFor<T>(what: string, get: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await get();
      if (check(last)) return last;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)?.slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function podPath(name: string, ns = 'default'): string {
  return `/api/v1/namespaces/${ns}/pods/${name}`;
}

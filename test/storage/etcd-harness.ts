// Starts Debian's etcd for tests: one or three members on loopback ports, data in a temp dir, always
// killed and removed by stop() (and on process exit, should a test crash).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ETCD_BINARY = '/usr/bin/etcd';

/** Why etcd tests cannot run here, or undefined when they can. */
export function etcdSkipReason(): string | undefined {
  return existsSync(ETCD_BINARY) ? undefined : `${ETCD_BINARY} is not installed (Debian package etcd-server)`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface EtcdCluster {
  /** Client URLs, one per member. */
  endpoints: string[];
  /** The index of the member that is raft leader now. */
  leader(): Promise<number>;
  /** kill -9 one member. */
  kill(member: number): void;
  /** Starts a killed member again on its data dir and ports; resolves once it is healthy. */
  restart(member: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startEtcd(members = 1, timeoutMs = 20_000): Promise<EtcdCluster> {
  const dir = await mkdtemp(join(tmpdir(), `clusterip-etcd-${process.pid}-`));
  const ports = await Promise.all(Array.from({ length: members * 2 }, freePort));
  const names = Array.from({ length: members }, (_, i) => `m${i}`);
  const peer = (i: number): string => `http://127.0.0.1:${ports[2 * i + 1]}`;
  const endpoints = names.map((_, i) => `http://127.0.0.1:${ports[2 * i]}`);
  const initialCluster = names.map((n, i) => `${n}=${peer(i)}`).join(',');
  const procs: ChildProcess[] = [];
  const killAll = (): void => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const logs: string[] = [];
  const spawnMember = (i: number): ChildProcess => {
    const name = names[i] ?? `m${i}`;
    const p = spawn(
      ETCD_BINARY,
      [
        `--name=${name}`,
        `--data-dir=${join(dir, name)}`,
        `--listen-client-urls=${endpoints[i]}`,
        `--advertise-client-urls=${endpoints[i]}`,
        `--listen-peer-urls=${peer(i)}`,
        `--initial-advertise-peer-urls=${peer(i)}`,
        `--initial-cluster=${initialCluster}`,
        '--initial-cluster-state=new',
        `--initial-cluster-token=clusterip-test-${process.pid}-${ports[0]}`,
        '--logger=zap',
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    p.stderr?.on('data', (chunk: Buffer) => {
      if (logs.length < 200) logs.push(`${name}: ${chunk.toString().trim()}`);
    });
    return p;
  };
  for (let i = 0; i < members; i++) procs.push(spawnMember(i));
  const stop = async (): Promise<void> => {
    killAll();
    await Promise.all(
      procs.map((p) => (p.exitCode !== null || p.signalCode !== null ? undefined : new Promise((r) => p.once('exit', r)))),
    );
    process.removeListener('exit', killAll);
    await rm(dir, { recursive: true, force: true });
  };
  const waitHealthy = async (endpoint: string): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
        const body = (await res.json()) as { health?: string };
        if (body.health === 'true') return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline || procs.some((p) => p.exitCode !== null)) {
        await stop();
        throw new Error(`etcd did not become healthy:\n${logs.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  for (const endpoint of endpoints) await waitHealthy(endpoint);
  return {
    endpoints,
    leader: async () => {
      for (const [i, endpoint] of endpoints.entries()) {
        try {
          // etcd's gRPC gateway: Maintenance.Status names the leader and the answering member.
          const res = await fetch(`${endpoint}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1000) });
          const status = (await res.json()) as { leader?: string; header?: { member_id?: string } };
          if (status.leader !== undefined && status.leader === status.header?.member_id) return i;
        } catch {
          // member down: ask the next
        }
      }
      throw new Error('no etcd member reports itself leader');
    },
    kill: (member) => procs[member]?.kill('SIGKILL'),
    restart: async (member) => {
      const old = procs[member];
      if (old && old.exitCode === null && old.signalCode === null) {
        if (!old.killed) throw new Error(`etcd member ${member} is running`);
        await new Promise((r) => old.once('exit', r)); // killed, not yet reaped
      }
      procs[member] = spawnMember(member);
      await waitHealthy(endpoints[member] ?? '');
    },
    stop,
  };
}

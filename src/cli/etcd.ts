// `clusterip up --storage etcd` without --etcd-endpoints: a local single-member etcd (Debian's etcd-server)
// as one more supervised part, data in <data-dir>/etcd, client and peer on free loopback ports.
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { PartSpec } from './supervisor.ts';

export const ETCD_BINARY = '/usr/bin/etcd';
const MEMBER_NAME = 'clusterip';

/** etcd's flags for one local member. Pure, so the plan is testable without etcd. */
export function localEtcdPart(dataDir: string, clientPort: number, peerPort: number): { spec: PartSpec; endpoint: string } {
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return {
    endpoint,
    spec: {
      name: 'etcd',
      command: ETCD_BINARY,
      args: [
        `--name=${MEMBER_NAME}`,
        `--data-dir=${path.join(dataDir, 'etcd')}`,
        `--listen-client-urls=${endpoint}`,
        `--advertise-client-urls=${endpoint}`,
        // The initial-* flags only count on the first start; a later `up` reuses the member in the data dir
        // (a single member never dials its own peer URL, so a new peer port is harmless).
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=${MEMBER_NAME}=${peer}`,
        '--initial-cluster-state=new',
        '--logger=zap',
        '--log-level=warn',
      ],
    },
  };
}

/** Why a local etcd cannot start, or undefined when it can. */
export async function localEtcdProblem(): Promise<string | undefined> {
  try {
    await access(ETCD_BINARY);
    return undefined;
  } catch {
    return `--storage etcd without --etcd-endpoints needs ${ETCD_BINARY} (Debian package etcd-server)`;
  }
}

/** etcd's own health endpoint: true once the member serves (has a leader). */
export async function etcdHealthy(endpoint: string): Promise<true | undefined> {
  const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
  const body = (await res.json()) as { health?: string };
  return body.health === 'true' ? true : undefined;
}

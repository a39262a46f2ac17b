// Crash safety: "nothing that was acknowledged is ever lost". A child process writes as fast as it can and
// reports each acknowledged create; we kill -9 mid-stream (the writer for SQLite, which is embedded; etcd
// itself for etcd), reopen the store, and every acknowledged key must be there.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import type { Backend } from '../../src/storage/index.ts';
import { openEtcdBackend, openSqliteBackend } from '../../src/storage/index.ts';
import { etcdSkipReason, startEtcd } from './etcd-harness.ts';

const WRITER = join(import.meta.dirname, 'crash-writer.ts');

/**
 * Runs the writer until `killAfter` acknowledgements, then calls kill (which must kill -9 something the
 * writes depend on). Returns the acknowledged keys.
 */
async function writeUntilKilled(args: string[], killAfter: number, kill: (child: ReturnType<typeof spawn>) => void): Promise<string[]> {
  const child = spawn(process.execPath, [WRITER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acknowledged: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000); // bounded whatever happens
  let killed = false;
  try {
    const lines = createInterface({ input: child.stdout });
    for await (const line of lines) {
      if (line.startsWith('ack ')) acknowledged.push(line.slice(4));
      if (!killed && acknowledged.length >= killAfter) {
        killed = true;
        kill(child);
      }
      // Keep reading what the writer printed before it died (or, etcd killed, until its writes fail), so
      // late acknowledgements count too.
      if (killed && line.startsWith('err ')) break;
    }
  } finally {
    clearTimeout(timer);
    child.kill('SIGKILL');
    await exited;
  }
  return acknowledged;
}

async function checkAllThere(backend: Backend, acknowledged: string[], label: string): Promise<void> {
  const stored = new Set((await backend.list('/crash/')).items.map((kv) => kv.key));
  const missing = acknowledged.filter((k) => !stored.has(k));
  console.log(`${label}: acknowledged ${acknowledged.length}, found ${acknowledged.length - missing.length}, stored ${stored.size}`);
  assert.deepEqual(missing, [], 'every acknowledged key survives the crash');
  assert.ok(stored.size >= acknowledged.length);
}

describe('crash safety', () => {
  it('sqlite: kill -9 of the writer loses no acknowledged create', async () => {
    const dir = await mkdtemp(join(tmpdir(), `clusterip-crash-${process.pid}-`));
    try {
      for (const concurrency of [1, 50]) {
        const path = join(dir, `state-${concurrency}.db`);
        const acknowledged = await writeUntilKilled(['sqlite', path, String(concurrency)], 1500, (child) =>
          child.kill('SIGKILL'),
        );
        const backend = await openSqliteBackend(path);
        try {
          await checkAllThere(backend, acknowledged, `sqlite, ${concurrency} in flight`);
          const revision = await backend.currentRevision();
          assert.equal(revision, await backend.count('/crash/'), 'one revision per stored create');
        } finally {
          await backend.close();
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('etcd: kill -9 of etcd loses no acknowledged create', { skip: etcdSkipReason() }, async () => {
    const etcd = await startEtcd(1);
    let backend: Backend | undefined;
    try {
      const prefix = `/crash${process.pid}`;
      const acknowledged = await writeUntilKilled(['etcd', etcd.endpoints.join(','), prefix, '20'], 1000, () => etcd.kill(0));
      await etcd.restart(0);
      backend = await openEtcdBackend({ endpoints: etcd.endpoints, prefix });
      await checkAllThere(backend, acknowledged, 'etcd, 20 in flight');
    } finally {
      await backend?.close();
      await etcd.stop();
    }
  });
});

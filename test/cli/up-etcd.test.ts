// `clusterip up --storage etcd` without --etcd-endpoints: a local etcd member is started as a supervised part
// (data in <data-dir>/etcd), the API server stores there, and a second `up` on the same data dir finds the
// Services of the first with the same ClusterIP. Control plane only (--nodes 0): no root, no namespaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/cli/preflight.ts';
import { etcdSkipReason } from '../storage/etcd-harness.ts';

const repo = new URL('../../', import.meta.url).pathname;

/** Runs `clusterip up` in the foreground until it says it is running; returns its output so far. */
async function up(dataDir: string, apiPort: number): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(
    process.execPath,
    ['src/cli/main.ts', 'up', '--name', `upetcd${process.pid}`, '--nodes', '0', '--data-dir', dataDir, '--api-port', String(apiPort), '--storage', 'etcd', '--no-kubeconfig', '--wait', '30'],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 40_000;
  while (!out.includes('Running in the foreground')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGINT');
      throw new Error(`clusterip up did not come up:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, out: () => out };
}

async function down(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(force);
}

async function etcdAnswers(endpoint: string): Promise<boolean> {
  try {
    await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

test('clusterip up --storage etcd starts and supervises a local etcd; data survives a second up', { skip: etcdSkipReason() }, async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `cip-up-etcd-${process.pid}-`));
  const apiPort = await freePort();
  const api = `http://127.0.0.1:${apiPort}`;
  let run: Awaited<ReturnType<typeof up>> | undefined;
  try {
    run = await up(dataDir, apiPort);
    const etcdEndpoint = /Starting etcd \((http:\/\/127\.0\.0\.1:\d+)/.exec(run.out())?.[1];
    assert.ok(etcdEndpoint, run.out());
    assert.match(run.out(), /Starting API server \(etcd,/);
    assert.ok(existsSync(path.join(dataDir, 'etcd', 'member')), 'etcd keeps its data in <data-dir>/etcd');
    const res = await fetch(`${api}/api/v1/namespaces/default/services`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kept' }, spec: { ports: [{ port: 80 }] } }),
    });
    assert.equal(res.status, 201);
    const ip = ((await res.json()) as { spec: { clusterIP: string } }).spec.clusterIP;
    // The key is in etcd itself, where Kubernetes keeps it.
    const range = await fetch(`${etcdEndpoint}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/registry/services/specs/default/kept').toString('base64') }) });
    assert.equal(((await range.json()) as { count?: string }).count, '1');
    await down(run.child);
    assert.equal(await etcdAnswers(etcdEndpoint), false, 'stopping the cluster stops its etcd');

    run = await up(dataDir, apiPort);
    const again = await fetch(`${api}/api/v1/namespaces/default/services/kept`);
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { spec: { clusterIP: string } }).spec.clusterIP, ip);
  } finally {
    if (run) await down(run.child);
    await rm(dataDir, { recursive: true, force: true });
  }
});

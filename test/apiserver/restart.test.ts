// Durability through the whole server: kill -9 right after an acknowledged create, restart on the same data
// dir, and the object is there with the same uid and resourceVersion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Service } from '../../src/api/index.ts';
import { ApiClient } from '../../src/client/index.ts';

const main = new URL('../../src/apiserver/main.ts', import.meta.url).pathname;

async function startServer(dataDir: string): Promise<{ child: ChildProcess; client: ApiClient }> {
  const socket = path.join(dataDir, 'api.sock');
  const child = spawn(process.execPath, [main, '--data-dir', dataDir, '--port', '0', '--socket', socket, '--service-cidr', '10.96.0.0/16'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new ApiClient({ server: `unix://${socket}` });
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`apiserver exited: ${stderr}`);
    try {
      await client.request('GET', '/readyz');
      return { child, client };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`apiserver did not become ready: ${stderr}`);
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

test('kill -9 after an acknowledged create, restart: the object, uid and resourceVersion are kept', { timeout: 30_000 }, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterip-restart-'));
  let child: ChildProcess | undefined;
  try {
    const first = await startServer(dataDir);
    child = first.child;
    const service: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'durable' }, spec: { ports: [{ port: 80 }] } };
    const created = await first.client.create<Service>('/api/v1/namespaces/default/services', service);
    await killed(child);
    const second = await startServer(dataDir);
    child = second.child;
    const got = await second.client.get<Service>('/api/v1/namespaces/default/services/durable');
    assert.equal(got.metadata.uid, created.metadata.uid);
    assert.equal(got.metadata.resourceVersion, created.metadata.resourceVersion);
    assert.ok(created.spec.clusterIP);
    assert.equal(got.spec.clusterIP, created.spec.clusterIP);
  } finally {
    if (child) await killed(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

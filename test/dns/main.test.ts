// The command line: `node src/dns/main.ts` against a fake API server on a unix socket and a fake upstream.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serviceObject } from '../../src/dns/fixture.ts';
import { dig, FakeUpstream } from './dig.ts';
import { FakeAPI, ns } from './fake-api.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), `clusterip-dns-main-${process.pid}-`));
let child: ChildProcess | undefined;
let api: FakeAPI | undefined;
let upstream: FakeUpstream | undefined;
after(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await api?.close();
  await upstream?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('main.ts serves the cluster zone and forwards the rest', { timeout: 60_000 }, async () => {
  const socketPath = path.join(dir, 'api.sock');
  const svc = serviceObject('default', 'nginx-service', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] });
  svc.metadata.resourceVersion = '3';
  api = new FakeAPI({ '/api/v1/services': [svc], '/apis/discovery.k8s.io/v1/endpointslices': [], '/api/v1/namespaces': [ns('default')] }, 5);
  await api.listen(socketPath);
  upstream = new FakeUpstream({ 'example.test A': [{ name: 'example.test', type: 'A', ttl: 60, data: '192.0.2.1' }] });
  const upstreamPort = await upstream.start();

  child = spawn(
    process.execPath,
    [
      path.join(import.meta.dirname, '../../src/dns/main.ts'),
      '--listen', '127.0.0.1:0',
      '--api', `unix://${socketPath}`,
      '--ttl', '30',
      '--health-port', '0',
      '--metrics-port', '0',
      '--pods', 'insecure',
      '--upstream', `127.0.0.1:${upstreamPort}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const banner = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no banner: ${err}`)), 15_000);
    child?.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes('dns: serving')) {
        clearTimeout(timer);
        resolve(err);
      }
    });
    child?.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  const port = Number(/on 127\.0\.0\.1:(\d+)/.exec(banner)?.[1]);
  const health = Number(/health :(\d+)/.exec(banner)?.[1]);
  assert.ok(port > 0 && health > 0, banner);

  const deadline = Date.now() + 10_000;
  let r = await dig(port, ['nginx-service.default.svc.cluster.local', 'A']);
  while (r.answer.length === 0 && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 100));
    r = await dig(port, ['nginx-service.default.svc.cluster.local', 'A']);
  }
  assert.deepEqual(r.answer, ['nginx-service.default.svc.cluster.local. 30 IN A 10.96.0.20']);
  assert.deepEqual((await dig(port, ['10-244-1-7.default.pod.cluster.local', 'A'])).answer, ['10-244-1-7.default.pod.cluster.local. 30 IN A 10.244.1.7']);
  assert.equal((await dig(port, ['example.test', 'A'])).answer.length, 1);
  assert.equal((await fetch(`http://127.0.0.1:${health}/ready`)).status, 200);

  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

// How long from `clusterip up` to a cluster that serves the seed's Service by name: up (2 nodes, DNS
// Ready), apply the seed's manifest, and poll `curl http://nginx-service` from a client pod until nginx
// answers. Baseline in the same run: a bare `ip netns add` + `ip netns del` pair, the floor of making a
// node at all; the external anchor is kind's 12–17 s to a running cluster (kind#2893). Needs root.
//   node bench/up.ts
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../src/cli/preflight.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'bin', 'clusterip');
const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
const NAME = `bench${process.pid % 10000}`;

if (process.getuid?.() !== 0) {
  console.log('bench/up.ts needs root (nodes are network namespaces)');
  process.exit(0);
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'cip-bench-up-'));
const kubeconfig = path.join(dir, 'kubeconfig');
const kubectl = (...args: string[]) => run(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), ...args], { timeout: 30_000 });

let t = performance.now();
for (let i = 0; i < 10; i++) {
  await run('ip', ['netns', 'add', `cip-bench-floor-${process.pid}`]);
  await run('ip', ['netns', 'del', `cip-bench-floor-${process.pid}`]);
}
const floorMs = (performance.now() - t) / 10;

try {
  const port = await freePort();
  t = performance.now();
  await run(CLI, ['up', '--name', NAME, '--nodes', '2', '--data-dir', dir, '--api-port', String(port), '--no-kubeconfig', '--detach'], { timeout: 120_000 });
  const upMs = performance.now() - t;
  await writeFile(path.join(dir, 'seed.yaml'), [
    'apiVersion: v1', 'kind: Service', 'metadata: {name: nginx-service}', 'spec: {selector: {app: nginx}, ports: [{protocol: TCP, port: 80, targetPort: 80}], type: ClusterIP}',
    '---', 'apiVersion: v1', 'kind: Pod', 'metadata: {name: nginx-pod, labels: {app: nginx}}', 'spec: {containers: [{name: nginx, image: "nginx:1.23", ports: [{containerPort: 80}]}]}',
    '---', 'apiVersion: v1', 'kind: Pod', 'metadata: {name: client}', 'spec: {containers: [{name: c, image: curlimages/curl, command: [sleep, "3600"]}]}', '',
  ].join('\n'));
  await kubectl('apply', '-f', path.join(dir, 'seed.yaml'));
  let served = false;
  for (let i = 0; i < 300 && !served; i++) {
    const out = await kubectl('exec', 'client', '--', 'curl', '-s', '--max-time', '1', 'http://nginx-service').then((r) => r.stdout, () => '');
    served = out.includes('Welcome to nginx!');
    if (!served) await new Promise((r) => setTimeout(r, 50));
  }
  const totalMs = performance.now() - t;
  console.log(`floor: ip netns add+del          ${floorMs.toFixed(1)} ms`);
  console.log(`clusterip up (2 nodes, DNS Ready) ${(upMs / 1000).toFixed(2)} s  (${(upMs / floorMs).toFixed(0)}× the floor)`);
  console.log(`up → seed served by name        ${(totalMs / 1000).toFixed(2)} s  ${served ? '' : '(NOT served)'}`);
  console.log(`vs kind's 12–17 s to a running cluster: ${(12_000 / totalMs).toFixed(1)}× faster than kind's best (target ≤ 2 s: ${totalMs <= 2000 ? 'met' : 'NOT met'})`);
} finally {
  await run(CLI, ['down', '--name', NAME, '--data-dir', dir, '--purge']).catch(() => {});
  await rm(dir, { recursive: true, force: true });
}

// Pod start → Ready for 100 pods, through clusterip's API server and one node agent, against a baseline
// measured in the same run: the bare network setup of a namespace with a veth (the `ip` work a pod needs)
// plus starting nginx in it, with no API server, no agent, no status.
//   node bench/agent.ts [--pods 100] [--image nginx:1.23]
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { startHarness, isReady } from '../test/agent/harness.ts';
import type { Pod } from '../src/api/index.ts';
import { run } from '../src/agent/network/exec.ts';
import { nginxConfig, NGINX_WELCOME_HTML } from '../src/agent/images/nginx.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const PODS = Number(arg('pods', '100'));
const IMAGE = arg('image', 'nginx:1.23');
const DEADLINE = Date.now() + 180_000;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

function fmt(xs: number[]): string {
  return `p50 ${pct(xs, 50).toFixed(1)} ms  p90 ${pct(xs, 90).toFixed(1)} ms  p99 ${pct(xs, 99).toFixed(1)} ms  max ${Math.max(...xs).toFixed(1)} ms`;
}

/** Baseline: netns + veth pair + addresses/routes (3 `ip` spawns, as the agent) + nginx started, one at a time. */
async function baseline(n: number): Promise<number[]> {
  const prefix = `cip-bench${process.pid}_base`;
  const times: number[] = [];
  const dir = fs.mkdtempSync('/tmp/cip-bench-');
  const children: number[] = [];
  try {
    await run('ip', ['netns', 'add', prefix]);
    await run('ip', ['-n', prefix, '-batch', '-'], 'link add cbr0 type bridge\naddr add 10.250.0.1/24 dev cbr0\nlink set cbr0 up\n');
    for (let i = 0; i < n && Date.now() < DEADLINE; i++) {
      const ns = `${prefix}_${i}`;
      const conf = `${dir}/${i}`;
      fs.mkdirSync(`${conf}/html`, { recursive: true });
      fs.mkdirSync(`${conf}/tmp`, { recursive: true });
      fs.writeFileSync(`${conf}/html/index.html`, NGINX_WELCOME_HTML);
      fs.writeFileSync(`${conf}/nginx.conf`, nginxConfig({ dir: conf, ports: [80], ipv6: false }));
      const t0 = performance.now();
      await run('ip', ['netns', 'add', ns]);
      await run('ip', ['-n', prefix, '-batch', '-'], `link add v${i} type veth peer name eth0 netns ${ns}\nlink set v${i} master cbr0\nlink set v${i} up\n`);
      await run('ip', ['-n', ns, '-batch', '-'], `link set lo up\nlink set eth0 up\naddr add 10.250.0.${i + 2}/32 dev eth0\nroute add 10.250.0.1 dev eth0 scope link\nroute add default via 10.250.0.1 dev eth0\n`);
      const child = spawn('ip', ['netns', 'exec', ns, '/usr/sbin/nginx', '-c', `${conf}/nginx.conf`], { stdio: 'ignore', detached: true });
      children.push(child.pid ?? 0);
      times.push(performance.now() - t0);
    }
  } finally {
    for (const pid of children) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < n; i++) await run('ip', ['netns', 'delete', `${prefix}_${i}`]);
    await run('ip', ['netns', 'delete', prefix]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return times;
}

async function podsToReady(mode: 'sequential' | 'burst'): Promise<{ times: number[]; wall: number }> {
  const h = await startHarness(mode === 'burst' ? 'bb' : 'bs');
  // The agent runs as its own process, as `clusterip up` starts it (its event loop and spawn costs are its own).
  const agent = spawn(process.execPath, [
    new URL('../src/agent/main.ts', import.meta.url).pathname,
    '--cluster', h.cluster, '--node', 'n1', '--api', h.url, '--data-dir', `${h.dataDir}/n1`,
    '--pod-cidr', '10.244.1.0/24', '--node-ip', '172.31.0.2/24', '--kubelet-port', '0',
  ], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env } });
  let agentLog = '';
  agent.stderr?.on('data', (d: Buffer) => (agentLog += d.toString()));
  try {
    const t = Date.now();
    while (!agentLog.includes('ready:')) {
      if (Date.now() - t > 20_000 || agent.exitCode !== null) throw new Error(`agent did not start: ${agentLog}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const created = new Map<string, number>();
    const readyAt = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    const watch = h.client.watch<Pod>('/api/v1/namespaces/default/pods', {}, (ev) => {
      const name = ev.object.metadata.name ?? '';
      if (!readyAt.has(name) && isReady(ev.object)) {
        readyAt.set(name, performance.now());
        waiters.get(name)?.();
      }
    });
    await new Promise((r) => setTimeout(r, 200));
    const pod = (name: string): Pod => ({
      metadata: { name, labels: { app: 'bench' } },
      spec: { nodeName: 'n1', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: IMAGE, ports: [{ containerPort: 80 }] }] },
    });
    const t0 = performance.now();
    const one = async (i: number): Promise<void> => {
      const name = `p${i}`;
      const ready = new Promise<void>((resolve) => waiters.set(name, resolve));
      created.set(name, performance.now());
      await h.client.create('/api/v1/namespaces/default/pods', pod(name));
      await Promise.race([ready, new Promise((r) => setTimeout(r, 20_000))]);
    };
    if (mode === 'sequential') {
      for (let i = 0; i < PODS && Date.now() < DEADLINE; i++) await one(i);
    } else {
      await Promise.all(Array.from({ length: PODS }, (_, i) => one(i)));
    }
    const wall = performance.now() - t0;
    watch.stop();
    const times = [...created].flatMap(([name, t]) => (readyAt.has(name) ? [(readyAt.get(name) ?? 0) - t] : []));
    if (times.length < created.size) console.log(`  (${created.size - times.length} pods never became Ready)`);
    return { times, wall };
  } finally {
    agent.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    await h.close();
  }
}

console.log(`agent bench: ${PODS} pods of ${IMAGE}, ${(await import('node:os')).cpus().length} CPUs`);
/** Namespace teardown finishes in the kernel after `ip netns delete` returns: let it settle between phases. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 2000));
const base = await baseline(PODS);
await settle();
console.log(`baseline (netns + veth + addr/routes + nginx spawn, no API):  ${fmt(base)}`);
const seq = await podsToReady('sequential');
await settle();
console.log(`pod create → Ready, one at a time:                            ${fmt(seq.times)}`);
const burst = await podsToReady('burst');
console.log(`pod create → Ready, ${PODS} created at once:                      ${fmt(burst.times)}  (all Ready in ${burst.wall.toFixed(0)} ms)`);
console.log(`ratio one-at-a-time p50 / baseline p50: ${(pct(seq.times, 50) / pct(base, 50)).toFixed(2)}x; p99: ${(pct(seq.times, 99) / pct(base, 99)).toFixed(2)}x`);
console.log(`target p99 ≤ 200 ms (one at a time): ${pct(seq.times, 99) <= 200 ? 'met' : 'NOT met'}`);

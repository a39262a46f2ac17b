// The network plumbing on a real kernel, without an API server: two nodes joined by the cluster bridge,
// pods on each, traffic same-node and cross-node (IPv4 and IPv6), then cleanup by prefix.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { ensureNodeNetwork, setupPodNetwork, applyRoutes, teardownPodNetwork } from '../../src/agent/network/plumbing.ts';
import { parseCidrList } from '../../src/agent/network/cidr.ts';
import { routeLines } from '../../src/agent/network/plan.ts';
import { run } from '../../src/agent/network/exec.ts';
import { cleanupCluster, clusterPrefix } from '../../src/agent/index.ts';

const cluster = `net${process.pid}`;
after(async () => {
  await cleanupCluster(cluster);
});

function netnsList(): string[] {
  return fs.readdirSync('/run/netns').filter((n) => n.startsWith(clusterPrefix(cluster)));
}

test('two nodes, three pods: ping and HTTP same-node and cross-node, then cleanup', async () => {
  const c1 = parseCidrList('10.244.1.0/24,fd00:10:244:1::/64');
  const c2 = parseCidrList('10.244.2.0/24,fd00:10:244:2::/64');
  await Promise.all([
    ensureNodeNetwork({ cluster, node: 'n1', nodeIP: '172.31.0.2/24', podCIDRs: c1 }),
    ensureNodeNetwork({ cluster, node: 'n2', nodeIP: '172.31.0.3/24', podCIDRs: c2 }),
  ]);
  // Idempotent: an agent restart re-runs it.
  await ensureNodeNetwork({ cluster, node: 'n1', nodeIP: '172.31.0.2/24', podCIDRs: c1 });
  const peers = [
    { name: 'n1', ip: '172.31.0.2', podCIDRs: c1.map((c) => c.text) },
    { name: 'n2', ip: '172.31.0.3', podCIDRs: c2.map((c) => c.text) },
  ];
  await applyRoutes(cluster, 'n1', routeLines('n1', peers), []);
  await applyRoutes(cluster, 'n2', routeLines('n2', peers), []);
  const a = await setupPodNetwork({ cluster, node: 'n1', uid: 'aaaaaaaa-0001', podCIDRs: c1, ips: ['10.244.1.2', 'fd00:10:244:1::2'] });
  const b = await setupPodNetwork({ cluster, node: 'n1', uid: 'bbbbbbbb-0001', podCIDRs: c1, ips: ['10.244.1.3', 'fd00:10:244:1::3'] });
  const c = await setupPodNetwork({ cluster, node: 'n2', uid: 'cccccccc-0001', podCIDRs: c2, ips: ['10.244.2.2', 'fd00:10:244:2::2'] });
  assert.equal(netnsList().length, 6);

  const ping = async (ns: string, ip: string): Promise<number> =>
    (await run('ip', ['netns', 'exec', ns, 'busybox', 'ping', '-c', '1', '-W', '2', ip])).code;
  for (const [ns, ip] of [[a, '10.244.1.3'], [a, '10.244.2.2'], [c, '10.244.1.2'], [b, 'fd00:10:244:1::2'], [c, 'fd00:10:244:1::3']] as const) {
    // The first IPv6 packet may wait for neighbour discovery: allow one retry.
    const code = (await ping(ns, ip)) === 0 ? 0 : await ping(ns, ip);
    assert.equal(code, 0, `${ns} → ${ip}`);
  }

  // HTTP from the other node to a server in pod a (busybox httpd), seen with pod c's source address.
  const www = fs.mkdtempSync('/tmp/cip-www-');
  fs.writeFileSync(`${www}/index.html`, 'hello from a\n');
  const httpd = spawn('ip', ['netns', 'exec', a, 'busybox', 'httpd', '-f', '-p', '8080', '-h', www], { stdio: 'ignore' });
  try {
    let body = '';
    for (let i = 0; i < 40 && body !== 'hello from a\n'; i++) {
      body = (await run('ip', ['netns', 'exec', c, 'curl', '-s', '-m', '2', 'http://10.244.1.2:8080/'])).stdout;
      if (body !== 'hello from a\n') await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(body, 'hello from a\n');
  } finally {
    httpd.kill('SIGKILL');
    fs.rmSync(www, { recursive: true, force: true });
  }

  // Pods get only a /32 and routes via the gateway; the node keeps ip_forward and no redirects.
  const routes = (await run('ip', ['-n', a, 'route'])).stdout;
  assert.match(routes, /default via 10\.244\.1\.1 dev eth0/);
  assert.match((await run('ip', ['-n', a, 'addr', 'show', 'eth0'])).stdout, /inet 10\.244\.1\.2\/32/);
  const fwd = (await run('ip', ['netns', 'exec', `cip-${cluster}_n1`, 'sysctl', '-n', 'net.ipv4.ip_forward'])).stdout.trim();
  assert.equal(fwd, '1');
  assert.match((await run('ip', ['-n', `cip-${cluster}_n1`, '-d', 'link', 'show', 'vaaaaaaaa00'])).stdout, /hairpin on/);

  await teardownPodNetwork(cluster, 'n1', 'bbbbbbbb-0001');
  assert.equal(netnsList().length, 5);
  assert.notEqual((await run('ip', ['-n', `cip-${cluster}_n1`, 'link', 'show', 'vbbbbbbbb00'])).code, 0, 'veth gone with the namespace');

  const report = await cleanupCluster(cluster);
  assert.equal(report.namespaces.length, 5);
  assert.deepEqual(netnsList(), []);
});

// The ClusterIP allocator through the real API server: concurrent creates over HTTP, a kill -9 of the server
// process in the middle of them and a restart (repair pass), exhaustion of a /28 seen with real kubectl 1.33,
// `kubectl get servicecidrs` / `get ipaddresses`, and the seed Service keeping its IP across a restart.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestControlPlane, type TestControlPlane } from '../support/cluster.ts';

const run = promisify(execFile);
const kubectl = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
const hasKubectl = fs.existsSync(kubectl);
// kubectl 1.32+ sends `create service` bodies as protobuf; until the API server reads protobuf, those
// commands use 1.31 (JSON), everything else 1.33.
const hasProtobuf = fs.existsSync(new URL('../../src/apiserver/protobuf/index.ts', import.meta.url));
const kubectlCreate = hasProtobuf ? kubectl : '/usr/lib/google-cloud-sdk/bin/kubectl.1.31';
const repo = new URL('../../', import.meta.url).pathname;

interface Svc {
  metadata: { name: string; namespace?: string };
  spec: { clusterIP?: string; clusterIPs?: string[] };
}
interface IPAddr {
  metadata: { name: string };
  spec: { parentRef: { namespace?: string; name: string } };
}

function serviceBody(name: string, clusterIP?: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ port: 80 }], ...(clusterIP ? { clusterIP } : {}) },
  });
}

/** POST a Service; resolves to the response status and body (never throws on HTTP errors). */
async function createSvc(url: string, name: string, clusterIP?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/api/v1/namespaces/default/services`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: serviceBody(name, clusterIP),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function listAll<T>(url: string, p: string): Promise<T[]> {
  const res = await fetch(`${url}${p}`, { signal: AbortSignal.timeout(30_000) });
  assert.equal(res.status, 200, `GET ${p}`);
  return ((await res.json()) as { items: T[] }).items;
}

/** Every Service IP has exactly one IPAddress naming that Service, and no IPAddress is left without one. */
async function assertOneForOne(url: string): Promise<{ services: Svc[]; ips: IPAddr[] }> {
  const services = await listAll<Svc>(url, '/api/v1/services');
  const ips = await listAll<IPAddr>(url, '/apis/networking.k8s.io/v1/ipaddresses');
  const held = services.flatMap((s) => (s.spec.clusterIPs ?? []).filter((ip) => ip !== 'None').map((ip) => ({ ip, s })));
  assert.equal(new Set(held.map((h) => h.ip)).size, held.length, 'no two Services share an address');
  const byName = new Map(ips.map((i) => [i.metadata.name, i]));
  for (const { ip, s } of held) {
    const rec = byName.get(ip);
    assert.ok(rec, `IPAddress for ${s.metadata.namespace}/${s.metadata.name} ${ip}`);
    assert.equal(`${rec.spec.parentRef.namespace}/${rec.spec.parentRef.name}`, `${s.metadata.namespace}/${s.metadata.name}`);
  }
  assert.equal(ips.length, held.length, 'no IPAddress without its Service');
  return { services, ips };
}

/**
 * 300 creates at once, 50 asking for `explicit`: the losers of that race are told "provided IP is already
 * allocated" and retry without an address, as a user would. Returns the names that were not settled (the
 * server went away under them).
 */
async function concurrentCreates(url: string, explicit: string, prefix: string, onSettled?: (n: number) => void): Promise<{ unsettled: string[]; winners: number; losers: number }> {
  let settled = 0;
  let winners = 0;
  let losers = 0;
  const unsettled: string[] = [];
  await Promise.all(
    Array.from({ length: 300 }, async (_, i) => {
      const name = `${prefix}${i}`;
      try {
        let r = await createSvc(url, name, i < 50 ? explicit : undefined);
        if (i < 50 && r.status === 201) winners++;
        if (i < 50 && r.status === 422) {
          const causes = (r.body.details as { causes: { field: string; message: string }[] }).causes;
          assert.equal(causes[0].field, 'spec.clusterIPs');
          assert.equal(causes[0].message, `Invalid value: []string{"${explicit}"}: failed to allocate IP ${explicit}: provided IP is already allocated`);
          losers++;
          r = await createSvc(url, name);
        }
        assert.equal(r.status, 201, `${name}: ${JSON.stringify(r.body)}`);
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        unsettled.push(name);
      }
      onSettled?.(++settled);
    }),
  );
  return { unsettled, winners, losers };
}

test('300 concurrent creates through the API server: one winner for the explicit IP, 299 other unique addresses', async (t) => {
  const cp = await startTestControlPlane({ serviceCIDRs: '10.96.0.0/22' });
  t.after(() => cp.close());
  const r = await concurrentCreates(cp.url, '10.96.0.20', 'c');
  assert.deepEqual(r.unsettled, []);
  assert.equal(r.winners, 1);
  assert.equal(r.losers, 49);
  const { services } = await assertOneForOne(cp.url);
  const mine = services.filter((s) => /^c\d+$/.test(s.metadata.name));
  assert.equal(mine.length, 300);
  assert.equal(mine.filter((s) => s.spec.clusterIP === '10.96.0.20').length, 1);
  assert.equal(new Set(mine.map((s) => s.spec.clusterIP)).size, 300);
});

// --- a real server process, killed with SIGKILL and restarted on the same data -----------------------------

const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

async function startServerProcess(dataDir: string, serviceCIDRs: string): Promise<{ url: string; child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, ['src/apiserver/main.ts', '--data-dir', dataDir, '--port', '0', '--service-cidr', serviceCIDRs], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API server did not start:\n${stderr}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /serving on (http:\/\/[0-9.]+:\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`API server exited (${code}):\n${stderr}`));
    });
  });
  return { url, child, log: () => stderr };
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  // A server that does not stop on SIGTERM within 5 s is killed: tests never hang on it.
  const force = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(force);
}

test('kill -9 in the middle of 300 concurrent creates, restart: the record still matches one for one', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cip-alloc-kill-'));
  let server = await startServerProcess(dataDir, '10.96.0.0/22');
  t.after(async () => {
    await stopProcess(server.child, 'SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  let killed = false;
  const first = await concurrentCreates(server.url, '10.96.0.20', 'k', (n) => {
    if (n === 100 && !killed) {
      killed = true;
      server.child.kill('SIGKILL');
    }
  });
  assert.ok(killed);
  assert.ok(first.unsettled.length > 0, 'some creates were cut off by the kill');
  assert.ok(first.winners <= 1);

  server = await startServerProcess(dataDir, '10.96.0.0/22');
  const before = await assertOneForOne(server.url);
  const ours = before.services.filter((s) => /^k\d+$/.test(s.metadata.name));
  assert.ok(ours.filter((s) => s.spec.clusterIP === '10.96.0.20').length <= 1);

  // Finish the job: every Service not there yet is created again (explicit ones asking again).
  const present = new Set(ours.map((s) => s.metadata.name));
  for (let i = 0; i < 300; i++) {
    const name = `k${i}`;
    if (present.has(name)) continue;
    let r = await createSvc(server.url, name, i < 50 ? '10.96.0.20' : undefined);
    if (r.status === 422) r = await createSvc(server.url, name);
    assert.equal(r.status, 201, `${name}: ${JSON.stringify(r.body)}`);
  }
  const { services } = await assertOneForOne(server.url);
  const all = services.filter((s) => /^k\d+$/.test(s.metadata.name));
  assert.equal(all.length, 300);
  assert.equal(all.filter((s) => s.spec.clusterIP === '10.96.0.20').length, 1);
  assert.equal(new Set(all.map((s) => s.spec.clusterIP)).size, 300);
});

test('the seed Service and default/kubernetes keep their addresses across a restart', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cip-alloc-restart-'));
  let server = await startServerProcess(dataDir, '10.96.0.0/12,fd00:10:96::/112');
  t.after(async () => {
    await stopProcess(server.child, 'SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const created = await createSvc(server.url, 'nginx-service');
  assert.equal(created.status, 201);
  const ip = (created.body.spec as { clusterIP: string }).clusterIP;
  await stopProcess(server.child, 'SIGKILL');
  server = await startServerProcess(dataDir, '10.96.0.0/12,fd00:10:96::/112');
  const services = await listAll<Svc>(server.url, '/api/v1/services');
  assert.equal(services.find((s) => s.metadata.name === 'nginx-service')?.spec.clusterIP, ip);
  assert.equal(services.find((s) => s.metadata.name === 'kubernetes')?.spec.clusterIP, '10.96.0.1');
  await assertOneForOne(server.url);
});

// --- real kubectl 1.33 ---------------------------------------------------------------------------------------

async function kc(cp: TestControlPlane, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const bin = args[0] === 'create' && args[1] === 'service' ? kubectlCreate : kubectl;
  try {
    const r = await run(bin, ['--kubeconfig', cp.kubeconfig, '--cache-dir', path.join(cp.dir, 'kcache'), ...args], { timeout: 30_000 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

test('kubectl 1.33: a /28 runs out with Kubernetes\' error and frees correctly; servicecidrs and ipaddresses', { skip: !hasKubectl && 'kubectl 1.33 not installed' }, async (t) => {
  const cp = await startTestControlPlane({ serviceCIDRs: '10.0.0.0/28' });
  t.after(() => cp.close());
  // default/kubernetes already holds 10.0.0.1: 13 left.
  for (let i = 0; i < 13; i++) {
    const r = await kc(cp, 'create', 'service', 'clusterip', `s${i}`, '--tcp=80:8080');
    assert.equal(r.code, 0, r.err);
  }
  const full = await kc(cp, 'create', 'service', 'clusterip', 'one-too-many', '--tcp=80:8080');
  assert.notEqual(full.code, 0);
  assert.equal(full.err.trim(), 'error: failed to create ClusterIP service: Internal error occurred: failed to allocate a serviceIP: range is full');
  const taken = await kc(cp, 'create', 'service', 'clusterip', 'dup', '--tcp=80:8080', '--clusterip=10.0.0.1');
  assert.equal(
    taken.err.trim(),
    'error: failed to create ClusterIP service: Service "dup" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: provided IP is already allocated',
  );
  const ips = await kc(cp, 'get', 'ipaddresses', '--no-headers');
  assert.equal(ips.out.trim().split('\n').length, 14);
  assert.match(ips.out, /^10\.0\.0\.1\s+services\/default\/kubernetes$/m);
  const s5 = await kc(cp, 'get', 'svc', 's5', '-o', 'jsonpath={.spec.clusterIP}');
  assert.match(ips.out, new RegExp(`^${s5.out.replace(/\./g, '\\.')}\\s+services/default/s5$`, 'm'));
  assert.equal((await kc(cp, 'delete', 'svc', 's5')).code, 0);
  const again = await kc(cp, 'create', 'service', 'clusterip', 'again', '--tcp=80:8080');
  assert.equal(again.code, 0, again.err);
  assert.equal((await kc(cp, 'get', 'svc', 'again', '-o', 'jsonpath={.spec.clusterIP}')).out, s5.out);
  const cidrs = await kc(cp, 'get', 'servicecidrs');
  assert.match(cidrs.out, /^NAME\s+CIDRS\s+AGE$/m);
  assert.match(cidrs.out, /^kubernetes\s+10\.0\.0\.0\/28\s+\S+$/m);
  const yaml = await kc(cp, 'get', 'svc', 'again', '-o', 'yaml');
  for (const line of ['internalTrafficPolicy: Cluster', 'ipFamilyPolicy: SingleStack', '- IPv4', 'sessionAffinity: None', 'type: ClusterIP', 'loadBalancer: {}'])
    assert.ok(yaml.out.includes(line), `${line} in\n${yaml.out}`);
});

test('kubectl 1.33: validation errors are Kubernetes\' own and change nothing', { skip: !hasKubectl && 'kubectl 1.33 not installed' }, async (t) => {
  const cp = await startTestControlPlane({ serviceCIDRs: '10.96.0.0/12' });
  t.after(() => cp.close());
  const file = path.join(cp.dir, 'bad.yaml');
  const cases: { yaml: string; want: string }[] = [
    {
      yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: bad-port}\nspec: {ports: [{port: 0, targetPort: 80}]}\n',
      want: 'The Service "bad-port" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    },
    {
      yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: Bad}\nspec: {ports: [{port: 80}]}\n',
      want: `The Service "Bad" is invalid: metadata.name: Invalid value: "Bad": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    },
    {
      yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: far}\nspec: {clusterIP: 192.168.1.1, ports: [{port: 80}]}\n',
      want: 'The Service "far" is invalid: spec.clusterIPs: Invalid value: []string{"192.168.1.1"}: failed to allocate IP 192.168.1.1: the provided network does not match the current range',
    },
  ];
  for (const c of cases) {
    fs.writeFileSync(file, c.yaml);
    const r = await kc(cp, 'apply', '-f', file);
    assert.notEqual(r.code, 0);
    assert.equal(r.err.trim(), c.want);
  }
  const svcs = await kc(cp, 'get', 'svc', '-o', 'name');
  assert.equal(svcs.out.trim(), 'service/kubernetes', 'nothing was created');
  const ips = await kc(cp, 'get', 'ipaddresses', '-o', 'name');
  assert.equal(ips.out.trim(), 'ipaddress.networking.k8s.io/10.96.0.1');
  // Immutability on update.
  assert.equal((await kc(cp, 'create', 'service', 'clusterip', 'imm', '--tcp=80:80', '--clusterip=10.96.0.5')).code, 0);
  const patch = await kc(cp, 'patch', 'svc', 'imm', '-p', '{"spec":{"clusterIP":"10.96.0.6","clusterIPs":["10.96.0.6"]}}');
  assert.equal(patch.err.trim(), 'The Service "imm" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.6"}: may not change once set');
});

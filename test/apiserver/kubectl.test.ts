// Real kubectl (every version installed, 1.27 … 1.33) against a real API server on a loopback port with a
// SQLite file: the issue's "Done when" list, compared with what real Kubernetes prints. Versions run in
// parallel, each against its own server and data dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startTestCluster, type TestCluster } from './harness.ts';
import { openEtcdBackend, type Backend } from '../../src/storage/index.ts';
import { etcdSkipReason, startEtcd } from '../storage/etcd-harness.ts';
import { SEED_MANIFEST } from '../support/seed.ts';

const kubectlDir = '/usr/lib/google-cloud-sdk/bin';
const versions = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'].filter((v) => fs.existsSync(`${kubectlDir}/kubectl.${v}`));
const hasProtobuf = fs.existsSync(new URL('../../src/apiserver/protobuf/index.ts', import.meta.url));

const seed = SEED_MANIFEST;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(version: string, cluster: TestCluster, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      `${kubectlDir}/kubectl.${version}`,
      ['--kubeconfig', cluster.kubeconfig, '--cache-dir', path.join(cluster.dir, 'cache'), ...args],
      { env: { ...process.env, ...env, HOME: cluster.dir }, timeout: 30_000, cwd: cluster.dir },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const ip = String.raw`10\.\d+\.\d+\.\d+`;
const age = String.raw`\d+s`;

/** A table line with columns separated by 2+ spaces (kubectl's tabwriter). */
function row(...cells: string[]): RegExp {
  return new RegExp(`^${cells.join(String.raw`\s{2,}`)}\s*$`, 'm');
}

async function runVersion(version: string, openBackend?: (dir: string) => Promise<Backend>): Promise<void> {
  const cluster = await startTestCluster({ openBackend });
  const k = (args: string[], env?: Record<string, string>): Promise<Run> => kubectl(version, cluster, args, env);
  const ok = async (args: string[], env?: Record<string, string>): Promise<string> => {
    const r = await k(args, env);
    assert.equal(r.code, 0, `kubectl ${version} ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  try {
    const manifest = path.join(cluster.dir, 'seed.yaml');
    fs.writeFileSync(manifest, seed);
    const label = `kubectl ${version}`;

    assert.equal(await ok(['apply', '-f', manifest]), 'service/nginx-service created\npod/nginx-pod created\n', label);
    assert.equal(await ok(['apply', '-f', manifest]), 'service/nginx-service unchanged\npod/nginx-pod unchanged\n', label);
    const changed = path.join(cluster.dir, 'changed.yaml');
    fs.writeFileSync(changed, seed.replace('  labels:\n    app: nginx\n', '  labels:\n    app: nginx\n    tier: web\n'));
    assert.equal(await ok(['apply', '-f', changed]), 'service/nginx-service unchanged\npod/nginx-pod configured\n', label);
    assert.equal(await ok(['apply', '--server-side', '-f', changed]), 'service/nginx-service serverside-applied\npod/nginx-pod serverside-applied\n', label);

    const svc = await ok(['get', 'services']);
    assert.match(svc, row('NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT\\(S\\)', 'AGE'), label);
    assert.match(svc, row('nginx-service', 'ClusterIP', ip, '<none>', '80/TCP', age), label);
    const wide = await ok(['get', 'svc', '-o', 'wide']);
    assert.match(wide, row('NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT\\(S\\)', 'AGE', 'SELECTOR'), label);
    assert.match(wide, row('nginx-service', 'ClusterIP', ip, '<none>', '80/TCP', age, 'app=nginx'), label);
    const yaml = await ok(['get', 'svc', 'nginx-service', '-o', 'yaml']);
    assert.match(yaml, /^apiVersion: v1\nkind: Service\nmetadata:\n/, label);
    assert.match(yaml, /^  resourceVersion: "\d+"$/m, label);
    assert.match(yaml, /^  uid: [0-9a-f-]{36}$/m, label);
    assert.match(yaml, new RegExp(`^  clusterIP: ${ip}$`, 'm'), label);
    const obj = JSON.parse(await ok(['get', 'svc', 'nginx-service', '-o', 'json'])) as { metadata: { name: string }; spec: { ports: { port: number }[] } };
    assert.equal(obj.metadata.name, 'nginx-service');
    assert.equal(obj.spec.ports[0].port, 80);
    const pods = await ok(['get', 'pods']);
    assert.match(pods, row('NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'), label);
    assert.match(pods, row('nginx-pod', '0/1', 'Pending', '0', age), label);
    const describe = await ok(['describe', 'service', 'nginx-service']);
    for (const line of [/^Name:\s+nginx-service$/m, /^Namespace:\s+default$/m, /^Selector:\s+app=nginx$/m, /^Type:\s+ClusterIP$/m, new RegExp(`^IP:\\s+${ip}$`, 'm'), /^Port:\s+<unset>\s+80\/TCP$/m, /^TargetPort:\s+80\/TCP$/m, /^Events:\s+<none>$/m])
      assert.match(describe, line, label);
    const ep = await k(['get', 'endpoints']);
    assert.equal(ep.code, 0, ep.stderr);
    if (Number(version.split('.')[1]) >= 33) assert.match(ep.stderr, /^Warning: v1 Endpoints is deprecated in v1\.33\+; use discovery\.k8s\.io\/v1 EndpointSlice$/m, label);
    assert.equal((await k(['get', 'endpointslices'])).code, 0, label);
    const all = await ok(['get', 'all']);
    assert.match(all, row('pod/nginx-pod', '0/1', 'Pending', '0', age), label);
    assert.match(all, row('service/nginx-service', 'ClusterIP', ip, '<none>', '80/TCP', age), label);

    // get -w: the list, then an event for a change made while watching.
    const watcher = spawn(`${kubectlDir}/kubectl.${version}`, ['--kubeconfig', cluster.kubeconfig, '--cache-dir', path.join(cluster.dir, 'cache'), 'get', 'svc', '-w'], {
      env: { ...process.env, HOME: cluster.dir },
    });
    let watched = '';
    watcher.stdout.on('data', (d: Buffer) => (watched += d.toString()));
    try {
      const until = async (re: RegExp): Promise<void> => {
        for (let i = 0; i < 300 && !re.test(watched); i++) await new Promise((r) => setTimeout(r, 50));
      };
      await until(/nginx-service/);
      await ok(['label', 'svc', 'nginx-service', 'watched=yes']);
      await until(/nginx-service[\s\S]*nginx-service/);
      assert.equal(watched.match(/^nginx-service\s/gm)?.length, 2, `${label} get -w: ${watched}`);
    } finally {
      watcher.kill();
    }

    if (Number(version.split('.')[1]) < 32 || hasProtobuf) {
      assert.equal(await ok(['create', 'namespace', `ns-${version.replace('.', '-')}`]), `namespace/ns-${version.replace('.', '-')} created\n`, label);
      assert.equal(await ok(['create', 'service', 'clusterip', 'my-cs', '--tcp=5678:8080']), 'service/my-cs created\n', label);
    }
    assert.equal(await ok(['label', 'svc', 'nginx-service', 'env=prod']), 'service/nginx-service labeled\n', label);
    // kubectl 1.27 itself prints "annotate" (its own message, the same against real Kubernetes).
    const annotated = version === '1.27' ? 'annotate' : 'annotated';
    assert.equal(await ok(['annotate', 'svc', 'nginx-service', 'note=hi']), `service/nginx-service ${annotated}\n`, label);
    assert.equal(await ok(['patch', 'svc', 'nginx-service', '-p', '{"metadata":{"labels":{"p":"1"}}}']), 'service/nginx-service patched\n', label);
    assert.equal(await ok(['patch', 'svc', 'nginx-service', '--type=merge', '-p', '{"metadata":{"labels":{"p":"2"}}}']), 'service/nginx-service patched\n', label);
    assert.equal(
      await ok(['patch', 'svc', 'nginx-service', '--type=json', '-p', '[{"op":"add","path":"/metadata/labels/q","value":"3"}]']),
      'service/nginx-service patched\n',
      label,
    );
    assert.equal(await ok(['patch', 'svc', 'nginx-service', '--type=merge', '-p', '{"metadata":{"labels":{"p":"2"}}}']), 'service/nginx-service patched (no change)\n', label);
    const editor = path.join(cluster.dir, 'editor.sh');
    fs.writeFileSync(editor, `#!/bin/sh\nsed -i 's/^  labels:/  labels:\\n    edited: "yes"/' "$1"\n`, { mode: 0o755 });
    assert.equal(await ok(['edit', 'svc', 'nginx-service'], { EDITOR: editor, KUBE_EDITOR: editor }), 'service/nginx-service edited\n', label);
    const labels = JSON.parse(await ok(['get', 'svc', 'nginx-service', '-o', 'jsonpath={.metadata.labels}'])) as Record<string, string>;
    assert.deepEqual(labels, { edited: 'yes', env: 'prod', p: '2', q: '3', watched: 'yes' }, label);

    const invalid = await k(['create', 'service', 'clusterip', 'bad-port', '--tcp=0:80', '--validate=false']);
    if (Number(version.split('.')[1]) < 32 || hasProtobuf) {
      assert.notEqual(invalid.code, 0);
      assert.match(invalid.stderr, /spec\.ports\[0\]\.port: Invalid value: 0: must be between 1 and 65535, inclusive/, label);
    }
    const missing = await k(['get', 'svc', 'nope']);
    assert.equal(missing.stderr.trim(), 'Error from server (NotFound): services "nope" not found', label);

    assert.equal(await ok(['delete', '-f', manifest]), 'service "nginx-service" deleted\npod "nginx-pod" deleted\n', label);
    await ok(['apply', '-f', manifest, '-n', 'kube-public']);
    const nsFile = path.join(cluster.dir, 'ns.yaml');
    fs.writeFileSync(nsFile, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: doomed\n');
    assert.equal(await ok(['apply', '-f', nsFile]), 'namespace/doomed created\n', label);
    await ok(['apply', '-f', manifest, '-n', 'doomed']);
    assert.equal(await ok(['delete', 'namespace', 'doomed']), 'namespace "doomed" deleted\n', label);
    assert.equal((await k(['get', 'ns', 'doomed'])).code, 1, label);
    assert.equal((await k(['get', 'svc', 'nginx-service', '-n', 'doomed'])).code, 1, label);
  } finally {
    await cluster.stop();
  }
}

test(`kubectl ${versions.join(', ')} against the API server`, { timeout: 110_000 }, async () => {
  assert.ok(versions.length > 0, 'no kubectl found');
  const results = await Promise.allSettled(versions.map((v) => runVersion(v)));
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`kubectl ${versions[i]}: ${(r.reason as Error).message}`] : []));
  assert.deepEqual(failures, []);
});

// The same scenarios on etcd (issue 9): the oldest and newest kubectl, each cluster on its own key prefix of
// one local etcd member.
const etcdVersions = [versions[0], versions[versions.length - 1]].filter((v, i, a): v is string => v !== undefined && a.indexOf(v) === i);
test(`kubectl ${etcdVersions.join(', ')} against the API server on etcd`, { skip: etcdSkipReason(), timeout: 110_000 }, async () => {
  assert.ok(etcdVersions.length > 0, 'no kubectl found');
  const etcd = await startEtcd(1);
  try {
    const open = (dir: string): Promise<Backend> => openEtcdBackend({ endpoints: etcd.endpoints, prefix: `/${path.basename(dir)}` });
    const results = await Promise.allSettled(etcdVersions.map((v) => runVersion(v, open)));
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`kubectl ${etcdVersions[i]} on etcd: ${(r.reason as Error).message}`] : []));
    assert.deepEqual(failures, []);
  } finally {
    await etcd.stop();
  }
});

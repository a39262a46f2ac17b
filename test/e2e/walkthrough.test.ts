// The README's walkthrough, end to end, as a user types it: `clusterip up` with two nodes, the seed's
// manifest, the Service by IP and by name from a pod on another node, unreachable from outside the cluster,
// and `clusterip down` leaving nothing behind. Needs root (nodes are network namespaces).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { needsRoot, ROOT, run, startE2ECluster, until, type E2ECluster } from '../support/e2e.ts';
import { SEED_MANIFEST } from '../support/seed.ts';

let cluster: E2ECluster;
const kubectl = (...args: string[]) => cluster.kubectl(...args);

/** The seed's manifest, exactly as the article prints it. */
async function seedManifest(): Promise<string> {
  const text = await readFile(path.join(ROOT, '..', 'shared', 'seeds', '000_b9955f93044dd947.txt'), 'utf8').catch(() => '');
  const start = text.indexOf('apiVersion: v1');
  const end = text.indexOf('Output', start);
  if (start >= 0 && end > start) return text.slice(start, end);
  // The seed as of this writing, for clones without ../shared.
  return SEED_MANIFEST;
}

describe('README walkthrough', { skip: needsRoot }, () => {
  before(async () => {
    cluster = await startE2ECluster('e2e');
    console.log(`# clusterip up (2 nodes, DNS ready) took ${cluster.upSeconds.toFixed(2)} s`);
  });

  after(async () => {
    await cluster?.destroy();
  });

  let clusterIP = '';

  it('kubectl apply -f the seed prints what Kubernetes prints', async () => {
    const file = path.join(cluster.dataDir, 'nginx.yaml');
    await writeFile(file, await seedManifest());
    assert.equal(await kubectl('apply', '-f', file), 'service/nginx-service created\npod/nginx-pod created\n');
  });

  it('get services shows a ClusterIP from the service range', async () => {
    const out = await kubectl('get', 'services');
    const row = out.split('\n').find((l) => l.startsWith('nginx-service'));
    assert.ok(row, out);
    const cells = row.split(/\s+/);
    assert.deepEqual([cells[1], cells[3], cells[4]], ['ClusterIP', '<none>', '80/TCP']);
    clusterIP = cells[2];
    assert.match(clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
  });

  it('the pod runs and becomes Ready; endpoints and describe show it', async () => {
    const podIP = await until('nginx-pod Ready', async () => {
      const ip = await kubectl('get', 'pod', 'nginx-pod', '-o', 'jsonpath={.status.podIP} {.status.conditions[?(@.type=="Ready")].status}');
      const [addr, ready] = ip.split(' ');
      return ready === 'True' ? addr : undefined;
    });
    const eps = await until('endpoints', async () => {
      const out = await kubectl('get', 'endpoints', 'nginx-service');
      return out.includes(`${podIP}:80`) ? out : undefined;
    });
    assert.match(eps, new RegExp(`^NAME\\s+ENDPOINTS\\s+AGE\\nnginx-service\\s+${podIP.replace(/\./g, '\\.')}:80\\s+`));
    const describe = await kubectl('describe', 'service', 'nginx-service');
    assert.match(describe, new RegExp(`Endpoints:\\s+${podIP.replace(/\./g, '\\.')}:80`));
    assert.match(describe, new RegExp(`IP:\\s+${clusterIP.replace(/\./g, '\\.')}`));
  });

  it('client pods on every node reach the Service by IP and by name', async () => {
    // One client on nginx's own node (the same-bridge path through the node's L3) and one on the other node.
    for (const node of ['node-1', 'node-2']) {
      const name = `client-${node}`;
      const file = path.join(cluster.dataDir, `${name}.yaml`);
      await writeFile(file, [
        'apiVersion: v1', 'kind: Pod', 'metadata:', `  name: ${name}`, 'spec:', `  nodeName: ${node}`, '  containers:',
        '  - name: client', '    image: curlimages/curl', '    command: ["sleep", "3600"]', '',
      ].join('\n'));
      assert.equal(await kubectl('apply', '-f', file), `pod/${name} created\n`);
    }
    for (const node of ['node-1', 'node-2']) {
      const name = `client-${node}`;
      await until(`${name} Running`, async () => ((await kubectl('get', 'pod', name, '-o', 'jsonpath={.status.phase}')) === 'Running' ? true : undefined));
      for (const target of [`http://${clusterIP}`, 'http://nginx-service', 'http://nginx-service.default.svc.cluster.local']) {
        const page = await until(`curl ${target} from ${node}`, async () => {
          const out = await kubectl('exec', name, '--', 'curl', '-s', '--max-time', '3', target);
          return out.includes('Welcome to nginx!') ? out : undefined;
        });
        assert.match(page, /<title>Welcome to nginx!<\/title>/);
      }
    }
  });

  it('the ClusterIP answers nowhere outside the cluster', async () => {
    // The cluster network namespace joins the nodes but is no node: no proxy rules, no route to Services.
    const outside = `cip-${cluster.name}__net`;
    const result = await run('ip', ['netns', 'exec', outside, 'curl', '-s', '--max-time', '2', `http://${clusterIP}`]).then(
      () => 'answered',
      (err: { code?: number }) => `failed (curl exit ${err.code})`,
    );
    assert.match(result, /^failed/);
  });

  it('clusterip down leaves no namespace, process or nft table behind', async () => {
    await cluster.down();
    const { stdout: netns } = await run('ip', ['netns', 'list']);
    assert.ok(!netns.includes(`cip-${cluster.name}_`), netns);
    const { stdout: ps } = await run('ps', ['-eo', 'args']);
    assert.ok(!ps.split('\n').some((l) => l.includes(cluster.dataDir)), 'no process of the cluster remains');
  });

  it('up again on the same data serves the same Service at the same ClusterIP', async () => {
    await cluster.up();
    const out = await kubectl('get', 'service', 'nginx-service', '-o', 'jsonpath={.spec.clusterIP}');
    assert.equal(out.trim(), clusterIP);
    // The pods' sandboxes went with `down`; the agents build new ones for the pods bound to them.
    const page = await until('curl by name after the restart', async () => {
      const text = await kubectl('exec', 'client-node-1', '--', 'curl', '-s', '--max-time', '3', 'http://nginx-service');
      return text.includes('Welcome to nginx!') ? text : undefined;
    });
    assert.match(page, /<title>Welcome to nginx!<\/title>/);
  });
});

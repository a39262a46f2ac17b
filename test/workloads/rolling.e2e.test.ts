// The "done when", end to end on a real cluster (`clusterip up`, 2 nodes, agent + proxy + DNS): a
// Deployment of agnhost serve-hostname exposed as a ClusterIP Service answers from all 3 pods, then all 5
// after `kubectl scale`, and a rolling update (`kubectl set image`) under a steady request loop through the
// Service fails 0 requests. Needs root (nodes are network namespaces); bounded: every wait has a deadline.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { needsRoot, startE2ECluster, until as untilWithin, type E2ECluster } from '../support/e2e.ts';

const IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.52';
const IMAGE_NEXT = 'registry.k8s.io/e2e-test-images/agnhost:2.53';

let cluster: E2ECluster | undefined;
let clusterIP = '';

async function kubectl(...args: string[]): Promise<string> {
  if (!cluster) throw new Error('no cluster');
  return cluster.kubectl(...args);
}

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000) => untilWithin(what, probe, timeoutMs, 200);

/** `count` requests from the client pod to the Service; the hostnames that answered. */
async function hostnames(count: number): Promise<string[]> {
  // Short per-request limits keep one probe well inside the caller's deadline even when traffic fails.
  const out = await kubectl('exec', 'client', '--', 'sh', '-c', `for i in $(seq 1 ${count}); do curl -s --max-time 1 http://${clusterIP}; echo; done`);
  return out.split('\n').filter(Boolean);
}

describe('Deployment behind a Service on a real cluster', { skip: needsRoot }, () => {
  before(async () => {
    cluster = await startE2ECluster('wl');
  });

  after(async () => {
    // What the cluster looked like, for a failure's diagnosis.
    if (cluster) console.log(await kubectl('get', 'pods,endpointslices', '-o', 'wide').catch((err: Error) => `# get failed: ${err.message}`));
    await cluster?.destroy();
  });

  /** The web pods that are not terminating (pods of an older ReplicaSet drain for their grace period). */
  async function liveWebPods(): Promise<string[]> {
    const list = JSON.parse(await kubectl('get', 'pods', '-l', 'app=web', '-o', 'json')) as { items: { metadata: { name: string; deletionTimestamp?: string } }[] };
    return list.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort();
  }

  it('create deployment + expose: requests reach all 3 pods; scale to 5: all 5', async () => {
    assert.equal(
      await kubectl('create', 'deployment', 'web', `--image=${IMAGE}`, '--replicas=3', '--', '/agnhost', 'serve-hostname'),
      'deployment.apps/web created\n',
    );
    // A readiness probe, so a pod is an endpoint only once it listens (as a real rollout needs).
    await kubectl('patch', 'deployment', 'web', '--type=json', '-p', JSON.stringify([
      { op: 'add', path: '/spec/template/spec/containers/0/readinessProbe', value: { httpGet: { path: '/', port: 9376 }, periodSeconds: 1 } },
    ]));
    assert.equal(await kubectl('expose', 'deployment', 'web', '--port=80', '--target-port=9376'), 'service/web exposed\n');
    clusterIP = (await kubectl('get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=90s');
    const client = path.join(cluster?.dataDir ?? '', 'client.yaml');
    await writeFile(client, ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: client', 'spec:', '  containers:', '  - name: client',
      '    image: curlimages/curl', '    command: ["sleep", "3600"]', ''].join('\n'));
    await kubectl('apply', '-f', client);
    await until('client Running', async () => ((await kubectl('get', 'pod', 'client', '-o', 'jsonpath={.status.phase}')) === 'Running' ? true : undefined));
    const pods3 = await liveWebPods();
    assert.equal(pods3.length, 3);
    const seen3 = await until('all 3 pods answer', async () => {
      const seen = [...new Set(await hostnames(15))].sort();
      return JSON.stringify(seen) === JSON.stringify(pods3) ? seen : undefined;
    });
    assert.deepEqual(seen3, pods3);

    assert.equal(await kubectl('scale', 'deployment', 'web', '--replicas=5'), 'deployment.apps/web scaled\n');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=90s');
    const endpoints = await until('5 endpoints', async () => {
      const ips = (await kubectl('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}')).trim().split(/\s+/).filter(Boolean);
      return ips.length === 5 ? ips : undefined;
    });
    assert.equal(endpoints.length, 5);
    const pods5 = await liveWebPods();
    const seen5 = await until('all 5 pods answer', async () => {
      const seen = [...new Set(await hostnames(25))].sort();
      return JSON.stringify(seen) === JSON.stringify(pods5) ? seen : undefined;
    });
    assert.equal(seen5.length, 5);
  });

  it('a rolling update under a steady request loop fails 0 requests', async () => {
    const stop = path.join(cluster?.dataDir ?? '', 'stop-loop');
    // At most 90 s of requests, 20 ms apart, each with a 2 s limit; the test ends it once the rollout is done.
    const loop = kubectl('exec', 'client', '--', 'sh', '-c',
      `ok=0; fail=0; end=$(( $(date +%s) + 90 )); while [ ! -e ${stop} ] && [ $(date +%s) -lt $end ]; do ` +
      `if curl -s -f --max-time 2 -o /dev/null http://${clusterIP}; then ok=$((ok+1)); else fail=$((fail+1)); fi; sleep 0.02; done; echo "$ok $fail"`);
    await new Promise((r) => setTimeout(r, 1000));
    const started = performance.now();
    assert.equal(await kubectl('set', 'image', 'deployment/web', `agnhost=${IMAGE_NEXT}`), 'deployment.apps/web image updated\n');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=90s');
    const rolloutSeconds = (performance.now() - started) / 1000;
    // Old pods finish terminating after the rollout reports done: keep the loop going through that too.
    await until('old pods gone', async () => {
      const images = (await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}')).trim().split(' ');
      return images.every((i) => i === IMAGE_NEXT) ? true : undefined;
    }, 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    await writeFile(stop, '');
    const [ok, fail] = (await loop).trim().split(' ').map(Number);
    console.log(`# rolling update of 5 pods took ${rolloutSeconds.toFixed(1)} s; requests: ${ok} ok, ${fail} failed`);
    assert.ok(ok > 50, `${ok} requests succeeded`);
    assert.equal(fail, 0, `${fail} of ${ok + fail} requests failed during the rollout`);
  });
});

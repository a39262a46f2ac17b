// How fast the ReplicaSet controller fills a ReplicaSet, against the floor of the same API server: the same
// number of pods created by a client directly (16 in flight). Then a Deployment scaled 0 → N with a simulated
// kubelet marking pods Ready, to `availableReplicas == N`. Bounded: one run each, 60 s limit.
//   node bench/workloads.ts [--pods 300]
import { parseArgs } from 'node:util';
import type { Deployment, Pod, ReplicaSet } from '../src/api/index.ts';
import { startControllerManager } from '../src/controllers/index.ts';
import { startTestControlPlane } from '../test/support/cluster.ts';

const { values } = parseArgs({ options: { pods: { type: 'string', default: '300' } } });
const N = Number(values.pods);
const cp = await startTestControlPlane();
const cm = await startControllerManager({ server: cp.url });
const ns = (n: string) => `/api/v1/namespaces/${n}`;
for (const n of ['direct', 'rs', 'deploy']) await cp.client.create(ns('').slice(0, -1), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } });

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const template = { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } };

// Baseline: N pod creates from a client, 16 at a time.
let t = performance.now();
let next = 0;
await Promise.all(Array.from({ length: 16 }, async () => {
  while (next < N) {
    next++;
    await cp.client.create<Pod>(`${ns('direct')}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'p-', labels: { app: 'b' } }, spec: template.spec } as Pod);
  }
}));
const direct = performance.now() - t;

// The ReplicaSet controller: create a ReplicaSet of N, until status.replicas == N.
t = performance.now();
await cp.client.create<ReplicaSet>('/apis/apps/v1/namespaces/rs/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'b' }, spec: { replicas: N, selector: { matchLabels: { app: 'b' } }, template } });
await until('rs filled', async () => (await cp.client.get<ReplicaSet>('/apis/apps/v1/namespaces/rs/replicasets/b')).status?.replicas === N);
const viaRS = performance.now() - t;

// A Deployment 0 → N with pods marked Ready as they appear, until availableReplicas == N.
let stop = false;
const kubelet = (async () => {
  const done = new Set<string>();
  while (!stop) {
    const pods = (await cp.client.list<Pod>(`${ns('deploy')}/pods`)).items.filter((p) => !done.has(p.metadata.name!));
    await Promise.all(pods.map(async (p) => {
      done.add(p.metadata.name!);
      await cp.client.patch(`${ns('deploy')}/pods/${p.metadata.name}/status`, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, 'strategic');
    }));
    await new Promise((r) => setTimeout(r, 10));
  }
})();
t = performance.now();
await cp.client.create<Deployment>('/apis/apps/v1/namespaces/deploy/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'b' }, spec: { replicas: N, selector: { matchLabels: { app: 'b' } }, template } });
await until('deployment available', async () => (await cp.client.get<Deployment>('/apis/apps/v1/namespaces/deploy/deployments/b')).status?.availableReplicas === N);
const viaDeploy = performance.now() - t;
stop = true;
await kubelet;

console.log(`pods: ${N}`);
console.log(`direct creates (16 in flight):         ${direct.toFixed(0)} ms  (${((N / direct) * 1000).toFixed(0)} pods/s)`);
console.log(`ReplicaSet → status.replicas == N:     ${viaRS.toFixed(0)} ms  (${(viaRS / direct).toFixed(2)}× direct)`);
console.log(`Deployment → availableReplicas == N:   ${viaDeploy.toFixed(0)} ms  (${(viaDeploy / direct).toFixed(2)}× direct, kubelet simulated)`);
cm.stop();
await cp.close();

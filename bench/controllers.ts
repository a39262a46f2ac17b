// Time from a pod's Ready change (the pods/status write returning) to the EndpointSlice showing it, with
// few and with 10,000 other Services present, measured in the same run; the ratio says what the extra
// Services cost. Target (issue 4): p99 ≤ 50 ms at 10k Services.
//   node bench/controllers.ts [--services 10000] [--flips 200]
import { parseArgs } from 'node:util';
import type { EndpointSlice, Pod, Service } from '../src/api/index.ts';
import { Informer } from '../src/client/index.ts';
import { startControllerManager } from '../src/controllers/index.ts';
import { startTestControlPlane } from '../test/support/cluster.ts';

const { values } = parseArgs({ options: { services: { type: 'string', default: '10000' }, flips: { type: 'string', default: '200' } } });
const SERVICES = Number(values.services);
const FLIPS = Number(values.flips);

const cp = await startTestControlPlane();
const cm = await startControllerManager({ server: cp.url });
const slices = new Informer<EndpointSlice>(cp.client, { path: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', labelSelector: 'kubernetes.io/service-name=probe' });
const waiters: { ready: boolean; resolve: () => void }[] = [];
const check = (s: EndpointSlice) => {
  const ready = s.endpoints?.[0]?.conditions?.ready === true;
  for (const w of waiters.splice(0)) (w.ready === ready ? w.resolve : () => waiters.push(w))();
};
slices.on('add', check).on('update', check);
await slices.start();

const svc = (name: string, app: string): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] } });
await cp.client.create('/api/v1/namespaces/default/services', svc('probe', 'probe'));
await cp.client.create<Pod>('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probe', labels: { app: 'probe' } }, spec: { nodeName: 'node-1', containers: [{ name: 'c' }] } });

async function measure(label: string): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < FLIPS; i++) {
    const ready = i % 2 === 0;
    const seen = new Promise<void>((resolve) => waiters.push({ ready, resolve }));
    const start = performance.now();
    await cp.client.patch('/api/v1/namespaces/default/pods/probe/status', { status: { podIP: '10.244.1.9', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } }, 'strategic');
    await seen;
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  const result = { p50: at(0.5), p99: at(0.99) };
  console.log(`${label.padEnd(28)} p50 ${result.p50.toFixed(2)} ms   p99 ${result.p99.toFixed(2)} ms`);
  return result;
}

console.log(`pod Ready change → EndpointSlice updated (${FLIPS} flips each)`);
const base = await measure('1 Service');
const t0 = performance.now();
for (let i = 0; i < SERVICES; i += 100) {
  await Promise.all(Array.from({ length: Math.min(100, SERVICES - i) }, (_, j) => cp.client.create('/api/v1/namespaces/default/services', svc(`s-${i + j}`, `s-${i + j}`))));
}
await cm.idle();
console.log(`(created ${SERVICES} Services in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
const loaded = await measure(`${SERVICES + 1} Services`);
console.log(`ratio at ${SERVICES} Services: p50 ${(loaded.p50 / base.p50).toFixed(2)}×, p99 ${(loaded.p99 / base.p99).toFixed(2)}×  (target p99 ≤ 50 ms: ${loaded.p99 <= 50 ? 'met' : 'NOT met'})`);
slices.stop();
cm.stop();
await cp.close();

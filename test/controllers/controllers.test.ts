// The controllers against a real API server: Endpoints and EndpointSlices follow pod readiness, named ports
// resolve per pod, huge Services are sliced and truncated, the scheduler binds pods, and kubectl shows it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Endpoints, EndpointSlice, Event, KubeList, Node, Pod, Service } from '../../src/api/index.ts';
import { startControllerManager, type ControllerManager } from '../../src/controllers/index.ts';
import { startTestControlPlane, type TestControlPlane } from '../support/cluster.ts';

const run = promisify(execFile);
const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';

let cp: TestControlPlane;
let cm: ControllerManager;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, ms: performance.now() - start };
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const ns = (n: string) => `/api/v1/namespaces/${n}`;

async function createPod(name: string, o: { node?: string; labels?: Record<string, string>; port?: number; namespace?: string } = {}): Promise<Pod> {
  return cp.client.create<Pod>(`${ns(o.namespace ?? 'default')}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: o.labels ?? { app: 'web' } },
    spec: { nodeName: o.node, containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: o.port ?? 8080 }] }] },
  });
}

async function setPodStatus(name: string, ip: string, ready: boolean, namespace = 'default'): Promise<void> {
  await cp.client.patch(`${ns(namespace)}/pods/${name}/status`, {
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  }, 'strategic');
}

async function endpointsOf(name: string): Promise<Endpoints | undefined> {
  return cp.client.get<Endpoints>(`${ns('default')}/endpoints/${name}`).catch(() => undefined);
}

async function slicesOf(name: string): Promise<EndpointSlice[]> {
  const list = await cp.client.list<EndpointSlice>('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', { labelSelector: `kubernetes.io/service-name=${name}` });
  return list.items;
}

before(async () => {
  cp = await startTestControlPlane();
  cm = await startControllerManager({ server: cp.url });
});

after(async () => {
  cm?.stop();
  await cp?.close();
});

describe('endpoints follow pod readiness', () => {
  it('ready pods appear in Endpoints and EndpointSlices, named ports per pod', async () => {
    await cp.client.create<Service>(`${ns('default')}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    await createPod('web-a', { node: 'node-1', port: 8080 });
    await createPod('web-b', { node: 'node-1', port: 9090 });
    await setPodStatus('web-a', '10.244.1.5', true);
    await setPodStatus('web-b', '10.244.1.6', true);
    const { ms } = await until('both pods ready in Endpoints', async () => {
      const e = await endpointsOf('web');
      const ips = (e?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => `${a.ip}:${s.ports?.[0]?.port}`));
      return ips.sort().join(',') === '10.244.1.5:8080,10.244.1.6:9090' ? true : undefined;
    });
    console.log(`# Endpoints converged ${ms.toFixed(1)} ms after the last status write`);
    const slices = await slicesOf('web');
    const ports = slices.flatMap((s) => (s.ports ?? []).map((p) => p.port)).sort();
    assert.deepEqual(ports, [8080, 9090], 'two pods with the same port name and different numbers give two slices');
    for (const s of slices) {
      assert.equal(s.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
      assert.equal(s.metadata.ownerReferences?.[0]?.kind, 'Service');
    }
    const { stdout } = await run(KUBECTL, ['--kubeconfig', cp.kubeconfig, 'get', 'endpoints', 'web']);
    assert.match(stdout, /^NAME\s+ENDPOINTS\s+AGE\nweb\s+10\.244\.1\.5:8080,10\.244\.1\.6:9090\s+\d+s\n/);
  });

  it('a pod turning unready moves to notReadyAddresses and ready=false', async () => {
    await setPodStatus('web-b', '10.244.1.6', false);
    const { ms } = await until('web-b not ready', async () => {
      const e = await endpointsOf('web');
      const notReady = (e?.subsets ?? []).flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip));
      return notReady.includes('10.244.1.6') ? true : undefined;
    });
    console.log(`# unready pod left Endpoints.addresses in ${ms.toFixed(1)} ms`);
    const endpoint = (await slicesOf('web')).flatMap((s) => s.endpoints ?? []).find((e) => e.addresses[0] === '10.244.1.6');
    assert.deepEqual(endpoint?.conditions, { ready: false, serving: false, terminating: false });
  });

  it('a terminating pod is serving and terminating in its slice, and leaves Endpoints', async () => {
    await cp.client.delete(`${ns('default')}/pods/web-a`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 30 });
    await until('web-a terminating in the slice', async () => {
      const endpoint = (await slicesOf('web')).flatMap((s) => s.endpoints ?? []).find((e) => e.addresses[0] === '10.244.1.5');
      return endpoint?.conditions?.terminating === true ? endpoint : undefined;
    }).then(({ value }) => assert.deepEqual(value.conditions, { ready: false, serving: true, terminating: true }));
    await until('web-a gone from Endpoints', async () => {
      const e = await endpointsOf('web');
      const all = (e?.subsets ?? []).flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])].map((a) => a.ip));
      return all.includes('10.244.1.5') ? undefined : true;
    });
  });

  it('deleting the Service removes its Endpoints and slices', async () => {
    await cp.client.delete(`${ns('default')}/services/web`);
    await until('no endpoints or slices', async () => ((await endpointsOf('web')) === undefined && (await slicesOf('web')).length === 0 ? true : undefined));
  });
});

describe('scheduler', () => {
  it('binds a pending pod to the least loaded Ready node and records Scheduled', async () => {
    for (const name of ['sched-1', 'sched-2']) {
      await cp.client.create<Node>('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });
      await cp.client.patch(`/api/v1/nodes/${name}/status`, { status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: new Date().toISOString() }] } }, 'strategic');
    }
    await createPod('pending-1', { labels: { app: 'sched' } });
    const { value: node } = await until('pod bound', async () => (await cp.client.get<Pod>(`${ns('default')}/pods/pending-1`)).spec.nodeName);
    assert.match(node, /^sched-[12]$/);
    const events = await cp.client.list<Event>(`${ns('default')}/events`, { fieldSelector: 'involvedObject.name=pending-1' });
    assert.ok(events.items.some((e) => e.reason === 'Scheduled' && e.message === `Successfully assigned default/pending-1 to ${node}`));
  });

  it('an unschedulable pod gets the condition and FailedScheduling event', async () => {
    await cp.client.create<Pod>(`${ns('default')}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nowhere' },
      spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'c', image: 'nginx' }] },
    });
    const { value } = await until('unschedulable condition', async () => {
      const pod = await cp.client.get<Pod>(`${ns('default')}/pods/nowhere`);
      return (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable');
    });
    assert.match(value.message ?? '', /^0\/\d+ nodes are available: .*didn't match Pod's node affinity\/selector/);
  });
});

describe('large Services', () => {
  it('1,500 pods: 15 slices of 100, Endpoints truncated to 1000; a controller restart converges without duplicates', async () => {
    const namespace = 'big';
    await cp.client.create(`/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    await cp.client.create<Service>(`${ns(namespace)}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'big' },
      spec: { selector: { app: 'big' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    const names = Array.from({ length: 1500 }, (_, i) => `big-${i}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(
        names.slice(i, i + 50).map(async (name, j) => {
          const k = i + j;
          await createPod(name, { node: 'node-1', labels: { app: 'big' }, namespace });
          await setPodStatus(name, `10.245.${Math.floor(k / 250)}.${(k % 250) + 1}`, true, namespace);
        }),
      );
    }
    const slicePath = `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`;
    const countReady = async () => {
      const list = await cp.client.list<EndpointSlice>(slicePath);
      return { slices: list.items.length, endpoints: list.items.reduce((n, s) => n + (s.endpoints ?? []).length, 0), list };
    };
    await until('1500 endpoints in slices', async () => ((await countReady()).endpoints === 1500 ? true : undefined), 60_000);
    const { slices, list } = await countReady();
    assert.equal(slices, 15);
    assert.ok(list.items.every((s) => (s.endpoints ?? []).length === 100));
    const { value: endpoints } = await until('truncated Endpoints', async () => {
      const e = await cp.client.get<Endpoints>(`${ns(namespace)}/endpoints/big`).catch(() => undefined);
      return e?.metadata.annotations?.['endpoints.kubernetes.io/over-capacity'] === 'truncated' ? e : undefined;
    }, 30_000);
    assert.equal((endpoints.subsets ?? []).reduce((n, s) => n + (s.addresses ?? []).length, 0), 1000);

    cm.stop();
    cm = await startControllerManager({ server: cp.url });
    await new Promise((r) => setTimeout(r, 300));
    await cm.idle();
    const again = await cp.client.list<EndpointSlice>(slicePath);
    assert.equal(again.items.length, 15, 'no duplicate or orphaned slice after a restart');
    const addresses = again.items.flatMap((s) => (s.endpoints ?? []).map((e) => e.addresses[0]));
    assert.equal(new Set(addresses).size, 1500);
    const list2 = (await cp.client.list<KubeList>(`${ns(namespace)}/endpoints`)) as unknown as KubeList<Endpoints>;
    assert.equal(list2.items.length, 1);
  });
});

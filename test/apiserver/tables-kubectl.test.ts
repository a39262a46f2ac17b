// Real kubectl (every installed 1.27..1.33) printing our Table responses: `kubectl get` output must be what
// it prints against Kubernetes for the same objects.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { installedKubectls, startFakeServer } from './formats-fake-server.ts';
import type { FakeServer } from './formats-fake-server.ts';
import { toTable } from '../../src/apiserver/tables/index.ts';
import type { KubeObject } from '../../src/api/index.ts';

const now = new Date('2026-01-10T12:00:00Z');
const ago = (s: number): string => new Date(now.getTime() - s * 1000).toISOString();

const lists: Record<string, { kind: string; items: Record<string, unknown>[] }> = {
  '/api/v1/namespaces/default/services': {
    kind: 'Service',
    items: [
      { metadata: { name: 'kubernetes', namespace: 'default', creationTimestamp: ago(3 * 86400 + 2 * 3600) }, spec: { type: 'ClusterIP', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] } },
      { metadata: { name: 'nginx-service', namespace: 'default', creationTimestamp: ago(5) }, spec: { type: 'ClusterIP', clusterIPs: ['10.96.0.10'], selector: { app: 'nginx' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] } },
      { metadata: { name: 'np', namespace: 'default', creationTimestamp: ago(192) }, spec: { type: 'NodePort', clusterIPs: ['10.96.3.4'], selector: { app: 'np' }, ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } },
    ],
  },
  '/api/v1/namespaces/default/pods': {
    kind: 'Pod',
    items: [
      {
        metadata: { name: 'nginx-pod', namespace: 'default', creationTimestamp: ago(600) },
        spec: { containers: [{ name: 'nginx' }], nodeName: 'node-1' },
        status: { phase: 'Running', podIPs: [{ ip: '10.244.1.5' }], containerStatuses: [{ name: 'nginx', ready: true, restartCount: 2, image: 'nginx', imageID: '', state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(5) } } }] },
      },
      { metadata: { name: 'pending', namespace: 'default', creationTimestamp: ago(30) }, spec: { containers: [{ name: 'a' }] }, status: { phase: 'Pending' } },
    ],
  },
  '/api/v1/namespaces/default/endpoints': {
    kind: 'Endpoints',
    items: [{ metadata: { name: 'nginx-service', namespace: 'default', creationTimestamp: ago(5) }, subsets: [{ addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.3' }, { ip: '10.244.2.4' }, { ip: '10.244.3.9' }], ports: [{ port: 80 }] }] }],
  },
  '/api/v1/namespaces/default/events': {
    kind: 'Event',
    items: [
      {
        metadata: { name: 'nginx-pod.17a', namespace: 'default', creationTimestamp: ago(180) },
        involvedObject: { kind: 'Pod', name: 'nginx-pod', namespace: 'default' },
        reason: 'Started',
        message: 'Started container nginx',
        source: { component: 'kubelet', host: 'node-1' },
        firstTimestamp: ago(180),
        lastTimestamp: ago(30),
        count: 2,
        type: 'Normal',
      },
    ],
  },
  '/apis/apps/v1/namespaces/default/deployments': {
    kind: 'Deployment',
    items: [
      {
        apiVersion: 'apps/v1',
        metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(5) },
        spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } },
        status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
      },
    ],
  },
  '/api/v1/nodes': {
    kind: 'Node',
    items: [{ metadata: { name: 'node-1', creationTimestamp: ago(7200), labels: { 'node-role.kubernetes.io/control-plane': '' } }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '10.0.0.1' }], nodeInfo: { kubeletVersion: 'v1.33.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'clusterip://0.1.0' } } }],
  },
};

let server: FakeServer | undefined;
after(async () => {
  await server?.close();
});

test('kubectl get prints our Tables as it prints Kubernetes ones', { timeout: 120_000 }, async (t) => {
  const versions = await installedKubectls();
  if (versions.length === 0) {
    t.skip('no kubectl installed');
    return;
  }
  server = await startFakeServer((req) => {
    const url = new URL(req.url, 'http://x');
    const list = lists[url.pathname];
    if (req.method !== 'GET' || !list) return undefined;
    const items = list.items.map((i) => ({ apiVersion: 'v1', kind: list.kind, ...i }) as unknown as KubeObject);
    if (!String(req.headers.accept ?? '').includes('as=Table')) return { status: 406, body: {} };
    return { status: 200, body: toTable(list.kind, items, { now, listMeta: { resourceVersion: '42' } }) };
  });
  const s = server;
  const expectations: [string[], string][] = [
    [
      ['get', 'services'],
      'NAME            TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE\n' +
        'kubernetes      ClusterIP   10.96.0.1    <none>        443/TCP        3d2h\n' +
        'nginx-service   ClusterIP   10.96.0.10   <none>        80/TCP         5s\n' +
        'np              NodePort    10.96.3.4    <none>        80:30080/TCP   3m12s\n',
    ],
    [
      ['get', 'svc', '-o', 'wide'],
      'NAME            TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE     SELECTOR\n' +
        'kubernetes      ClusterIP   10.96.0.1    <none>        443/TCP        3d2h    <none>\n' +
        'nginx-service   ClusterIP   10.96.0.10   <none>        80/TCP         5s      app=nginx\n' +
        'np              NodePort    10.96.3.4    <none>        80:30080/TCP   3m12s   app=np\n',
    ],
    [
      ['get', 'pods'],
      'NAME        READY   STATUS    RESTARTS     AGE\n' +
        'nginx-pod   1/1     Running   2 (5s ago)   10m\n' +
        'pending     0/1     Pending   0            30s\n',
    ],
    [
      ['get', 'pods', '-o', 'wide'],
      'NAME        READY   STATUS    RESTARTS     AGE   IP           NODE     NOMINATED NODE   READINESS GATES\n' +
        'nginx-pod   1/1     Running   2 (5s ago)   10m   10.244.1.5   node-1   <none>           <none>\n' +
        'pending     0/1     Pending   0            30s   <none>       <none>   <none>           <none>\n',
    ],
    [
      ['get', 'endpoints'],
      'NAME            ENDPOINTS                                               AGE\n' +
        'nginx-service   10.244.1.5:80,10.244.2.3:80,10.244.2.4:80 + 1 more...   5s\n',
    ],
    [
      ['get', 'nodes', '-o', 'wide'],
      'NAME     STATUS   ROLES           AGE    VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE                         KERNEL-VERSION   CONTAINER-RUNTIME\n' +
        'node-1   Ready    control-plane   120m   v1.33.0   10.0.0.1      <none>        Debian GNU/Linux 12 (bookworm)   6.1.0-18-amd64   clusterip://0.1.0\n',
    ],
  ];
  expectations.push(
    [
      ['get', 'events'],
      'LAST SEEN   TYPE     REASON    OBJECT          MESSAGE\n' + '30s         Normal   Started   pod/nginx-pod   Started container nginx\n',
    ],
    [
      ['get', 'deployments', '-o', 'wide'],
      'NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES       SELECTOR\n' +
        'web    2/3     3            2           5s    nginx        nginx:1.27   app=web\n',
    ],
  );
  await Promise.all(
    versions.map(async (v) => {
      for (const [args, want] of expectations) {
        const r = await s.kubectl(v, args);
        // kubectl 1.31+ may warn that endpoints are deprecated; only stdout is compared.
        assert.equal(r.code, 0, `kubectl ${v} ${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stdout, want, `kubectl ${v} ${args.join(' ')}`);
      }
    }),
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, tableColumns, toTable } from './index.ts';
import type { KubeObject } from '../../api/index.ts';

const now = new Date('2026-01-10T12:00:00Z');
const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('humanDuration matches duration.HumanDuration', () => {
  const cases: [number, string][] = [
    [-3 * S, '<invalid>'],
    [-1500, '0s'],
    [0, '0s'],
    [5 * S, '5s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [3 * M + 12 * S, '3m12s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [5 * H + 7 * M, '5h7m'],
    [8 * H + 5 * M, '8h'],
    [47 * H, '47h'],
    [2 * D + 3 * H, '2d3h'],
    [3 * D, '3d'],
    [30 * D, '30d'],
    [729 * D, '729d'],
    [2 * 365 * D, '2y'],
    [3 * 365 * D + 45 * D, '3y45d'],
    [9 * 365 * D, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

interface Case {
  name: string;
  kind: string;
  obj: Record<string, unknown>;
  want: unknown[];
  conditions?: unknown;
}

const meta = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name,
  namespace: 'default',
  creationTimestamp: ago(5 * S),
  ...extra,
});

const running = (name: string, restartCount = 0, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name,
  ready: true,
  restartCount,
  image: 'nginx',
  imageID: '',
  state: { running: { startedAt: ago(M) } },
  ...extra,
});

const cases: Case[] = [
  {
    name: 'service clusterip',
    kind: 'Service',
    obj: {
      metadata: meta('nginx-service'),
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        selector: { tier: 'web', app: 'nginx' },
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      },
    },
    want: ['nginx-service', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP', '5s', 'app=nginx,tier=web'],
  },
  {
    name: 'service nodeport, external IPs, no selector',
    kind: 'Service',
    obj: {
      metadata: meta('np', { creationTimestamp: ago(3 * M + 12 * S) }),
      spec: {
        type: 'NodePort',
        clusterIPs: ['10.96.1.1'],
        externalIPs: ['1.2.3.4', '5.6.7.8'],
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
      },
    },
    want: ['np', 'NodePort', '10.96.1.1', '1.2.3.4,5.6.7.8', '80:30080/TCP,53/UDP', '3m12s', '<none>'],
  },
  {
    name: 'service loadbalancer pending, headless, externalname',
    kind: 'Service',
    obj: { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIPs: ['10.96.2.2'], ports: [] } },
    want: ['lb', 'LoadBalancer', '10.96.2.2', '<pending>', '<none>', '5s', '<none>'],
  },
  {
    name: 'service externalname',
    kind: 'Service',
    obj: { metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'example.com' } },
    want: ['ext', 'ExternalName', '<none>', 'example.com', '<none>', '5s', '<none>'],
  },
  {
    name: 'pod running',
    kind: 'Pod',
    obj: {
      metadata: meta('nginx-pod'),
      spec: { containers: [{ name: 'nginx' }], nodeName: 'node-1' },
      status: {
        phase: 'Running',
        podIP: '10.244.1.5',
        podIPs: [{ ip: '10.244.1.5' }],
        containerStatuses: [running('nginx')],
      },
    },
    want: ['nginx-pod', '1/1', 'Running', '0', '5s', '10.244.1.5', 'node-1', '<none>', '<none>'],
  },
  {
    name: 'pod pending, unscheduled',
    kind: 'Pod',
    obj: { metadata: meta('p'), spec: { containers: [{ name: 'a' }, { name: 'b' }] }, status: { phase: 'Pending' } },
    want: ['p', '0/2', 'Pending', '0', '5s', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'pod ContainerCreating',
    kind: 'Pod',
    obj: {
      metadata: meta('p'),
      spec: { containers: [{ name: 'a' }], nodeName: 'n1' },
      status: {
        phase: 'Pending',
        containerStatuses: [
          { name: 'a', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } },
        ],
      },
    },
    want: ['p', '0/1', 'ContainerCreating', '0', '5s', '<none>', 'n1', '<none>', '<none>'],
  },
  {
    name: 'pod CrashLoopBackOff with restarts ago',
    kind: 'Pod',
    obj: {
      metadata: meta('p', { creationTimestamp: ago(10 * M) }),
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'a',
            ready: false,
            restartCount: 2,
            image: 'x',
            imageID: '',
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * S) } },
          },
          running('b'),
        ],
      },
    },
    want: ['p', '1/2', 'CrashLoopBackOff', '2 (5s ago)', '10m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'pod ErrImagePull',
    kind: 'Pod',
    obj: {
      metadata: meta('p'),
      spec: { containers: [{ name: 'a' }] },
      status: {
        phase: 'Pending',
        containerStatuses: [
          { name: 'a', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason: 'ErrImagePull' } } },
        ],
      },
    },
    want: ['p', '0/1', 'ErrImagePull', '0', '5s', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'pod terminating',
    kind: 'Pod',
    obj: {
      metadata: meta('p', { deletionTimestamp: ago(0) }),
      spec: { containers: [{ name: 'a' }] },
      status: { phase: 'Running', containerStatuses: [running('a')] },
    },
    want: ['p', '1/1', 'Terminating', '0', '5s', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'pod completed (Succeeded) with row condition',
    kind: 'Pod',
    obj: {
      metadata: meta('p'),
      spec: { containers: [{ name: 'a' }] },
      status: {
        phase: 'Succeeded',
        containerStatuses: [
          { name: 'a', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        ],
      },
    },
    want: ['p', '0/1', 'Completed', '0', '5s', '<none>', '<none>', '<none>', '<none>'],
    conditions: [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }],
  },
  {
    name: 'pod exit code without reason, init container waiting, readiness gates',
    kind: 'Pod',
    obj: {
      metadata: meta('p'),
      spec: {
        containers: [{ name: 'a' }],
        initContainers: [{ name: 'init' }],
        readinessGates: [{ conditionType: 'x/ready' }, { conditionType: 'y/ready' }],
      },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'x/ready', status: 'True' }],
        initContainerStatuses: [
          { name: 'init', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason: 'PodInitializing' } } },
        ],
      },
    },
    want: ['p', '0/1', 'Init:0/1', '0', '5s', '<none>', '<none>', '<none>', '1/2'],
  },
  {
    name: 'pod terminated without reason shows ExitCode',
    kind: 'Pod',
    obj: {
      metadata: meta('p'),
      spec: { containers: [{ name: 'a' }] },
      status: {
        phase: 'Failed',
        containerStatuses: [
          { name: 'a', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 3 } } },
        ],
      },
    },
    want: ['p', '0/1', 'ExitCode:3', '0', '5s', '<none>', '<none>', '<none>', '<none>'],
    conditions: [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }],
  },
  {
    name: 'pod with a started sidecar (restartable init container)',
    kind: 'Pod',
    obj: {
      metadata: meta('p', { creationTimestamp: ago(5 * M) }),
      spec: { initContainers: [{ name: 'sidecar', restartPolicy: 'Always' }], containers: [{ name: 'a' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [running('sidecar', 1, { started: true, lastState: { terminated: { exitCode: 137, finishedAt: ago(60 * S) } } })],
        containerStatuses: [running('a')],
      },
    },
    want: ['p', '2/2', 'Running', '1 (60s ago)', '5m', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'pod with one container completed and one running is NotReady without the Ready condition',
    kind: 'Pod',
    obj: {
      metadata: meta('p'),
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          { name: 'a', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          running('b'),
        ],
      },
    },
    want: ['p', '1/2', 'NotReady', '0', '5s', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'pod failing init container',
    kind: 'Pod',
    obj: {
      metadata: meta('p'),
      spec: { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'i1', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'i2', ready: false, restartCount: 3, image: 'x', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * S) } } },
        ],
      },
    },
    want: ['p', '0/1', 'Init:CrashLoopBackOff', '3 (2s ago)', '5s', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'endpoints with more',
    kind: 'Endpoints',
    obj: {
      metadata: meta('nginx-service'),
      subsets: [
        {
          addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.3' }],
          ports: [{ port: 80 }, { port: 443 }],
        },
      ],
    },
    want: ['nginx-service', '10.244.1.5:80,10.244.2.3:80,10.244.1.5:443 + 1 more...', '5s'],
  },
  {
    name: 'endpoints none and not-ready only',
    kind: 'Endpoints',
    obj: { metadata: meta('e') },
    want: ['e', '<none>', '5s'],
  },
  {
    name: 'endpoints only not-ready addresses print empty',
    kind: 'Endpoints',
    obj: { metadata: meta('e'), subsets: [{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] },
    want: ['e', '', '5s'],
  },
  {
    name: 'endpoints ipv6 and headless',
    kind: 'Endpoints',
    obj: { metadata: meta('e'), subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }, { addresses: [{ ip: '10.0.0.9' }] }] },
    want: ['e', '[fd00::1]:80,10.0.0.9', '5s'],
  },
  {
    name: 'endpointslice',
    kind: 'EndpointSlice',
    obj: {
      metadata: meta('nginx-service-abcde'),
      addressType: 'IPv4',
      ports: [{ port: 80, name: 'http' }, { name: 'dns' }, {}, { port: 9 }],
      endpoints: [{ addresses: ['10.244.1.5'] }, { addresses: ['10.244.2.3'] }],
    },
    want: ['nginx-service-abcde', 'IPv4', '80,dns,* + 1 more...', '10.244.1.5,10.244.2.3', '5s'],
  },
  {
    name: 'endpointslice empty',
    kind: 'EndpointSlice',
    obj: { metadata: meta('s'), addressType: 'IPv4', endpoints: null, ports: null },
    want: ['s', 'IPv4', '<unset>', '<unset>', '5s'],
  },
  {
    name: 'namespace',
    kind: 'Namespace',
    obj: { metadata: { name: 'default', creationTimestamp: ago(2 * D + 3 * H) }, status: { phase: 'Active' } },
    want: ['default', 'Active', '2d3h'],
  },
  {
    name: 'node ready, roles, cordoned',
    kind: 'Node',
    obj: {
      metadata: {
        name: 'node-1',
        creationTimestamp: ago(H),
        labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker', 'node-role.kubernetes.io/': '' },
      },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'node-1' }],
        nodeInfo: { kubeletVersion: 'v1.33.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: '' },
      },
    },
    want: ['node-1', 'Ready,SchedulingDisabled', 'control-plane,worker', '60m', 'v1.33.0', '10.0.0.1', '<none>', 'Debian GNU/Linux 12', '6.1.0', '<unknown>'],
  },
  {
    name: 'node not ready / unknown',
    kind: 'Node',
    obj: { metadata: { name: 'n2', creationTimestamp: ago(S) }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } },
    want: ['n2', 'NotReady', '<none>', '1s', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  },
  {
    name: 'node without conditions',
    kind: 'Node',
    obj: { metadata: { name: 'n3' }, spec: {} },
    want: ['n3', 'Unknown', '<none>', '<unknown>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  },
  {
    name: 'event',
    kind: 'Event',
    obj: {
      metadata: meta('nginx-pod.17a'),
      involvedObject: { kind: 'Pod', name: 'nginx-pod', fieldPath: 'spec.containers{nginx}' },
      reason: 'Started',
      message: 'Started container nginx\n',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: ago(3 * M),
      lastTimestamp: ago(30 * S),
      count: 3,
      type: 'Normal',
    },
    want: ['30s', 'Normal', 'Started', 'pod/nginx-pod', 'spec.containers{nginx}', 'kubelet, node-1', 'Started container nginx', '3m', 3, 'nginx-pod.17a'],
  },
  {
    name: 'event from events API: eventTime, no count, reporting controller',
    kind: 'Event',
    obj: {
      metadata: meta('e2'),
      involvedObject: { kind: 'Node' },
      reason: 'RegisteredNode',
      eventTime: ago(7 * S),
      firstTimestamp: null,
      lastTimestamp: null,
      reportingComponent: 'node-controller',
      type: 'Normal',
    },
    want: ['7s', 'Normal', 'RegisteredNode', 'node', '', 'node-controller', '', '7s', 1, 'e2'],
  },
  {
    name: 'servicecidr',
    kind: 'ServiceCIDR',
    obj: { metadata: { name: 'kubernetes', creationTimestamp: ago(5 * S) }, spec: { cidrs: ['10.96.0.0/16', 'fd00::/108'] } },
    want: ['kubernetes', '10.96.0.0/16,fd00::/108', '5s'],
  },
  {
    name: 'ipaddress',
    kind: 'IPAddress',
    obj: { metadata: { name: '10.96.0.10' }, spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'nginx' } } },
    want: ['10.96.0.10', 'services/default/nginx'],
  },
  {
    name: 'ipaddress with group',
    kind: 'IPAddress',
    obj: { metadata: { name: '10.96.0.11' }, spec: { parentRef: { group: 'Example.io', resource: 'Gateways', name: 'gw' } } },
    want: ['10.96.0.11', 'gateways.example.io/gw'],
  },
  {
    name: 'lease',
    kind: 'Lease',
    obj: { metadata: meta('node-1'), spec: { holderIdentity: 'node-1' } },
    want: ['node-1', 'node-1', '5s'],
  },
  {
    name: 'lease without holder',
    kind: 'Lease',
    obj: { metadata: meta('l'), spec: {} },
    want: ['l', '', '5s'],
  },
  {
    name: 'configmap',
    kind: 'ConfigMap',
    obj: { metadata: meta('cm'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } },
    want: ['cm', 3, '5s'],
  },
  {
    name: 'serviceaccount',
    kind: 'ServiceAccount',
    obj: { metadata: meta('default') },
    want: ['default', 0, '5s'],
  },
  {
    name: 'deployment',
    kind: 'Deployment',
    obj: {
      metadata: meta('web'),
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] },
        template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'side', image: 'busybox' }] } },
      },
      status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
    },
    want: ['web', '2/3', 3, 2, '5s', 'nginx,side', 'nginx:1.27,busybox', 'app=web,tier in (a,b)'],
  },
  {
    name: 'deployment new, no status',
    kind: 'Deployment',
    obj: { metadata: meta('d'), spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { spec: { containers: [{ name: 'c', image: 'i' }] } } } },
    want: ['d', '0/1', 0, 0, '5s', 'c', 'i', 'app=d'],
  },
  {
    name: 'replicaset',
    kind: 'ReplicaSet',
    obj: {
      metadata: meta('web-5d4f'),
      spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d4f' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
      status: { replicas: 2, readyReplicas: 1 },
    },
    want: ['web-5d4f', 2, 2, 1, '5s', 'nginx', 'nginx', 'app=web,pod-template-hash=5d4f'],
  },
  {
    name: 'replicaset with empty selector',
    kind: 'ReplicaSet',
    obj: { metadata: meta('rs'), spec: { replicas: 0, selector: {}, template: { spec: { containers: [] } } } },
    want: ['rs', 0, 0, 0, '5s', '', '', '<none>'],
  },
  {
    name: 'default printer',
    kind: 'Widget',
    obj: { metadata: { name: 'w', creationTimestamp: '2026-01-01T02:03:04Z' } },
    want: ['w', '2026-01-01T02:03:04Z'],
  },
];

test('toTable rows match Kubernetes printers', () => {
  for (const c of cases) {
    const table = toTable(c.kind, [c.obj as unknown as KubeObject], { now });
    assert.equal(table.rows.length, 1, c.name);
    assert.deepEqual(table.rows[0].cells, c.want, c.name);
    assert.equal(table.columnDefinitions.length, c.want.length, `${c.name}: one cell per column`);
    assert.deepEqual(table.rows[0].conditions, c.conditions, `${c.name}: conditions`);
  }
});

test('column definitions', () => {
  const names = (kind: string): string[] => tableColumns(kind).map((c) => (c.priority ? `${c.name}*` : c.name));
  assert.deepEqual(names('Service'), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']);
  assert.deepEqual(names('Pod'), ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP*', 'Node*', 'Nominated Node*', 'Readiness Gates*']);
  assert.deepEqual(names('Node'), [
    'Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*',
  ]);
  assert.deepEqual(names('Event'), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
  assert.deepEqual(names('Deployment'), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
  assert.deepEqual(names('Widget'), ['Name', 'Created At']);
  const name = tableColumns('Service')[0];
  assert.equal(name.format, 'name');
  assert.equal(typeof name.description, 'string');
  assert.deepEqual(Object.keys(name).sort(), ['description', 'format', 'name', 'priority', 'type']);
});

test('row objects: PartialObjectMetadata by default, the object, or null; list metadata carried', () => {
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'default', uid: 'u1', resourceVersion: '7' }, spec: {} };
  const meta = toTable('Service', [svc], { now, listMeta: { resourceVersion: '9', continue: 'c' } });
  assert.deepEqual(meta.metadata, { resourceVersion: '9', continue: 'c' });
  assert.equal(meta.kind, 'Table');
  assert.equal(meta.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(meta.rows[0].object, { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: svc.metadata });
  assert.deepEqual(toTable('Service', [svc], { now, includeObject: 'Object' }).rows[0].object, svc);
  assert.equal(toTable('Service', [svc], { now, includeObject: 'None' }).rows[0].object, null);
  assert.deepEqual(toTable('Service', [svc], { now, noHeaders: true }).columnDefinitions, []);
  assert.deepEqual(toTable('Service', [], { now }).rows, []);
});

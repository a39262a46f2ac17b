import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEnvelope, decodeProtobufObject, ProtobufDecodeError } from './index.ts';

// Bodies captured from kubectl 1.33 (`kubectl create … ` against a recording server), with the JSON that
// kubectl 1.31 sends for the same command.
const captured: { name: string; hex: string; want: unknown }[] = [
  {
    name: 'create namespace x',
    hex: '6b3873000a0f0a02763112094e616d65737061636512190a110a017812001a0022002a0032003800420012001a020a001a002200',
    want: { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'x', creationTimestamp: null }, spec: {}, status: {} },
  },
  {
    name: 'create service clusterip my-svc --tcp=80:8080',
    hex: '6b3873000a0d0a02763112075365727669636512720a250a066d792d73766312001a0022002a003200380042005a0d0a0361707012066d792d73766312450a1b0a0738302d38303830120354435018502207080010903f1a002800120d0a0361707012066d792d7376631a002209436c757374657249503a00420052005a00600068001a020a001a002200',
    want: {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'my-svc', creationTimestamp: null, labels: { app: 'my-svc' } },
      spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'my-svc' }, type: 'ClusterIP' },
      status: { loadBalancer: {} },
    },
  },
  {
    name: 'create service nodeport np --tcp=80:8080 --node-port=30080',
    hex: '6b3873000a0d0a02763112075365727669636512670a1d0a026e7012001a0022002a003200380042005a090a0361707012026e7012420a1d0a0738302d38303830120354435018502207080010903f1a002880eb0112090a0361707012026e701a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200',
    want: {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'np', creationTimestamp: null, labels: { app: 'np' } },
      spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }], selector: { app: 'np' }, type: 'NodePort' },
      status: { loadBalancer: {} },
    },
  },
  {
    name: 'create service externalname ext --external-name=example.com',
    hex: '6b3873000a0d0a027631120753657276696365125a0a1f0a0365787412001a0022002a003200380042005a0a0a0361707012036578741233120a0a0361707012036578741a00220c45787465726e616c4e616d653a004200520b6578616d706c652e636f6d5a00600068001a020a001a002200',
    want: {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'ext', creationTimestamp: null, labels: { app: 'ext' } },
      spec: { selector: { app: 'ext' }, type: 'ExternalName', externalName: 'example.com' },
      status: { loadBalancer: {} },
    },
  },
  {
    name: 'create deployment web2 --image=busybox -- sleep 3600',
    hex: '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c1010a210a047765623212001a0022002a003200380042005a0b0a03617070120477656232128d010801120d0a0b0a036170701204776562321a720a1d0a0012001a0022002a003200380042005a0b0a03617070120477656232125112330a0762757379626f78120762757379626f781a05736c6565701a04333630302a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
    want: {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'web2', creationTimestamp: null, labels: { app: 'web2' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web2' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web2' } },
          spec: { containers: [{ name: 'busybox', image: 'busybox', command: ['sleep', '3600'], resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    },
  },
  {
    name: 'create configmap cm --from-literal=a=b',
    hex: '6b3873000a0f0a0276311209436f6e6669674d6170121c0a120a02636d12001a0022002a0032003800420012060a01611201621a002200',
    want: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm', creationTimestamp: null }, data: { a: 'b' } },
  },
  {
    name: 'create secret generic sec --from-literal=a=b',
    hex: '6b3873000a0c0a0276311206536563726574121f0a130a0373656312001a0022002a0032003800420012060a01611201621a001a002200',
    want: { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'sec', creationTimestamp: null }, data: { a: 'Yg==' } },
  },
  {
    name: 'create serviceaccount sa',
    hex: '6b3873000a140a027631120e536572766963654163636f756e7412140a120a02736112001a0022002a003200380042001a002200',
    want: { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'sa', creationTimestamp: null } },
  },
];

test('decodes what kubectl 1.33 sends into the JSON kubectl 1.31 sends', () => {
  for (const c of captured) {
    assert.deepEqual(decodeProtobufObject(Buffer.from(c.hex, 'hex')), c.want, c.name);
  }
});

// --- a tiny encoder for synthetic messages --------------------------------------------------------------------

function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const vf = (field: number, n: number | bigint): number[] => [...varint(BigInt(field * 8)), ...varint(BigInt(n))];
function bf(field: number, body: number[] | string): number[] {
  const bytes = typeof body === 'string' ? [...new TextEncoder().encode(body)] : body;
  return [...varint(BigInt(field * 8 + 2)), ...varint(BigInt(bytes.length)), ...bytes];
}
const envelope = (apiVersion: string, kind: string, raw: number[], extra: number[] = []): Uint8Array =>
  Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...bf(1, [...bf(1, apiVersion), ...bf(2, kind)]), ...bf(2, raw), ...extra]);

test('synthetic messages: times, int-or-string names, negatives, unknown fields, repeated and pointer fields', () => {
  const meta = [
    ...bf(1, 'web'),
    ...bf(3, 'team-a'),
    ...bf(8, vf(1, 1767225600)), // 2026-01-01T00:00:00Z
    ...bf(11, [...bf(1, 'app'), ...bf(2, 'web')]),
    ...bf(11, [...bf(1, 'tier'), ...bf(2, 'front')]),
    ...bf(12, [...bf(1, 'note'), ...bf(2, '')]),
    ...bf(14, 'example.com/guard'),
    ...bf(99, 'a field from the future'), // unknown: skipped
    ...vf(98, 7), // unknown varint: skipped
  ];
  const port = [...bf(1, 'https'), ...bf(2, 'TCP'), ...vf(3, 443), ...bf(4, [...vf(1, 1), ...bf(3, 'https')])];
  const spec = [...bf(1, port), ...bf(3, 'None'), ...bf(18, 'None'), ...vf(12, -1), ...vf(13, 1), ...bf(19, 'IPv4'), ...bf(19, 'IPv6')];
  const got = decodeProtobufObject(envelope('v1', 'Service', [...bf(1, meta), ...bf(2, spec)]));
  assert.deepEqual(got, {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: {
      name: 'web',
      namespace: 'team-a',
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { app: 'web', tier: 'front' },
      annotations: { note: '' },
      finalizers: ['example.com/guard'],
    },
    spec: {
      ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 'https' }],
      clusterIP: 'None',
      clusterIPs: ['None'],
      healthCheckNodePort: -1,
      publishNotReadyAddresses: true,
      ipFamilies: ['IPv4', 'IPv6'],
    },
  });

  // Pointer fields keep an explicit zero (replicas: 0), non-pointer zeros are omitted (minReadySeconds).
  const dspec = [...vf(1, 0), ...vf(5, 0), ...bf(4, [...bf(1, 'RollingUpdate'), ...bf(2, [...bf(1, [...vf(1, 1), ...bf(3, '25%')]), ...bf(2, [...vf(2, 1)])])])];
  assert.deepEqual(decodeProtobufObject(envelope('apps/v1', 'Deployment', [...bf(1, bf(1, 'd')), ...bf(2, dspec)])), {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { name: 'd' },
    spec: { replicas: 0, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } } },
  });

  // Embedded (inline) structs: a probe's handler and a volume's source are lifted into their parent.
  const container = [...bf(1, 'c'), ...bf(10, [...bf(1, bf(2, [...bf(1, '/healthz'), ...bf(2, vf(2, 8080))])), ...vf(4, 5)]), ...bf(8, bf(2, [...bf(1, 'cpu'), ...bf(2, bf(1, '100m'))]))];
  const volume = [...bf(1, 'data'), ...bf(2, bf(2, bf(1, 'Memory')))];
  const pod = decodeProtobufObject(envelope('v1', 'Pod', [...bf(1, bf(1, 'p')), ...bf(2, [...bf(1, volume), ...bf(2, container)])]));
  assert.deepEqual(pod, {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name: 'p' },
    spec: {
      volumes: [{ name: 'data', emptyDir: { medium: 'Memory' } }],
      containers: [{ name: 'c', resources: { requests: { cpu: '100m' } }, livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 } }],
    },
  });
});

test('envelope and errors', () => {
  const env = decodeEnvelope(envelope('v1', 'Widget', bf(1, 'x'), bf(4, 'application/vnd.kubernetes.protobuf')));
  assert.equal(env.apiVersion, 'v1');
  assert.equal(env.kind, 'Widget');
  assert.equal(env.contentType, 'application/vnd.kubernetes.protobuf');
  assert.deepEqual([...env.raw], bf(1, 'x'));

  const cases: { name: string; body: Uint8Array; message: RegExp }[] = [
    { name: 'no magic', body: Uint8Array.from([0x7b, 0x7d]), message: /expected prefix \[107 56 115 0\]/ },
    { name: 'JSON body', body: new TextEncoder().encode('{"kind":"Service"}'), message: /does not appear to be a protobuf message/ },
    { name: 'unknown kind', body: envelope('v1', 'Widget', []), message: /no protobuf schema for Widget in version "v1"/ },
    { name: 'truncated', body: envelope('v1', 'Namespace', []).subarray(0, 10), message: /truncated/ },
    { name: 'bad wire type', body: envelope('v1', 'Namespace', [0x0b]), message: /wire type 3/ },
    { name: 'wrong wire type for a string', body: envelope('v1', 'Namespace', bf(1, vf(1, 5))), message: /ObjectMeta.name: expected a length-delimited field/ },
    { name: 'encoded content', body: envelope('v1', 'Namespace', [], bf(3, 'gzip')), message: /unsupported content encoding "gzip"/ },
  ];
  for (const c of cases) {
    assert.throws(() => decodeProtobufObject(c.body), (err: unknown) => err instanceof ProtobufDecodeError && c.message.test(err.message), c.name);
  }
});

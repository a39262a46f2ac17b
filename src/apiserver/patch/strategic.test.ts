// Strategic merge patch, in the manner of apimachinery's strategicpatch tests: original + patch → result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, applyStrategicMergePatch, patchSchemaFor } from './index.ts';
import type { JsonObject, PatchSchema } from './index.ts';

const podSchema = patchSchemaFor('v1', 'Pod')!;
const serviceSchema = patchSchemaFor('v1', 'Service')!;
const deploymentSchema = patchSchemaFor('apps/v1', 'Deployment')!;
const nodeSchema = patchSchemaFor('v1', 'Node')!;

interface Case {
  name: string;
  schema: PatchSchema;
  original: JsonObject;
  patch: JsonObject;
  want?: JsonObject;
  wantError?: { code: number; message: string };
}

const pod = (spec: JsonObject, metadata: JsonObject = { name: 'p' }): JsonObject => ({ metadata, spec });
const c = (name: string, extra: JsonObject = {}): JsonObject => ({ name, image: `${name}:1`, ...extra });

const cases: Case[] = [
  {
    name: 'maps merge and null deletes a key',
    schema: podSchema,
    original: pod({}, { name: 'p', labels: { app: 'x', tier: 'web' } }),
    patch: { metadata: { labels: { tier: null, env: 'prod' } } },
    want: pod({}, { name: 'p', labels: { app: 'x', env: 'prod' } }),
  },
  {
    name: 'null for a field the original lacks is ignored (IgnoreUnmatchedNulls)',
    schema: podSchema,
    original: pod({ restartPolicy: 'Always' }),
    patch: { spec: { nodeName: null } },
    want: pod({ restartPolicy: 'Always' }),
  },
  {
    name: 'nulls inside a new value are dropped',
    schema: podSchema,
    original: pod({}),
    patch: { spec: { securityContext: { runAsUser: 1000, runAsGroup: null } } },
    want: pod({ securityContext: { runAsUser: 1000 } }),
  },
  {
    name: 'containers merge by name: only the patched container changes',
    schema: podSchema,
    original: pod({ containers: [c('a'), c('b')] }),
    patch: { spec: { containers: [{ name: 'b', image: 'b:2' }] } },
    want: pod({ containers: [c('a'), { name: 'b', image: 'b:2' }] }),
  },
  {
    // Without $setElementOrder, items the live order does not know go first (mergeSortedSlice).
    name: 'a container with a new name is added before the live ones',
    schema: podSchema,
    original: pod({ containers: [c('a')] }),
    patch: { spec: { containers: [c('b')] } },
    want: pod({ containers: [c('b'), c('a')] }),
  },
  {
    name: 'with $setElementOrder (as kubectl sends it) a new container goes where the order says',
    schema: podSchema,
    original: pod({ containers: [c('a')] }),
    patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [c('b')] } },
    want: pod({ containers: [c('a'), c('b')] }),
  },
  {
    name: '$patch: delete removes the item with that merge key',
    schema: podSchema,
    original: pod({ containers: [c('a'), c('b'), c('c')] }),
    patch: { spec: { containers: [{ name: 'b', $patch: 'delete' }] } },
    want: pod({ containers: [c('a'), c('c')] }),
  },
  {
    name: '$patch: replace in a list makes the patch the whole list',
    schema: podSchema,
    original: pod({ containers: [c('a'), c('b')] }),
    patch: { spec: { containers: [c('z'), { $patch: 'replace' }] } },
    want: pod({ containers: [c('z')] }),
  },
  {
    name: '$patch: replace in a map replaces the map',
    schema: serviceSchema,
    original: { spec: { selector: { app: 'x', tier: 'web' }, type: 'ClusterIP' } },
    patch: { spec: { selector: { $patch: 'replace', app: 'y' } } },
    want: { spec: { selector: { app: 'y' }, type: 'ClusterIP' } },
  },
  {
    name: '$patch: delete in a map empties it',
    schema: podSchema,
    original: pod({ securityContext: { runAsUser: 1 } }),
    patch: { spec: { securityContext: { $patch: 'delete' } } },
    want: pod({ securityContext: {} }),
  },
  {
    name: '$patch: merge in a list is refused as Kubernetes does',
    schema: podSchema,
    original: pod({ containers: [c('a')] }),
    patch: { spec: { containers: [{ $patch: 'merge' }] } },
    wantError: { code: 400, message: 'merging lists cannot yet be specified in the patch' },
  },
  {
    name: 'an unknown $patch in a map is refused with the Go-printed map',
    schema: podSchema,
    original: pod({ securityContext: {} }),
    patch: { spec: { securityContext: { $patch: 'frob', runAsUser: 1 } } },
    wantError: { code: 400, message: 'unknown patch type: frob in map: map[$patch:frob runAsUser:1]' },
  },
  {
    name: 'a list without a patch strategy is replaced (tolerations)',
    schema: podSchema,
    original: pod({ tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }] }),
    patch: { spec: { tolerations: [{ key: 'c', operator: 'Exists' }] } },
    want: pod({ tolerations: [{ key: 'c', operator: 'Exists' }] }),
  },
  {
    name: 'finalizers merge as a set (patch order first, live-only items after)',
    schema: podSchema,
    original: pod({}, { name: 'p', finalizers: ['a', 'b'] }),
    patch: { metadata: { finalizers: ['c', 'a'] } },
    want: pod({}, { name: 'p', finalizers: ['c', 'a', 'b'] }),
  },
  {
    name: '$deleteFromPrimitiveList removes values from a set',
    schema: podSchema,
    original: pod({}, { name: 'p', finalizers: ['a', 'b', 'c'] }),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
    want: pod({}, { name: 'p', finalizers: ['a', 'c'] }),
  },
  {
    name: '$setElementOrder reorders without changing items',
    schema: podSchema,
    original: pod({ containers: [c('a'), c('b')] }),
    patch: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } },
    want: pod({ containers: [c('b'), c('a')] }),
  },
  {
    name: '$setElementOrder with a changed item, as kubectl sends it',
    schema: serviceSchema,
    original: {
      spec: {
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 80 },
          { name: 'https', port: 443, protocol: 'TCP', targetPort: 443 },
        ],
      },
    },
    patch: { spec: { '$setElementOrder/ports': [{ port: 80 }, { port: 443 }], ports: [{ port: 80, targetPort: 8080 }] } },
    want: {
      spec: {
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
          { name: 'https', port: 443, protocol: 'TCP', targetPort: 443 },
        ],
      },
    },
  },
  {
    name: '$setElementOrder keeps server-only items in their live place',
    schema: podSchema,
    original: pod({ containers: [c('a'), c('injected'), c('b')] }),
    patch: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', image: 'a:2' }] } },
    // A server-only item goes before the first ordered item that follows it in the live list.
    want: pod({ containers: [c('injected'), c('b'), { name: 'a', image: 'a:2' }] }),
  },
  {
    name: '$retainKeys clears the fields of a union it does not list (volume source)',
    schema: podSchema,
    original: pod({ volumes: [{ name: 'v', emptyDir: {} }] }),
    patch: { spec: { volumes: [{ name: 'v', $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' } }] } },
    want: pod({ volumes: [{ name: 'v', configMap: { name: 'cm' } }] }),
  },
  {
    name: '$retainKeys on Deployment spec.strategy (patchStrategy retainKeys)',
    schema: deploymentSchema,
    original: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    want: { spec: { strategy: { type: 'Recreate' } } },
  },
  {
    name: '$retainKeys must list every field the patch sets',
    schema: deploymentSchema,
    original: { spec: { strategy: { type: 'RollingUpdate' } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: {} } } },
    wantError: { code: 400, message: 'invalid patch format of retainKeys' },
  },
  {
    name: 'an item without its merge key is refused',
    schema: podSchema,
    original: pod({ containers: [c('a')] }),
    patch: { spec: { containers: [{ image: 'x' }] } },
    wantError: { code: 400, message: 'map: map[image:x] does not contain declared merge key: name' },
  },
  {
    name: 'lists of lists are 422',
    schema: podSchema,
    original: pod({}, { name: 'p', finalizers: ['a'] }),
    patch: { metadata: { finalizers: [['b']] } },
    wantError: { code: 422, message: 'the server rejected our request due to an error in our request' },
  },
  {
    name: 'Service ports merge by port',
    schema: serviceSchema,
    original: { spec: { ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] } },
    patch: { spec: { ports: [{ port: 53, name: 'dns' }] } },
    want: { spec: { ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP', name: 'dns' }] } },
  },
  {
    name: 'ownerReferences merge by uid',
    schema: podSchema,
    original: pod({}, { name: 'p', ownerReferences: [{ uid: 'u1', name: 'rs1' }, { uid: 'u2', name: 'rs2' }] }),
    patch: { metadata: { ownerReferences: [{ uid: 'u2', controller: true }] } },
    want: pod({}, { name: 'p', ownerReferences: [{ uid: 'u1', name: 'rs1' }, { uid: 'u2', name: 'rs2', controller: true }] }),
  },
  {
    name: 'pod status conditions merge by type (as kubelet patches status)',
    schema: podSchema,
    original: { status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] } },
    patch: {
      status: {
        phase: 'Running',
        '$setElementOrder/conditions': [{ type: 'PodScheduled' }, { type: 'Ready' }],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    },
    want: {
      status: {
        phase: 'Running',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'True' },
        ],
      },
    },
  },
  {
    name: 'env merges by name and container ports by containerPort, inside a container',
    schema: podSchema,
    original: pod({ containers: [c('a', { env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80, protocol: 'TCP' }] })] }),
    patch: { spec: { containers: [{ name: 'a', env: [{ name: 'B', value: '2' }], ports: [{ containerPort: 80, name: 'http' }] }] } },
    want: pod({
      containers: [
        c('a', {
          env: [
            { name: 'B', value: '2' },
            { name: 'A', value: '1' },
          ],
          ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }],
        }),
      ],
    }),
  },
  {
    name: 'a Deployment pod template reuses the Pod strategies',
    schema: deploymentSchema,
    original: { spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [c('a'), c('b')] } } } },
    patch: { spec: { template: { spec: { containers: [{ name: 'a', image: 'a:2' }] } } } },
    want: { spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'a:2' }, c('b')] } } } },
  },
  {
    name: 'Node status addresses merge by type',
    schema: nodeSchema,
    original: { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'n1' }] } },
    patch: { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] } },
    want: { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }, { type: 'Hostname', address: 'n1' }] } },
  },
  {
    name: 'without a schema, maps merge and lists are replaced',
    schema: {},
    original: { a: { b: 1, list: [1, 2] } },
    patch: { a: { c: 2, list: [3] } },
    want: { a: { b: 1, c: 2, list: [3] } },
  },
  {
    name: 'a new value that is itself a directive is not stored',
    schema: podSchema,
    original: pod({}),
    patch: { spec: { securityContext: { $patch: 'delete' }, hostNetwork: true } },
    want: pod({ hostNetwork: true }),
  },
  {
    name: '$setElementOrder on a primitive list (finalizers)',
    schema: podSchema,
    original: pod({}, { name: 'p', finalizers: ['a', 'b'] }),
    patch: { metadata: { '$setElementOrder/finalizers': ['b', 'a', 'c'], finalizers: ['c'] } },
    want: pod({}, { name: 'p', finalizers: ['b', 'a', 'c'] }),
  },
  {
    name: '$patch: delete of an item that is not there changes nothing',
    schema: podSchema,
    original: pod({ containers: [c('a')] }),
    patch: { spec: { containers: [{ name: 'zzz', $patch: 'delete' }] } },
    want: pod({ containers: [c('a')] }),
  },
  {
    name: 'a type change takes the patch value',
    schema: podSchema,
    original: pod({ nodeSelector: { a: 'b' } }),
    patch: { spec: { nodeSelector: 'oops' } },
    want: pod({ nodeSelector: 'oops' }),
  },
];

for (const tc of cases) {
  test(`strategic merge patch: ${tc.name}`, () => {
    const before = structuredClone(tc.original);
    if (tc.wantError) {
      assert.throws(
        () => applyStrategicMergePatch(tc.original, tc.patch, tc.schema),
        (err: unknown) => {
          assert.ok(err instanceof PatchError, String(err));
          assert.equal(err.message, tc.wantError!.message);
          assert.equal(err.code, tc.wantError!.code);
          return true;
        },
      );
    } else {
      assert.deepEqual(applyStrategicMergePatch(tc.original, tc.patch, tc.schema), tc.want);
    }
    assert.deepEqual(tc.original, before, 'the original is never modified');
  });
}

test('strategic merge patch: a non-object patch is 400', () => {
  assert.throws(
    () => applyStrategicMergePatch({}, [] as unknown as JsonObject, podSchema),
    (err: unknown) =>
      err instanceof PatchError && err.code === 400 && err.message === 'json: cannot unmarshal array into Go value of type map[string]interface {}',
  );
});

test('patchSchemaFor knows the served kinds and nothing else', () => {
  for (const [apiVersion, kind] of [
    ['v1', 'Service'],
    ['v1', 'Pod'],
    ['v1', 'Endpoints'],
    ['v1', 'Node'],
    ['v1', 'Namespace'],
    ['v1', 'Event'],
    ['discovery.k8s.io/v1', 'EndpointSlice'],
    ['networking.k8s.io/v1', 'IPAddress'],
    ['networking.k8s.io/v1', 'ServiceCIDR'],
    ['apps/v1', 'Deployment'],
    ['apps/v1', 'ReplicaSet'],
  ]) {
    assert.ok(patchSchemaFor(apiVersion!, kind!), `${apiVersion}/${kind}`);
  }
  assert.equal(patchSchemaFor('v1', 'Secret'), undefined);
  assert.equal(patchSchemaFor('v2', 'Pod'), undefined);
});

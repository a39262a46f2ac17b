// Server-side apply: live object + applied configuration → stored object and managedFields, or a 409.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, serverSideApply } from './index.ts';
import type { JsonObject } from './index.ts';
import { csaEntry, defaultedPod, serviceCreateFields, storedService, t0, t1, t2 } from './seed-fixtures.ts';

const meta = (o: JsonObject): JsonObject => o.metadata as JsonObject;
const spec = (o: JsonObject): JsonObject => o.spec as JsonObject;

const applyEntry = (manager: string, fieldsV1: JsonObject, time = t1): JsonObject => ({
  manager,
  operation: 'Apply',
  apiVersion: 'v1',
  time,
  fieldsType: 'FieldsV1',
  fieldsV1,
});

/** The seed Service as `kubectl apply --server-side` sends it (no protocol: the key defaults it to TCP). */
const appliedService = (spec: JsonObject = {}, metadata: JsonObject = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'nginx-service', namespace: 'default', ...metadata },
  spec: { ports: [{ port: 80, targetPort: 80 }], selector: { app: 'nginx' }, type: 'ClusterIP', ...spec },
});

const appliedServiceFields: JsonObject = {
  'f:spec': {
    'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } },
    'f:selector': {},
    'f:type': {},
  },
};

interface Case {
  name: string;
  live: JsonObject | undefined;
  applied: JsonObject;
  manager?: string;
  force?: boolean;
  /** Checks on the stored object. */
  want?: (o: JsonObject) => void;
  wantManagedFields?: JsonObject[];
  wantConflict?: { message: string; causes: { reason: string; message: string; field: string }[] };
}

function labelled(o: JsonObject, labels: JsonObject): JsonObject {
  meta(o).labels = labels;
  return o;
}

const csaPortPath = '.spec.ports[port=80,protocol="TCP"].targetPort';

// The applier in these cases is "deployer": "kubectl" is special (see the client-side apply upgrade cases).
const cases: Case[] = [
  {
    name: 'creates the object when missing; the apply owns exactly what it set',
    live: undefined,
    applied: appliedService(),
    want: (o) => assert.deepEqual(o.spec, appliedService().spec),
    wantManagedFields: [applyEntry('deployer', appliedServiceFields)],
  },
  {
    name: 'same values as another manager: no conflict, both own them',
    live: storedService([csaEntry(serviceCreateFields)]),
    applied: appliedService(),
    want: (o) => {
      assert.equal(spec(o).clusterIP, '10.96.0.10', 'fields nobody applied stay');
      assert.deepEqual(spec(o).ports, [{ protocol: 'TCP', port: 80, targetPort: 80 }]);
    },
    wantManagedFields: [applyEntry('deployer', appliedServiceFields), csaEntry(serviceCreateFields)],
  },
  {
    name: 'a different value for a field another manager owns is a 409 with causes',
    live: storedService([csaEntry(serviceCreateFields)]),
    applied: appliedService({ ports: [{ port: 80, targetPort: 8080 }] }),
    wantConflict: {
      message: `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: ${csaPortPath}`,
      causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: csaPortPath }],
    },
  },
  {
    name: 'several conflicts are listed per manager',
    live: storedService([csaEntry(serviceCreateFields)]),
    applied: appliedService({ ports: [{ port: 80, targetPort: 8080 }], type: 'NodePort' }),
    wantConflict: {
      message: `Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using v1:\n- ${csaPortPath}\n- .spec.type`,
      causes: [
        { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: csaPortPath },
        { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.spec.type' },
      ],
    },
  },
  {
    name: 'force takes the field from the other manager',
    live: storedService([csaEntry(serviceCreateFields)]),
    applied: appliedService({ ports: [{ port: 80, targetPort: 8080 }] }),
    force: true,
    want: (o) => assert.deepEqual(spec(o).ports, [{ protocol: 'TCP', port: 80, targetPort: 8080 }]),
    wantManagedFields: [
      applyEntry('deployer', appliedServiceFields),
      csaEntry({
        ...serviceCreateFields,
        'f:spec': {
          ...(serviceCreateFields['f:spec'] as JsonObject),
          'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {} } },
        },
      }),
    ],
  },
  {
    name: 'a conflict with another applier names it without "using"',
    live: {
      ...storedService([applyEntry('helm', { 'f:spec': { 'f:type': {} } }, t0)]),
    },
    applied: appliedService({ type: 'NodePort' }),
    wantConflict: {
      message: 'Apply failed with 1 conflict: conflict with "helm": .spec.type',
      causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "helm"', field: '.spec.type' }],
    },
  },
  {
    name: 'a field the manager no longer applies is removed',
    live: labelled(storedService([applyEntry('deployer', { 'f:metadata': { 'f:labels': { 'f:a': {}, 'f:b': {} } } }, t0)]), {
      a: '1',
      b: '2',
    }),
    applied: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx-service', labels: { a: '1' } } },
    want: (o) => assert.deepEqual(meta(o).labels, { a: '1' }),
    wantManagedFields: [applyEntry('deployer', { 'f:metadata': { 'f:labels': { 'f:a': {} } } })],
  },
  {
    name: 'a field no longer applied stays while another manager owns it',
    live: labelled(
      storedService([
        applyEntry('deployer', { 'f:metadata': { 'f:labels': { 'f:a': {}, 'f:b': {} } } }, t0),
        { ...csaEntry({ 'f:metadata': { 'f:labels': { 'f:b': {} } } }), manager: 'other' },
      ]),
      { a: '1', b: '2' },
    ),
    applied: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx-service', labels: { a: '1' } } },
    want: (o) => assert.deepEqual(meta(o).labels, { a: '1', b: '2' }),
  },
  {
    name: 'list-map items merge by key: a new port joins the live one',
    live: storedService([csaEntry(serviceCreateFields)]),
    applied: appliedService({ ports: [{ port: 443, targetPort: 8443, name: 'https' }] }),
    want: (o) =>
      assert.deepEqual(spec(o).ports, [
        { protocol: 'TCP', port: 80, targetPort: 80 },
        { port: 443, targetPort: 8443, name: 'https' },
      ]),
  },
  {
    name: 'containers merge by name; defaulted fields stay',
    live: {
      ...defaultedPod(),
      metadata: { ...(defaultedPod().metadata as JsonObject), managedFields: [] },
    },
    applied: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nginx-pod' },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] },
    },
    want: (o) => {
      const [c] = spec(o).containers as JsonObject[];
      assert.equal(c!.image, 'nginx:1.25');
      assert.equal(c!.imagePullPolicy, 'IfNotPresent');
      assert.deepEqual(c!.ports, [{ containerPort: 80, protocol: 'TCP' }]);
    },
    wantManagedFields: [
      applyEntry('deployer', { 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } }),
    ],
  },
  {
    name: 'an empty struct in the configuration owns nothing (structured-merge-diff v4)',
    live: undefined,
    applied: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { securityContext: {}, containers: [{ name: 'c', image: 'i', resources: {} }] },
    },
    want: (o) => assert.deepEqual(spec(o).securityContext, {}),
    wantManagedFields: [
      applyEntry('deployer', { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } }),
    ],
  },
  {
    name: 'status in a main-resource apply is not owned',
    live: undefined,
    applied: { ...appliedService(), status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } },
    wantManagedFields: [applyEntry('deployer', appliedServiceFields)],
  },
  {
    name: 're-applying the same configuration keeps the stored timestamps',
    live: {
      ...storedService([applyEntry('deployer', appliedServiceFields, t0), csaEntry(serviceCreateFields)]),
    },
    applied: appliedService(),
    wantManagedFields: [applyEntry('deployer', appliedServiceFields, t0), csaEntry(serviceCreateFields)],
  },
];

const kubectlApplyEntry = (fieldsV1: JsonObject): JsonObject => ({ ...applyEntry('deployer', fieldsV1), manager: 'kubectl' });
const lastApplied = (o: JsonObject): unknown => (meta(o).annotations as JsonObject)['kubectl.kubernetes.io/last-applied-configuration'];

cases.push(
  {
    name: 'kubectl --server-side takes fields it last set with client-side apply, without --force',
    live: storedService([csaEntry(serviceCreateFields)]),
    applied: appliedService({ ports: [{ port: 80, targetPort: 8080 }] }),
    manager: 'kubectl',
    want: (o) => {
      assert.deepEqual(spec(o).ports, [{ protocol: 'TCP', port: 80, targetPort: 8080 }]);
      // lastAppliedUpdater rewrites the annotation from the applied configuration.
      assert.equal(
        lastApplied(o),
        '{"apiVersion":"v1","kind":"Service","metadata":{"name":"nginx-service","namespace":"default"},' +
          '"spec":{"ports":[{"port":80,"targetPort":8080}],"selector":{"app":"nginx"},"type":"ClusterIP"}}\n',
      );
    },
    wantManagedFields: [
      kubectlApplyEntry(appliedServiceFields),
      csaEntry({
        ...serviceCreateFields,
        'f:spec': {
          ...(serviceCreateFields['f:spec'] as JsonObject),
          'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {} } },
        },
      }),
    ],
  },
  {
    name: 'kubectl --server-side still conflicts on a field changed since the last client-side apply',
    live: (() => {
      const o = storedService([csaEntry(serviceCreateFields)]);
      spec(o).type = 'NodePort'; // someone edited it; the annotation still says ClusterIP
      return o;
    })(),
    applied: appliedService({ type: 'LoadBalancer' }),
    manager: 'kubectl',
    wantConflict: {
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.type',
      causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.spec.type' }],
    },
  },
);

for (const c of cases) {
  test(`server-side apply: ${c.name}`, () => {
    const liveBefore = structuredClone(c.live);
    const run = (): { object: JsonObject } =>
      serverSideApply(c.live, c.applied, { manager: c.manager ?? 'deployer', force: c.force ?? false, now: t1 });
    if (c.wantConflict) {
      assert.throws(run, (err: unknown) => {
        assert.ok(err instanceof PatchError, String(err));
        assert.equal(err.code, 409);
        assert.equal(err.reason, 'Conflict');
        assert.equal(err.message, c.wantConflict!.message);
        assert.deepEqual(err.causes, c.wantConflict!.causes);
        return true;
      });
    } else {
      const { object } = run();
      c.want?.(object);
      if (c.wantManagedFields) assert.deepEqual(meta(object).managedFields, c.wantManagedFields);
    }
    assert.deepEqual(c.live, liveBefore, 'the live object is never modified');
  });
}

test('server-side apply: apiVersion and kind are required', () => {
  assert.throws(
    () => serverSideApply(undefined, { metadata: { name: 'x' } }, { manager: 'kubectl', force: false, now: t2 }),
    (err: unknown) => err instanceof PatchError && err.code === 400,
  );
});

test('server-side apply: managedFields in the configuration are refused', () => {
  assert.throws(
    () => serverSideApply(undefined, appliedService({}, { managedFields: [] }), { manager: 'kubectl', force: false, now: t2 }),
    (err: unknown) => err instanceof PatchError && err.code === 400,
  );
});

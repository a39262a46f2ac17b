// managedFields bookkeeping for ordinary writes (create/update/patch): old + new object → entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trackManagedFields } from './index.ts';
import type { JsonObject } from './index.ts';
import { csaEntry, serviceCreateFields, storedService, t0, t1 } from './seed-fixtures.ts';

interface Case {
  name: string;
  old: JsonObject | undefined;
  /** Changes the stored object into the updated one. */
  change: (o: JsonObject) => void;
  manager: string;
  subresource?: string;
  wantManagedFields: JsonObject[] | undefined;
}

const meta = (o: JsonObject): JsonObject => o.metadata as JsonObject;
const spec = (o: JsonObject): JsonObject => o.spec as JsonObject;
const update = (manager: string, fieldsV1: JsonObject, time = t1, extra: JsonObject = {}): JsonObject => ({
  manager,
  operation: 'Update',
  apiVersion: 'v1',
  time,
  fieldsType: 'FieldsV1',
  fieldsV1,
  ...extra,
});

const withoutType = (): JsonObject => {
  const f = structuredClone(serviceCreateFields);
  delete (f['f:spec'] as JsonObject)['f:type'];
  return f;
};

const cases: Case[] = [
  {
    name: 'kubectl label adds a key: a new entry owns just that key',
    old: storedService([csaEntry(serviceCreateFields)]),
    change: (o) => {
      meta(o).labels = { tier: 'web' };
    },
    manager: 'kubectl-label',
    wantManagedFields: [csaEntry(serviceCreateFields), update('kubectl-label', { 'f:metadata': { 'f:labels': { '.': {}, 'f:tier': {} } } })],
  },
  {
    name: 'changing a field another manager owns moves it to the writer',
    old: storedService([csaEntry(serviceCreateFields)]),
    change: (o) => {
      spec(o).type = 'NodePort';
    },
    manager: 'kubectl-edit',
    wantManagedFields: [csaEntry(withoutType()), update('kubectl-edit', { 'f:spec': { 'f:type': {} } })],
  },
  {
    name: 'a removed field leaves every manager',
    old: storedService([csaEntry(serviceCreateFields)]),
    change: (o) => {
      delete spec(o).type;
    },
    manager: 'kubectl-edit',
    wantManagedFields: [csaEntry(withoutType())],
  },
  {
    name: 'a write that changes nothing leaves managedFields and times alone',
    old: storedService([csaEntry(serviceCreateFields)]),
    change: () => {},
    manager: 'someone',
    wantManagedFields: [csaEntry(serviceCreateFields)],
  },
  {
    name: 'server-set metadata and status are never owned',
    old: storedService([csaEntry(serviceCreateFields)]),
    change: (o) => {
      meta(o).resourceVersion = '99';
      meta(o).generation = 2;
      o.status = { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } };
    },
    manager: 'controller',
    wantManagedFields: [csaEntry(serviceCreateFields)],
  },
  {
    name: 'a status subresource write owns status only, recorded with its subresource',
    old: storedService([csaEntry(serviceCreateFields)]),
    change: (o) => {
      o.status = { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } };
      spec(o).type = 'NodePort';
    },
    manager: 'lb-controller',
    subresource: 'status',
    wantManagedFields: [
      csaEntry(serviceCreateFields),
      update('lb-controller', { 'f:status': { 'f:loadBalancer': { 'f:ingress': {} } } }, t1, { subresource: 'status' }),
    ],
  },
  {
    name: 'managedFields: [{}] in the request clears them before this write',
    old: storedService([csaEntry(serviceCreateFields)]),
    change: (o) => {
      meta(o).managedFields = [{}];
      meta(o).labels = { a: 'b' };
    },
    manager: 'kubectl-patch',
    wantManagedFields: [update('kubectl-patch', { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } })],
  },
  {
    name: 'managedFields: [] in the request keeps the stored ones',
    old: storedService([csaEntry(serviceCreateFields)]),
    change: (o) => {
      meta(o).managedFields = [];
    },
    manager: 'kubectl-patch',
    wantManagedFields: [csaEntry(serviceCreateFields)],
  },
  {
    name: 'entries are per manager and apiVersion; Apply entries sort first',
    old: storedService([
      csaEntry(serviceCreateFields),
      { manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: t0, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:selector': {} } } },
    ]),
    change: (o) => {
      meta(o).annotations = { ...(meta(o).annotations as JsonObject), note: 'x' };
    },
    manager: 'kubectl-client-side-apply',
    wantManagedFields: [
      { manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: t0, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:selector': {} } } },
      csaEntry(
        {
          ...serviceCreateFields,
          'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {}, 'f:note': {} } },
        },
        t1,
      ),
    ],
  },
  {
    name: 'a set list (finalizers) is tracked by value',
    old: storedService([csaEntry(serviceCreateFields)]),
    change: (o) => {
      meta(o).finalizers = ['example.com/x'];
    },
    manager: 'controller',
    wantManagedFields: [
      csaEntry(serviceCreateFields),
      update('controller', { 'f:metadata': { 'f:finalizers': { '.': {}, 'v:"example.com/x"': {} } } }),
    ],
  },
];

for (const c of cases) {
  test(`trackManagedFields: ${c.name}`, () => {
    const updated = structuredClone(c.old ?? {}) as JsonObject;
    c.change(updated);
    const before = structuredClone(updated);
    const result = trackManagedFields(c.old, updated, { manager: c.manager, operation: 'Update', now: t1, subresource: c.subresource });
    assert.deepEqual(meta(result).managedFields, c.wantManagedFields);
    const rest = (o: JsonObject): JsonObject => {
      const copy = structuredClone(o);
      delete meta(copy).managedFields;
      return copy;
    };
    assert.deepEqual(rest(result), rest(before), 'only managedFields change');
  });
}

test('trackManagedFields: more than 10 updaters fold the oldest into "ancient-changes"', () => {
  const at = (i: number): string => `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`;
  const labelOwner = (i: number): JsonObject =>
    update(`m${i}`, { 'f:metadata': { 'f:labels': { [`f:l${i}`]: {} } } }, at(i));
  const old = storedService(Array.from({ length: 10 }, (_, i) => labelOwner(i)));
  meta(old).labels = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`l${i}`, 'x']));
  const updated = structuredClone(old);
  (meta(updated).labels as JsonObject).l10 = 'x';
  const result = trackManagedFields(old, updated, { manager: 'm10', operation: 'Update', now: at(10) });
  assert.deepEqual(meta(result).managedFields, [
    update('ancient-changes', { 'f:metadata': { 'f:labels': { 'f:l0': {}, 'f:l1': {} } } }, at(1)),
    ...Array.from({ length: 9 }, (_, i) => labelOwner(i + 2)),
  ]);
});

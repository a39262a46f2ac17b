// The seed manifest through kubectl client-side apply: create (POST with the last-applied annotation), then
// a changed label applied as kubectl's 3-way strategic merge patch. The server half must give what Kubernetes
// gives: the same object and the same managedFields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch, patchSchemaFor, trackManagedFields } from './index.ts';
import type { JsonObject } from './index.ts';
import {
  csaEntry,
  defaultedPod,
  defaultedService,
  podCreateFields,
  podManifest,
  serviceCreateFields,
  serviceManifest,
  storedService,
  t0,
  t1,
} from './seed-fixtures.ts';

const csa = { manager: 'kubectl-client-side-apply', operation: 'Update' as const };

function managedFieldsOf(o: JsonObject): unknown {
  return (o.metadata as JsonObject).managedFields;
}

test('seed: create records the managedFields Kubernetes records', () => {
  const svc = trackManagedFields(undefined, defaultedService(), { ...csa, now: t0 });
  assert.deepEqual(managedFieldsOf(svc), [csaEntry(serviceCreateFields)]);
  const pod = trackManagedFields(undefined, defaultedPod(), { ...csa, now: t0 });
  assert.deepEqual(managedFieldsOf(pod), [csaEntry(podCreateFields)]);
});

test('seed: a changed Pod label applied as kubectl 3-way patch', () => {
  const live = trackManagedFields(undefined, defaultedPod(), { ...csa, now: t0 });
  (live.metadata as JsonObject).resourceVersion = '11';
  const changed = structuredClone(podManifest);
  (changed.metadata as JsonObject).labels = { app: 'web' };
  const newLastApplied = `${JSON.stringify(changed)}\n`;
  // What kubectl 1.27–1.33 sends: only the annotation and the changed label.
  const patch: JsonObject = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': newLastApplied }, labels: { app: 'web' } },
  };
  const patched = applyStrategicMergePatch(live, patch, patchSchemaFor('v1', 'Pod')!);

  const want = structuredClone(live);
  (want.metadata as JsonObject).labels = { app: 'web' };
  (want.metadata as JsonObject).annotations = { 'kubectl.kubernetes.io/last-applied-configuration': newLastApplied };
  assert.deepEqual(patched, want);

  // The same manager changed fields it owns: the entry keeps its fields, gets the new time.
  const tracked = trackManagedFields(live, patched, { ...csa, now: t1 });
  assert.deepEqual(managedFieldsOf(tracked), [csaEntry(podCreateFields, t1)]);
});

test('seed: a label added to the Service applied as kubectl 3-way patch', () => {
  const live = storedService([csaEntry(serviceCreateFields)]);
  const changed = structuredClone(serviceManifest);
  (changed.metadata as JsonObject).labels = { tier: 'frontend' };
  const newLastApplied = `${JSON.stringify(changed)}\n`;
  const patch: JsonObject = {
    metadata: {
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': newLastApplied },
      labels: { tier: 'frontend' },
    },
  };
  const patched = applyStrategicMergePatch(live, patch, patchSchemaFor('v1', 'Service')!);
  const meta = patched.metadata as JsonObject;
  assert.deepEqual(meta.labels, { tier: 'frontend' });
  assert.deepEqual(patched.spec, live.spec, 'allocated and defaulted spec fields survive');

  const tracked = trackManagedFields(live, patched, { ...csa, now: t1 });
  const fields = structuredClone(serviceCreateFields);
  (fields['f:metadata'] as JsonObject)['f:labels'] = { '.': {}, 'f:tier': {} };
  assert.deepEqual(managedFieldsOf(tracked), [csaEntry(fields, t1)]);
});

test('seed: applying the unchanged manifest again changes nothing, timestamps included', () => {
  const live = storedService([csaEntry(serviceCreateFields)]);
  // kubectl finds no difference and sends `{}` (or nothing): the object and its managedFields stay as they are.
  const patched = applyStrategicMergePatch(live, {}, patchSchemaFor('v1', 'Service')!);
  const tracked = trackManagedFields(live, patched, { ...csa, now: t1 });
  assert.deepEqual(tracked, live);
});

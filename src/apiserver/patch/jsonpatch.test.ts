import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, applyJsonPatch } from './index.ts';
import type { JsonObject } from './index.ts';

// What the apiserver answers when a JSON patch fails to apply (NewGenericServerResponse(422, …)).
const rejected = { code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request' };

interface Case {
  name: string;
  original: JsonObject;
  ops: unknown;
  want?: JsonObject;
  wantError?: { code: number; reason: string; message: string };
}

const svc = (): JsonObject => ({
  metadata: { name: 's', labels: { app: 'x' } },
  spec: { ports: [{ port: 80 }, { port: 443 }], selector: { app: 'x' } },
});

const cases: Case[] = [
  {
    name: 'add a map member',
    original: svc(),
    ops: [{ op: 'add', path: '/metadata/labels/tier', value: 'web' }],
    want: { ...svc(), metadata: { name: 's', labels: { app: 'x', tier: 'web' } } },
  },
  {
    name: 'add appends with "-" and inserts at an index',
    original: { a: [1, 3] },
    ops: [
      { op: 'add', path: '/a/-', value: 4 },
      { op: 'add', path: '/a/1', value: 2 },
    ],
    want: { a: [1, 2, 3, 4] },
  },
  {
    name: 'remove a list item',
    original: svc(),
    ops: [{ op: 'remove', path: '/spec/ports/0' }],
    want: { ...svc(), spec: { ports: [{ port: 443 }], selector: { app: 'x' } } },
  },
  {
    name: 'replace a value',
    original: svc(),
    ops: [{ op: 'replace', path: '/spec/ports/1/port', value: 8443 }],
    want: { ...svc(), spec: { ports: [{ port: 80 }, { port: 8443 }], selector: { app: 'x' } } },
  },
  {
    name: 'move and copy',
    original: { a: { b: 1 }, c: {} },
    ops: [
      { op: 'copy', from: '/a/b', path: '/c/d' },
      { op: 'move', from: '/a', path: '/e' },
    ],
    want: { c: { d: 1 }, e: { b: 1 } },
  },
  {
    name: 'escaped pointer tokens (~1 is /, ~0 is ~)',
    original: { metadata: { annotations: { 'example.com/a~b': 'x' } } },
    ops: [{ op: 'replace', path: '/metadata/annotations/example.com~1a~0b', value: 'y' }],
    want: { metadata: { annotations: { 'example.com/a~b': 'y' } } },
  },
  {
    name: 'a passing test lets the patch apply',
    original: { metadata: { resourceVersion: '5' }, a: 1 },
    ops: [
      { op: 'test', path: '/metadata/resourceVersion', value: '5' },
      { op: 'replace', path: '/a', value: 2 },
    ],
    want: { metadata: { resourceVersion: '5' }, a: 2 },
  },
  {
    name: 'a failing test is 422 Invalid with the generic message',
    original: { metadata: { resourceVersion: '5' } },
    ops: [{ op: 'test', path: '/metadata/resourceVersion', value: '4' }],
    wantError: rejected,
  },
  {
    name: 'removing a missing path is 422',
    original: { spec: {} },
    ops: [{ op: 'remove', path: '/spec/affinity' }],
    wantError: rejected,
  },
  {
    name: 'replacing a missing key is 422',
    original: { spec: {} },
    ops: [{ op: 'replace', path: '/spec/type', value: 'NodePort' }],
    wantError: rejected,
  },
  {
    name: 'adding under a missing parent is 422',
    original: { metadata: {} },
    ops: [{ op: 'add', path: '/metadata/labels/app', value: 'x' }],
    wantError: rejected,
  },
  {
    name: 'an unknown op is 422',
    original: {},
    ops: [{ op: 'frobnicate', path: '/a' }],
    wantError: rejected,
  },
  {
    name: 'a body that is not a list is 400 BadRequest (DecodePatch)',
    original: {},
    ops: { op: 'add', path: '/a', value: 1 },
    wantError: {
      code: 400,
      reason: 'BadRequest',
      message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    },
  },
  {
    name: 'a failing operation leaves no partial result',
    original: { a: 1 },
    ops: [
      { op: 'replace', path: '/a', value: 2 },
      { op: 'test', path: '/a', value: 3 },
    ],
    wantError: rejected,
  },
];

for (const c of cases) {
  test(`json patch: ${c.name}`, () => {
    const before = structuredClone(c.original);
    if (c.wantError) {
      assert.throws(
        () => applyJsonPatch(c.original, c.ops),
        (err: unknown) =>
          err instanceof PatchError &&
          err.code === c.wantError!.code &&
          err.reason === c.wantError!.reason &&
          err.message === c.wantError!.message,
      );
    } else {
      assert.deepEqual(applyJsonPatch(c.original, c.ops), c.want);
    }
    assert.deepEqual(c.original, before, 'the original is never modified');
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, applyMergePatch } from './index.ts';
import type { Json, JsonObject } from './index.ts';

interface Case {
  name: string;
  original: JsonObject;
  patch: Json;
  want?: JsonObject;
  wantError?: { code: number; reason: string; message: string };
}

const cases: Case[] = [
  {
    name: 'adds and replaces fields',
    original: { metadata: { name: 'a' }, spec: { type: 'ClusterIP' } },
    patch: { spec: { type: 'NodePort', sessionAffinity: 'None' } },
    want: { metadata: { name: 'a' }, spec: { type: 'NodePort', sessionAffinity: 'None' } },
  },
  {
    name: 'null deletes a key, deeply',
    original: { metadata: { labels: { app: 'x', tier: 'web' } } },
    patch: { metadata: { labels: { tier: null } } },
    want: { metadata: { labels: { app: 'x' } } },
  },
  {
    name: 'null for a missing key is a no-op',
    original: { a: 1 },
    patch: { b: null },
    want: { a: 1 },
  },
  {
    name: 'lists are replaced whole, never merged',
    original: { spec: { ports: [{ port: 80 }, { port: 443 }] } },
    patch: { spec: { ports: [{ port: 8080 }] } },
    want: { spec: { ports: [{ port: 8080 }] } },
  },
  {
    name: 'an object replaces a scalar and its nulls are dropped',
    original: { a: 'x' },
    patch: { a: { b: 1, c: null } },
    want: { a: { b: 1 } },
  },
  {
    name: 'empty patch changes nothing',
    original: { a: { b: [1, 2] } },
    patch: {},
    want: { a: { b: [1, 2] } },
  },
  {
    name: 'null patch is refused like json-patch ErrBadJSONPatch',
    original: { a: 1 },
    patch: null,
    wantError: { code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' },
  },
  {
    name: 'array patch is refused',
    original: { a: 1 },
    patch: [1],
    wantError: { code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' },
  },
];

for (const c of cases) {
  test(`merge patch: ${c.name}`, () => {
    const before = structuredClone(c.original);
    if (c.wantError) {
      assert.throws(
        () => applyMergePatch(c.original, c.patch),
        (err: unknown) =>
          err instanceof PatchError &&
          err.code === c.wantError!.code &&
          err.reason === c.wantError!.reason &&
          err.message === c.wantError!.message,
      );
    } else {
      assert.deepEqual(applyMergePatch(c.original, c.patch), c.want);
    }
    assert.deepEqual(c.original, before, 'the original is never modified');
  });
}

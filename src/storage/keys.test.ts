import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compareKeys, prefixEnd } from './keys.ts';

it('prefixEnd is the first string past every key under the prefix', () => {
  const table: { name: string; prefix: string; want: string | undefined }[] = [
    { name: 'empty prefix: no end', prefix: '', want: undefined },
    { name: 'slash-terminated', prefix: '/registry/pods/', want: '/registry/pods0' },
    { name: 'plain', prefix: '/registry/pods/a', want: '/registry/pods/b' },
    { name: 'last code point maximal', prefix: 'a\u{10FFFF}', want: 'b' },
    { name: 'all maximal', prefix: '\u{10FFFF}\u{10FFFF}', want: undefined },
    { name: 'skips surrogates', prefix: 'x\uD7FF', want: 'x\uE000' },
    { name: 'astral', prefix: 'x\u{1F600}', want: 'x\u{1F601}' },
  ];
  for (const row of table) assert.equal(prefixEnd(row.prefix), row.want, row.name);
});

it('keys under a prefix sort between it and its end, in UTF-8 byte order', () => {
  const prefix = '/a/\uFFFF';
  const end = prefixEnd(prefix) ?? '';
  for (const key of [prefix, `${prefix}x`, `${prefix}\u{10FFFF}`, `${prefix}\u{1F600}z`]) {
    assert.ok(compareKeys(key, prefix) >= 0, key);
    assert.ok(compareKeys(key, end) < 0, key);
  }
  // UTF-16 order would put the emoji (surrogates) before U+FFFF; UTF-8 puts it after, as etcd and SQLite do.
  assert.ok(compareKeys('\u{1F600}', '\uFFFF') > 0);
});

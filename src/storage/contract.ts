// The Backend contract: one suite every implementation must pass unchanged (as kine runs the API server's
// storage tests against each of its drivers). Each case gets a fresh backend from the factory; cases only
// rely on revision differences, so a backend may share its revision counter with others (etcd + prefix).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StorageError, type Backend, type KeyValue, type StorageEvent, type TxnOp } from './backend.ts';

export interface BackendUnderTest {
  backend: Backend;
  cleanup(): Promise<void>;
  /** Closes the backend and opens the same store again (persistent backends only). */
  reopen?(): Promise<Backend>;
}

export interface ContractOptions {
  /** Cases to skip, each with the reason. */
  skip?: Record<string, string>;
}

function isStorageError(code: StorageError['code']): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof StorageError, `expected StorageError ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Collects a watch's events; `error` is set when the watch ends on its own. */
function collect(backend: Backend, prefix: string, fromRevision: number) {
  const events: StorageEvent[] = [];
  const state: { error?: StorageError } = {};
  const watcher = backend.watch(prefix, fromRevision, (e) => events.push(e), (err) => (state.error = err));
  return { events, state, watcher };
}

function summary(events: StorageEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.key}=${e.value}`);
}

/** Watching from a compacted revision fails: at once (throw) or, for etcd, through onError. */
async function expectCompactedWatch(backend: Backend, prefix: string, fromRevision: number): Promise<void> {
  let w: ReturnType<typeof collect>;
  try {
    w = collect(backend, prefix, fromRevision);
  } catch (err) {
    isStorageError('Compacted')(err);
    return;
  }
  try {
    await waitFor('Compacted on the watch', () => w.state.error !== undefined);
    isStorageError('Compacted')(w.state.error);
    assert.equal(w.events.length, 0, 'a compacted watch delivers nothing');
  } finally {
    w.watcher.stop();
  }
}

export function runBackendContract(
  name: string,
  factory: () => Promise<BackendUnderTest>,
  options: ContractOptions = {},
): void {
  const skip = options.skip ?? {};
  const test = (title: string, fn: (t: BackendUnderTest) => Promise<void>): void => {
    const reason = skip[title];
    it(title, reason ? { skip: reason } : {}, async () => {
      const t = await factory();
      try {
        await fn(t);
      } finally {
        await t.cleanup();
      }
    });
  };

  describe(`storage contract: ${name}`, () => {
    test('create, get and KeyExists', async ({ backend: b }) => {
      const before = await b.currentRevision();
      const kv = await b.create('/registry/services/specs/default/a', 'A');
      assert.ok(kv.modRevision > before);
      assert.equal(kv.createRevision, kv.modRevision);
      assert.equal(await b.currentRevision(), kv.modRevision);
      assert.deepEqual(await b.get('/registry/services/specs/default/a'), kv);
      assert.equal(await b.get('/registry/services/specs/default/missing'), undefined);
      await assert.rejects(b.create('/registry/services/specs/default/a', 'B'), isStorageError('KeyExists'));
      assert.equal(await b.currentRevision(), kv.modRevision, 'a refused create writes nothing');
      assert.equal((await b.get('/registry/services/specs/default/a'))?.value, 'A');
      const second = await b.create('/registry/services/specs/default/b', 'B');
      assert.ok(second.modRevision > kv.modRevision, 'every write takes a new, higher revision');
    });

    test('list matches keys by plain string prefix, in byte order', async ({ backend: b }) => {
      const keys = ['/r/pods/b', '/r/pods/a', '/r/pods/ab/x', '/r/podsx', '/r/pod', '/r/pods/a/y', '/r/pods0'];
      for (const k of keys) await b.create(k, `v${k}`);
      const cases: { prefix: string; want: string[] }[] = [
        { prefix: '/r/pods/', want: ['/r/pods/a', '/r/pods/a/y', '/r/pods/ab/x', '/r/pods/b'] },
        { prefix: '/r/pods/a', want: ['/r/pods/a', '/r/pods/a/y', '/r/pods/ab/x'] },
        { prefix: '/r/pods/a/', want: ['/r/pods/a/y'] },
        { prefix: '/r/pods/ab/', want: ['/r/pods/ab/x'] },
        { prefix: '/r/pods', want: ['/r/pods/a', '/r/pods/a/y', '/r/pods/ab/x', '/r/pods/b', '/r/pods0', '/r/podsx'] },
        { prefix: '/r/pods/c', want: [] },
        { prefix: '/r/', want: [...keys].sort() },
      ];
      for (const c of cases) {
        const got = await b.list(c.prefix);
        assert.deepEqual(got.items.map((kv) => kv.key), c.want, `prefix ${c.prefix}`);
        assert.equal(got.more, false, `prefix ${c.prefix}`);
        assert.equal(await b.count(c.prefix), c.want.length, `count ${c.prefix}`);
        for (const kv of got.items) assert.equal(kv.value, `v${kv.key}`);
      }
    });

    test('pages of one list read one snapshot revision', async ({ backend: b }) => {
      const key = (i: number): string => `/registry/pods/ns/p${String(i).padStart(3, '0')}`;
      for (let i = 0; i < 25; i++) await b.create(key(i), `v${i}`);
      const first = await b.list('/registry/pods/', { limit: 10 });
      assert.equal(first.items.length, 10);
      assert.equal(first.more, true);
      assert.equal(first.remaining, 15);
      assert.equal(first.revision, await b.currentRevision());
      // Writes between pages must not show in later pages of the same list.
      await b.update(key(12), 'changed');
      await b.delete(key(20));
      await b.create(key(30), 'new');
      const seen = [...first.items];
      let page = first;
      while (page.more) {
        page = await b.list('/registry/pods/', {
          limit: 10,
          revision: first.revision,
          startAfter: page.items[page.items.length - 1]?.key,
        });
        assert.equal(page.revision, first.revision);
        seen.push(...page.items);
      }
      assert.deepEqual(seen.map((kv) => kv.key), Array.from({ length: 25 }, (_, i) => key(i)));
      assert.deepEqual(seen.map((kv) => kv.value), Array.from({ length: 25 }, (_, i) => `v${i}`));
      assert.ok(seen.every((kv) => kv.modRevision <= first.revision));
      const now = await b.list('/registry/pods/');
      assert.equal(now.items.length, 25);
      assert.equal(now.items.find((kv) => kv.key === key(12))?.value, 'changed');
      assert.equal(now.items.find((kv) => kv.key === key(20)), undefined);
      // startAfter below the prefix selects from the prefix's start.
      const fromStart = await b.list('/registry/pods/', { limit: 2, startAfter: '/registry/a' });
      assert.deepEqual(fromStart.items.map((kv) => kv.key), [key(0), key(1)]);
      await assert.rejects(
        b.list('/registry/pods/', { revision: (await b.currentRevision()) + 1000 }),
        isStorageError('FutureRevision'),
      );
    });

    test('update and delete are guarded by modRevision', async ({ backend: b }) => {
      const k = '/registry/services/specs/default/s';
      await assert.rejects(b.update(k, 'x'), isStorageError('NotFound'));
      await assert.rejects(b.delete(k), isStorageError('NotFound'));
      const created = await b.create(k, 'v1');
      await assert.rejects(b.update(k, 'x', created.modRevision - 1), isStorageError('Conflict'));
      const updated = await b.update(k, 'v2', created.modRevision);
      assert.ok(updated.modRevision > created.modRevision);
      assert.equal(updated.createRevision, created.createRevision);
      assert.deepEqual(await b.get(k), updated);
      await assert.rejects(b.update(k, 'x', created.modRevision), isStorageError('Conflict'));
      const unguarded = await b.update(k, 'v3');
      assert.equal(unguarded.createRevision, created.createRevision);
      await assert.rejects(b.delete(k, updated.modRevision), isStorageError('Conflict'));
      assert.equal((await b.get(k))?.value, 'v3', 'a refused delete changes nothing');
      const { deleted, revision } = await b.delete(k, unguarded.modRevision);
      assert.deepEqual(deleted, unguarded);
      assert.ok(revision > unguarded.modRevision);
      assert.equal(await b.get(k), undefined);
      const again = await b.create(k, 'v4');
      assert.ok(again.createRevision > revision, 'a re-created key starts a new life');
    });

    test('txn: all ops at one revision, or nothing', async ({ backend: b }) => {
      const svc = '/registry/services/specs/default/web';
      const ip = '/registry/ipaddresses/10.96.0.10';
      const old = await b.create('/registry/ipaddresses/10.96.0.9', 'old');
      const keep = await b.create('/registry/services/specs/default/keep', 'k1');
      const result = await b.txn([
        { op: 'create', key: svc, value: 'svc' },
        { op: 'create', key: ip, value: 'ip' },
        { op: 'update', key: keep.key, value: 'k2', expectedRevision: keep.modRevision },
        { op: 'delete', key: old.key, expectedRevision: old.modRevision },
      ]);
      assert.deepEqual(result.revisions, [result.revision, result.revision, result.revision, 0]);
      assert.equal(await b.currentRevision(), result.revision);
      assert.equal((await b.get(svc))?.modRevision, result.revision);
      assert.equal((await b.get(ip))?.createRevision, result.revision);
      assert.equal((await b.get(keep.key))?.createRevision, keep.createRevision);
      assert.equal(await b.get(old.key), undefined);

      const failing: { name: string; ops: Parameters<Backend['txn']>[0]; code: StorageError['code']; key: string }[] = [
        {
          name: 'create of an existing key',
          ops: [
            { op: 'create', key: '/registry/services/specs/default/new', value: 'n' },
            { op: 'create', key: ip, value: 'taken' },
          ],
          code: 'KeyExists',
          key: ip,
        },
        {
          name: 'stale update',
          ops: [
            { op: 'create', key: '/registry/services/specs/default/new', value: 'n' },
            { op: 'update', key: keep.key, value: 'k3', expectedRevision: keep.modRevision },
          ],
          code: 'Conflict',
          key: keep.key,
        },
        {
          name: 'delete of a missing key',
          ops: [
            { op: 'update', key: svc, value: 'svc2' },
            { op: 'delete', key: old.key },
          ],
          code: 'NotFound',
          key: old.key,
        },
      ];
      for (const c of failing) {
        const before = await b.currentRevision();
        await assert.rejects(b.txn(c.ops), (err: unknown) => {
          isStorageError(c.code)(err);
          assert.equal((err as StorageError).key, c.key, c.name);
          return true;
        });
        assert.equal(await b.currentRevision(), before, `${c.name}: revision unchanged`);
        assert.equal(await b.get('/registry/services/specs/default/new'), undefined, `${c.name}: nothing written`);
        assert.equal((await b.get(svc))?.value, 'svc', `${c.name}: nothing written`);
        assert.equal((await b.get(keep.key))?.value, 'k2', `${c.name}: nothing written`);
      }
    });

    test('watch replays history, then live events, in order, filtered by prefix', async ({ backend: b }) => {
      const start = await b.currentRevision();
      const live = collect(b, '/registry/services/', start);
      try {
        await b.create('/registry/services/a', '1');
        await b.create('/registry/pods/x', 'ignored');
        const a = await b.update('/registry/services/a', '2');
        await b.txn([
          { op: 'create', key: '/registry/services/b', value: '1' },
          { op: 'delete', key: '/registry/services/a', expectedRevision: a.modRevision },
          { op: 'create', key: '/registry/servicesx', value: 'ignored' },
        ]);
        const want = ['PUT /registry/services/a=1', 'PUT /registry/services/a=2', 'PUT /registry/services/b=1', 'DELETE /registry/services/a=2'];
        await waitFor('live events', () => live.events.length >= want.length);
        assert.deepEqual(summary(live.events), want);
        const [e1, e2, e3, e4] = live.events as [StorageEvent, StorageEvent, StorageEvent, StorageEvent];
        assert.ok(e1.revision > start && e2.revision > e1.revision && e3.revision > e2.revision);
        assert.equal(e3.revision, e4.revision, 'one txn, one revision');
        assert.equal(e1.prevValue, undefined);
        assert.equal(e2.prevValue, '1');
        assert.equal(e4.prevValue, '2');
        assert.equal(e1.createRevision, e1.revision);
        assert.equal(e2.createRevision, e1.revision);
        assert.equal(e4.createRevision, e1.revision);

        // The same history, replayed from the log.
        const replay = collect(b, '/registry/services/', start);
        // From the middle: only what follows.
        const tail = collect(b, '/registry/services/', e2.revision);
        try {
          await waitFor('replay', () => replay.events.length >= want.length && tail.events.length >= 2);
          assert.deepEqual(replay.events, live.events);
          assert.deepEqual(tail.events, live.events.slice(2));
          // Live events continue the replay without a gap or a duplicate.
          await b.create('/registry/services/c', '1');
          await waitFor('live after replay', () => replay.events.length === want.length + 1);
          assert.equal(replay.events[want.length]?.key, '/registry/services/c');
        } finally {
          replay.watcher.stop();
          tail.watcher.stop();
        }
        await waitFor('live c', () => live.events.length === want.length + 1);

        live.watcher.stop();
        await new Promise((r) => setTimeout(r, 50));
        await b.create('/registry/services/after-stop', '1');
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(live.events.length, want.length + 1, 'no event after stop');
        assert.equal(live.state.error, undefined);
      } finally {
        live.watcher.stop();
      }
    });

    test('watch keeps order under concurrent writers', async ({ backend: b }) => {
      const start = await b.currentRevision();
      const early = collect(b, '/w/', start);
      try {
        const writes: Promise<KeyValue>[] = [];
        for (let i = 0; i < 100; i++) writes.push(b.create(`/w/k${i}`, String(i)));
        // A watch that starts in the middle of the writes joins history and live events seamlessly.
        await new Promise((r) => setTimeout(r, 1));
        const middle = collect(b, '/w/', start);
        try {
          await Promise.all(writes);
          await waitFor('100 events', () => early.events.length === 100 && middle.events.length === 100);
          const revisions = early.events.map((e) => e.revision);
          assert.deepEqual(revisions, [...revisions].sort((x, y) => x - y));
          assert.equal(new Set(revisions).size, 100);
          assert.deepEqual(middle.events, early.events);
        } finally {
          middle.watcher.stop();
        }
      } finally {
        early.watcher.stop();
      }
    });

    test('a long replay joins live writes made during it', async ({ backend: b }) => {
      const start = await b.currentRevision();
      const keys: string[] = [];
      // 7 keys per txn, so replay pages (if any) end in the middle of a revision.
      for (let i = 0; i < 2500; i += 7) {
        const ops: TxnOp[] = [];
        for (let j = i; j < Math.min(i + 7, 2500); j++) {
          keys.push(`/long/k${j}`);
          ops.push({ op: 'create', key: `/long/k${j}`, value: String(j) });
        }
        await b.txn(ops);
      }
      const w = collect(b, '/long/', start);
      try {
        for (let i = 0; i < 50; i++) {
          keys.push(`/long/live${i}`);
          await b.create(`/long/live${i}`, 'l');
        }
        await waitFor('every event', () => w.events.length >= keys.length, 15_000);
        await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(w.events.map((e) => e.key), keys);
      } finally {
        w.watcher.stop();
      }
    });

    test('stop from inside the callback delivers nothing more', async ({ backend: b }) => {
      const got: string[] = [];
      const watcher = b.watch('/s/', await b.currentRevision(), (e) => {
        got.push(e.key);
        watcher.stop();
      });
      await b.txn([
        { op: 'create', key: '/s/a', value: '1' },
        { op: 'create', key: '/s/b', value: '1' },
      ]);
      await b.create('/s/c', '1');
      await waitFor('the first event', () => got.length > 0);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(got, ['/s/a']);
    });

    test('watch from a revision not yet written waits for it', async ({ backend: b }) => {
      const start = await b.currentRevision();
      const w = collect(b, '/f/', start + 2);
      try {
        await b.create('/f/1', '1');
        await b.create('/f/2', '2');
        await b.create('/f/3', '3');
        await waitFor('the third write', () => w.events.length >= 1);
        await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual(summary(w.events), ['PUT /f/3=3']);
      } finally {
        w.watcher.stop();
      }
    });

    test('compaction keeps current values and refuses older history', async ({ backend: b }) => {
      const a = await b.create('/c/a', 'a1');
      const gone = await b.create('/c/gone', 'g');
      await b.update('/c/a', 'a2');
      const del = await b.delete('/c/gone', gone.modRevision);
      const untouched = await b.create('/c/z', 'z'); // written before compaction, never changed
      const beforeCompact = await b.list('/c/');
      const compactAt = await b.currentRevision();
      await b.create('/c/late', 'l');
      await b.compact(compactAt);
      assert.equal(await b.compactedRevision(), compactAt);
      assert.deepEqual((await b.list('/c/', { revision: compactAt })).items, beforeCompact.items);
      await assert.rejects(b.list('/c/', { revision: a.modRevision }), isStorageError('Compacted'));
      await assert.rejects(b.list('/c/', { revision: del.revision - 1 }), isStorageError('Compacted'));
      const now = await b.list('/c/');
      assert.deepEqual(now.items.map((kv) => `${kv.key}=${kv.value}`), ['/c/a=a2', '/c/late=l', '/c/z=z']);
      assert.deepEqual(await b.get('/c/z'), untouched);
      assert.equal((await b.get('/c/a'))?.createRevision, a.createRevision);

      await expectCompactedWatch(b, '/c/', a.modRevision);
      // From the compacted revision itself: only what came after.
      const w = collect(b, '/c/', compactAt);
      try {
        await waitFor('event after compaction', () => w.events.length === 1);
        assert.deepEqual(summary(w.events), ['PUT /c/late=l']);
      } finally {
        w.watcher.stop();
      }
      await b.compact(compactAt - 1); // older than what is compacted: nothing to do
      assert.equal(await b.compactedRevision(), compactAt);
      await assert.rejects(b.compact((await b.currentRevision()) + 1000), isStorageError('FutureRevision'));
    });

    test('random writes: every snapshot at or after the compacted revision stays exact', async ({ backend: b }) => {
      // A small deterministic PRNG, so a failure replays.
      let seed = 12345;
      const rand = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const snapshots = new Map<number, string[]>();
      const show = (items: KeyValue[]): string[] => items.map((kv) => `${kv.key}=${kv.value}@${kv.createRevision}/${kv.modRevision}`);
      for (let i = 0; i < 200; i++) {
        const key = `/m/k${rand(12)}`;
        const current = await b.get(key);
        if (!current) await b.create(key, `v${i}`);
        else if (rand(3) === 0) await b.delete(key, current.modRevision);
        else await b.update(key, `v${i}`, current.modRevision);
        snapshots.set(await b.currentRevision(), show((await b.list('/m/')).items));
      }
      const revisions = [...snapshots.keys()];
      for (const fraction of [0.3, 0.31, 1]) {
        const compactAt = revisions[Math.floor((revisions.length - 1) * fraction)] ?? 0;
        await b.compact(compactAt);
        for (const [revision, want] of snapshots) {
          if (revision < compactAt) {
            await assert.rejects(b.list('/m/', { revision }), isStorageError('Compacted'));
          } else {
            assert.deepEqual(show((await b.list('/m/', { revision })).items), want, `at ${revision}, compacted ${compactAt}`);
          }
        }
      }
    });

    test('reopen keeps every key, its revisions, and the revision counter', async (t) => {
      if (!t.reopen) return;
      const b = t.backend;
      await b.create('/p/a', 'a');
      const bb = await b.create('/p/b', 'b');
      await b.update('/p/a', 'a2');
      await b.delete('/p/b', bb.modRevision);
      await b.create('/p/c', 'c');
      const del = await b.delete('/p/c');
      await b.compact(await b.currentRevision());
      const before = await b.list('/p/');
      const revision = await b.currentRevision();
      assert.equal(revision, del.revision, 'the last write was a delete');
      const reopened = await t.reopen();
      assert.equal(await reopened.currentRevision(), revision, 'the counter never goes backwards');
      assert.deepEqual(await reopened.list('/p/'), before);
      const next = await reopened.create('/p/d', 'd');
      assert.ok(next.modRevision > revision);
      await expectCompactedWatch(reopened, '/p/', bb.modRevision);
    });
  });
}

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compactionTarget, startAutoCompaction, type Timers } from './compaction.ts';

it('compactionTarget: the revision seen one interval ago, keeping a floor of revisions', () => {
  const table: {
    name: string;
    input: Parameters<typeof compactionTarget>[0];
    want: number | undefined;
  }[] = [
    { name: 'first tick only records', input: { previousTickRevision: undefined, currentRevision: 50, compactedRevision: 0, keepRevisions: 0 }, want: undefined },
    { name: 'one interval later', input: { previousTickRevision: 50, currentRevision: 90, compactedRevision: 0, keepRevisions: 0 }, want: 50 },
    { name: 'nothing new since', input: { previousTickRevision: 50, currentRevision: 50, compactedRevision: 50, keepRevisions: 0 }, want: undefined },
    { name: 'keepRevisions holds back', input: { previousTickRevision: 50, currentRevision: 60, compactedRevision: 0, keepRevisions: 20 }, want: 40 },
    { name: 'keepRevisions below compacted', input: { previousTickRevision: 50, currentRevision: 60, compactedRevision: 45, keepRevisions: 20 }, want: undefined },
    { name: 'keepRevisions not binding', input: { previousTickRevision: 50, currentRevision: 500, compactedRevision: 10, keepRevisions: 20 }, want: 50 },
  ];
  for (const row of table) assert.equal(compactionTarget(row.input), row.want, row.name);
});

it('startAutoCompaction compacts on each tick to the revision of the tick before', async () => {
  let tick: (() => void) | undefined;
  let cleared = false;
  const timers: Timers = {
    setInterval: (fn) => ((tick = fn), 1),
    clearInterval: () => (cleared = true),
  };
  let current = 10;
  let compacted = 0;
  const calls: number[] = [];
  const store = {
    currentRevision: async () => current,
    compactedRevision: async () => compacted,
    compact: async (r: number) => {
      calls.push(r);
      compacted = r;
    },
  };
  const stop = startAutoCompaction(store, { intervalMs: 1000 }, undefined, timers);
  const runTick = async (): Promise<void> => {
    tick?.();
    await new Promise((r) => setImmediate(r));
  };
  await runTick(); // records 10
  current = 25;
  await runTick(); // compacts to 10, records 25
  await runTick(); // compacts to 25
  await runTick(); // nothing new
  assert.deepEqual(calls, [10, 25]);
  stop();
  assert.ok(cleared);
});

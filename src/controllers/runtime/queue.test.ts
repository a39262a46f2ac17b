import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkQueue } from './queue.ts';

describe('WorkQueue', () => {
  it('deduplicates waiting keys and never runs one key twice at once', async () => {
    const running = new Set<string>();
    const runs: string[] = [];
    let overlap = false;
    const q = new WorkQueue(async (key) => {
      if (running.has(key)) overlap = true;
      running.add(key);
      runs.push(key);
      await new Promise((r) => setTimeout(r, 5));
      running.delete(key);
    }, { workers: 1 });
    q.add('a');
    q.add('a'); // re-added while processing: runs once more afterwards
    q.add('b');
    q.add('b');
    await new Promise((r) => setTimeout(r, 1));
    q.add('a');
    await q.idle();
    assert.equal(overlap, false);
    assert.deepEqual(runs.sort(), ['a', 'a', 'b']);
  });

  it('retries failures with back-off until they succeed', async () => {
    let attempts = 0;
    const errors: string[] = [];
    const q = new WorkQueue(async () => {
      attempts++;
      if (attempts < 3) throw new Error(`fail ${attempts}`);
    }, { baseDelayMs: 1 }, (key, err) => errors.push(`${key}: ${(err as Error).message}`));
    q.add('k');
    await new Promise((r) => setTimeout(r, 50));
    await q.idle();
    assert.equal(attempts, 3);
    assert.deepEqual(errors, ['k: fail 1', 'k: fail 2']);
    q.stop();
  });
});

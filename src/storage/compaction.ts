// Automatic compaction, as the Kubernetes API server does it for etcd (storage/etcd3/compact.go): every
// interval it compacts to the revision it saw one interval earlier, so at least one interval (5 minutes by
// default) of history stays available to watchers resuming from a resourceVersion.
import type { Backend } from './backend.ts';

export interface AutoCompactionOptions {
  /** How often to compact; history younger than this is always kept. Default 5 minutes. */
  intervalMs?: number;
  /** Also keep at least this many of the latest revisions (0: no such floor). */
  keepRevisions?: number;
}

export const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60 * 1000;

/**
 * The revision to compact to on a tick, or undefined for none. previousTickRevision is the current revision
 * recorded at the previous tick (undefined on the first tick).
 */
export function compactionTarget(input: {
  previousTickRevision: number | undefined;
  currentRevision: number;
  compactedRevision: number;
  keepRevisions: number;
}): number | undefined {
  if (input.previousTickRevision === undefined) return undefined;
  let target = input.previousTickRevision;
  if (input.keepRevisions > 0) target = Math.min(target, input.currentRevision - input.keepRevisions);
  return target > input.compactedRevision ? target : undefined;
}

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const realTimers: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/** Starts the policy on backend; returns stop(). Failures are reported and retried at the next tick. */
export function startAutoCompaction(
  backend: Pick<Backend, 'currentRevision' | 'compactedRevision' | 'compact'>,
  options: AutoCompactionOptions,
  onError: (err: unknown) => void = () => {},
  timers: Timers = realTimers,
): () => void {
  let previousTickRevision: number | undefined;
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const currentRevision = await backend.currentRevision();
      const target = compactionTarget({
        previousTickRevision,
        currentRevision,
        compactedRevision: await backend.compactedRevision(),
        keepRevisions: options.keepRevisions ?? 0,
      });
      previousTickRevision = currentRevision;
      if (target !== undefined) await backend.compact(target);
    } catch (err) {
      onError(err);
    } finally {
      running = false;
    }
  };
  const handle = timers.setInterval(() => void tick(), options.intervalMs ?? DEFAULT_COMPACTION_INTERVAL_MS);
  return () => timers.clearInterval(handle);
}

// A small in-memory Backend for the API server's unit tests and benchmarks' baselines: same contract as the
// SQLite one (one global revision, guarded writes, watch from a revision, compaction), no durability.
import {
  StorageError,
  type Backend,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type StorageEvent,
  type TxnOp,
  type TxnResult,
  type Watcher,
} from '../storage/index.ts';

interface WatchEntry {
  prefix: string;
  onEvent: (e: StorageEvent) => void;
}

export function memoryBackend(): Backend {
  // Current values, plus every version by revision so a list at an older revision sees that snapshot.
  const current = new Map<string, KeyValue>();
  const history: { event: StorageEvent; kv: KeyValue | undefined }[] = [];
  let revision = 1;
  let compacted = 0;
  const watchers = new Set<WatchEntry>();

  // As the contract says, events are delivered asynchronously (never inside watch() or a write call).
  function emit(e: StorageEvent): void {
    for (const w of watchers) if (e.key.startsWith(w.prefix)) queueMicrotask(() => watchers.has(w) && w.onEvent(e));
  }

  function valueAt(key: string, rev: number): KeyValue | undefined {
    // Walk history backwards from the latest write not after rev.
    for (let i = history.length - 1; i >= 0; i--) {
      const h = history[i];
      if (h.event.revision > rev || h.event.key !== key) continue;
      return h.kv;
    }
    return undefined;
  }

  function apply(ops: TxnOp[]): TxnResult {
    for (const op of ops) {
      const existing = current.get(op.key);
      if (op.op === 'create' && existing) throw new StorageError('KeyExists', op.key);
      if (op.op !== 'create') {
        if (!existing) throw new StorageError('NotFound', op.key);
        if (op.expectedRevision !== undefined && op.expectedRevision !== 0 && existing.modRevision !== op.expectedRevision)
          throw new StorageError('Conflict', op.key);
      }
    }
    const rev = ++revision;
    const events: StorageEvent[] = [];
    const revisions: number[] = [];
    for (const op of ops) {
      const prev = current.get(op.key);
      if (op.op === 'delete') {
        current.delete(op.key);
        const e: StorageEvent = { type: 'DELETE', key: op.key, value: prev!.value, prevValue: prev!.value, revision: rev, createRevision: prev!.createRevision };
        history.push({ event: e, kv: undefined });
        events.push(e);
        revisions.push(0);
      } else {
        const kv: KeyValue = { key: op.key, value: op.value, createRevision: prev?.createRevision ?? rev, modRevision: rev };
        current.set(op.key, kv);
        const e: StorageEvent = { type: 'PUT', key: op.key, value: op.value, prevValue: prev?.value, revision: rev, createRevision: kv.createRevision };
        history.push({ event: e, kv });
        events.push(e);
        revisions.push(rev);
      }
    }
    for (const e of events) emit(e);
    return { revision: rev, revisions };
  }

  const backend: Backend = {
    async currentRevision() {
      return revision;
    },
    async get(key) {
      return current.get(key);
    },
    async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
      const rev = options.revision ?? revision;
      if (options.revision !== undefined && options.revision < compacted)
        throw new StorageError('Compacted', prefix, undefined, compacted);
      let keys: string[];
      if (rev === revision) keys = [...current.keys()].filter((k) => k.startsWith(prefix));
      else keys = [...new Set(history.map((h) => h.event.key).filter((k) => k.startsWith(prefix)))];
      keys.sort();
      if (options.startAfter !== undefined) keys = keys.filter((k) => k > options.startAfter!);
      const items: KeyValue[] = [];
      let i = 0;
      for (; i < keys.length; i++) {
        const kv = rev === revision ? current.get(keys[i]) : valueAt(keys[i], rev);
        if (!kv) continue;
        if (options.limit && items.length >= options.limit) break;
        items.push(kv);
      }
      const rest = keys.slice(i).filter((k) => (rev === revision ? current.has(k) : valueAt(k, rev)));
      return { items, revision: rev, more: rest.length > 0, remaining: rest.length };
    },
    async count(prefix) {
      let n = 0;
      for (const k of current.keys()) if (k.startsWith(prefix)) n++;
      return n;
    },
    async create(key, value) {
      const r = apply([{ op: 'create', key, value }]);
      return current.get(key) ?? { key, value, createRevision: r.revision, modRevision: r.revision };
    },
    async update(key, value, expectedRevision) {
      apply([{ op: 'update', key, value, expectedRevision }]);
      return current.get(key)!;
    },
    async delete(key, expectedRevision) {
      const deleted = current.get(key);
      const r = apply([{ op: 'delete', key, expectedRevision }]);
      return { deleted: deleted!, revision: r.revision };
    },
    async txn(ops) {
      return apply(ops);
    },
    watch(prefix, fromRevision, onEvent): Watcher {
      if (fromRevision < compacted) throw new StorageError('Compacted', prefix, undefined, compacted);
      const entry: WatchEntry = { prefix, onEvent };
      const replay = history.filter((h) => h.event.revision > fromRevision && h.event.key.startsWith(prefix)).map((h) => h.event);
      watchers.add(entry);
      queueMicrotask(() => {
        for (const e of replay) if (watchers.has(entry)) onEvent(e);
      });
      return { stop: () => watchers.delete(entry) };
    },
    async compact(rev) {
      compacted = Math.max(compacted, rev);
      // Keep only history above rev (the current values stay in `current`).
      let drop = 0;
      while (drop < history.length && history[drop].event.revision <= rev) drop++;
      history.splice(0, drop);
    },
    async compactedRevision() {
      return compacted;
    },
    async close() {
      watchers.clear();
    },
  };
  return backend;
}

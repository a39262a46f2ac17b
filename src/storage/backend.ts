// The revisioned key-value store every clusterip object lives in. Modelled on etcd's MVCC (and kine's
// append-only log over SQL): one global revision that increases with every write and is what a
// Kubernetes resourceVersion means. Values are opaque strings (JSON of the object without resourceVersion;
// the API server sets resourceVersion from the stored revision on every read).

export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this key (etcd create_revision). */
  createRevision: number;
  /** Revision of the last write to this key (etcd mod_revision): the object's resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** At most this many items (0 or absent: all). */
  limit?: number;
  /** Start strictly after this key (the decoded `continue` token). */
  startAfter?: string;
  /** Read at this revision (a consistent snapshot across pages). Absent: the current revision. */
  revision?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when more items follow the last one returned. */
  more: boolean;
  /** How many items follow (when known). */
  remaining?: number;
}

export type WatchEventType = 'PUT' | 'DELETE';

export interface StorageEvent {
  type: WatchEventType;
  key: string;
  /** The new value (PUT) or the last value before deletion (DELETE). */
  value: string;
  /** The value before this write, when there was one. */
  prevValue?: string;
  /** Revision of this write. */
  revision: number;
  createRevision: number;
}

export interface Watcher {
  stop(): void;
}

/** One operation in an atomic transaction. */
export type TxnOp =
  | { op: 'create'; key: string; value: string }
  | { op: 'update'; key: string; value: string; expectedRevision?: number }
  | { op: 'delete'; key: string; expectedRevision?: number };

export interface TxnResult {
  revision: number;
  /** For each op, the key's new modRevision (0 for delete). */
  revisions: number[];
}

/** The store's errors; the API server turns them into Kubernetes Status errors. */
export class StorageError extends Error {
  /**
   * FutureRevision: a list or compaction at a revision not yet written (Kubernetes answers a list at such a
   * resourceVersion with "Too large resource version").
   */
  readonly code: 'KeyExists' | 'NotFound' | 'Conflict' | 'Compacted' | 'Unavailable' | 'FutureRevision';
  readonly key: string;
  /** For Compacted: the oldest revision still available. */
  readonly compactRevision?: number;

  constructor(code: StorageError['code'], key: string, message?: string, compactRevision?: number) {
    super(message ?? `${code}: ${key}`);
    this.name = 'StorageError';
    this.code = code;
    this.key = key;
    this.compactRevision = compactRevision;
  }
}

export interface Backend {
  /** The latest revision written. */
  currentRevision(): Promise<number>;
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys starting with prefix, in key order. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** How many keys start with prefix. */
  count(prefix: string): Promise<number>;
  /** Create-if-absent: throws StorageError('KeyExists'). Resolves once durable. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Update guarded by the key's modRevision (when given): throws 'Conflict' or 'NotFound'. */
  update(key: string, value: string, expectedRevision?: number): Promise<KeyValue>;
  /** Delete guarded by modRevision (when given); returns the deleted entry and the delete's revision. */
  delete(key: string, expectedRevision?: number): Promise<{ deleted: KeyValue; revision: number }>;
  /** All ops or none, at one new revision. A failed guard throws the op's StorageError and writes nothing. */
  txn(ops: TxnOp[]): Promise<TxnResult>;
  /**
   * Events for keys under prefix with revision > fromRevision, in revision order, then live ones.
   * Throws StorageError('Compacted') when fromRevision is older than the compacted history
   * (fromRevision < compactedRevision()). Events are delivered asynchronously, never from inside watch() or
   * a write call. A watch that ends on its own (etcd found the history compacted only once the watch was
   * under way, the store closed) calls onError once and delivers nothing more; the caller
   * then re-lists (Compacted) or re-watches from the last revision it saw.
   */
  watch(
    prefix: string,
    fromRevision: number,
    onEvent: (event: StorageEvent) => void,
    onError?: (err: StorageError) => void,
  ): Watcher;
  /**
   * Forget history below revision (the current values stay): afterwards lists at revision >= it and watches
   * from revision >= it still work, older ones throw Compacted. A revision at or below the compacted one is a
   * no-op; one above the current revision throws FutureRevision.
   */
  compact(revision: number): Promise<void>;
  /** The oldest revision a watch may start from (history before it was compacted). */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

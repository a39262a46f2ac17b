// The embedded default backend: an append-only log of every write on node:sqlite, as kine keeps etcd's
// model in SQL. Every write (create, update, delete or a whole txn) takes the next global revision; the log
// holds one row per key written, the `kv` table the current value of each live key (so a list at the
// current revision is one index range scan). A write resolves only after COMMIT returned under
// synchronous=FULL in WAL mode, i.e. once it is on disk.
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
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
} from './backend.ts';
import { startAutoCompaction, type AutoCompactionOptions } from './compaction.ts';
import { checkKey, compareKeys, prefixEnd } from './keys.ts';

export interface SqliteBackendOptions {
  /** Compact history automatically (the API server's 5-minute policy by default when given). */
  autoCompaction?: AutoCompactionOptions;
  /** Reports background failures (automatic compaction). */
  onError?: (err: unknown) => void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0), ('compacted', 0);
-- One row per key per write; (revision, sub) as etcd's main/sub revision: a txn writes several keys at one
-- revision. A delete row (deleted = 1) carries the last value, for the DELETE event.
CREATE TABLE IF NOT EXISTS log (
  revision INTEGER NOT NULL,
  sub INTEGER NOT NULL,
  key TEXT NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER,
  deleted INTEGER NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (revision, sub)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS log_key_revision ON log (key, revision);
CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  create_revision INTEGER NOT NULL,
  mod_revision INTEGER NOT NULL
) WITHOUT ROWID;
`;

interface KvRow {
  key: string;
  value: string;
  create_revision: number;
  mod_revision: number;
}

interface LogRow {
  revision: number;
  sub: number;
  key: string;
  create_revision: number;
  deleted: number;
  value: string;
  prev_value: string | null;
}

interface LiveWatch {
  prefix: string;
  /** Only events with a higher revision (a watch may start from a revision not yet written). */
  after: number;
  queue: StorageEvent[];
  scheduled: boolean;
  stopped: boolean;
  onEvent: (event: StorageEvent) => void;
  onError?: (err: StorageError) => void;
  /** While history is being replayed: the last (revision, sub) delivered, and where history ends. */
  replay?: { revision: number; sub: number; until: number };
}

/** Log rows per replay step; one step is a few milliseconds. */
const REPLAY_PAGE = 1000;
/** Revisions per compaction step (one transaction each). */
const COMPACT_STEP = 1000;

export class SqliteBackend implements Backend {
  private readonly db: DatabaseSync;
  private readonly path: string;
  private readonly statements = new Map<string, StatementSync>();
  private readonly watches = new Set<LiveWatch>();
  private revision: number;
  private compacted: number;
  private stopAutoCompaction: (() => void) | undefined;
  private closed = false;
  private compacting: Promise<void> = Promise.resolve();

  constructor(path: string, options: SqliteBackendOptions = {}) {
    this.path = path;
    this.db = new DatabaseSync(path);
    try {
      // EXCLUSIVE before WAL: no shared-memory index, and the file stays locked to this process, so a second
      // server on the same data dir fails at open instead of forking the revision sequence.
      this.db.exec('PRAGMA locking_mode = EXCLUSIVE');
      this.db.exec('PRAGMA journal_mode = WAL');
      this.db.exec('PRAGMA synchronous = FULL');
      this.db.exec('BEGIN IMMEDIATE');
      this.db.exec(SCHEMA);
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.close();
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`cannot open storage ${path}: ${message}`, { cause: err });
    }
    this.revision = this.meta('revision');
    this.compacted = this.meta('compacted');
    if (options.autoCompaction) {
      this.stopAutoCompaction = startAutoCompaction(this, options.autoCompaction, options.onError);
    }
  }

  private stmt(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private meta(name: string): number {
    const row = this.stmt('SELECT value FROM meta WHERE name = ?').get(name) as { value: number } | undefined;
    if (!row) throw new Error(`storage ${this.path}: meta row ${name} missing`);
    return row.value;
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('Unavailable', '', 'storage is closed');
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    return this.getNow(key);
  }

  private getNow(key: string): KeyValue | undefined {
    const row = this.stmt('SELECT key, value, create_revision, mod_revision FROM kv WHERE key = ?').get(key) as
      | KvRow
      | undefined;
    return row && toKeyValue(row);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = options.revision && options.revision > 0 ? options.revision : this.revision;
    if (revision > this.revision) {
      throw new StorageError('FutureRevision', prefix, `revision ${revision} is newer than the current ${this.revision}`);
    }
    if (revision < this.compacted) {
      throw new StorageError('Compacted', prefix, `revision ${revision} has been compacted`, this.compacted);
    }
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const atCurrent = revision === this.revision;
    // At the current revision the kv table answers; at an older one, the newest log row of each key at or
    // below the snapshot, unless that row is its deletion.
    const source = (startAfter: string | undefined): { sql: string; params: SQLInputValue[] } => {
      const range = rangeWhere(atCurrent ? 'key' : 'l.key', prefix, startAfter);
      if (atCurrent) return { sql: `FROM kv WHERE ${range.sql}`, params: range.params };
      return {
        sql:
          `FROM log l WHERE ${range.sql} AND l.deleted = 0 AND l.revision = ` +
          '(SELECT MAX(m.revision) FROM log m WHERE m.key = l.key AND m.revision <= ?)',
        params: [...range.params, revision],
      };
    };
    const page = source(options.startAfter);
    const columns = atCurrent
      ? 'key, value, create_revision, mod_revision'
      : 'l.key AS key, l.value AS value, l.create_revision AS create_revision, l.revision AS mod_revision';
    const rows = this.stmt(
      `SELECT ${columns} ${page.sql} ORDER BY ${atCurrent ? 'key' : 'l.key'}${limit ? ' LIMIT ?' : ''}`,
    ).all(...page.params, ...(limit ? [limit + 1] : [])) as unknown as KvRow[];
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    const items = rows.map(toKeyValue);
    let remaining = 0;
    if (more) {
      const rest = source(items[items.length - 1]?.key);
      remaining = (this.stmt(`SELECT COUNT(*) AS n ${rest.sql}`).get(...rest.params) as { n: number }).n;
    }
    return { items, revision, more, remaining };
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    const range = rangeWhere('key', prefix, undefined);
    const row = this.stmt(`SELECT COUNT(*) AS n FROM kv WHERE ${range.sql}`).get(...range.params) as { n: number };
    return row.n;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const result = this.write([{ op: 'create', key, value }]);
    return { key, value, createRevision: result.revision, modRevision: result.revision };
  }

  async update(key: string, value: string, expectedRevision?: number): Promise<KeyValue> {
    const before = this.getNow(key);
    const result = this.write([{ op: 'update', key, value, expectedRevision }]);
    return { key, value, createRevision: before?.createRevision ?? result.revision, modRevision: result.revision };
  }

  async delete(key: string, expectedRevision?: number): Promise<{ deleted: KeyValue; revision: number }> {
    const before = this.getNow(key);
    const result = this.write([{ op: 'delete', key, expectedRevision }]);
    if (!before) throw new Error(`storage: deleted ${key} but it was not there`);
    return { deleted: before, revision: result.revision };
  }

  async txn(ops: TxnOp[]): Promise<TxnResult> {
    return this.write(ops);
  }

  /** Checks every guard, then writes all ops at one new revision in one durable SQLite transaction. */
  private write(ops: TxnOp[]): TxnResult {
    this.checkOpen();
    if (ops.length === 0) return { revision: this.revision, revisions: [] };
    const keys = new Set<string>();
    const current: (KeyValue | undefined)[] = [];
    for (const op of ops) {
      checkKey(op.key);
      // As etcd: a txn may not write one key twice ("duplicate key given in txn request").
      if (keys.has(op.key)) throw new TypeError(`storage txn writes ${op.key} twice`);
      keys.add(op.key);
      const kv = this.getNow(op.key);
      checkGuard(op, kv);
      current.push(kv);
    }
    const revision = this.revision + 1;
    const events: StorageEvent[] = [];
    const insertLog = this.stmt(
      'INSERT INTO log (revision, sub, key, create_revision, prev_revision, deleted, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const putKv = this.stmt(
      'INSERT INTO kv (key, value, create_revision, mod_revision) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (key) DO UPDATE SET value = excluded.value, mod_revision = excluded.mod_revision',
    );
    const deleteKv = this.stmt('DELETE FROM kv WHERE key = ?');
    this.db.exec('BEGIN IMMEDIATE');
    try {
      ops.forEach((op, sub) => {
        const before = current[sub];
        if (op.op === 'delete') {
          if (!before) throw new Error('unreachable: guard passed for a missing key');
          insertLog.run(revision, sub, op.key, before.createRevision, before.modRevision, 1, before.value);
          deleteKv.run(op.key);
          events.push({
            type: 'DELETE',
            key: op.key,
            value: before.value,
            prevValue: before.value,
            revision,
            createRevision: before.createRevision,
          });
        } else {
          const createRevision = before?.createRevision ?? revision;
          insertLog.run(revision, sub, op.key, createRevision, before?.modRevision ?? null, 0, op.value);
          putKv.run(op.key, op.value, createRevision, revision);
          events.push({ type: 'PUT', key: op.key, value: op.value, prevValue: before?.value, revision, createRevision });
        }
      });
      this.stmt("UPDATE meta SET value = ? WHERE name = 'revision'").run(revision);
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw new StorageError('Unavailable', ops[0]?.key ?? '', `storage write failed: ${String(err)}`);
    }
    this.revision = revision;
    this.publish(events);
    return { revision, revisions: ops.map((op) => (op.op === 'delete' ? 0 : revision)) };
  }

  watch(
    prefix: string,
    fromRevision: number,
    onEvent: (event: StorageEvent) => void,
    onError?: (err: StorageError) => void,
  ): Watcher {
    this.checkOpen();
    if (fromRevision < this.compacted) {
      throw new StorageError(
        'Compacted',
        prefix,
        `revision ${fromRevision} has been compacted (oldest available ${this.compacted})`,
        this.compacted,
      );
    }
    // Registration is synchronous: every write from now on lands in the queue. History up to the current
    // revision is replayed in pages (so a long replay does not stall the process) and the queued live
    // events are held back until it is done: together they join without a gap or a duplicate.
    const w: LiveWatch = {
      prefix,
      after: fromRevision,
      queue: [],
      scheduled: false,
      stopped: false,
      onEvent,
      onError,
      replay:
        fromRevision < this.revision
          ? { revision: fromRevision, sub: Number.MAX_SAFE_INTEGER, until: this.revision }
          : undefined,
    };
    this.watches.add(w);
    if (w.replay) setImmediate(() => this.replayPage(w));
    return {
      stop: () => {
        w.stopped = true;
        w.queue = [];
        this.watches.delete(w);
      },
    };
  }

  /** Delivers the next page of a watch's history, then schedules the next page or the live events. */
  private replayPage(w: LiveWatch): void {
    const replay = w.replay;
    if (w.stopped || this.closed || !replay) return;
    const range = rangeWhere('l.key', w.prefix, undefined);
    const rows = this.stmt(
      'SELECT l.revision AS revision, l.sub AS sub, l.key AS key, l.create_revision AS create_revision, ' +
        'l.deleted AS deleted, l.value AS value, p.value AS prev_value FROM log l ' +
        'LEFT JOIN log p ON p.key = l.key AND p.revision = l.prev_revision ' +
        `WHERE (l.revision, l.sub) > (?, ?) AND l.revision <= ? AND ${range.sql} ` +
        `ORDER BY l.revision, l.sub LIMIT ${REPLAY_PAGE}`,
    ).all(replay.revision, replay.sub, replay.until, ...range.params) as unknown as LogRow[];
    for (const r of rows) {
      if (w.stopped) return;
      w.onEvent({
        type: r.deleted ? 'DELETE' : 'PUT',
        key: r.key,
        value: r.value,
        prevValue: r.deleted ? r.value : (r.prev_value ?? undefined),
        revision: r.revision,
        createRevision: r.create_revision,
      });
      replay.revision = r.revision;
      replay.sub = r.sub;
    }
    if (rows.length === REPLAY_PAGE) {
      setImmediate(() => this.replayPage(w));
      return;
    }
    w.replay = undefined;
    this.schedule(w);
  }

  private publish(events: StorageEvent[]): void {
    for (const w of this.watches) {
      let added = false;
      for (const e of events) {
        if (e.revision > w.after && e.key.startsWith(w.prefix)) {
          w.queue.push(e);
          added = true;
        }
      }
      if (added) this.schedule(w);
    }
  }

  /** Delivers a watch's queue in a later microtask, in order; a callback's own writes queue behind. */
  private schedule(w: LiveWatch): void {
    if (w.scheduled || w.replay || w.queue.length === 0) return;
    w.scheduled = true;
    queueMicrotask(() => {
      w.scheduled = false;
      const batch = w.queue;
      w.queue = [];
      for (const e of batch) {
        if (w.stopped) return;
        w.onEvent(e);
      }
    });
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.revision) {
      throw new StorageError('FutureRevision', '', `cannot compact to ${revision}: current revision is ${this.revision}`);
    }
    // One compaction at a time; each runs in steps so a long history does not stall the process.
    const run = this.compacting.then(async () => {
      while (this.compacted < revision) {
        this.checkOpen();
        this.compactStep(Math.min(revision, this.compacted + COMPACT_STEP));
        if (this.compacted < revision) await new Promise((r) => setImmediate(r));
      }
    });
    this.compacting = run.catch(() => {});
    return run;
  }

  /**
   * Compacts from the compacted revision to `to` in one transaction. What stays, for each key, is its newest
   * row at or below `to` unless that row is a deletion (rows above `to` are untouched), so a list at any
   * revision >= `to` stays exact. Only the log rows written in the step's window need looking at: each
   * names the row it superseded (prev_revision), and deletions in the window go too.
   */
  private compactStep(to: number): void {
    const from = this.compacted;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      this.stmt(
        'DELETE FROM log WHERE (key, revision) IN (SELECT key, prev_revision FROM log ' +
          'WHERE revision > ?1 AND revision <= ?2 AND prev_revision IS NOT NULL)',
      ).run(from, to);
      this.stmt('DELETE FROM log WHERE revision > ? AND revision <= ? AND deleted = 1').run(from, to);
      this.stmt("UPDATE meta SET value = ? WHERE name = 'compacted'").run(to);
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw new StorageError('Unavailable', '', `storage compaction failed: ${String(err)}`);
    }
    this.compacted = to;
    // A replay still behind the compacted revision lost the history it was reading: end it, as etcd cancels
    // a watcher that compaction overtook; the caller re-lists.
    for (const w of [...this.watches]) {
      if (w.replay && w.replay.revision < to) {
        w.stopped = true;
        this.watches.delete(w);
        w.onError?.(new StorageError('Compacted', w.prefix, `revision ${w.replay.revision} has been compacted`, to));
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopAutoCompaction?.();
    const watches = [...this.watches];
    this.watches.clear();
    for (const w of watches) {
      w.stopped = true;
      w.onError?.(new StorageError('Unavailable', w.prefix, 'storage is closed'));
    }
    this.db.close();
  }
}

function checkGuard(op: TxnOp, kv: KeyValue | undefined): void {
  if (op.op === 'create') {
    if (kv) throw new StorageError('KeyExists', op.key, `key ${op.key} already exists`);
    return;
  }
  if (!kv) throw new StorageError('NotFound', op.key, `key ${op.key} not found`);
  if (op.expectedRevision !== undefined && op.expectedRevision !== kv.modRevision) {
    throw new StorageError(
      'Conflict',
      op.key,
      `key ${op.key} is at revision ${kv.modRevision}, not ${op.expectedRevision}`,
    );
  }
}

/** SQL for "column under prefix, after startAfter" with its parameters: one index range. */
function rangeWhere(column: string, prefix: string, startAfter: string | undefined): { sql: string; params: string[] } {
  const parts = [`${column} >= ?`];
  const params = [prefix];
  if (startAfter !== undefined && compareKeys(startAfter, prefix) >= 0) {
    parts[0] = `${column} > ?`;
    params[0] = startAfter;
  }
  const end = prefixEnd(prefix);
  if (end !== undefined) {
    parts.push(`${column} < ?`);
    params.push(end);
  }
  return { sql: parts.join(' AND '), params };
}

function toKeyValue(row: KvRow): KeyValue {
  return { key: row.key, value: row.value, createRevision: row.create_revision, modRevision: row.mod_revision };
}

export async function openSqliteBackend(path: string, options: SqliteBackendOptions = {}): Promise<Backend> {
  return new SqliteBackend(path, options);
}

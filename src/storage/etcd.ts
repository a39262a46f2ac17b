// The Backend on etcd, the store Kubernetes itself uses. Revisions are etcd's own (so resourceVersion means
// exactly what it means in Kubernetes); guarded writes are etcd transactions comparing mod_revision, or
// create_revision == 0 for create-if-absent, as the API server's etcd3 store does (storage/etcd3/store.go).
import { Etcd3, Range, type ICompare, type IKeyValue, type IRangeRequest, type IRequestOp, type IWatchResponse } from 'etcd3';
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
import { checkKey, prefixEnd } from './keys.ts';

export interface EtcdBackendOptions {
  /** Client URLs, e.g. ['http://127.0.0.1:2379']. */
  endpoints: string[];
  /** Prepended to every key (e.g. a per-test or per-cluster root); callers still pass full keys. */
  prefix?: string;
  /** Compact etcd's history as the API server does (every 5 minutes by default when given). */
  autoCompaction?: AutoCompactionOptions;
  onError?: (err: unknown) => void;
  /** Per-call deadline (default 10 s). */
  callTimeoutMs?: number;
}

export class EtcdBackend implements Backend {
  private readonly client: Etcd3;
  private readonly prefix: string;
  private readonly watchers = new Set<{ end(err: StorageError): void }>();
  /** The highest compaction revision this client has seen (its own or found while probing). */
  private knownCompacted = 0;
  private stopAutoCompaction: (() => void) | undefined;
  private closed = false;

  constructor(options: EtcdBackendOptions) {
    const timeout = options.callTimeoutMs ?? 10_000;
    this.client = new Etcd3({
      hosts: options.endpoints,
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeout }),
    });
    this.prefix = options.prefix ?? '';
    if (options.autoCompaction) {
      this.stopAutoCompaction = startAutoCompaction(this, options.autoCompaction, options.onError);
    }
  }

  private full(key: string): Buffer {
    return Buffer.from(this.prefix + key);
  }

  private rangeOf(prefix: string): { key: Buffer; range_end: Buffer } {
    const full = this.prefix + prefix;
    const end = prefixEnd(full);
    // etcd: key "\0" with range_end "\0" is the whole keyspace; range_end "\0" alone means every key >= key.
    return {
      key: full === '' ? Buffer.from([0]) : Buffer.from(full),
      range_end: end === undefined ? Buffer.from([0]) : Buffer.from(end),
    };
  }

  private toKeyValue(kv: IKeyValue): KeyValue {
    return {
      key: kv.key.toString().slice(this.prefix.length),
      value: kv.value.toString(),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
  }

  /** Runs one etcd call, turning its failures into StorageErrors. */
  private async call<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StorageError('Unavailable', key, 'storage is closed');
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StorageError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (message.includes('required revision has been compacted')) {
        throw new StorageError('Compacted', key, message, this.knownCompacted || undefined);
      }
      if (message.includes('required revision is a future revision')) {
        throw new StorageError('FutureRevision', key, message);
      }
      throw new StorageError('Unavailable', key, `etcd: ${message}`);
    }
  }

  async currentRevision(): Promise<number> {
    const res = await this.call('', () => this.client.kv.range({ ...this.rangeOf(''), count_only: true }));
    return Number(res.header.revision);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.call(key, () => this.client.kv.range({ key: this.full(key) }));
    const kv = res.kvs[0];
    return kv && this.toKeyValue(kv);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const range = this.rangeOf(prefix);
    const req: IRangeRequest = { ...range };
    if (options.startAfter !== undefined && Buffer.compare(this.full(options.startAfter), range.key) >= 0) {
      // The smallest key after startAfter.
      req.key = Buffer.concat([this.full(options.startAfter), Buffer.from([0])]);
    }
    if (options.limit && options.limit > 0) req.limit = options.limit;
    if (options.revision && options.revision > 0) req.revision = options.revision;
    const res = await this.call(prefix, () => this.client.kv.range(req));
    const items = res.kvs.map((kv) => this.toKeyValue(kv));
    return {
      items,
      revision: options.revision && options.revision > 0 ? options.revision : Number(res.header.revision),
      more: res.more,
      remaining: Number(res.count) - items.length,
    };
  }

  async count(prefix: string): Promise<number> {
    const res = await this.call(prefix, () => this.client.kv.range({ ...this.rangeOf(prefix), count_only: true }));
    return Number(res.count);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const result = await this.txn([{ op: 'create', key, value }]);
    return { key, value, createRevision: result.revision, modRevision: result.revision };
  }

  async update(key: string, value: string, expectedRevision?: number): Promise<KeyValue> {
    const { revision, previous } = await this.write([{ op: 'update', key, value, expectedRevision }]);
    return { key, value, createRevision: previous[0]?.createRevision ?? revision, modRevision: revision };
  }

  async delete(key: string, expectedRevision?: number): Promise<{ deleted: KeyValue; revision: number }> {
    const { revision, previous } = await this.write([{ op: 'delete', key, expectedRevision }]);
    const deleted = previous[0];
    if (!deleted) throw new Error(`etcd: deleted ${key} but got no previous value`);
    return { deleted, revision };
  }

  async txn(ops: TxnOp[]): Promise<TxnResult> {
    const { revision } = await this.write(ops);
    return { revision, revisions: ops.map((op) => (op.op === 'delete' ? 0 : revision)) };
  }

  /** One etcd transaction: every guard as a compare; on failure, read the keys to name the failed guard. */
  private async write(ops: TxnOp[]): Promise<{ revision: number; previous: (KeyValue | undefined)[] }> {
    if (ops.length === 0) return { revision: await this.currentRevision(), previous: [] };
    const keys = new Set<string>();
    const compare: ICompare[] = [];
    const success: IRequestOp[] = [];
    const failure: IRequestOp[] = [];
    for (const op of ops) {
      checkKey(op.key);
      if (keys.has(op.key)) throw new TypeError(`storage txn writes ${op.key} twice`);
      keys.add(op.key);
      const key = this.full(op.key);
      if (op.op === 'create') {
        compare.push({ key, target: 'Create', result: 'Equal', create_revision: 0 });
      } else if (op.expectedRevision !== undefined) {
        compare.push({ key, target: 'Mod', result: 'Equal', mod_revision: op.expectedRevision });
      } else {
        compare.push({ key, target: 'Create', result: 'Greater', create_revision: 0 });
      }
      success.push(
        op.op === 'delete'
          ? { request_delete_range: { key, prev_kv: true } }
          : { request_put: { key, value: Buffer.from(op.value), prev_kv: true } },
      );
      failure.push({ request_range: { key } });
    }
    const res = await this.call(ops[0]?.key ?? '', () => this.client.kv.txn({ compare, success, failure }));
    if (!res.succeeded) {
      ops.forEach((op, i) => {
        const kv = res.responses[i]?.response_range.kvs[0];
        const current = kv && this.toKeyValue(kv);
        if (op.op === 'create') {
          if (current) throw new StorageError('KeyExists', op.key, `key ${op.key} already exists`);
        } else if (!current) {
          throw new StorageError('NotFound', op.key, `key ${op.key} not found`);
        } else if (op.expectedRevision !== undefined && current.modRevision !== op.expectedRevision) {
          throw new StorageError(
            'Conflict',
            op.key,
            `key ${op.key} is at revision ${current.modRevision}, not ${op.expectedRevision}`,
          );
        }
      });
      throw new Error('etcd: transaction failed but every guard holds');
    }
    const previous = res.responses.map((r) => {
      const kv = r.response_put?.prev_kv ?? r.response_delete_range?.prev_kvs[0];
      return kv ? this.toKeyValue(kv) : undefined;
    });
    return { revision: Number(res.header.revision), previous };
  }

  watch(
    prefix: string,
    fromRevision: number,
    onEvent: (event: StorageEvent) => void,
    onError?: (err: StorageError) => void,
  ): Watcher {
    if (this.closed) throw new StorageError('Unavailable', prefix, 'storage is closed');
    if (fromRevision < this.knownCompacted) {
      throw new StorageError(
        'Compacted',
        prefix,
        `revision ${fromRevision} has been compacted (oldest available ${this.knownCompacted})`,
        this.knownCompacted,
      );
    }
    const range = this.rangeOf(prefix);
    // The last revision whose events were all delivered. etcd sends a revision's events in one response.
    let delivered = fromRevision;
    let ended = false;
    const watcher = this.client
      .watch()
      .inRange(new Range(range.key, range.range_end))
      .withPreviousKV()
      .startRevision(String(fromRevision + 1))
      .watcher();
    // etcd3 resumes a broken stream from the header revision of the last response, which is ahead of the
    // events while etcd still replays history: resume from what was actually delivered instead. These
    // listeners run after the library's own, so this value is the one used on reconnect.
    const resumeFromDelivered = (): void => {
      watcher.request.start_revision = String(delivered + 1);
    };
    watcher.on('connected', resumeFromDelivered);
    watcher.on('data', (res: IWatchResponse) => {
      if (ended) return;
      for (const e of res.events) {
        if (ended) return; // stopped from inside onEvent
        const revision = Number(e.kv.mod_revision);
        if (revision <= delivered) continue; // already seen before a reconnect
        const key = e.kv.key.toString().slice(this.prefix.length);
        const prev = e.prev_kv ? this.toKeyValue(e.prev_kv) : undefined;
        if (e.type === 'Delete') {
          onEvent({
            type: 'DELETE',
            key,
            value: prev?.value ?? '',
            prevValue: prev?.value,
            revision,
            createRevision: prev?.createRevision ?? 0,
          });
        } else {
          onEvent({
            type: 'PUT',
            key,
            value: e.kv.value.toString(),
            prevValue: prev?.value,
            revision,
            createRevision: Number(e.kv.create_revision),
          });
        }
      }
      const last = res.events[res.events.length - 1];
      if (last) delivered = Math.max(delivered, Number(last.kv.mod_revision));
      resumeFromDelivered();
    });
    // Ends the watch for good: `canceled` when etcd already dropped it, so there is nothing to cancel.
    const end = (err: StorageError | undefined, canceled: boolean): void => {
      if (ended) return;
      ended = true;
      this.watchers.delete(handle);
      if (!canceled) void watcher.cancel().catch(() => {});
      if (err) onError?.(err);
    };
    const handle = { end: (err: StorageError) => end(err, false) };
    this.watchers.add(handle);
    // etcd cancels a watch whose start revision was compacted away; the library does not pass the compact
    // revision on, so probe for it.
    watcher.on('error', (err: Error) => {
      if (ended) return;
      void this.compactedRevision()
        .then((compacted) =>
          compacted > delivered
            ? new StorageError('Compacted', prefix, `revision ${delivered} has been compacted`, compacted)
            : new StorageError('Unavailable', prefix, `etcd watch ended: ${err.message}`),
        )
        .catch((probeErr: unknown) =>
          probeErr instanceof StorageError ? probeErr : new StorageError('Unavailable', prefix, String(probeErr)),
        )
        .then((storageErr) => end(storageErr, true));
    });
    return { stop: () => end(undefined, false) };
  }

  async compact(revision: number): Promise<void> {
    if (revision <= this.knownCompacted) return;
    try {
      await this.call('', () => this.client.kv.compact({ revision, physical: true }));
    } catch (err) {
      // Someone compacted further already: the goal holds.
      if (!(err instanceof StorageError && err.code === 'Compacted')) throw err;
    }
    this.knownCompacted = Math.max(this.knownCompacted, revision);
  }

  async compactedRevision(): Promise<number> {
    // etcd does not report its compaction revision directly; reads below it fail, so find the lowest
    // readable revision by bisection, starting from what this client already knows.
    const readable = async (revision: number): Promise<boolean> => {
      try {
        await this.call('', () => this.client.kv.range({ ...this.rangeOf(''), count_only: true, revision }));
        return true;
      } catch (err) {
        if (err instanceof StorageError && err.code === 'Compacted') return false;
        throw err;
      }
    };
    const low = Math.max(this.knownCompacted, 1);
    if (await readable(low)) return this.knownCompacted;
    let bad = low;
    let good = await this.currentRevision();
    while (good - bad > 1) {
      const mid = Math.floor((bad + good) / 2);
      if (await readable(mid)) good = mid;
      else bad = mid;
    }
    this.knownCompacted = good;
    return good;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.stopAutoCompaction?.();
    for (const w of [...this.watchers]) w.end(new StorageError('Unavailable', '', 'storage is closed'));
    this.closed = true;
    this.client.close();
  }
}

export async function openEtcdBackend(options: EtcdBackendOptions): Promise<Backend> {
  const backend = new EtcdBackend(options);
  await backend.currentRevision(); // fail at open, not at the first request, when etcd is unreachable
  return backend;
}

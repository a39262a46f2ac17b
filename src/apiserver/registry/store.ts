// The generic registry: create/get/list/watch/update/delete of any resource in the table, over a Backend,
// as Kubernetes' genericregistry.Store does: metadata bookkeeping, strategies (defaulting, validation,
// allocations committed atomically with the object), optimistic concurrency, status subresources,
// finalizers, graceful pod deletion and namespace termination.
import { randomUUID } from 'node:crypto';
import type { KubeList, KubeObject, Status, WatchEvent } from '../../api/index.ts';
import { StorageError, type Backend, type KeyValue, type StorageEvent, type TxnOp } from '../../storage/index.ts';
import { ApiError, fieldErrors, type FieldError, type GroupResource } from '../errors.ts';
import {
  apiVersionOf,
  decodeFromStorage,
  encodeForStorage,
  resources,
  storageKeyFor,
  storagePrefixFor,
  type ResourceInfo,
} from '../resources.ts';
import { matchesFields, matchesLabels, type FieldSelector, type LabelSelector } from '../selectors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation.ts';
import type { Strategy } from './strategy.ts';

export interface WriteContext {
  /** RFC 3339 with seconds, as Kubernetes' metav1.Time. */
  now: string;
  dryRun: boolean;
  /** Called with the object about to be written (managedFields tracking). */
  track?: (old: KubeObject | undefined, updated: KubeObject) => void;
}

export interface ListQuery {
  labels: LabelSelector;
  fields: FieldSelector;
  limit?: number;
  continueToken?: string;
  /** Read at this revision (resourceVersionMatch=Exact). */
  revision?: number;
}

export interface WatchQuery {
  labels: LabelSelector;
  fields: FieldSelector;
  /** Start after this revision; undefined: send the current state as ADDED first. */
  fromRevision?: number;
  /** With sendInitialEvents: mark the end of the initial events with a bookmark. */
  initialEventsEndBookmark?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
}

export interface DeleteResult {
  object: KubeObject;
  /** False when the object still exists (finalizers, graceful deletion, namespace termination). */
  deleted: boolean;
}

/** The garbage collector's finalizers (metav1.FinalizerOrphanDependents / FinalizerDeleteDependents). */
const orphanFinalizer = 'orphan';
const foregroundFinalizer = 'foregroundDeletion';

/** Namespaces Kubernetes creates at start and refuses to delete (the latter three). */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const undeletableNamespaces = new Set(['default', 'kube-system', 'kube-public']);

function gr(r: ResourceInfo): GroupResource {
  return { group: r.group, resource: r.plural };
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Everything but metadata and status: what a spec change (and a generation bump) means. */
function specPart(obj: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = obj as KubeObject & { status?: unknown };
  return JSON.stringify(rest);
}

/** The stored form compared for "no change": key order and managedFields (timestamps) do not count. */
function withoutManagedFields(value: string): string {
  const o = JSON.parse(value) as KubeObject;
  delete o.metadata.managedFields;
  return canonical(o);
}

/** Continue tokens as Kubernetes encodes them: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"key"}. */
export function encodeContinue(revision: number, startAfter: string, prefix: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: revision, start: startAfter.slice(prefix.length) })).toString('base64');
}

export function decodeContinue(token: string, prefix: string): { revision: number; startAfter: string } {
  try {
    const o = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (o.v !== 'meta.k8s.io/v1' || typeof o.rv !== 'number' || typeof o.start !== 'string') throw new Error('bad');
    return { revision: o.rv, startAfter: prefix + o.start };
  } catch {
    throw ApiError.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

/** How encodeForStorage begins every value (the fast list path relies on it). */
const metadataFirst = '{"metadata":{';

const continueTooOld =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export interface StoreOptions {
  backend: Backend;
  strategies: Record<string, Strategy>;
  /** Injected clock. */
  now: () => Date;
  /** Random suffix source for generateName (tests make it deterministic). */
  random?: () => number;
}

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const generateNameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

export class Store {
  readonly backend: Backend;
  private readonly strategies: Record<string, Strategy>;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly terminating = new Set<string>();
  private closed = false;

  constructor(options: StoreOptions) {
    this.backend = options.backend;
    this.strategies = options.strategies;
    this.now = options.now;
    this.random = options.random ?? Math.random;
  }

  close(): void {
    this.closed = true;
  }

  private strategy(r: ResourceInfo): Strategy {
    return this.strategies[`${r.group}/${r.plural}`] ?? this.strategies[r.plural] ?? {};
  }

  /** The stored JSON as this resource's version shows it (a view like events.k8s.io converts). */
  private decode(r: ResourceInfo, value: string, revision: number): KubeObject {
    const obj = decodeFromStorage(value, revision);
    return r.view ? r.view.fromStorage(obj) : obj;
  }

  private encode(r: ResourceInfo, obj: KubeObject): string {
    return encodeForStorage(r.view ? r.view.toStorage(obj) : obj);
  }

  /** Create the system namespaces and resume termination of namespaces being deleted. */
  async bootstrap(): Promise<void> {
    const ns = resources.find((r) => r.plural === 'namespaces')!;
    for (const name of systemNamespaces) {
      try {
        await this.create(ns, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { now: rfc3339(this.now()), dryRun: false });
      } catch (err) {
        if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
      }
    }
    const list = await this.backend.list(ns.keyPrefix);
    for (const kv of list.items) {
      const obj = decodeFromStorage(kv.value, kv.modRevision);
      if (obj.metadata.deletionTimestamp) this.finalizeNamespaceSoon(obj.metadata.name!);
    }
  }

  // --- reads -------------------------------------------------------------------------------------------------

  async get(r: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.backend.get(storageKeyFor(r.plural, namespace, name));
    if (!kv) throw ApiError.notFound(gr(r), name);
    return this.decode(r, kv.value, kv.modRevision);
  }

  private fieldsOf(r: ResourceInfo, obj: KubeObject): (f: string) => string {
    return (f) => {
      if (f === 'metadata.name') return obj.metadata.name ?? '';
      if (f === 'metadata.namespace') return obj.metadata.namespace ?? '';
      const getter = r.fields[f];
      return getter ? getter(obj) : '';
    };
  }

  checkFieldSelector(r: ResourceInfo, fields: FieldSelector): void {
    for (const f of fields) {
      if (f.field !== 'metadata.name' && f.field !== 'metadata.namespace' && !r.fields[f.field])
        throw ApiError.badRequest(`field label not supported: ${f.field}`);
    }
  }

  matches(r: ResourceInfo, obj: KubeObject, labels: LabelSelector, fields: FieldSelector): boolean {
    return matchesLabels(labels, obj.metadata.labels) && matchesFields(fields, this.fieldsOf(r, obj));
  }

  /** The matching stored entries of one list page, and the page's list metadata. */
  private async listEntries(
    r: ResourceInfo,
    namespace: string | undefined,
    q: ListQuery,
  ): Promise<{ entries: { kv: KeyValue; obj?: KubeObject }[]; metadata: KubeList['metadata'] }> {
    this.checkFieldSelector(r, q.fields);
    const prefix = storagePrefixFor(r, namespace);
    let revision = q.revision;
    let startAfter: string | undefined;
    if (q.continueToken) {
      const c = decodeContinue(q.continueToken, prefix);
      revision = c.revision;
      startAfter = c.startAfter;
    }
    const filtered = q.labels.length > 0 || q.fields.length > 0;
    const entries: { kv: KeyValue; obj?: KubeObject }[] = [];
    let readAt = 0;
    let more = false;
    let remaining: number | undefined;
    let lastKey: string | undefined;
    // Page through storage until `limit` matching items (Kubernetes fills a page when filtering too).
    for (;;) {
      const want = q.limit ? Math.max(q.limit - entries.length, filtered ? 100 : 0) : 0;
      let page;
      try {
        page = await this.backend.list(prefix, { limit: want || undefined, startAfter, revision });
      } catch (err) {
        if (err instanceof StorageError && err.code === 'Compacted') {
          if (q.continueToken) throw new ApiError(410, 'Expired', continueTooOld);
          throw ApiError.gone(`too old resource version: ${revision} (${err.compactRevision ?? 0})`);
        }
        if (err instanceof StorageError && err.code === 'FutureRevision') {
          // As the apiserver: a list at a revision not written yet is a 504 the client retries.
          const current = await this.backend.currentRevision();
          throw new ApiError(504, 'Timeout', `Timeout: Too large resource version: ${revision}, current: ${current}`, {
            causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
            retryAfterSeconds: 1,
          });
        }
        throw err;
      }
      revision = readAt = page.revision;
      let stoppedEarly = false;
      for (let i = 0; i < page.items.length; i++) {
        const kv = page.items[i];
        lastKey = kv.key;
        if (filtered) {
          const obj = this.decode(r, kv.value, kv.modRevision);
          if (!this.matches(r, obj, q.labels, q.fields)) continue;
          entries.push({ kv, obj });
        } else entries.push({ kv });
        if (q.limit && entries.length >= q.limit) {
          stoppedEarly = i < page.items.length - 1 || page.more;
          break;
        }
      }
      if (q.limit && entries.length >= q.limit) {
        more = stoppedEarly;
        if (!filtered && page.remaining !== undefined) remaining = page.remaining;
        break;
      }
      if (!page.more || page.items.length === 0) break;
      startAfter = lastKey;
    }
    const metadata: KubeList['metadata'] = { resourceVersion: String(readAt) };
    if (more && lastKey !== undefined) {
      metadata.continue = encodeContinue(readAt, lastKey, prefix);
      if (remaining !== undefined && remaining > 0) metadata.remainingItemCount = remaining;
    }
    return { entries, metadata };
  }

  async list(r: ResourceInfo, namespace: string | undefined, q: ListQuery): Promise<KubeList> {
    const { entries, metadata } = await this.listEntries(r, namespace, q);
    const items = entries.map((e) => {
      const item = e.obj ?? this.decode(r, e.kv.value, e.kv.modRevision);
      item.apiVersion ??= apiVersionOf(r);
      item.kind ??= r.kind;
      return item;
    });
    return { kind: r.listKind, apiVersion: apiVersionOf(r), metadata, items };
  }

  /**
   * The list as JSON text, without decoding and re-encoding every stored object: the stored JSON gets its
   * resourceVersion spliced in (values written by encodeForStorage begin with their metadata).
   */
  async listJson(r: ResourceInfo, namespace: string | undefined, q: ListQuery): Promise<string> {
    const { entries, metadata } = await this.listEntries(r, namespace, q);
    const parts: string[] = [];
    for (const e of entries) {
      const v = e.kv.value;
      if (!e.obj && !r.view && v.startsWith(metadataFirst) && v[metadataFirst.length] !== '}') {
        parts.push(`${metadataFirst}"resourceVersion":"${e.kv.modRevision}",${v.slice(metadataFirst.length)}`);
      } else {
        const item = e.obj ?? this.decode(r, e.kv.value, e.kv.modRevision);
        item.apiVersion ??= apiVersionOf(r);
        item.kind ??= r.kind;
        parts.push(JSON.stringify(item));
      }
    }
    const head = JSON.stringify({ kind: r.listKind, apiVersion: apiVersionOf(r), metadata });
    return `${head.slice(0, -1)},"items":[${parts.join(',')}]}`;
  }

  /**
   * Watch: events are delivered through onEvent in order. Returns stop(). An expired resourceVersion is
   * reported as an ERROR event carrying a 410 Status, as the watch cache does.
   */
  async watch(
    r: ResourceInfo,
    namespace: string | undefined,
    q: WatchQuery,
    onEvent: (e: WatchEvent<KubeObject | Status>, revision: number) => void,
    onEnd?: () => void,
  ): Promise<{ stop(): void }> {
    this.checkFieldSelector(r, q.fields);
    const prefix = storagePrefixFor(r, namespace);
    let from = q.fromRevision;
    if (from === undefined) {
      // Initial state as ADDED events, then changes after the list's revision.
      const list = await this.list(r, namespace, { labels: q.labels, fields: q.fields });
      from = Number(list.metadata.resourceVersion);
      for (const item of list.items) onEvent({ type: 'ADDED', object: item }, Number(item.metadata.resourceVersion));
      if (q.initialEventsEndBookmark)
        onEvent(
          {
            type: 'BOOKMARK',
            object: {
              kind: r.kind,
              apiVersion: apiVersionOf(r),
              metadata: { resourceVersion: String(from), annotations: { 'k8s.io/initial-events-end': 'true' } },
            },
          },
          from,
        );
    }
    const decorate = (o: KubeObject): KubeObject => {
      o.apiVersion ??= apiVersionOf(r);
      o.kind ??= r.kind;
      return o;
    };
    const handle = (e: StorageEvent): void => {
      const cur = e.type === 'PUT' ? decorate(this.decode(r, e.value, e.revision)) : undefined;
      const prev = e.prevValue !== undefined ? decorate(this.decode(r, e.prevValue, e.revision)) : undefined;
      const curMatch = cur !== undefined && this.matches(r, cur, q.labels, q.fields);
      const prevMatch = prev !== undefined && this.matches(r, prev, q.labels, q.fields);
      if (e.type === 'DELETE') {
        const last = decorate(this.decode(r, e.value, e.revision));
        if (this.matches(r, last, q.labels, q.fields)) onEvent({ type: 'DELETED', object: last }, e.revision);
        return;
      }
      if (curMatch && prevMatch) onEvent({ type: 'MODIFIED', object: cur! }, e.revision);
      else if (curMatch) onEvent({ type: 'ADDED', object: cur! }, e.revision);
      else if (prevMatch) onEvent({ type: 'DELETED', object: cur! }, e.revision);
    };
    const ended = (err: StorageError): void => {
      // The store ended the watch. Store gone (closing, or etcd unreachable): end the stream cleanly, the
      // client re-watches from its last resourceVersion as after the apiserver closes a watch. History
      // compacted under the watch (etcd): a 410 ERROR event, the client re-lists.
      if (err.code === 'Unavailable' && onEnd) return onEnd();
      const status =
        err.code === 'Compacted'
          ? ApiError.gone(`too old resource version: ${from} (${err.compactRevision ?? 0})`).toStatus()
          : ApiError.internal(err.message).toStatus();
      onEvent({ type: 'ERROR', object: status }, from!);
    };
    try {
      return this.backend.watch(prefix, from, handle, ended);
    } catch (err) {
      if (err instanceof StorageError && err.code === 'Compacted') {
        const status = ApiError.gone(`too old resource version: ${from} (${err.compactRevision ?? 0})`).toStatus();
        onEvent({ type: 'ERROR', object: status }, from);
        return { stop() {} };
      }
      throw err;
    }
  }

  // --- writes ------------------------------------------------------------------------------------------------

  private async checkNamespace(r: ResourceInfo, namespace: string | undefined, creating: boolean, name = ''): Promise<void> {
    if (!r.namespaced) return;
    const kv = await this.backend.get(storageKeyFor('namespaces', undefined, namespace ?? ''));
    if (!kv) throw ApiError.notFound({ group: '', resource: 'namespaces' }, namespace ?? '');
    if (creating) {
      const ns = JSON.parse(kv.value) as KubeObject;
      if (ns.metadata.deletionTimestamp)
        throw ApiError.forbidden(
          gr(r),
          name,
          `unable to create new content in namespace ${namespace} because it is being terminated`,
        );
    }
  }

  private generateName(prefix: string): string {
    // Kubernetes: the prefix (trimmed to leave room) plus 5 random characters from a vowel-free alphabet.
    const base = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
    let s = '';
    for (let i = 0; i < 5; i++) s += generateNameAlphabet[Math.floor(this.random() * generateNameAlphabet.length)];
    return base + s;
  }

  private validate(r: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, subresource?: string): void {
    const st = this.strategy(r);
    const errs: FieldError[] = validateObjectMeta(r, obj.metadata);
    if (old) errs.push(...validateObjectMetaUpdate(obj.metadata, old.metadata));
    if (old && r.plural === 'pods' && subresource === undefined) errs.push(...validatePodSpecUpdate(obj, old));
    if (old) errs.push(...(st.validateUpdate?.(obj, old) ?? []));
    else errs.push(...(st.validateCreate?.(obj) ?? []));
    if (errs.length) throw ApiError.invalid(r.kind, r.group, obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
  }

  /** Commit obj (and a strategy's allocations) with retries of allocation when another writer took a key. */
  private async commit(
    r: ResourceInfo,
    key: string,
    obj: KubeObject,
    old: KubeObject | undefined,
    oldRevision: number | undefined,
    ctx: WriteContext,
  ): Promise<KubeObject> {
    const st = this.strategy(r);
    const taken = new Set<string>();
    const max = st.maxAttempts ?? 10;
    for (let attempt = 0; ; attempt++) {
      const candidate = clone(obj);
      const allocation = st.allocate
        ? await st.allocate(candidate, old, { store: this.backend, attempt, taken, now: ctx.now })
        : { ops: [] };
      if (ctx.dryRun) {
        // Nothing was written: an update answers with the stored resourceVersion, a create with none.
        if (oldRevision !== undefined) candidate.metadata.resourceVersion = String(oldRevision);
        return candidate;
      }
      const own: TxnOp = old
        ? { op: 'update', key, value: this.encode(r, candidate), expectedRevision: oldRevision }
        : { op: 'create', key, value: this.encode(r, candidate) };
      try {
        const result = await this.backend.txn([own, ...allocation.ops]);
        candidate.metadata.resourceVersion = String(result.revisions[0] || result.revision);
        return candidate;
      } catch (err) {
        if (!(err instanceof StorageError)) throw err;
        if (err.key === key) {
          if (err.code === 'KeyExists') throw ApiError.alreadyExists(gr(r), obj.metadata.name ?? '');
          if (err.code === 'Conflict' || err.code === 'NotFound') throw new StaleWrite();
          throw err;
        }
        if (err.code === 'KeyExists' && attempt + 1 < max) {
          taken.add(err.key);
          continue;
        }
        throw ApiError.internal(`failed to allocate: ${err.message}`);
      }
    }
  }

  /** Fill metadata for a new object and run the create strategy. Returns the prepared object. */
  private prepareCreate(r: ResourceInfo, namespace: string | undefined, input: KubeObject, ctx: WriteContext): KubeObject {
    const obj = clone(input);
    if (!isObject(obj.metadata)) obj.metadata = {};
    const meta = obj.metadata;
    if (meta.resourceVersion) throw ApiError.internal('resourceVersion should not be set on objects to be created');
    if (r.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace)
        throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = namespace ?? meta.namespace;
    } else if (meta.namespace) {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = this.generateName(meta.generateName);
    obj.apiVersion = apiVersionOf(r);
    obj.kind = r.kind;
    meta.uid = randomUUID();
    meta.creationTimestamp = ctx.now;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (r.generation) meta.generation = 1;
    else delete meta.generation;
    builtinPrepareForCreate(r, obj);
    this.strategy(r).prepareForCreate?.(obj);
    this.validate(r, obj, undefined);
    ctx.track?.(undefined, obj);
    return obj;
  }

  async create(r: ResourceInfo, namespace: string | undefined, input: KubeObject, ctx: WriteContext): Promise<KubeObject> {
    await this.checkNamespace(r, namespace ?? input.metadata?.namespace, true, input.metadata?.name ?? '');
    const obj = this.prepareCreate(r, namespace ?? input.metadata?.namespace, input, ctx);
    const key = storageKeyFor(r.plural, obj.metadata.namespace, obj.metadata.name!);
    for (let i = 0; ; i++) {
      try {
        return await this.commit(r, key, obj, undefined, undefined, ctx);
      } catch (err) {
        // A generated name that collided: Kubernetes retries with a new one (AlreadyExists only for fixed names).
        if (err instanceof ApiError && err.reason === 'AlreadyExists' && input.metadata?.generateName && !input.metadata.name && i < 5) {
          obj.metadata.name = this.generateName(input.metadata.generateName);
          continue;
        }
        throw err;
      }
    }
  }

  /**
   * Read-modify-write. `compute` gets the current object (undefined when missing and createOnMissing) and
   * returns the desired one. A body resourceVersion that differs from the stored one is a 409; without
   * one, a concurrent write retries (GuaranteedUpdate).
   */
  async update(
    r: ResourceInfo,
    namespace: string | undefined,
    name: string,
    ctx: WriteContext,
    compute: (old: KubeObject | undefined) => Promise<KubeObject> | KubeObject,
    options: { subresource?: string; createOnMissing?: boolean } = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    const key = storageKeyFor(r.plural, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.backend.get(key);
      if (!kv) {
        if (!options.createOnMissing || options.subresource) throw ApiError.notFound(gr(r), name);
        const desired = await compute(undefined);
        if (desired.metadata?.name && desired.metadata.name !== name)
          throw ApiError.badRequest(`the name of the object (${desired.metadata.name}) does not match the name on the URL (${name})`);
        const created = await this.create(r, namespace, { ...desired, metadata: { ...desired.metadata, name, resourceVersion: undefined } }, ctx);
        return { object: created, created: true };
      }
      const old = this.decode(r, kv.value, kv.modRevision);
      const desired = clone(await compute(clone(old)));
      try {
        const object = await this.applyUpdate(r, key, kv, old, desired, ctx, options.subresource);
        return { object, created: false };
      } catch (err) {
        if (err instanceof StaleWrite) {
          if (attempt < 20) continue;
          throw ApiError.staleResourceVersion(gr(r), name);
        }
        throw err;
      }
    }
  }

  private async applyUpdate(
    r: ResourceInfo,
    key: string,
    kv: KeyValue,
    old: KubeObject,
    input: KubeObject,
    ctx: WriteContext,
    subresource: string | undefined,
  ): Promise<KubeObject> {
    const name = old.metadata.name!;
    if (!isObject(input.metadata)) input.metadata = {};
    const rv = input.metadata.resourceVersion;
    if (rv && rv !== String(kv.modRevision)) throw ApiError.staleResourceVersion(gr(r), name);
    if (input.metadata.name && input.metadata.name !== name)
      throw ApiError.badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    if (r.namespaced && input.metadata.namespace && input.metadata.namespace !== old.metadata.namespace)
      throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    let obj: KubeObject;
    const st = this.strategy(r);
    if (subresource === 'status') {
      // Status writes change only status (metav1.ResetObjectMetaForStatus keeps the rest of metadata).
      obj = clone(old);
      const status = (input as { status?: unknown }).status;
      if (status === undefined) delete (obj as { status?: unknown }).status;
      else (obj as { status?: unknown }).status = status;
      obj.metadata.managedFields = input.metadata.managedFields ?? old.metadata.managedFields;
    } else {
      obj = input;
      obj.apiVersion = apiVersionOf(r);
      obj.kind = r.kind;
      const m = obj.metadata;
      m.name = name;
      if (r.namespaced) m.namespace = old.metadata.namespace;
      else delete m.namespace;
      // Fields a client never sets on update (BeforeUpdate / FillObjectMetaSystemFields).
      m.uid = old.metadata.uid;
      m.creationTimestamp = old.metadata.creationTimestamp;
      m.deletionTimestamp = old.metadata.deletionTimestamp;
      m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      if (m.deletionTimestamp === undefined) delete m.deletionTimestamp;
      if (m.deletionGracePeriodSeconds === undefined) delete m.deletionGracePeriodSeconds;
      if (r.hasStatus) {
        const oldStatus = (old as { status?: unknown }).status;
        if (oldStatus === undefined) delete (obj as { status?: unknown }).status;
        else (obj as { status?: unknown }).status = clone(oldStatus);
      }
      if (r.generation) m.generation = (old.metadata.generation ?? 1) + (specPart(obj) !== specPart(old) ? 1 : 0);
      else delete m.generation;
      // Defaulting runs on every decode in Kubernetes, so an update that drops a defaulted field keeps it.
      builtinDefaults(r, obj);
      st.prepareForUpdate?.(obj, old);
      if (r.generation && specPart(obj) !== specPart(old)) m.generation = (old.metadata.generation ?? 1) + 1;
    }
    delete obj.metadata.resourceVersion;
    this.validate(r, obj, old, subresource);
    ctx.track?.(old, obj);
    // Finalizers gone on an object being deleted with no grace left: the update completes the deletion.
    if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers?.length) && (obj.metadata.deletionGracePeriodSeconds ?? 0) === 0) {
      if (ctx.dryRun) return obj;
      await this.removeNow(r, key, old, kv.modRevision);
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(kv.modRevision) } };
    }
    // No change at all (managedFields timestamps aside): no write, as etcd3's GuaranteedUpdate.
    if (withoutManagedFields(this.encode(r, obj)) === withoutManagedFields(kv.value)) return old;
    return this.commit(r, key, obj, old, kv.modRevision, ctx);
  }

  private async removeNow(r: ResourceInfo, key: string, obj: KubeObject, revision: number): Promise<number> {
    let release = this.strategy(r).releaseOnDelete?.(obj) ?? [];
    for (;;) {
      try {
        const result = await this.backend.txn([{ op: 'delete', key, expectedRevision: revision }, ...release]);
        return result.revision;
      } catch (err) {
        if (err instanceof StorageError && err.key === key) throw new StaleWrite();
        // A release whose record is already gone (an IPAddress deleted by hand): nothing to release, as
        // Kubernetes ignores release errors; the object's deletion must not fail for it.
        if (err instanceof StorageError && err.code === 'NotFound' && release.some((op) => op.key === err.key)) {
          release = release.filter((op) => op.key !== err.key);
          continue;
        }
        throw err;
      }
    }
  }

  async delete(
    r: ResourceInfo,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions,
    ctx: WriteContext,
  ): Promise<DeleteResult> {
    const policy = options.propagationPolicy;
    if (policy !== undefined && !['Foreground', 'Background', 'Orphan'].includes(policy))
      throw ApiError.invalid('DeleteOptions', 'meta.k8s.io', '', [
        fieldErrors.notSupported('propagationPolicy', policy, ['Foreground', 'Background', 'Orphan']),
      ]);
    const key = storageKeyFor(r.plural, namespace, name);
    for (let attempt = 0; attempt < 20; attempt++) {
      const kv = await this.backend.get(key);
      if (!kv) throw ApiError.notFound(gr(r), name);
      const obj = this.decode(r, kv.value, kv.modRevision);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== obj.metadata.uid)
        throw ApiError.conflict(gr(r), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
      if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion)
        throw ApiError.conflict(
          gr(r),
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
        );
      try {
        return await this.deleteOne(r, key, kv, obj, options, ctx);
      } catch (err) {
        if (err instanceof StaleWrite) continue;
        throw err;
      }
    }
    throw ApiError.staleResourceVersion(gr(r), name);
  }

  private async markDeleting(r: ResourceInfo, key: string, kv: KeyValue, obj: KubeObject, ctx: WriteContext): Promise<DeleteResult> {
    // rest.BeforeDelete: a deletion that starts (or shortens its grace) bumps a kept generation.
    if (obj.metadata.generation && obj.metadata.generation > 0) obj.metadata.generation++;
    if (ctx.dryRun) return { object: obj, deleted: false };
    try {
      const updated = await this.backend.update(key, this.encode(r, obj), kv.modRevision);
      obj.metadata.resourceVersion = String(updated.modRevision);
      return { object: obj, deleted: false };
    } catch (err) {
      if (err instanceof StorageError && (err.code === 'Conflict' || err.code === 'NotFound')) throw new StaleWrite();
      throw err;
    }
  }

  private async deleteOne(
    r: ResourceInfo,
    key: string,
    kv: KeyValue,
    obj: KubeObject,
    options: DeleteOptions,
    ctx: WriteContext,
  ): Promise<DeleteResult> {
    const meta = obj.metadata;
    if (r.plural === 'namespaces') {
      if (undeletableNamespaces.has(meta.name!))
        throw ApiError.forbidden(gr(r), meta.name!, 'this namespace may not be deleted');
      if (meta.deletionTimestamp) return { object: obj, deleted: false };
      // Namespace termination: phase Terminating, the "kubernetes" finalizer until its contents are gone.
      const ns = obj as KubeObject & { spec?: { finalizers?: string[] }; status?: { phase?: string } };
      meta.deletionTimestamp = ctx.now;
      meta.deletionGracePeriodSeconds = 0;
      ns.spec = { ...(ns.spec ?? {}), finalizers: ['kubernetes'] };
      ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
      const result = await this.markDeleting(r, key, kv, obj, ctx);
      if (!ctx.dryRun) this.finalizeNamespaceSoon(meta.name!);
      return result;
    }
    // The garbage collector's finalizers (deletionFinalizersForGarbageCollection): an explicit policy replaces
    // them; without one, those already on the object stay.
    const policy = options.propagationPolicy;
    const finalizersBefore = JSON.stringify(meta.finalizers ?? []);
    if (policy) {
      const kept = (meta.finalizers ?? []).filter((f) => f !== orphanFinalizer && f !== foregroundFinalizer);
      if (policy === 'Orphan') kept.push(orphanFinalizer);
      if (policy === 'Foreground') kept.push(foregroundFinalizer);
      if (kept.length) meta.finalizers = kept;
      else delete meta.finalizers;
    }
    const finalizersChanged = JSON.stringify(meta.finalizers ?? []) !== finalizersBefore;
    let grace = 0;
    if (r.plural === 'pods') {
      // Graceful pod deletion (pod strategy CheckGracefulDelete): a pod on a node gets deletionTimestamp first
      // and is removed when the node agent deletes it with grace 0; unbound or finished pods go at once.
      const pod = obj as KubeObject & { spec?: { nodeName?: string; terminationGracePeriodSeconds?: number }; status?: { phase?: string } };
      grace = options.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
      if (!pod.spec?.nodeName || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') grace = 0;
      if (grace < 0) grace = 0;
    }
    if (grace > 0) {
      if (meta.deletionTimestamp && (meta.deletionGracePeriodSeconds ?? 0) <= grace) {
        if (!finalizersChanged) return { object: obj, deleted: false };
        return this.markDeleting(r, key, kv, obj, ctx);
      }
      meta.deletionTimestamp = rfc3339(new Date(Date.parse(ctx.now) + grace * 1000));
      meta.deletionGracePeriodSeconds = grace;
      return this.markDeleting(r, key, kv, obj, ctx);
    }
    if (meta.finalizers?.length) {
      if (meta.deletionTimestamp && (meta.deletionGracePeriodSeconds ?? 0) === 0 && !finalizersChanged) return { object: obj, deleted: false };
      meta.deletionTimestamp ??= ctx.now;
      meta.deletionGracePeriodSeconds = 0;
      return this.markDeleting(r, key, kv, obj, ctx);
    }
    if (ctx.dryRun) return { object: obj, deleted: true };
    const revision = await this.removeNow(r, key, obj, kv.modRevision);
    obj.metadata.resourceVersion = String(revision);
    return { object: obj, deleted: true };
  }

  async deleteCollection(
    r: ResourceInfo,
    namespace: string | undefined,
    q: ListQuery,
    options: DeleteOptions,
    ctx: WriteContext,
  ): Promise<KubeList> {
    const list = await this.list(r, namespace, { labels: q.labels, fields: q.fields });
    const items: KubeObject[] = [];
    for (const item of list.items) {
      try {
        const res = await this.delete(r, item.metadata.namespace, item.metadata.name!, options, ctx);
        items.push(res.object);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    return { ...list, items };
  }

  // --- namespace termination (Kubernetes' namespace controller, run in-process) ------------------------------

  private finalizeNamespaceSoon(name: string): void {
    if (this.terminating.has(name)) return;
    this.terminating.add(name);
    const run = async (): Promise<void> => {
      try {
        // Quick passes first (most contents go at once), then at most one a second while pods terminate.
        for (let delay = 50; !this.closed; delay = Math.min(delay * 2, 1000)) {
          if (await this.finalizeNamespaceOnce(name)) return;
          await new Promise((res) => setTimeout(res, delay).unref());
        }
      } catch (err) {
        process.emitWarning(`namespace ${name} finalization: ${String(err)}`);
      } finally {
        this.terminating.delete(name);
      }
    };
    void run();
  }

  /** One pass: delete what is left in the namespace; when nothing is, remove the namespace. True when done. */
  async finalizeNamespaceOnce(name: string): Promise<boolean> {
    const now = rfc3339(this.now());
    let left = 0;
    for (const r of resources) {
      if (!r.namespaced || r.view) continue;
      const prefix = storagePrefixFor(r, name);
      const page = await this.backend.list(prefix);
      for (const kv of page.items) {
        left++;
        const obj = decodeFromStorage(kv.value, kv.modRevision);
        if (obj.metadata.deletionTimestamp && r.plural !== 'pods') continue;
        try {
          await this.delete(r, name, obj.metadata.name!, {}, { now, dryRun: false });
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
    }
    if (left > 0) {
      // Count again: immediate deletions may have emptied it.
      left = 0;
      for (const r of resources) if (r.namespaced && !r.view) left += await this.backend.count(storagePrefixFor(r, name));
      if (left > 0) return false;
    }
    const key = storageKeyFor('namespaces', undefined, name);
    const kv = await this.backend.get(key);
    if (!kv) return true;
    try {
      await this.backend.delete(key, kv.modRevision);
    } catch (err) {
      if (err instanceof StorageError && (err.code === 'Conflict' || err.code === 'NotFound')) return false;
      throw err;
    }
    return true;
  }

  // --- pods/binding ------------------------------------------------------------------------------------------

  async bind(namespace: string, name: string, nodeName: string, ctx: WriteContext): Promise<void> {
    const pods = resources.find((r) => r.plural === 'pods')!;
    if (!nodeName) throw ApiError.invalid('Binding', '', name, [fieldErrors.required('target.name', '')]);
    await this.update(pods, namespace, name, ctx, (old) => {
      const pod = old as KubeObject & { spec: { nodeName?: string } };
      const bindingGR = { group: '', resource: 'pods/binding' };
      if (pod.metadata.deletionTimestamp)
        throw ApiError.conflict(bindingGR, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (pod.spec.nodeName)
        throw ApiError.conflict(bindingGR, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      pod.spec.nodeName = nodeName;
      const status = ((pod as { status?: { conditions?: unknown[] } }).status ??= {});
      status.conditions = [
        ...(status.conditions ?? []).filter((c) => !(isObject(c) && c.type === 'PodScheduled')),
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: ctx.now },
      ];
      return pod;
    }, { subresource: 'binding' });
  }
}

/** A guarded write lost a race: read again and retry (or 409 when the client named a resourceVersion). */
class StaleWrite extends Error {}

/** What Kubernetes' own strategies set on create for the kinds whose status the server owns. */
function builtinPrepareForCreate(r: ResourceInfo, obj: KubeObject): void {
  const o = obj as KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
  switch (r.plural) {
    case 'namespaces':
      o.spec = { finalizers: ['kubernetes'], ...(o.spec ?? {}) };
      o.status = { phase: 'Active' };
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name ?? '' };
      break;
    case 'services':
      o.status = { loadBalancer: {} };
      break;
    case 'pods':
      builtinDefaults(r, o);
      admitPod(o);
      o.status = { phase: 'Pending', qosClass: 'BestEffort' };
      break;
  }
}

/**
 * What two default admission plugins add to a new pod: ServiceAccount (the `default` account's name; we do not
 * require the account to exist nor mount its token) and DefaultTolerationSeconds (300 s for not-ready and
 * unreachable nodes).
 */
function admitPod(o: KubeObject & { spec?: Record<string, unknown> }): void {
  const spec = (o.spec ??= {});
  if (!spec.serviceAccountName) spec.serviceAccountName = typeof spec.serviceAccount === 'string' && spec.serviceAccount ? spec.serviceAccount : 'default';
  spec.serviceAccount = spec.serviceAccountName;
  const tolerations = (Array.isArray(spec.tolerations) ? spec.tolerations : []) as Record<string, unknown>[];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const covered = tolerations.some(
      (t) => isObject(t) && (t.operator === 'Exists' && !t.key ? true : t.key === key) && (!t.effect || t.effect === 'NoExecute'),
    );
    if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  spec.tolerations = tolerations;
}

/** Kubernetes' SetDefaults_* for the kinds whose defaults the registry owns (the Service strategy does its own). */
function builtinDefaults(r: ResourceInfo, obj: KubeObject): void {
  if (r.plural === 'pods') defaultPodSpec(obj as KubeObject & { spec?: Record<string, unknown> });
}

function defaultPodSpec(o: KubeObject & { spec?: Record<string, unknown> }): void {
  // SetDefaults_PodSpec / SetDefaults_Container.
  const spec = (o.spec ??= {});
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.priority ??= 0;
  for (const c of (Array.isArray(spec.containers) ? spec.containers : []) as Record<string, unknown>[]) {
    if (!isObject(c)) continue;
    const image = typeof c.image === 'string' ? c.image : '';
    const tag = image.includes('@') ? 'digest' : (image.split('/').pop() ?? '').split(':')[1];
    c.imagePullPolicy ??= !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    for (const p of (Array.isArray(c.ports) ? c.ports : []) as Record<string, unknown>[]) if (isObject(p)) p.protocol ??= 'TCP';
  }
}

/** JSON with sorted keys: equality of values regardless of key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/**
 * ValidatePodUpdate's rule: a pod's spec is fixed once created, except container images,
 * activeDeadlineSeconds, added tolerations and terminationGracePeriodSeconds. (Kubernetes appends a diff of
 * the specs to the message; we give the sentence alone.)
 */
function validatePodSpecUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = structuredClone((obj as { spec?: Record<string, unknown> }).spec ?? {});
  const oldSpec = (old as { spec?: Record<string, unknown> }).spec ?? {};
  for (const list of ['containers', 'initContainers']) {
    const now = spec[list];
    const before = oldSpec[list];
    if (Array.isArray(now) && Array.isArray(before) && now.length === before.length)
      now.forEach((c, i) => {
        if (isObject(c) && isObject(before[i])) c.image = before[i].image;
      });
  }
  for (const f of ['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds']) spec[f] = oldSpec[f];
  if (canonical(spec) === canonical(oldSpec)) return [];
  return [
    fieldErrors.forbidden(
      'spec',
      'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    ),
  ];
}

// A client-go style informer: list, then watch from the list's resourceVersion, keeping a local cache keyed
// by `namespace/name` and telling handlers what changed. A watch that ends is resumed from the last seen
// resourceVersion; a 410 Gone (history compacted) triggers a fresh list, from which the informer emits the
// differences against its cache (as client-go's Replace does), so handlers never miss a deletion.
import type { KubeObject, WatchEvent } from '../api/index.ts';
import { ApiError, type ApiClient, type Query } from './client.ts';

export type InformerEvent = 'add' | 'update' | 'delete';

export interface InformerHandlers<T> {
  add?: (object: T) => void;
  update?: (object: T, old: T) => void;
  delete?: (object: T) => void;
}

export interface InformerOptions {
  /** A list path such as `/api/v1/services` or `/api/v1/namespaces/kube-system/pods`. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size of the initial list (0: unpaged). */
  pageSize?: number;
  /** Server-side watch timeout; the informer re-watches when it elapses. */
  watchTimeoutSeconds?: number;
  /** Back-off after a failure, doubled up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Called for transport failures (the informer keeps retrying). */
  onError?: (err: Error) => void;
}

export function objectKey(object: KubeObject): string {
  const ns = object.metadata.namespace;
  return ns ? `${ns}/${object.metadata.name}` : (object.metadata.name ?? '');
}

export class Informer<T extends KubeObject> {
  private readonly client: ApiClient;
  private readonly options: InformerOptions;
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private resourceVersion = '';
  private running = false;
  private hasSynced = false;
  private watchHandle: { stop(): void } | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private syncedWaiters: (() => void)[] = [];

  constructor(client: ApiClient, options: InformerOptions) {
    this.client = client;
    this.options = options;
  }

  on(event: 'add', handler: (object: T) => void): this;
  on(event: 'update', handler: (object: T, old: T) => void): this;
  on(event: 'delete', handler: (object: T) => void): this;
  on(event: InformerEvent, handler: ((object: T) => void) | ((object: T, old: T) => void)): this {
    this.handlers.push({ [event]: handler } as InformerHandlers<T>);
    return this;
  }

  /** Starts listing and watching; resolves once the first list has been delivered to the handlers. */
  start(): Promise<void> {
    if (!this.running) {
      this.running = true;
      void this.listAndWatch(this.options.initialBackoffMs ?? 100);
    }
    return this.waitForSync();
  }

  stop(): void {
    this.running = false;
    this.watchHandle?.stop();
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  waitForSync(): Promise<void> {
    if (this.hasSynced) return Promise.resolve();
    return new Promise((resolve) => this.syncedWaiters.push(resolve));
  }

  get synced(): boolean {
    return this.hasSynced;
  }

  /** The last resourceVersion seen (list or event). */
  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  private selectorQuery(): Query {
    return { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector };
  }

  private async listAndWatch(backoffMs: number): Promise<void> {
    if (!this.running) return;
    try {
      await this.relist();
      // Watch until it fails with 410 (relist) or the informer stops; other ends resume from the last RV.
      const watchStarted = Date.now();
      for (;;) {
        if (!this.running) return;
        const outcome = await this.watchOnce();
        if (outcome === 'gone') break;
      }
      // A watch that is gone at once again and again (history compacted faster than we list) backs off
      // instead of relisting in a tight loop.
      const quick = Date.now() - watchStarted < 1000;
      const next = quick ? Math.min(backoffMs * 2, this.options.maxBackoffMs ?? 5000) : (this.options.initialBackoffMs ?? 100);
      this.retryTimer = setTimeout(() => void this.listAndWatch(next), quick ? backoffMs : 0);
    } catch (err) {
      if (!this.running) return;
      this.options.onError?.(err as Error);
      const next = Math.min(backoffMs * 2, this.options.maxBackoffMs ?? 5000);
      this.retryTimer = setTimeout(() => void this.listAndWatch(next), backoffMs);
    }
  }

  private async relist(): Promise<void> {
    const seen = new Map<string, T>();
    let continueToken: string | undefined;
    let listRV = '';
    do {
      const page = await this.client.list<T>(this.options.path, {
        ...this.selectorQuery(),
        limit: this.options.pageSize || undefined,
        continue: continueToken,
      });
      for (const item of page.items) seen.set(objectKey(item), item);
      continueToken = page.metadata.continue || undefined;
      listRV = page.metadata.resourceVersion ?? listRV;
    } while (continueToken);
    // Replace: deliver the difference against the cache.
    for (const [key, old] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.emit('delete', old);
      }
    }
    for (const [key, object] of seen) {
      const old = this.cache.get(key);
      this.cache.set(key, object);
      if (!old) this.emit('add', object);
      else if (old.metadata.resourceVersion !== object.metadata.resourceVersion) this.emit('update', object, old);
    }
    this.resourceVersion = listRV;
    if (!this.hasSynced) {
      this.hasSynced = true;
      for (const resolve of this.syncedWaiters.splice(0)) resolve();
    }
  }

  /** One watch stream; 'gone' when the server says our resourceVersion is too old. */
  private async watchOnce(): Promise<'ended' | 'gone'> {
    let gone = false;
    const handle = this.client.watch<T>(
      this.options.path,
      {
        ...this.selectorQuery(),
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
      },
      (event) => {
        if (this.applyEvent(event) === 'gone') {
          gone = true;
          handle.stop();
        }
      },
    );
    this.watchHandle = handle;
    try {
      await handle.done;
    } catch (err) {
      if (err instanceof ApiError && err.code === 410) return 'gone';
      throw err;
    }
    return gone ? 'gone' : 'ended';
  }

  private applyEvent(event: WatchEvent<T>): 'gone' | undefined {
    if (event.type === 'ERROR') {
      const status = event.object as unknown as { code?: number };
      if (status.code === 410) return 'gone';
      this.options.onError?.(new Error(`watch error: ${JSON.stringify(event.object)}`));
      return 'gone';
    }
    const object = event.object;
    if (object.metadata.resourceVersion) this.resourceVersion = object.metadata.resourceVersion;
    if (event.type === 'BOOKMARK') return undefined;
    const key = objectKey(object);
    const old = this.cache.get(key);
    if (event.type === 'DELETED') {
      this.cache.delete(key);
      this.emit('delete', old ?? object);
    } else {
      this.cache.set(key, object);
      if (old) this.emit('update', object, old);
      else this.emit('add', object);
    }
    return undefined;
  }

  private emit(event: InformerEvent, object: T, old?: T): void {
    for (const h of this.handlers) {
      try {
        if (event === 'add') h.add?.(object);
        else if (event === 'update') h.update?.(object, old as T);
        else h.delete?.(object);
      } catch (err) {
        this.options.onError?.(err as Error);
      }
    }
  }
}

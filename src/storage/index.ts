// The storage component's door: the Backend interface, and opening one of its two implementations.
import type { Backend } from './backend.ts';
import type { AutoCompactionOptions } from './compaction.ts';
import type { EtcdBackendOptions } from './etcd.ts';
import { openSqliteBackend } from './sqlite.ts';

export type {
  Backend,
  KeyValue,
  ListOptions,
  ListResult,
  StorageEvent,
  TxnOp,
  TxnResult,
  Watcher,
  WatchEventType,
} from './backend.ts';
export { StorageError } from './backend.ts';
export type { AutoCompactionOptions } from './compaction.ts';
export { DEFAULT_COMPACTION_INTERVAL_MS } from './compaction.ts';
export { openSqliteBackend, type SqliteBackendOptions } from './sqlite.ts';
export type { EtcdBackendOptions } from './etcd.ts';

/** The etcd backend, loaded on first use: its gRPC client costs every process that never needs it. */
export async function openEtcdBackend(options: EtcdBackendOptions): Promise<Backend> {
  const etcd = await import('./etcd.ts');
  return etcd.openEtcdBackend(options);
}

export type BackendConfig =
  | { kind: 'sqlite'; path: string; autoCompaction?: AutoCompactionOptions }
  | { kind: 'etcd'; endpoints: string[]; prefix?: string; autoCompaction?: AutoCompactionOptions };

/** Opens the configured store; `onError` hears about background failures (automatic compaction). */
export function openBackend(config: BackendConfig, onError?: (err: unknown) => void): Promise<Backend> {
  if (config.kind === 'sqlite') return openSqliteBackend(config.path, { autoCompaction: config.autoCompaction, onError });
  return openEtcdBackend({
    endpoints: config.endpoints,
    prefix: config.prefix,
    autoCompaction: config.autoCompaction,
    onError,
  });
}

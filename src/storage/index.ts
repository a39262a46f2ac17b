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

// The per-resource rules the generic registry applies on every write, as Kubernetes' RESTCreateStrategy /
// RESTUpdateStrategy do: defaulting, validation, and (for Services) allocation of resources that must be
// committed in the same storage transaction as the object itself.
import type { KubeObject } from '../../api/index.ts';
import type { Backend, TxnOp } from '../../storage/index.ts';
import type { FieldError } from '../errors.ts';

export interface AllocationContext {
  /** The store, for reads the decision needs (the write itself goes through the returned ops). */
  store: Backend;
  /**
   * 0 on the first try. When one of the ops returned by allocate() fails its guard (e.g. the IPAddress key
   * already exists because a concurrent create took that IP), the registry calls allocate() again with
   * attempt + 1, at most `maxAttempts` times, so the strategy picks another candidate.
   */
  attempt: number;
  /** Keys that failed on earlier attempts (taken by someone else), so they are not tried again. */
  taken: ReadonlySet<string>;
  /** RFC 3339 now (injected clock). */
  now: string;
}

export interface Allocation {
  /** Extra writes committed atomically with the object (create an IPAddress, …). */
  ops: TxnOp[];
}

export interface Strategy<T extends KubeObject = KubeObject> {
  /** Fill in defaults (type ClusterIP, protocol TCP, …). Mutates obj. Called before validation. */
  prepareForCreate?(obj: T): void;
  /** Keep what a user may not change (status on the main resource, …) and default new fields. */
  prepareForUpdate?(obj: T, old: T): void;
  validateCreate?(obj: T): FieldError[];
  validateUpdate?(obj: T, old: T): FieldError[];
  /**
   * Called after validation, on create (old undefined) and update. May set allocated values on obj
   * (spec.clusterIP …) and return writes to commit with it. A thrown ApiError refuses the request.
   */
  allocate?(obj: T, old: T | undefined, ctx: AllocationContext): Promise<Allocation>;
  /** Extra writes to commit atomically with the object's deletion (release its IPAddress, …). */
  releaseOnDelete?(obj: T): TxnOp[];
  maxAttempts?: number;
}

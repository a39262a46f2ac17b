// A stand-in for the generic registry's write path (prepare → validate → allocate → one txn, retrying
// allocate() when one of its keys was taken concurrently), so the Strategy can be tested against any Backend
// before, and independently of, the API server core. Test helper only.
import type { Service } from '../../../api/index.ts';
import { StorageError, type Backend, type TxnOp } from '../../../storage/index.ts';
import { ApiError } from '../../errors.ts';
import { decodeFromStorage, encodeForStorage } from '../../resources.ts';
import type { Strategy } from '../strategy.ts';
import { serviceKey } from './ipaddress.ts';

const services = { group: '', resource: 'services' };

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function commit(
  store: Backend,
  strategy: Strategy<Service>,
  svc: Service,
  old: Service | undefined,
  main: (value: string) => TxnOp,
): Promise<Service> {
  const taken = new Set<string>();
  const maxAttempts = strategy.maxAttempts ?? 8;
  for (let attempt = 0; ; attempt++) {
    const candidate = structuredClone(svc);
    const { ops } = strategy.allocate ? await strategy.allocate(candidate, old, { store, attempt, taken, now: now() }) : { ops: [] };
    const mainOp = main(encodeForStorage(candidate));
    try {
      const result = await store.txn([mainOp, ...ops]);
      return decodeFromStorage<Service>(encodeForStorage(candidate), result.revisions[0]);
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      if (err.key === mainOp.key) {
        if (err.code === 'KeyExists') throw ApiError.alreadyExists(services, svc.metadata.name ?? '');
        throw ApiError.staleResourceVersion(services, svc.metadata.name ?? '');
      }
      if (attempt + 1 >= maxAttempts) throw ApiError.internal(`failed to allocate: ${err.message}`);
      taken.add(err.key);
    }
  }
}

export async function createService(store: Backend, strategy: Strategy<Service>, input: Service): Promise<Service> {
  const svc = structuredClone(input);
  svc.metadata.namespace ??= 'default';
  svc.metadata.uid = globalThis.crypto.randomUUID();
  svc.metadata.creationTimestamp = now();
  svc.metadata.generation = 1;
  strategy.prepareForCreate?.(svc);
  const errs = strategy.validateCreate?.(svc) ?? [];
  if (errs.length) throw ApiError.invalid('Service', '', svc.metadata.name ?? '', errs);
  const key = serviceKey(svc.metadata.namespace, svc.metadata.name ?? '');
  return commit(store, strategy, svc, undefined, (value) => ({ op: 'create', key, value }));
}

export async function getService(store: Backend, namespace: string, name: string): Promise<Service | undefined> {
  const kv = await store.get(serviceKey(namespace, name));
  return kv ? decodeFromStorage<Service>(kv.value, kv.modRevision) : undefined;
}

export async function updateService(store: Backend, strategy: Strategy<Service>, input: Service): Promise<Service> {
  const ns = input.metadata.namespace ?? 'default';
  const key = serviceKey(ns, input.metadata.name ?? '');
  const kv = await store.get(key);
  if (!kv) throw ApiError.notFound(services, input.metadata.name ?? '');
  const old = decodeFromStorage<Service>(kv.value, kv.modRevision);
  const svc = structuredClone(input);
  svc.metadata = { ...old.metadata, ...svc.metadata };
  strategy.prepareForUpdate?.(svc, old);
  const errs = strategy.validateUpdate?.(svc, old) ?? [];
  if (errs.length) throw ApiError.invalid('Service', '', svc.metadata.name ?? '', errs);
  return commit(store, strategy, svc, old, (value) => ({ op: 'update', key, value, expectedRevision: kv.modRevision }));
}

export async function deleteService(store: Backend, strategy: Strategy<Service>, namespace: string, name: string): Promise<void> {
  const key = serviceKey(namespace, name);
  const kv = await store.get(key);
  if (!kv) throw ApiError.notFound(services, name);
  const svc = decodeFromStorage<Service>(kv.value, kv.modRevision);
  await store.txn([{ op: 'delete', key, expectedRevision: kv.modRevision }, ...(strategy.releaseOnDelete?.(svc) ?? [])]);
}

/** What kubectl prints for a failed write (single cause: `The Service "x" is invalid: field: message`). */
export function kubectlMessage(err: unknown): string {
  if (!(err instanceof ApiError)) throw err;
  const causes = err.details?.causes ?? [];
  if (err.reason === 'Invalid') {
    const head = `The ${err.details?.kind} "${err.details?.name}" is invalid: `;
    if (causes.length === 1) return `${head}${causes[0].field}: ${causes[0].message}`;
    return `${head}\n${causes.map((c) => `* ${c.field}: ${c.message}`).join('\n')}`;
  }
  return `Error from server (${err.reason}): ${err.message}`;
}

// The API server's sibling modules (patch, openapi, protobuf), written in parallel by other engineers. They
// are loaded by name at start so the core runs (with narrower features) before each one lands; the shapes
// here are the names agreed in the issue. Whatever a module returns is checked at the boundary.
import type { KubeObject, ManagedFieldsEntry } from '../api/index.ts';

export interface PatchModule {
  applyMergePatch(original: unknown, patch: unknown): unknown;
  applyJsonPatch(original: unknown, ops: unknown): unknown;
  applyStrategicMergePatch(original: unknown, patch: unknown, schema: unknown): unknown;
  patchSchemaFor(apiVersion: string, kind: string): unknown;
  serverSideApply(
    live: KubeObject | undefined,
    applied: KubeObject,
    options: { manager: string; force: boolean; now: string; subresource?: string },
  ): unknown;
  trackManagedFields(
    old: KubeObject | undefined,
    updated: KubeObject,
    options: { manager: string; operation: 'Update' | 'Apply'; now: string; subresource?: string },
  ): unknown;
}

export interface OpenApiModule {
  openapiV2(): unknown;
  /** The v2 document in gnostic protobuf (kubectl ≤ 1.28 asks for it). */
  openapiV2Protobuf(): Uint8Array;
  openapiV3Paths(): unknown;
  openapiV3Document(path: string): unknown;
  unknownFields(apiVersion: string, kind: string, obj: unknown): string[];
}

export interface ProtobufModule {
  decodeProtobufObject(buf: Uint8Array): unknown;
}

export interface Peers {
  patch?: Partial<PatchModule>;
  openapi?: Partial<OpenApiModule>;
  protobuf?: Partial<ProtobufModule>;
}

async function load<T>(relative: string): Promise<Partial<T> | undefined> {
  const url = new URL(relative, import.meta.url).href;
  try {
    return (await import(url)) as Partial<T>;
  } catch (err) {
    // A module that is not there yet is expected; one that is there but fails to load is a bug to see.
    const code = (err as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND') process.emitWarning(`apiserver: ${relative} failed to load: ${String(err)}`);
    return undefined;
  }
}

export async function loadPeers(): Promise<Peers> {
  const [patch, openapi, protobuf] = await Promise.all([
    load<PatchModule>('./patch/index.ts'),
    load<OpenApiModule>('./openapi/index.ts'),
    load<ProtobufModule>('./protobuf/index.ts'),
  ]);
  return { patch, openapi, protobuf };
}

/** A trackManagedFields/serverSideApply result is either the object or its managedFields. */
export function managedFieldsFrom(result: unknown): ManagedFieldsEntry[] | undefined {
  if (Array.isArray(result)) return result as ManagedFieldsEntry[];
  if (result && typeof result === 'object') {
    const meta = (result as { metadata?: { managedFields?: ManagedFieldsEntry[] } }).metadata;
    if (meta) return meta.managedFields;
    const mf = (result as { managedFields?: ManagedFieldsEntry[] }).managedFields;
    if (mf) return mf;
  }
  return undefined;
}

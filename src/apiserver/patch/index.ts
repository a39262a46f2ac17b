// The patch machinery of the API server, as pure functions: JSON merge patch, JSON patch, strategic merge
// patch driven by the kinds' patch strategies, server-side apply and managedFields bookkeeping.
export { PatchError } from './json.ts';
export type { Json, JsonObject, PatchErrorCause, PatchErrorReason } from './json.ts';
export { applyMergePatch } from './merge.ts';
export { applyJsonPatch } from './jsonpatch.ts';
export { applyStrategicMergePatch } from './strategic.ts';
export { patchSchemaFor, patchSchemas } from './schema.ts';
export type { PatchSchema } from './schema.ts';
export { serverSideApply, trackManagedFields } from './managed.ts';
export type { ApplyOptions, TrackOptions } from './managed.ts';

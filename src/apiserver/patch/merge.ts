// JSON merge patch (RFC 7386), as the API server applies `application/merge-patch+json` (evanphx/json-patch
// MergePatch): null deletes, objects merge recursively, anything else replaces.
import { badRequest, clone, isObject, withoutNulls } from './json.ts';
import type { Json, JsonObject } from './json.ts';

export function applyMergePatch(original: JsonObject, patch: Json): JsonObject {
  // json-patch answers ErrBadJSONPatch for a null or non-object patch; an object is all a resource can be.
  if (!isObject(patch)) throw badRequest('Invalid JSON Patch');
  return mergeInto(clone(original), patch);
}

function mergeInto(target: JsonObject, patch: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete target[key];
    } else if (isObject(value) && isObject(target[key])) {
      target[key] = mergeInto(target[key], value);
    } else {
      target[key] = withoutNulls(clone(value));
    }
  }
  return target;
}

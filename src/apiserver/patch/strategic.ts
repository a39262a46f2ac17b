// Strategic merge patch (`application/strategic-merge-patch+json`), the server half: apply a patch — as
// `kubectl apply/patch/edit/label` compute them — to the live object. Behaviour follows apimachinery's
// strategicpatch.StrategicMergeMapPatch with MergeParallelList and IgnoreUnmatchedNulls, which is what the
// apiserver runs:
//  - maps merge key by key; null deletes; a map field tagged patchStrategy "replace" is replaced whole;
//  - lists tagged patchStrategy "merge" merge by patchMergeKey (lists of maps) or as sets (primitives), other
//    lists are replaced;
//  - directives: `$patch: replace|delete` in a map or list item, `$patch: merge` is refused as Kubernetes
//    does, `$deleteFromPrimitiveList/<f>`, `$setElementOrder/<f>`, `$retainKeys`.
import { badRequest, clone, deepEqual, genericUnprocessable, goValue, isObject, withoutNulls } from './json.ts';
import type { PatchError } from './json.ts';
import type { Json, JsonObject } from './json.ts';
import type { PatchSchema } from './schema.ts';

const directiveMarker = '$patch';
const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList/';
const setElementOrderPrefix = '$setElementOrder/';

// mergepatch's sentinel errors: retainKeys is answered 400, lists of lists 422 (interpretStrategicMergePatchError).
// Other merge failures reach the client as Kubernetes words them; Kubernetes answers those 500, we say 400.
const errBadPatchFormatForRetainKeys = 'invalid patch format of retainKeys';
const errNoListOfLists = 'lists of lists are not supported';

export function applyStrategicMergePatch(original: JsonObject, patch: JsonObject, schema: PatchSchema): JsonObject {
  if (!isObject(patch)) {
    const got = Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${got} into Go value of type map[string]interface {}`);
  }
  return mergeMap(clone(original), clone(patch), schema);
}

function strategyOf(schema: PatchSchema | undefined): 'merge' | 'replace' | '' {
  // "merge,retainKeys" merges; the retainKeys half only tells the client to send $retainKeys.
  const parts = schema?.patchStrategy?.split(',') ?? [];
  if (parts.includes('replace')) return 'replace';
  return parts.includes('merge') ? 'merge' : '';
}

function fieldSchema(schema: PatchSchema | undefined, key: string): PatchSchema | undefined {
  return schema?.fields?.[key];
}

function mergeMap(original: JsonObject | null, patch: JsonObject, schema: PatchSchema | undefined): JsonObject {
  if (directiveMarker in patch) {
    const directive = patch[directiveMarker];
    if (directive === 'replace') {
      delete patch[directiveMarker];
      return withoutNulls(patch) as JsonObject;
    }
    if (directive === 'delete') return {};
    throw badRequest(`unknown patch type: ${goValue(directive)} in map: ${goValue(patch)}`);
  }
  const target: JsonObject = original ?? {};
  applyRetainKeys(target, patch);
  mergeSetElementOrderLists(target, patch, schema);

  for (const [rawKey, patchValue] of Object.entries(patch)) {
    let key = rawKey;
    const isDeleteList = rawKey.startsWith(deleteFromPrimitiveListPrefix);
    if (isDeleteList) key = rawKey.slice(deleteFromPrimitiveListPrefix.length);

    if (patchValue === null) {
      // IgnoreUnmatchedNulls: a null deletes the key and is never stored.
      delete target[key];
      continue;
    }
    if (!Object.hasOwn(target, key)) {
      // Taken whole. Go's typed decode would then drop directive keys as unknown fields; we store JSON, so
      // drop them here.
      if (!isDeleteList) setOrDelete(target, key, removeDirectives(withoutNulls(patchValue)));
      continue;
    }
    const originalValue = target[key]!;
    const sub = fieldSchema(schema, key);
    if (isObject(originalValue) && isObject(patchValue)) {
      target[key] = strategyOf(sub) === 'replace' ? withoutNulls(patchValue) : mergeMap(originalValue, patchValue, sub);
    } else if (Array.isArray(originalValue) && Array.isArray(patchValue)) {
      // Deletion lists apply whatever the field's strategy is.
      if (strategyOf(sub) === 'merge' || isDeleteList) {
        target[key] = mergeSlice(originalValue, patchValue, sub, key, isDeleteList);
      } else {
        target[key] = withoutNulls(patchValue);
      }
    } else if (!isDeleteList) {
      setOrDelete(target, key, removeDirectives(withoutNulls(patchValue)));
    }
  }
  return target;
}

function setOrDelete(target: JsonObject, key: string, value: Json | undefined): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

/** `$retainKeys: [..]`: drop every field of the original not listed (used for union types, e.g. volume sources). */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!(retainKeysDirective in patch)) return;
  const list = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(list)) throw badRequest(errBadPatchFormatForRetainKeys);
  const retained = new Set(list.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
    if (!retained.has(k)) throw badRequest(errBadPatchFormatForRetainKeys);
  }
  for (const k of Object.keys(original)) if (!retained.has(k)) delete original[k];
}

/**
 * `$setElementOrder/<field>`: merge the named list (if the patch has it) and order the result as the directive
 * says; items only on the server keep their relative place (precedence: directive > patch > live).
 */
function mergeSetElementOrderLists(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badRequest(`expected a []interface {}, but received a ${goType(order)}`);
    const field = key.slice(setElementOrderPrefix.length);
    const sub = fieldSchema(schema, field);
    const mergeKey = sub?.patchMergeKey ?? '';
    const originalList = original[field];
    const patchList = patch[field];
    const foundOriginal = originalList !== undefined;
    const foundPatch = patchList !== undefined;
    if (foundOriginal && !Array.isArray(originalList)) {
      throw badRequest(`expected a []interface {}, but received a ${goType(originalList)}`);
    }
    if (foundPatch && !Array.isArray(patchList)) {
      throw badRequest(`expected a []interface {}, but received a ${goType(patchList)}`);
    }
    const originalItems = (originalList ?? []) as Json[];
    const patchItemsList = (patchList ?? []) as Json[];
    validatePatchWithSetOrderList(patchItemsList, order, mergeKey);

    let merged: Json[];
    if (foundOriginal && !foundPatch) {
      merged = originalItems;
    } else if (!foundOriginal && foundPatch) {
      merged = (removeDirectives(patchItemsList) ?? []) as Json[];
    } else if (foundOriginal && foundPatch) {
      merged =
        strategyOf(sub) === 'merge'
          ? mergeSlice(originalItems, patchItemsList, sub, field, false)
          : (withoutNulls(patchItemsList) as Json[]);
    } else {
      continue;
    }
    const kind = elementKind(originalItems, patchItemsList);
    const [inOrder, serverOnly] = mergeKey
      ? partitionMapsByPresence(merged, order, mergeKey)
      : partitionPrimitivesByPresence(merged, order);
    original[field] = normalizeElementOrder(inOrder, serverOnly, order, originalItems, mergeKey, kind);
    delete patch[field];
  }
}

function goType(v: Json | undefined): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (isObject(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return 'float64';
  if (v === null || v === undefined) return '<nil>';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

function validatePatchWithSetOrderList(patchList: Json[], order: Json[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? patchList.filter((v) => !(isObject(v) && v[directiveMarker] === 'delete')) : patchList;
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    const item = items[p]!;
    if (isObject(item) && directiveMarker in item) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(item, order[s]!, mergeKey)) p++;
    s++;
  }
  if (p < items.length && s >= order.length) {
    throw badRequest(
      `The order in patch list:\n${goValue(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goValue(order)}\n`,
    );
  }
}

function mergeKeyValueEqual(left: Json, right: Json, mergeKey: string): boolean {
  if (!mergeKey) return deepEqual(left, right);
  if (!isObject(left) || !isObject(right)) throw badRequest(`expected a map, but received a ${goType(left)}`);
  if (!(mergeKey in left)) throw noMergeKey(left, mergeKey);
  if (!(mergeKey in right)) throw noMergeKey(right, mergeKey);
  return deepEqual(left[mergeKey], right[mergeKey]);
}

function noMergeKey(item: JsonObject, mergeKey: string): PatchError {
  return badRequest(`map: ${goValue(item)} does not contain declared merge key: ${mergeKey}`);
}

type ElementKind = 'map' | 'primitive';

function elementKind(...lists: Json[][]): ElementKind {
  let kind: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = Array.isArray(v) ? 'list' : isObject(v) ? 'map' : v === null ? 'null' : typeof v;
      if (k === 'list') throw genericUnprocessable(errNoListOfLists);
      if (kind === undefined) kind = k;
      else if (kind !== k) throw badRequest(`list element types are not identical: ${lists.map(goValue).join(' ')}`);
    }
  }
  return kind === 'map' ? 'map' : 'primitive';
}

function mergeSlice(
  original: Json[],
  patch: Json[],
  schema: PatchSchema | undefined,
  field: string,
  isDeleteList: boolean,
): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  const mergeKey = schema?.patchMergeKey ?? '';
  let merged: Json[];
  let server = original;
  let patchItems = patch;
  if (kind === 'primitive') {
    if (isDeleteList) return original.filter((v) => !patch.some((d) => deepEqual(d, v)));
    merged = dedupe([...original, ...patch]);
  } else {
    if (!mergeKey) throw badRequest(`cannot merge lists without merge key for ${field}`);
    [server, patchItems] = applySpecialElements(original, patch, mergeKey);
    merged = mergeMapItems(server, patchItems, mergeKey, schema?.items);
  }
  const [inPatch, serverOnly] = mergeKey
    ? partitionMapsByPresence(merged, patchItems, mergeKey)
    : partitionPrimitivesByPresence(merged, patchItems);
  return normalizeElementOrder(inPatch, serverOnly, patchItems, server, mergeKey, kind);
}

/** Items carrying `$patch`: delete removes the matching live items, replace makes the patch the whole list. */
function applySpecialElements(original: Json[], patch: Json[], mergeKey: string): [Json[], Json[]] {
  const plain: Json[] = [];
  let replace = false;
  let server = original;
  for (const v of patch) {
    const item = v as JsonObject;
    if (!(directiveMarker in item)) {
      plain.push(v);
      continue;
    }
    const directive = item[directiveMarker];
    if (directive === 'delete') {
      if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
      server = server.filter((o) => !(isObject(o) && mergeKey in o && deepEqual(o[mergeKey], item[mergeKey])));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw badRequest('merging lists cannot yet be specified in the patch');
    } else {
      throw badRequest(`unknown patch type: ${goValue(directive)} in map: ${goValue(item)}`);
    }
  }
  return replace ? [plain, []] : [server, plain];
}

function mergeMapItems(original: Json[], patch: Json[], mergeKey: string, itemSchema: PatchSchema | undefined): Json[] {
  const out = [...original];
  for (const v of patch) {
    const item = v as JsonObject;
    if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
    const at = out.findIndex((o) => {
      if (!isObject(o)) throw badRequest(`value for key ${out.indexOf(o)} is not a map.`);
      return mergeKey in o && deepEqual(o[mergeKey], item[mergeKey]);
    });
    if (at >= 0) out[at] = mergeMap(out[at] as JsonObject, item, itemSchema);
    else out.push(withoutDirectiveKeys(withoutNulls(item)));
  }
  return out;
}

function dedupe(values: Json[]): Json[] {
  const out: Json[] = [];
  for (const v of values) if (!out.some((o) => deepEqual(o, v))) out.push(v);
  return out;
}

function partitionMapsByPresence(list: Json[], by: Json[], mergeKey: string): [Json[], Json[]] {
  const present: Json[] = [];
  const absent: Json[] = [];
  for (const v of list) {
    if (!isObject(v)) throw badRequest(`expected a map, but received a ${goType(v)}`);
    if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
    const found = by.some((b) => {
      if (!isObject(b)) throw badRequest(`expected a map, but received a ${goType(b)}`);
      return mergeKey in b && deepEqual(b[mergeKey], v[mergeKey]);
    });
    (found ? present : absent).push(v);
  }
  return [present, absent];
}

function partitionPrimitivesByPresence(list: Json[], by: Json[]): [Json[], Json[]] {
  const present: Json[] = [];
  const absent: Json[] = [];
  for (const v of list) (by.some((b) => deepEqual(b, v)) ? present : absent).push(v);
  return [present, absent];
}

function indexIn(list: Json[], v: Json, mergeKey: string, kind: ElementKind): number {
  if (kind === 'map' && mergeKey) {
    if (!isObject(v)) return -1;
    return list.findIndex((x) => isObject(x) && mergeKey in x && deepEqual(x[mergeKey], v[mergeKey]));
  }
  return list.findIndex((x) => deepEqual(x, v));
}

/** Order the patch items by `patchOrder`, the server-only ones by `serverOrder`, then interleave both. */
function normalizeElementOrder(
  patch: Json[],
  serverOnly: Json[],
  patchOrder: Json[],
  serverOrder: Json[],
  mergeKey: string,
  kind: ElementKind,
): Json[] {
  const sortedPatch = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const sortedServer = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlices(sortedServer, sortedPatch, serverOrder, mergeKey, kind);
}

function normalizeSliceOrder(toSort: Json[], order: Json[], mergeKey: string, kind: ElementKind): Json[] {
  let items = toSort;
  let toDelete: Json[] = [];
  if (kind === 'map') {
    for (const v of [...toSort, ...order]) {
      if (!isObject(v)) throw badRequest(`expected a map, but received a ${goType(v)}`);
      if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
    }
    const isDelete = (v: Json): boolean => isObject(v) && v[directiveMarker] === 'delete';
    items = toSort.filter((v) => !isDelete(v));
    toDelete = toSort.filter(isDelete);
  }
  // An insertion sort with apimachinery's comparator ("less" whenever either side is not in `order`), which
  // is what sort.SliceStable does for lists of up to 20 items; items `order` lacks move to the front.
  const out = [...items];
  const less = (a: Json, b: Json): boolean => {
    const ia = indexIn(order, a, mergeKey, kind);
    const ib = indexIn(order, b, mergeKey, kind);
    return ia >= 0 && ib >= 0 ? ia < ib : true;
  };
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0 && less(out[j]!, out[j - 1]!); j--) [out[j], out[j - 1]] = [out[j - 1]!, out[j]!];
  }
  return [...out, ...toDelete];
}

/**
 * Insert each server-only item (left) into the patch items (right): before the first patch item that comes
 * after it in the live order. Relative order within each side is kept (mergeSortedSlice).
 */
function mergeSortedSlices(left: Json[], right: Json[], serverOrder: Json[], mergeKey: string, kind: ElementKind): Json[] {
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]!);
    else if (j >= right.length) out.push(left[i++]!);
    else {
      const li = indexIn(serverOrder, left[i]!, mergeKey, kind);
      const ri = indexIn(serverOrder, right[j]!, mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]!);
      else out.push(right[j++]!);
    }
  }
  return out;
}

/**
 * Strip directives from a value taken whole (removeDirectives): a map carrying `$patch` is dropped entirely;
 * the other directive keys would be dropped by Go's typed decode as unknown fields, so we drop them too.
 */
function removeDirectives(v: Json): Json | undefined {
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const x of v) {
      const kept = removeDirectives(x);
      if (kept !== undefined) out.push(kept);
    }
    return out;
  }
  if (isObject(v)) {
    if (directiveMarker in v) return undefined;
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === retainKeysDirective || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
      const kept = removeDirectives(x);
      if (kept !== undefined) out[k] = kept;
    }
    return out;
  }
  return v;
}

/** Drop directive keys (not the maps holding them), as Go's typed decode drops unknown fields of a new item. */
function withoutDirectiveKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(withoutDirectiveKeys);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === directiveMarker || k === retainKeysDirective) continue;
      if (k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
      out[k] = withoutDirectiveKeys(x);
    }
    return out;
  }
  return v;
}

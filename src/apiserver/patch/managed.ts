// Field ownership (metadata.managedFields) and server-side apply, after the apiserver's fieldmanager over
// structured-merge-diff:
//  - an Update (create/update/patch) gives its manager every field it added or changed, and takes those
//    fields from other managers; fields it removed leave every manager (merge.Updater.Update);
//  - an Apply merges the applied configuration into the live object (list-maps by their keys), owns exactly
//    the fields it applied, removes fields it applied before and no longer applies unless someone else owns
//    them, and fails with 409 when it would change a field another manager owns, unless forced
//    (merge.Updater.Apply);
//  - apiVersion, kind and server-set metadata are never owned (stripMetaManager), nor the status of a main
//    resource or the spec of a status subresource (reset fields).
import { PatchError, badRequest, clone, deepEqual, isObject, withoutNulls } from './json.ts';
import type { Json, JsonObject } from './json.ts';
import {
  comparePaths,
  difference,
  fieldElement,
  fromFieldsV1,
  intersection,
  isBelow,
  keyElement,
  pathElements,
  pathKey,
  pathString,
  toFieldsV1,
  union,
  valueElement,
  without,
} from './fieldpath.ts';
import type { FieldSet } from './fieldpath.ts';
import { effectiveListType, listKeysOf, patchSchemaFor, zeroObjectFor } from './schema.ts';
import type { PatchSchema } from './schema.ts';

export interface ApplyOptions {
  manager: string;
  force: boolean;
  /** RFC 3339 time stamped on the manager's entry. */
  now: string;
  subresource?: string;
}

export interface TrackOptions {
  manager: string;
  operation: 'Update';
  now: string;
  subresource?: string;
}

interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

// --- stripping (stripMetaManager) and reset fields ------------------------------------------------------------

const strippedPaths: FieldSet = new Set(
  [
    ['apiVersion'],
    ['kind'],
    ['metadata'],
    ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
      (f) => ['metadata', f],
    ),
  ].map((p) => pathKey(p.map(fieldElement))),
);

function resetSubtrees(subresource: string | undefined): FieldSet {
  // The main resource resets status, the status subresource resets spec (strategies' GetResetFields).
  return new Set([pathKey([fieldElement(subresource === 'status' ? 'spec' : 'status')])]);
}

function owned(set: FieldSet, subresource: string | undefined): FieldSet {
  return without(set, strippedPaths, resetSubtrees(subresource));
}

// --- walking values by schema --------------------------------------------------------------------------------

type ListKind = 'set' | 'map';

function listKindOf(schema: PatchSchema | undefined): ListKind | undefined {
  const t = effectiveListType(schema);
  return t === 'atomic' ? undefined : t;
}

/** The path element of a list item, or undefined when the item cannot be keyed (then the list is atomic). */
function itemElement(item: Json, kind: ListKind, schema: PatchSchema | undefined): string | undefined {
  if (kind === 'set') return isObject(item) || Array.isArray(item) ? undefined : valueElement(item);
  if (!isObject(item)) return undefined;
  const fields: JsonObject = {};
  for (const k of listKeysOf(schema)) {
    const v = k in item ? item[k] : schema?.listMapKeyDefaults?.[k];
    if (v === undefined) return undefined;
    fields[k] = v;
  }
  return keyElement(fields);
}

function itemElements(list: Json[], kind: ListKind, schema: PatchSchema | undefined): string[] | undefined {
  const out: string[] = [];
  for (const item of list) {
    const e = itemElement(item, kind, schema);
    if (e === undefined) return undefined;
    out.push(e);
  }
  return out;
}

function isGranularMap(v: Json | undefined, schema: PatchSchema | undefined): v is JsonObject {
  return isObject(v) && !schema?.atomic;
}

function isEmptyish(v: Json | undefined): boolean {
  return v === undefined || v === null || (isObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
}

/**
 * The fields an applied configuration sets (typed.ToFieldSet in structured-merge-diff v4, which Kubernetes
 * 1.27–1.33 use): leaves, atomic values and list items; an empty struct (`securityContext: {}`) owns nothing.
 */
function fieldSetOf(value: JsonObject, schema: PatchSchema | undefined): FieldSet {
  const out = new Set<string>();
  const visit = (v: Json, s: PatchSchema | undefined, path: string[]): void => {
    if (isGranularMap(v, s)) {
      for (const [k, child] of Object.entries(v)) visit(child, s?.fields?.[k], [...path, fieldElement(k)]);
      return;
    }
    const kind = listKindOf(s);
    if (Array.isArray(v) && kind) {
      const elements = itemElements(v, kind, s);
      if (elements === undefined) throw missingKey(path, s);
      v.forEach((item, i) => {
        const itemPath = [...path, elements[i]!];
        out.add(pathKey(itemPath));
        if (kind === 'map' && isObject(item)) {
          for (const [k, child] of Object.entries(item)) visit(child, s?.items?.fields?.[k], [...itemPath, fieldElement(k)]);
        }
      });
      return;
    }
    if (path.length > 0) out.add(pathKey(path));
  };
  visit(value, schema, []);
  return out;
}

function missingKey(path: string[], schema: PatchSchema | undefined): PatchError {
  const keys = listKeysOf(schema).join(', ');
  return badRequest(`${pathString(pathKey(path))}: associative list with keys (${keys}) has an element that omits a key field`);
}

interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** typed.Compare: which fields appeared, changed or disappeared between two versions of an object. */
function compare(before: JsonObject, after: JsonObject, schema: PatchSchema | undefined): Comparison {
  const result: Comparison = { added: new Set(), modified: new Set(), removed: new Set() };
  const leaf = (l: Json | undefined, r: Json | undefined, path: string[]): void => {
    if (path.length === 0) return;
    const key = pathKey(path);
    if (l === undefined && r !== undefined) result.added.add(key);
    else if (l !== undefined && r === undefined) result.removed.add(key);
    else if (l !== undefined && r !== undefined && !deepEqual(l, r)) result.modified.add(key);
  };
  const node = (l: Json | undefined, r: Json | undefined, path: string[]): void => {
    if (path.length === 0) return;
    // A map or list that did not exist at all is itself added (the "." entry); one that was null was not.
    if (l === undefined) result.added.add(pathKey(path));
    if (r === undefined) result.removed.add(pathKey(path));
  };
  const walk = (l: Json | undefined, r: Json | undefined, s: PatchSchema | undefined, path: string[]): void => {
    const mapOrNothing = (v: Json | undefined): boolean => v === undefined || v === null || isGranularMap(v, s);
    if ((isGranularMap(l, s) || isGranularMap(r, s)) && mapOrNothing(l) && mapOrNothing(r)) {
      if (isEmptyish(l) && isEmptyish(r)) return leaf(l, r, path);
      node(l, r, path);
      const lm = isObject(l) ? l : {};
      const rm = isObject(r) ? r : {};
      for (const k of new Set([...Object.keys(lm), ...Object.keys(rm)])) walk(lm[k], rm[k], s?.fields?.[k], [...path, fieldElement(k)]);
      return;
    }
    const kind = listKindOf(s);
    const listOrNothing = (v: Json | undefined): boolean => v === undefined || v === null || Array.isArray(v);
    if (kind && (Array.isArray(l) || Array.isArray(r)) && listOrNothing(l) && listOrNothing(r)) {
      const ll = Array.isArray(l) ? l : [];
      const rl = Array.isArray(r) ? r : [];
      const le = itemElements(ll, kind, s);
      const re = itemElements(rl, kind, s);
      if (le !== undefined && re !== undefined) {
        if (isEmptyish(l) && isEmptyish(r)) return leaf(l, r, path);
        node(l, r, path);
        const lByKey = new Map(le.map((e, i) => [e, ll[i]!]));
        const rByKey = new Map(re.map((e, i) => [e, rl[i]!]));
        for (const e of new Set([...le, ...re])) {
          const itemPath = [...path, e];
          const li = lByKey.get(e);
          const ri = rByKey.get(e);
          if (kind === 'set') leaf(li, ri, itemPath);
          else walkItem(li, ri, s?.items, itemPath);
        }
        return;
      }
    }
    leaf(l, r, path);
  };
  // A list-map item: the item itself plus its fields.
  const walkItem = (l: Json | undefined, r: Json | undefined, s: PatchSchema | undefined, path: string[]): void => {
    if (l === undefined || r === undefined) node(l, r, path);
    const lm = isObject(l) ? l : {};
    const rm = isObject(r) ? r : {};
    for (const k of new Set([...Object.keys(lm), ...Object.keys(rm)])) walk(lm[k], rm[k], s?.fields?.[k], [...path, fieldElement(k)]);
  };
  walk(before, after, schema, []);
  return result;
}

// --- merging an applied configuration (typed.Merge) -------------------------------------------------------

function mergeApplied(l: Json | undefined, r: Json | undefined, s: PatchSchema | undefined, path: string[]): Json | undefined {
  if (r === undefined) return l;
  // A null in an applied configuration claims the field and leaves it unset once decoded.
  if (r === null) return undefined;
  if (isGranularMap(l, s) && isGranularMap(r, s)) {
    const out: JsonObject = { ...l };
    for (const [k, rv] of Object.entries(r)) {
      const v = mergeApplied(l[k], rv, s?.fields?.[k], [...path, fieldElement(k)]);
      if (v === undefined) delete out[k];
      else out[k] = v;
    }
    return out;
  }
  const kind = listKindOf(s);
  if (kind && Array.isArray(r) && Array.isArray(l)) {
    const re = itemElements(r, kind, s);
    if (re === undefined) throw missingKey(path, s);
    const le = itemElements(l, kind, s);
    if (le !== undefined) {
      return mergeList(l, le, r, re, (li, ri, e) =>
        ri === undefined ? li : kind === 'set' ? ri : mergeApplied(li, ri, s?.items, [...path, e]),
      );
    }
  }
  return withoutNulls(clone(r));
}

/**
 * structured-merge-diff's list merge order: live items keep their place, applied items follow the applied
 * order, and items in both are placed where the applied order next expects one.
 */
function mergeList(
  l: Json[],
  le: string[],
  r: Json[],
  re: string[],
  mergeItem: (l: Json | undefined, r: Json | undefined, element: string) => Json | undefined,
): Json[] {
  const lByKey = new Map(le.map((e, i) => [e, l[i]!]));
  const rByKey = new Map(re.map((e, i) => [e, r[i]!]));
  const sharedOrder = re.filter((e) => lByKey.has(e));
  let nextShared = sharedOrder.shift();
  const mergedFromR = new Set<string>();
  const out: Json[] = [];
  const push = (v: Json | undefined): void => {
    if (v !== undefined) out.push(v);
  };
  let li = 0;
  let ri = 0;
  while (li < le.length || ri < re.length) {
    if (li < le.length && ri < re.length) {
      const e = le[li]!;
      if (e === re[ri]) {
        mergedFromR.add(e);
        push(mergeItem(lByKey.get(e), rByKey.get(e), e));
        li++;
        ri++;
        nextShared = sharedOrder.shift();
        continue;
      }
      if (rByKey.has(e) && nextShared !== undefined && nextShared !== e) {
        li++;
        continue;
      }
    }
    if (li < le.length) {
      const e = le[li]!;
      if (!rByKey.has(e)) {
        push(mergeItem(l[li], undefined, e));
        li++;
        continue;
      }
      if (mergedFromR.has(e)) {
        li++;
        continue;
      }
    }
    if (ri < re.length) {
      const e = re[ri]!;
      mergedFromR.add(e);
      push(mergeItem(lByKey.get(e), rByKey.get(e), e));
      ri++;
      if (nextShared === e) nextShared = sharedOrder.shift();
    }
  }
  return out;
}

/** Remove the value at a field path (used to prune fields an applier stopped applying). */
function removePath(obj: JsonObject, key: string, schema: PatchSchema | undefined): void {
  const elements = pathElements(key);
  let node: Json | undefined = obj;
  let s = schema;
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i]!;
    const last = i === elements.length - 1;
    if (e.startsWith('f:')) {
      if (!isObject(node)) return;
      const name = e.slice(2);
      if (last) {
        delete node[name];
        return;
      }
      node = node[name];
      s = s?.fields?.[name];
    } else {
      if (!Array.isArray(node)) return;
      const kind = listKindOf(s);
      if (!kind) return;
      const list: Json[] = node;
      const at = list.findIndex((item) => itemElement(item, kind, s) === e);
      if (at < 0) return;
      if (last) {
        list.splice(at, 1);
        return;
      }
      node = list[at];
      s = s?.items;
    }
  }
}

// --- managedFields encoding ----------------------------------------------------------------------------------

/** The manager identity fieldmanager keys entries by (BuildManagerIdentifier): no time, no apiVersion for Apply. */
function identity(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: JsonObject = { manager: e.manager, operation: e.operation };
  if (e.operation === 'Update' && e.apiVersion) id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

function decodeEntries(managedFields: Json | undefined): Map<string, ManagerEntry> {
  const out = new Map<string, ManagerEntry>();
  if (!Array.isArray(managedFields)) return out;
  for (const raw of managedFields) {
    if (!isObject(raw)) continue;
    const operation = raw.operation === 'Apply' ? 'Apply' : 'Update';
    const entry: ManagerEntry = {
      manager: typeof raw.manager === 'string' ? raw.manager : '',
      operation,
      apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : '',
      time: typeof raw.time === 'string' ? raw.time : undefined,
      subresource: typeof raw.subresource === 'string' && raw.subresource ? raw.subresource : undefined,
      set: fromFieldsV1(raw.fieldsV1),
    };
    const id = identity(entry);
    const previous = out.get(id);
    if (previous) previous.set = union(previous.set, entry.set);
    else out.set(id, entry);
  }
  return out;
}

/** managedFields as the apiserver writes them: Apply before Update, then by time, manager, apiVersion, subresource. */
function encodeEntries(entries: Map<string, ManagerEntry>): JsonObject[] {
  const list = [...entries.values()].filter((e) => e.set.size > 0);
  const seconds = (t: string | undefined): number => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  list.sort(
    (a, b) =>
      cmp(a.operation, b.operation) ||
      seconds(a.time) - seconds(b.time) ||
      cmp(a.manager, b.manager) ||
      cmp(a.apiVersion, b.apiVersion) ||
      cmp(a.subresource ?? '', b.subresource ?? ''),
  );
  return list.map((e) => {
    const out: JsonObject = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = toFieldsV1(e.set);
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function metadataOf(obj: JsonObject): JsonObject {
  const meta = obj.metadata;
  if (isObject(meta)) return meta;
  const created: JsonObject = {};
  obj.metadata = created;
  return created;
}

function withoutManagedFields(obj: JsonObject): JsonObject {
  const copy = clone(obj);
  if (isObject(copy.metadata)) delete copy.metadata.managedFields;
  return copy;
}

/** `[{}]` (one empty entry) asks to clear managedFields; `[]` does not, so unaware clients cannot wipe them. */
function isResetRequest(managedFields: Json | undefined): boolean {
  return Array.isArray(managedFields) && managedFields.length === 1 && isObject(managedFields[0]) && !managedFields[0].manager;
}

function entriesOfRequest(old: JsonObject | undefined, updated: JsonObject): Map<string, ManagerEntry> {
  const requested = isObject(updated.metadata) ? updated.metadata.managedFields : undefined;
  if (isResetRequest(requested)) return new Map();
  // A request may set managedFields outright; absent or empty means "keep what is stored" (decodeLiveOrNew).
  const fromRequest = decodeEntries(requested);
  if (fromRequest.size > 0) return fromRequest;
  return decodeEntries(old && isObject(old.metadata) ? old.metadata.managedFields : undefined);
}

// capManagersManager: at most this many Update entries; the oldest are merged into per-apiVersion buckets.
const maxUpdateManagers = 10;
const oldUpdatesManagerName = 'ancient-changes';

function capUpdateManagers(entries: Map<string, ManagerEntry>): void {
  const updaters = [...entries].filter(([, e]) => e.operation === 'Update' && e.set.size > 0);
  if (updaters.length <= maxUpdateManagers) return;
  const seconds = (t: string | undefined): number => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || cmp(ia, ib));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (const [id, e] of updaters) {
    if (length <= maxUpdateManagers) break;
    const bucketKey = { manager: oldUpdatesManagerName, operation: 'Update' as const, apiVersion: e.apiVersion };
    const bucketId = identity(bucketKey);
    const first = firstOfVersion.get(e.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(e.apiVersion, id);
      continue;
    }
    if (!entries.has(bucketId)) {
      const firstEntry = entries.get(first)!;
      entries.delete(first);
      entries.set(bucketId, { ...bucketKey, time: firstEntry.time, set: firstEntry.set });
    }
    const bucket = entries.get(bucketId)!;
    // The bucket takes the time of the (more recent) update merged into it.
    entries.set(bucketId, { ...bucket, time: e.time, set: union(bucket.set, e.set) });
    entries.delete(id);
    length--;
  }
}

/** Keep the stored timestamps when nothing but timestamps changed (IgnoreManagedFieldsTimestampsTransformer). */
function finish(
  result: JsonObject,
  entries: Map<string, ManagerEntry>,
  old: JsonObject | undefined,
): JsonObject {
  capUpdateManagers(entries);
  const encoded = encodeEntries(entries);
  const meta = metadataOf(result);
  const oldManaged = old && isObject(old.metadata) ? old.metadata.managedFields : undefined;
  if (old && Array.isArray(oldManaged) && deepEqual(withoutManagedFields(old), withoutManagedFields(result))) {
    const strip = (list: Json[]): Json[] => list.map((e) => (isObject(e) ? { ...e, time: null } : e));
    if (deepEqual(strip(oldManaged), strip(encoded))) {
      meta.managedFields = clone(oldManaged);
      return result;
    }
  }
  if (encoded.length > 0) meta.managedFields = encoded;
  else delete meta.managedFields;
  return result;
}

// --- ordinary writes -----------------------------------------------------------------------------------------

/**
 * managedFields for a create/update/patch by `manager`: returns `updated` with metadata.managedFields set.
 * `old` is the stored object (undefined on create, when the kind's zero value stands in for it, as in Go).
 */
export function trackManagedFields(old: JsonObject | undefined, updated: JsonObject, options: TrackOptions): JsonObject {
  const apiVersion = typeof updated.apiVersion === 'string' ? updated.apiVersion : '';
  const kind = typeof updated.kind === 'string' ? updated.kind : '';
  const schema = patchSchemaFor(apiVersion, kind) ?? {};
  const entries = entriesOfRequest(old, updated);
  const before = withoutManagedFields(old ?? zeroObjectFor(apiVersion, kind));
  const after = withoutManagedFields(updated);
  const diff = compare(before, after, schema);
  const changed = owned(union(diff.added, diff.modified), options.subresource);
  const removed = owned(diff.removed, options.subresource);

  // The current operation takes what it changed from everyone (an Update never conflicts) and nobody keeps
  // what it removed; then its changes join the manager's previous entry.
  for (const [id, e] of entries) {
    e.set = difference(difference(e.set, changed), removed);
    if (e.set.size === 0) entries.delete(id);
  }
  const mine = difference(changed, removed);
  if (mine.size > 0) {
    const key = { manager: options.manager, operation: 'Update' as const, apiVersion, subresource: options.subresource };
    const id = identity(key);
    const previous = entries.get(id);
    entries.set(id, { ...key, time: options.now, set: union(previous?.set ?? new Set(), mine) });
  }
  return finish(clone(updated), entries, old);
}

// --- server-side apply ---------------------------------------------------------------------------------------

function printManager(e: ManagerEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

function conflictError(conflicts: { id: string; entry: ManagerEntry; path: string }[]): PatchError {
  conflicts.sort((a, b) => cmp(a.id, b.id) || comparePaths(a.path, b.path));
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.entry)}`,
    field: pathString(c.path),
  }));
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return new PatchError('Conflict', `Apply failed with 1 conflict: conflict with ${printManager(c.entry)}: ${pathString(c.path)}`, causes);
  }
  const lines: string[] = [];
  let lastId = '';
  for (const c of conflicts) {
    if (c.id !== lastId) lines.push(`conflicts with ${printManager(c.entry)}:`);
    lastId = c.id;
    lines.push(`- ${pathString(c.path)}`);
  }
  return new PatchError('Conflict', `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`, causes);
}

const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
// Only `kubectl apply --server-side` (field manager "kubectl") takes over client-side apply's fields.
const kubectlServerSideManager = 'kubectl';

function lastAppliedOf(obj: JsonObject | undefined): string | undefined {
  const annotations = obj && isObject(obj.metadata) ? obj.metadata.annotations : undefined;
  const v = isObject(annotations) ? annotations[lastAppliedAnnotation] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * lastAppliedManager: fields the user last set with client-side apply (present in the last-applied annotation
 * with the value the live object still has) may be taken by `kubectl apply --server-side` without --force.
 */
function conflictsAllowedByLastApplied(live: JsonObject, schema: PatchSchema, subresource: string | undefined): FieldSet {
  const text = lastAppliedOf(live);
  if (text === undefined) return new Set();
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return new Set();
  }
  if (!isObject(lastApplied) || lastApplied.apiVersion !== live.apiVersion) return new Set();
  try {
    const set = owned(fieldSetOf(lastApplied, schema), subresource);
    const diff = compare(lastApplied, withoutManagedFields(live), schema);
    return difference(difference(difference(set, diff.modified), diff.added), diff.removed);
  } catch {
    return new Set();
  }
}

/** lastAppliedUpdater: keep an existing last-applied annotation in step with what kubectl applied server-side. */
function syncLastApplied(object: JsonObject, applied: JsonObject): void {
  const copy = clone(applied);
  if (isObject(copy.metadata) && isObject(copy.metadata.annotations)) {
    delete copy.metadata.annotations[lastAppliedAnnotation];
  }
  const meta = metadataOf(object);
  const annotations = isObject(meta.annotations) ? meta.annotations : {};
  annotations[lastAppliedAnnotation] = `${JSON.stringify(sortedKeys(copy))}\n`;
  meta.annotations = annotations;
}

/** Go's json.Marshal of a map orders keys. */
function sortedKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) out[k] = sortedKeys(v[k]!);
    return out;
  }
  return v;
}

/**
 * Server-side apply of `applied` (an apply configuration) by `manager` onto `live` (undefined: the object is
 * created). Returns the object to store, managedFields included; throws a 409 PatchError on conflicts.
 */
export function serverSideApply(live: JsonObject | undefined, applied: JsonObject, options: ApplyOptions): { object: JsonObject } {
  const apiVersion = typeof applied.apiVersion === 'string' ? applied.apiVersion : '';
  const kind = typeof applied.kind === 'string' ? applied.kind : '';
  if (!apiVersion || !kind) throw badRequest('apiVersion and kind must be set in an apply configuration');
  if (isObject(applied.metadata) && applied.metadata.managedFields !== undefined && applied.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const schema = patchSchemaFor(apiVersion, kind) ?? {};
  const entries = decodeEntries(live && isObject(live.metadata) ? live.metadata.managedFields : undefined);
  const liveObject = live ? withoutManagedFields(live) : {};

  const appliedSet = owned(fieldSetOf(applied, schema), options.subresource);
  const merged = (mergeApplied(liveObject, applied, schema, []) ?? {}) as JsonObject;
  const applier = { manager: options.manager, operation: 'Apply' as const, apiVersion, subresource: options.subresource };
  const applierId = identity(applier);
  const lastSet = entries.get(applierId)?.set ?? new Set<string>();
  entries.set(applierId, { ...applier, time: options.now, set: appliedSet });

  // Prune what this manager applied last time and no longer applies, unless someone else still owns it.
  const others = union(...[...entries].filter(([id]) => id !== applierId).map(([, e]) => e.set));
  const stillWanted = (p: string): boolean =>
    appliedSet.has(p) || [...appliedSet].some((q) => isBelow(q, p)) || others.has(p) || [...others].some((q) => isBelow(q, p));
  const toPrune = [...difference(lastSet, appliedSet)].filter((p) => !stillWanted(p));
  // Deepest first, so removing an item never shifts a path still to be visited.
  toPrune.sort((a, b) => pathElements(b).length - pathElements(a).length);
  for (const p of toPrune) removePath(merged, p, schema);

  // Conflicts: fields this apply changes that another manager owns.
  const diff = compare(liveObject, merged, schema);
  const changed = owned(union(diff.added, diff.modified), options.subresource);
  const removed = owned(diff.removed, options.subresource);
  const conflicts: { id: string; entry: ManagerEntry; path: string }[] = [];
  for (const [id, e] of entries) {
    if (id === applierId) continue;
    for (const path of intersection(e.set, changed)) conflicts.push({ id, entry: e, path });
  }
  if (conflicts.length > 0 && !options.force) {
    const allowed =
      options.manager === kubectlServerSideManager && live
        ? conflictsAllowedByLastApplied(live, schema, options.subresource)
        : new Set<string>();
    const remaining = conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length > 0) throw conflictError(remaining);
  }
  for (const [id, e] of entries) {
    if (id === applierId) continue;
    e.set = difference(difference(e.set, changed), removed);
    if (e.set.size === 0) entries.delete(id);
  }
  if (options.manager === kubectlServerSideManager && lastAppliedOf(live) !== undefined) syncLastApplied(merged, applied);
  return { object: finish(merged, entries, live) };
}

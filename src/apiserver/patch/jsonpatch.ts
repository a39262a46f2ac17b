// JSON patch (RFC 6902), as the API server applies `application/json-patch+json` with evanphx/json-patch v4.
// A body that is not a list of operations is 400 BadRequest (DecodePatch failed); any failure while applying
// (a failing `test`, a missing path, an unknown op) is 422 with the generic message, because the apiserver
// wraps it in NewGenericServerResponse(422, …) which keeps only "the server rejected our request …".
import { badRequest, clone, deepEqual, genericUnprocessable, isObject } from './json.ts';
import type { Json, JsonObject } from './json.ts';

interface Operation {
  op: string;
  path?: string;
  from?: string;
  value?: Json;
  hasValue: boolean;
}

// The apiserver refuses more than this many operations (maxJSONPatchOperations).
const maxOperations = 10000;

export function applyJsonPatch(original: JsonObject, operations: unknown): JsonObject {
  const ops = decodeOperations(operations);
  if (ops.length > maxOperations) {
    throw badRequest(`The allowed maximum operations in a JSON patch is ${maxOperations}, got ${ops.length}`);
  }
  // A document holder lets operations replace the root ("" path) like any other location.
  const holder: { doc: Json } = { doc: clone(original) };
  for (const op of ops) applyOperation(holder, op);
  if (!isObject(holder.doc)) throw genericUnprocessable('patched document is not an object');
  return holder.doc;
}

function decodeOperations(operations: unknown): Operation[] {
  // Go decodes a JSON null into an empty patch.
  if (operations === null) return [];
  if (!Array.isArray(operations)) {
    throw badRequest(`json: cannot unmarshal ${goJsonType(operations)} into Go value of type jsonpatch.Patch`);
  }
  return operations.map((raw: unknown) => {
    if (!isObject(raw)) {
      throw badRequest(`json: cannot unmarshal ${goJsonType(raw)} into Go value of type jsonpatch.Operation`);
    }
    const str = (k: string): string | undefined => {
      const v = raw[k];
      return typeof v === 'string' ? v : undefined;
    };
    return { op: str('op') ?? '', path: str('path'), from: str('from'), value: raw.value, hasValue: 'value' in raw };
  });
}

function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function parsePointer(pointer: string | undefined, what: string): string[] {
  if (pointer === undefined) throw genericUnprocessable(`${what}: missing path`);
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw genericUnprocessable(`${what}: invalid JSON pointer ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

type Container = { kind: 'object'; obj: JsonObject; key: string } | { kind: 'array'; arr: Json[]; key: string };

/** The container holding the last token of `tokens`, or undefined when a parent is missing. */
function parentOf(holder: { doc: Json }, tokens: string[]): Container | { kind: 'root' } | undefined {
  if (tokens.length === 0) return { kind: 'root' };
  let node: Json = holder.doc;
  for (const token of tokens.slice(0, -1)) {
    const next = childOf(node, token);
    if (next === undefined) return undefined;
    node = next;
  }
  const last = tokens[tokens.length - 1]!;
  if (isObject(node)) return { kind: 'object', obj: node, key: last };
  if (Array.isArray(node)) return { kind: 'array', arr: node, key: last };
  return undefined;
}

function childOf(node: Json, token: string): Json | undefined {
  if (isObject(node)) return Object.hasOwn(node, token) ? node[token] : undefined;
  if (Array.isArray(node)) {
    const i = arrayIndex(token, node.length, false);
    return i === undefined ? undefined : node[i];
  }
  return undefined;
}

/** An index into an array of `length`; negative indices count from the end (json-patch v4 allows them). */
function arrayIndex(token: string, length: number, forInsert: boolean): number | undefined {
  if (!/^-?\d+$/.test(token)) return undefined;
  let i = Number(token);
  const limit = forInsert ? length : length - 1;
  if (i < 0) {
    if (i < -length) return undefined;
    i += length;
  }
  return i > limit ? undefined : i;
}

function get(holder: { doc: Json }, pointer: string | undefined, what: string): Json | undefined {
  let node: Json | undefined = holder.doc;
  for (const token of parsePointer(pointer, what)) {
    if (node === undefined) return undefined;
    node = childOf(node, token);
  }
  return node;
}

function add(holder: { doc: Json }, pointer: string | undefined, value: Json, what: string): void {
  const tokens = parsePointer(pointer, what);
  const parent = parentOf(holder, tokens);
  if (parent === undefined) throw genericUnprocessable(`${what} operation does not apply: doc is missing path: "${pointer}"`);
  if (parent.kind === 'root') {
    holder.doc = value;
  } else if (parent.kind === 'object') {
    parent.obj[parent.key] = value;
  } else if (parent.key === '-') {
    parent.arr.push(value);
  } else {
    const i = arrayIndex(parent.key, parent.arr.length, true);
    if (i === undefined) throw genericUnprocessable(`Unable to access invalid index: ${parent.key}: invalid index referenced`);
    parent.arr.splice(i, 0, value);
  }
}

function remove(holder: { doc: Json }, pointer: string | undefined, what: string): Json {
  const tokens = parsePointer(pointer, what);
  const parent = parentOf(holder, tokens);
  const missing = (): Error => genericUnprocessable(`${what} operation does not apply: doc is missing path: "${pointer}"`);
  if (parent === undefined || parent.kind === 'root') throw missing();
  if (parent.kind === 'object') {
    if (!Object.hasOwn(parent.obj, parent.key)) throw missing();
    const old = parent.obj[parent.key]!;
    delete parent.obj[parent.key];
    return old;
  }
  const i = arrayIndex(parent.key, parent.arr.length, false);
  if (i === undefined) throw genericUnprocessable(`Unable to remove invalid index: ${parent.key}: invalid index referenced`);
  return parent.arr.splice(i, 1)[0]!;
}

function applyOperation(holder: { doc: Json }, op: Operation): void {
  const value = (): Json => {
    if (!op.hasValue) throw genericUnprocessable(`${op.op} operation: missing value`);
    return clone(op.value as Json);
  };
  switch (op.op) {
    case 'add':
      add(holder, op.path, value(), 'add');
      return;
    case 'remove':
      remove(holder, op.path, 'remove');
      return;
    case 'replace': {
      const v = value();
      const tokens = parsePointer(op.path, 'replace');
      if (tokens.length === 0) {
        holder.doc = v;
        return;
      }
      if (get(holder, op.path, 'replace') === undefined) {
        throw genericUnprocessable(`replace operation does not apply: doc is missing key: ${op.path}`);
      }
      remove(holder, op.path, 'replace');
      add(holder, op.path, v, 'replace');
      return;
    }
    case 'move': {
      const moved = remove(holder, op.from, 'move');
      add(holder, op.path, moved, 'move');
      return;
    }
    case 'copy': {
      const source = get(holder, op.from, 'copy');
      if (source === undefined) throw genericUnprocessable(`copy operation does not apply: doc is missing from path: ${op.from}`);
      add(holder, op.path, clone(source), 'copy');
      return;
    }
    case 'test': {
      const actual = get(holder, op.path, 'test');
      const expected = op.hasValue ? (op.value as Json) : null;
      // json-patch v4: a missing location tests equal to null.
      const equal = actual === undefined ? expected === null : deepEqual(actual, expected);
      if (!equal) throw genericUnprocessable(`testing value ${op.path} failed: test failed`);
      return;
    }
    default:
      throw genericUnprocessable(`Unexpected kind: ${op.op}`);
  }
}

// Stand-ins used only until src/apiserver/patch lands: RFC 7386 merge patch and RFC 6902 JSON patch.
// Strategic merge and server-side apply come from the patch module.
import { ApiError } from './errors.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function mergePatch(original: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(original) ? { ...original } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parent(doc: unknown, path: string): { container: unknown; key: string } {
  const tokens = path.split('/').slice(1).map(unescape);
  if (path !== '' && !path.startsWith('/')) throw ApiError.badRequest(`the server rejected our request due to an error in our request`);
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else throw new Error(`missing path: ${path}`);
    if (cur === undefined) throw ApiError.invalidPatch(`doc is missing path: "${path}": missing value`);
  }
  return { container: cur, key: tokens[tokens.length - 1] ?? '' };
}

function read(doc: unknown, path: string): unknown {
  if (path === '') return doc;
  const { container, key } = parent(doc, path);
  if (Array.isArray(container)) return container[Number(key)];
  if (isObject(container)) return container[key];
  return undefined;
}

export function jsonPatch(original: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw ApiError.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = structuredClone(original);
  for (const raw of ops) {
    if (!isObject(raw)) throw ApiError.badRequest('invalid JSON patch operation');
    const op = String(raw.op);
    const path = String(raw.path ?? '');
    const add = (p: string, value: unknown): void => {
      if (p === '') {
        doc = value;
        return;
      }
      const { container, key } = parent(doc, p);
      if (Array.isArray(container)) {
        const i = key === '-' ? container.length : Number(key);
        if (!(i >= 0 && i <= container.length)) throw ApiError.invalidPatch(`add operation does not apply: doc is missing path: "${p}": missing value`);
        container.splice(i, 0, value);
      } else if (isObject(container)) container[key] = value;
      else throw ApiError.invalidPatch(`add operation does not apply: doc is missing path: "${p}": missing value`);
    };
    const remove = (p: string): unknown => {
      const { container, key } = parent(doc, p);
      if (Array.isArray(container)) {
        const i = Number(key);
        if (!(i >= 0 && i < container.length)) throw ApiError.invalidPatch(`remove operation does not apply: doc is missing path: "${p}": missing value`);
        return container.splice(i, 1)[0];
      }
      if (isObject(container) && key in container) {
        const v = container[key];
        delete container[key];
        return v;
      }
      throw ApiError.invalidPatch(`remove operation does not apply: doc is missing path: "${p}": missing value`);
    };
    switch (op) {
      case 'add':
        add(path, structuredClone(raw.value));
        break;
      case 'remove':
        remove(path);
        break;
      case 'replace':
        remove(path);
        add(path, structuredClone(raw.value));
        break;
      case 'move': {
        const v = remove(String(raw.from));
        add(path, v);
        break;
      }
      case 'copy':
        add(path, structuredClone(read(doc, String(raw.from))));
        break;
      case 'test':
        if (JSON.stringify(read(doc, path)) !== JSON.stringify(raw.value))
          throw ApiError.invalidPatch(`testing value ${path} failed: test failed`);
        break;
      default:
        throw ApiError.invalidPatch(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}

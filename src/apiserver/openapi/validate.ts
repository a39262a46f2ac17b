// Strict field validation (fieldValidation=Strict): the JSON paths of fields an object carries that its
// schema does not know, in document order, as Kubernetes' strict decoder reports them ("spec.ports[0].foo").

import { aliases, definitions } from './model.ts';

const scalarTypes = new Set(['s', 'i32', 'i64', 'b', 'n', 'byte', 'map', 'bmap', 'qmap', 'obj']);

// GVK ("group/version/Kind") → model definition of the kind.
const modelByGVK = new Map<string, string>();
for (const [short, def] of Object.entries(definitions)) {
  if (!def.fields) continue;
  for (const g of def.gvk ?? []) {
    const key = `${g.group}/${g.version}/${g.kind}`;
    // Status, DeleteOptions, WatchEvent are listed under every group; the first definition wins.
    if (!modelByGVK.has(key)) modelByGVK.set(key, short);
  }
}

export function modelFor(apiVersion: string, kind: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return modelByGVK.get(`${group}/${version}/${kind}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walkType(type: string, value: unknown, path: string, out: string[]): void {
  if (type.startsWith('[]')) {
    if (!Array.isArray(value)) return;
    const inner = type.slice(2);
    value.forEach((item, i) => walkType(inner, item, `${path}[${i}]`, out));
    return;
  }
  if (scalarTypes.has(type) || aliases[type]) return;
  walkObject(type, value, path, out);
}

function walkObject(model: string, value: unknown, path: string, out: string[]): void {
  const def = definitions[model];
  if (!def?.fields || !isPlainObject(value)) return; // scalars and wrong types are not "unknown fields"
  for (const [key, child] of Object.entries(value)) {
    const field = def.fields[key];
    const childPath = path === '' ? key : `${path}.${key}`;
    if (!field) {
      out.push(childPath);
      continue;
    }
    walkType(field[0], child, childPath, out);
  }
}

// The paths of unknown fields of `obj` for the given kind; [] when the kind is not modelled.
export function unknownFields(apiVersion: string, kind: string, obj: unknown): string[] {
  const model = modelFor(apiVersion, kind);
  if (!model) return [];
  const out: string[] = [];
  walkObject(model, obj, '', out);
  return out;
}

// Kubernetes' wording for a body refused under fieldValidation=Strict (a 400 BadRequest), as the
// apiserver's decoding error: `Service in version "v1" cannot be handled as a Service: strict decoding
// error: unknown field "spec.foo", unknown field "spec.bar"`.
export function strictDecodingMessage(apiVersion: string, kind: string, paths: string[]): string {
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  const fields = paths.map((p) => `unknown field "${p}"`).join(', ');
  return `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${fields}`;
}

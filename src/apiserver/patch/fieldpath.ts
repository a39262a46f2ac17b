// Field paths and sets as server-side apply keeps them (sigs.k8s.io/structured-merge-diff fieldpath), in the
// FieldsV1 spelling: a path element is `f:<field>`, `k:<json of key fields>`, `v:<json value>` or `i:<index>`.
// A set is a plain Set of paths, each path its elements joined by a separator no element can contain.
import { isObject } from './json.ts';
import type { Json, JsonObject } from './json.ts';

export type FieldSet = Set<string>;

const separator = '\u0000';

export function pathKey(elements: string[]): string {
  return elements.join(separator);
}

export function pathElements(key: string): string[] {
  return key === '' ? [] : key.split(separator);
}

export function fieldElement(name: string): string {
  return `f:${name}`;
}

/** `k:{"port":80,"protocol":"TCP"}`: key fields sorted by name, as structured-merge-diff orders them. */
export function keyElement(fields: { [name: string]: Json }): string {
  const sorted: JsonObject = {};
  for (const name of Object.keys(fields).sort()) sorted[name] = fields[name]!;
  return `k:${JSON.stringify(sorted)}`;
}

export function valueElement(value: Json): string {
  return `v:${JSON.stringify(value)}`;
}

/** True if `key` is below `prefix` (not equal to it). */
export function isBelow(key: string, prefix: string): boolean {
  return prefix === '' ? key !== '' : key.startsWith(prefix + separator);
}

export function union(...sets: FieldSet[]): FieldSet {
  const out = new Set<string>();
  for (const s of sets) for (const p of s) out.add(p);
  return out;
}

export function difference(a: FieldSet, b: FieldSet): FieldSet {
  return new Set([...a].filter((p) => !b.has(p)));
}

export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  return new Set([...a].filter((p) => b.has(p)));
}

/** Drop the paths in `exact`, and every path equal to or below one in `subtrees`. */
export function without(set: FieldSet, exact: FieldSet, subtrees: FieldSet): FieldSet {
  const roots = [...subtrees];
  return new Set([...set].filter((p) => !exact.has(p) && !roots.some((r) => p === r || isBelow(p, r))));
}

export function setsEqual(a: FieldSet, b: FieldSet): boolean {
  return a.size === b.size && [...a].every((p) => b.has(p));
}

// --- ordering and printing -----------------------------------------------------------------------------------

const elementRank: { [prefix: string]: number } = { f: 0, k: 1, v: 2, i: 3 };

export function compareElements(a: string, b: string): number {
  const ra = elementRank[a[0]!] ?? 9;
  const rb = elementRank[b[0]!] ?? 9;
  if (ra !== rb) return ra - rb;
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

export function comparePaths(a: string, b: string): number {
  const ea = pathElements(a);
  const eb = pathElements(b);
  for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
    const c = compareElements(ea[i]!, eb[i]!);
    if (c !== 0) return c;
  }
  return ea.length - eb.length;
}

/** fieldpath.Path.String(): `.spec.ports[port=80,protocol="TCP"].targetPort`. */
export function pathString(key: string): string {
  return pathElements(key)
    .map((e) => {
      const body = e.slice(2);
      switch (e[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const fields = JSON.parse(body) as JsonObject;
          return `[${Object.entries(fields)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}

// --- FieldsV1 ---------------------------------------------------------------------------------------------------

interface TreeNode {
  member: boolean;
  children: Map<string, TreeNode>;
}

/** The FieldsV1 object: a node that is a member and has children carries a "." entry; a leaf is `{}`. */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: TreeNode = { member: false, children: new Map() };
  for (const key of set) {
    let node = root;
    for (const e of pathElements(key)) {
      let child = node.children.get(e);
      if (!child) {
        child = { member: false, children: new Map() };
        node.children.set(e, child);
      }
      node = child;
    }
    node.member = true;
  }
  const encode = (node: TreeNode): JsonObject => {
    const out: JsonObject = {};
    if (node.member && node.children.size > 0) out['.'] = {};
    for (const e of [...node.children.keys()].sort(compareElements)) out[e] = encode(node.children.get(e)!);
    return out;
  };
  return encode(root);
}

export function fromFieldsV1(fields: unknown): FieldSet {
  const out = new Set<string>();
  const walk = (node: unknown, path: string[]): void => {
    if (!isObject(node)) return;
    const entries = Object.entries(node);
    if (path.length > 0 && (entries.length === 0 || '.' in node)) out.add(pathKey(path));
    for (const [e, child] of entries) if (e !== '.') walk(child, [...path, e]);
  };
  walk(fields, []);
  return out;
}

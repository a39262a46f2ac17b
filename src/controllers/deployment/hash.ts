// The pod-template-hash (controller.ComputeHash): FNV-1a 32 over the pod template plus the collision count
// as 8 little-endian bytes, its decimal form re-encoded with rand.SafeEncodeString. Kubernetes feeds the hasher
// a go-spew dump of the Go struct; we feed it canonical JSON (keys sorted), so our values are stable and
// shaped like Kubernetes' (`7d4b9c8f6`) but not byte-identical to what a real controller would compute. Pure.
import type { PodTemplateSpec } from '../../api/index.ts';

/** rand.SafeEncodeString's alphabet: no vowels, no 0/1/3 (no bad words, no look-alikes). */
const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += safeAlphabet[(ch.codePointAt(0) ?? 0) % safeAlphabet.length];
  return out;
}

export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** JSON with object keys sorted and undefined dropped: equal templates hash equal whatever the key order. */
export function canonicalJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJSON(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`).join(',')}}`;
}

export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  const body = new TextEncoder().encode(canonicalJSON(template ?? {}));
  let h = fnv32a(body);
  if (collisionCount !== undefined) {
    const extra = new Uint8Array(8);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(extra, h);
  }
  return safeEncodeString(String(h));
}

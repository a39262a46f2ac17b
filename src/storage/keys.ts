// Key ranges as etcd defines them: a prefix selects every key that starts with it, compared byte-wise in
// UTF-8 (which is code point order), so SQLite's BINARY collation on TEXT and etcd agree on the order.

/**
 * The smallest string greater than every string that starts with prefix (etcd's `range_end` for a prefix,
 * computed on code points instead of bytes so it stays valid UTF-8). Undefined when there is none: the empty
 * prefix, or one made only of U+10FFFF.
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = points.pop() ?? 0;
    if (last < 0x10ffff) {
      // Skip the surrogate block: no valid character lies in it.
      const next = last === 0xd7ff ? 0xe000 : last + 1;
      return String.fromCodePoint(...points, next);
    }
  }
  return undefined;
}

/** Keys must be non-empty; an empty key is a caller bug, not a storage condition. */
export function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('storage key must be a non-empty string');
}

/** Orders keys as etcd and SQLite do: by their UTF-8 bytes. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

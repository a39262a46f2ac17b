// CIDR arithmetic for pod ranges (pure). IPv4 as numbers, IPv6 as bigints.

export interface Cidr {
  family: 4 | 6;
  /** Network address as a bigint (works for both families). */
  base: bigint;
  prefix: number;
  /** Number of addresses in the range (2^(bits-prefix)). */
  size: bigint;
  text: string;
}

export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  if (slash < 0) throw new Error(`invalid CIDR address: ${text}`);
  const addr = text.slice(0, slash);
  const prefix = Number(text.slice(slash + 1));
  const family = addr.includes(':') ? 6 : 4;
  const bits = family === 4 ? 32 : 128;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) throw new Error(`invalid CIDR address: ${text}`);
  const value = family === 4 ? parseIPv4(addr) : parseIPv6(addr);
  const hostBits = BigInt(bits - prefix);
  const base = (value >> hostBits) << hostBits;
  return { family, base, prefix, size: 1n << hostBits, text: `${formatIP(base, family)}/${prefix}` };
}

export function parseIPv4(text: string): bigint {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`invalid IPv4 address: ${text}`);
  let v = 0n;
  for (const p of parts) {
    const n = Number(p);
    if (!/^\d{1,3}$/.test(p) || n > 255) throw new Error(`invalid IPv4 address: ${text}`);
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

export function parseIPv6(text: string): bigint {
  const [head, tail, extra] = text.split('::');
  if (extra !== undefined) throw new Error(`invalid IPv6 address: ${text}`);
  const groups = (s: string | undefined): string[] => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const missing = 8 - h.length - t.length;
  if ((tail === undefined && missing !== 0) || missing < 0) throw new Error(`invalid IPv6 address: ${text}`);
  const all = [...h, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...t];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`invalid IPv6 address: ${text}`);
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

export function formatIP(value: bigint, family: 4 | 6): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  }
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}

/** The address at `offset` in the range. */
export function addressAt(cidr: Cidr, offset: bigint): string {
  if (offset < 0n || offset >= cidr.size) throw new Error(`offset ${offset} outside ${cidr.text}`);
  return formatIP(cidr.base + offset, cidr.family);
}

export function offsetOf(cidr: Cidr, ip: string): bigint | undefined {
  let value: bigint;
  try {
    value = cidr.family === 4 ? parseIPv4(ip) : parseIPv6(ip);
  } catch {
    return undefined;
  }
  const off = value - cidr.base;
  return off >= 0n && off < cidr.size ? off : undefined;
}

/** The gateway of a pod range: its first host address (10.244.1.1, fd00:10:244:1::1). */
export function gatewayOf(cidr: Cidr): string {
  return addressAt(cidr, 1n);
}

/** Splits `10.244.1.0/24,fd00:10:244:1::/64` into ranges, v4 first as the kubelet orders podCIDRs. */
export function parseCidrList(text: string): Cidr[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseCidr);
}

// A Service IP range and the order in which its addresses are offered, as Kubernetes 1.33's IPAddress-backed
// allocator does it (pkg/registry/core/service/ipallocator/ipallocator.go). Pure: randomness is injected.
import type { IPFamily } from '../api/index.ts';
import { cidrContains, cidrSize, formatCIDR, formatIP, parseCIDR, parseIP, type ParsedCIDR } from './ip.ts';

export interface ServiceRange {
  /** Canonical CIDR text: `10.96.0.0/12`. */
  cidr: string;
  family: IPFamily;
  prefix: ParsedCIDR;
  /** First allocatable address: the network address is never handed out. */
  first: bigint;
  /** Last allocatable address: IPv4's broadcast address is never handed out; IPv6 has none. */
  last: bigint;
  /** How many addresses can be allocated (0 for /32, /31 and /128). */
  usable: bigint;
  /** KEP-3070: the lower `staticBand` addresses are left for users' explicit clusterIPs when possible. */
  staticBand: number;
}

/** A random number in [0, 1): Math.random, or a seeded one in tests. */
export type Random = () => number;

/**
 * KEP-3070 calculateRangeOffset: min(max(16, size/16), 256) over the prefix's full size, and no static band at
 * all for ranges of 16 addresses or fewer (a /28 has 14 usable addresses: nothing to split).
 */
export function staticBandSize(size: bigint): number {
  if (size <= 16n) return 0;
  const offset = size / 16n;
  if (offset < 16n) return 16;
  if (offset > 256n) return 256;
  return Number(offset);
}

/** Build the range for a CIDR, or explain why it cannot be one (Kubernetes refuses IPv6 prefixes under /64). */
export function serviceRange(cidrText: string): ServiceRange {
  const prefix = parseCIDR(cidrText.trim());
  if (!prefix) throw new Error(`invalid service CIDR "${cidrText}"`);
  if (prefix.family === 'IPv6' && prefix.prefixLength < 64)
    throw new Error(`shortest allowed prefix length for service CIDR is 64, got ${prefix.prefixLength}`);
  const size = cidrSize(prefix);
  const first = prefix.network + 1n;
  const broadcast = prefix.network + size - 1n;
  const last = prefix.family === 'IPv4' ? broadcast - 1n : broadcast;
  const usable = last >= first ? last - first + 1n : 0n;
  return {
    cidr: formatCIDR(prefix),
    family: prefix.family,
    prefix,
    first,
    last,
    usable,
    staticBand: usable > 0n ? staticBandSize(size) : 0,
  };
}

/** Whether an address may be allocated from this range (inside it, not the network or IPv4 broadcast address). */
export function rangeHolds(range: ServiceRange, ip: string): boolean {
  const parsed = parseIP(ip);
  return !!parsed && cidrContains(range.prefix, parsed) && parsed.value >= range.first && parsed.value <= range.last;
}

/** The n-th address of the prefix (netutils.GetIndexedIP): n = 1 is the first usable one. */
export function indexedIP(cidrText: string, n: number): string {
  const prefix = parseCIDR(cidrText.trim());
  if (!prefix) throw new Error(`invalid CIDR "${cidrText}"`);
  if (BigInt(n) >= cidrSize(prefix)) throw new Error(`can't generate IP with index ${n} from subnet ${formatCIDR(prefix)}`);
  return formatIP(prefix.family, prefix.network + BigInt(n));
}

/** The `default/kubernetes` Service's address: the first of the primary range (kube-apiserver). */
export function kubernetesServiceIP(cidr: string): string {
  return indexedIP(cidr, 1);
}

/** The cluster DNS Service's address: the tenth of the range (kubeadm's `kube-system/kube-dns`, 10.96.0.10). */
export function dnsServiceIP(cidr: string): string {
  return indexedIP(cidr, 10);
}

/** A uniform bigint in [0, n) from a Random (two draws when n needs more than 2^48). */
export function randomBelow(n: bigint, random: Random): bigint {
  if (n <= 0n) return 0n;
  const limit = 1n << 48n;
  if (n <= limit) return BigInt(Math.floor(random() * Number(n)));
  const hi = BigInt(Math.floor(random() * 2 ** 48));
  const lo = BigInt(Math.floor(random() * 2 ** 48));
  return ((hi << 48n) | lo) % n;
}

/** Every address in [from, to], starting at from + offset and wrapping round (ipallocator's ipIterator). */
export function* walkFrom(from: bigint, to: bigint, offset: bigint): Generator<bigint> {
  const count = to - from + 1n;
  if (count <= 0n) return;
  const start = from + (offset % count);
  for (let ip = start; ip <= to; ip++) yield ip;
  for (let ip = from; ip < start; ip++) yield ip;
}

/**
 * The order in which a dynamic allocation tries addresses: the upper (dynamic) band from a random start, then
 * the static band from a random start (KEP-3070). A random start is what keeps concurrent allocators — and a
 * re-create right after a delete — from landing on the same address.
 */
export function* candidateOrder(range: ServiceRange, random: Random): Generator<bigint> {
  if (range.usable === 0n) return;
  const upperFirst = range.first + BigInt(range.staticBand);
  yield* walkFrom(upperFirst, range.last, randomBelow(range.last - upperFirst + 1n, random));
  if (range.staticBand > 0)
    yield* walkFrom(range.first, upperFirst - 1n, randomBelow(BigInt(range.staticBand), random));
}

/** The text of a candidate. */
export function candidateText(range: ServiceRange, value: bigint): string {
  return formatIP(range.family, value);
}

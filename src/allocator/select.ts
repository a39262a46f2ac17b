// Choosing a free address. The store is the truth (an IPAddress object per allocated IP); this code only decides
// the order of the questions "is X free?" and which answer to take. Pure: the probe and the clock are injected.
import { candidateOrder, candidateText, rangeHolds, type Random, type ServiceRange } from './range.ts';

/**
 * Addresses released recently, held back from dynamic allocation for a while so that a Service deleted and a new
 * one created right after do not share an address that stale clients (DNS caches, conntrack entries, proxies not
 * yet synced) still send to. Kubernetes relies on its random start alone; this adds a bounded in-memory list:
 * held addresses are skipped while any other address is free, and handed out (oldest release first) only when
 * nothing else is left, so a full range that frees one address can still use it. Per API server process.
 */
export class RecentlyReleased {
  readonly capacity: number;
  readonly holdMs: number;
  readonly #releasedAt = new Map<string, number>();

  constructor(capacity = 4096, holdMs = 5 * 60_000) {
    this.capacity = capacity;
    this.holdMs = holdMs;
  }

  add(ip: string, nowMs: number): void {
    this.#releasedAt.delete(ip);
    this.#releasedAt.set(ip, nowMs);
    while (this.#releasedAt.size > this.capacity) {
      const oldest = this.#releasedAt.keys().next().value;
      if (oldest === undefined) break;
      this.#releasedAt.delete(oldest);
    }
  }

  /** When ip was released, if it is still held at nowMs. */
  heldSince(ip: string, nowMs: number): number | undefined {
    const at = this.#releasedAt.get(ip);
    if (at === undefined) return undefined;
    if (nowMs - at >= this.holdMs) {
      this.#releasedAt.delete(ip);
      return undefined;
    }
    return at;
  }

  get size(): number {
    return this.#releasedAt.size;
  }
}

export interface NextAddressOptions {
  random: Random;
  /** Whether an address is free right now (no IPAddress object, not taken in an earlier attempt). */
  isFree: (ip: string) => Promise<boolean> | boolean;
  recentlyReleased?: RecentlyReleased;
  /**
   * Addresses kept for well-known Services (the cluster DNS one): skipped like held ones and handed out only
   * when nothing else is free, after any held one. Matters only in small ranges: in large ones they sit in
   * the static band, which dynamic allocation leaves alone anyway.
   */
  reserved?: ReadonlySet<string>;
  nowMs?: number;
}

/**
 * A free address of the range in candidateOrder (upper band first, random starts), skipping recently released
 * ones unless nothing else is free; undefined when the range is full (Kubernetes: ErrFull "range is full").
 */
export async function nextFreeAddress(range: ServiceRange, opts: NextAddressOptions): Promise<string | undefined> {
  const now = opts.nowMs ?? 0;
  let heldBack: { ip: string; since: number } | undefined;
  for (const value of candidateOrder(range, opts.random)) {
    const ip = candidateText(range, value);
    const since = opts.reserved?.has(ip) ? Number.POSITIVE_INFINITY : opts.recentlyReleased?.heldSince(ip, now);
    if (since !== undefined) {
      // Only worth probing if nothing else turns up; keep the one released longest ago.
      if ((!heldBack || since < heldBack.since) && (await opts.isFree(ip))) heldBack = { ip, since };
      continue;
    }
    if (await opts.isFree(ip)) return ip;
  }
  return heldBack?.ip;
}

/** Why an explicitly requested address cannot be had, in Kubernetes' words (ipallocator errors). */
export type ExplicitAddressProblem = 'mismatched-network' | 'allocated' | undefined;

/** The range (of several, e.g. more ServiceCIDRs) that may hand out ip; undefined when none. */
export function rangeFor(ranges: readonly ServiceRange[], ip: string): ServiceRange | undefined {
  return ranges.find((r) => rangeHolds(r, ip));
}

/** Kubernetes' allocator error texts (pkg/registry/core/service/ipallocator/allocator.go). */
export const allocatorErrors = {
  full: 'range is full',
  allocated: 'provided IP is already allocated',
  /** What the 1.33 MetaAllocator answers for an address outside every ready ServiceCIDR. */
  mismatchedNetwork: 'the provided network does not match the current range',
  notInRange: (ip: string, validRange: string): string =>
    `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${validRange}`,
} as const;

// A small IPAM for one node's pod range(s), pure: state in, state out. Like CNI host-local it hands out
// addresses sequentially after the last one allocated (so a freed IP is not reused at once), skipping the
// network address, the gateway (first host) and, for IPv4, the broadcast address. A dual-stack pod gets the
// IPv6 address at the same offset as its IPv4 one, so the pair is predictable.
import { addressAt, offsetOf, type Cidr } from './cidr.ts';

export interface IpamState {
  /** The ranges this state was made for (a change of podCIDR starts afresh). */
  cidrs: string[];
  /** Offset of the last allocation (for sequential allocation). */
  last: number;
  /** Allocated offset → owner (pod UID). */
  owners: Record<string, string>;
}

export interface Allocation {
  offset: number;
  /** One address per range, in range order. */
  ips: string[];
}

export function emptyIpamState(cidrs: Cidr[]): IpamState {
  return { cidrs: cidrs.map((c) => c.text), last: 1, owners: {} };
}

/** Usable offsets: the primary (first) range decides; 2..size-2 for IPv4 (no broadcast), 2..size-1 for v6. */
function usableRange(cidrs: Cidr[]): { first: number; last: number } {
  const primary = cidrs[0];
  if (!primary) throw new Error('no pod CIDR');
  // Cap huge (v6-only) ranges: a node never runs more than 2^16 pods.
  const size = primary.size > 65536n ? 65536 : Number(primary.size);
  return { first: 2, last: primary.family === 4 ? size - 2 : size - 1 };
}

function ipsAt(cidrs: Cidr[], offset: number): string[] {
  return cidrs.map((c) => addressAt(c, BigInt(offset)));
}

/**
 * Allocates for `owner`. An owner that already holds an address gets the same one back (idempotent, so a
 * retried pod setup or an agent restart keeps the pod's IP). Throws when the range is full.
 */
export function allocate(state: IpamState, cidrs: Cidr[], owner: string): { state: IpamState; allocation: Allocation } {
  for (const [off, who] of Object.entries(state.owners)) {
    if (who === owner) return { state, allocation: { offset: Number(off), ips: ipsAt(cidrs, Number(off)) } };
  }
  const { first, last } = usableRange(cidrs);
  const span = last - first + 1;
  if (span <= 0) throw new Error(`failed to allocate for range ${cidrs[0]?.text}: no usable addresses`);
  const start = state.last < first || state.last > last ? first - 1 : state.last;
  for (let i = 1; i <= span; i++) {
    const off = first + ((start - first + i) % span + span) % span;
    if (state.owners[String(off)] === undefined) {
      return {
        state: { ...state, last: off, owners: { ...state.owners, [String(off)]: owner } },
        allocation: { offset: off, ips: ipsAt(cidrs, off) },
      };
    }
  }
  throw new Error(`failed to allocate for range ${cidrs[0]?.text}: range is exhausted`);
}

/** Frees whatever `owner` holds (no-op when it holds nothing). */
export function release(state: IpamState, owner: string): IpamState {
  const owners: Record<string, string> = {};
  let changed = false;
  for (const [off, who] of Object.entries(state.owners)) {
    if (who === owner) changed = true;
    else owners[off] = who;
  }
  return changed ? { ...state, owners } : state;
}

/** The owner of an IP (any family), if allocated. */
export function ownerOf(state: IpamState, cidrs: Cidr[], ip: string): string | undefined {
  for (const c of cidrs) {
    const off = offsetOf(c, ip);
    if (off !== undefined) return state.owners[String(off)];
  }
  return undefined;
}

/** Keeps only allocations whose owner is still alive (garbage collection after a restart). */
export function retainOwners(state: IpamState, alive: Set<string>): IpamState {
  const owners: Record<string, string> = {};
  for (const [off, who] of Object.entries(state.owners)) if (alive.has(who)) owners[off] = who;
  return { ...state, owners };
}

/** Uses a persisted state if it was made for the same ranges, else starts afresh. */
export function restoreIpamState(saved: unknown, cidrs: Cidr[]): IpamState {
  const fresh = emptyIpamState(cidrs);
  if (!saved || typeof saved !== 'object') return fresh;
  const s = saved as Partial<IpamState>;
  if (!Array.isArray(s.cidrs) || s.cidrs.join(',') !== fresh.cidrs.join(',')) return fresh;
  if (typeof s.last !== 'number' || !s.owners || typeof s.owners !== 'object') return fresh;
  return { cidrs: fresh.cidrs, last: s.last, owners: { ...s.owners } };
}

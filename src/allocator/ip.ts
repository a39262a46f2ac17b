// IP addresses and CIDRs as bigints, parsed and printed the way Go's net package does (k8s.io/utils/net
// ParseIPSloppy / ParseCIDRSloppy, net.IP.String). Pure.
import ipaddr from 'ipaddr.js';
import type { IPFamily } from '../api/index.ts';

export interface ParsedIP {
  family: IPFamily;
  /** The address as an unsigned integer (32 or 128 bits). */
  value: bigint;
}

export interface ParsedCIDR {
  family: IPFamily;
  /** Network address (host bits cleared). */
  network: bigint;
  prefixLength: number;
  /** 32 or 128. */
  bits: number;
}

const ipv4Sloppy = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * ParseIPSloppy: dotted-quad IPv4 (leading zeros tolerated, as Go < 1.17 did) or IPv6 without a zone.
 * An IPv4-mapped IPv6 address is IPv4, as Go's To4() makes it. Undefined when not an IP.
 */
export function parseIP(s: string): ParsedIP | undefined {
  const m = ipv4Sloppy.exec(s);
  if (m) {
    let v = 0n;
    for (let i = 1; i <= 4; i++) {
      const octet = Number(m[i]);
      if (octet > 255) return undefined;
      v = (v << 8n) | BigInt(octet);
    }
    return { family: 'IPv4', value: v };
  }
  if (!s.includes(':') || s.includes('%') || !ipaddr.IPv6.isValid(s)) return undefined;
  const v6 = ipaddr.IPv6.parse(s);
  if (v6.isIPv4MappedAddress()) return parseIP(v6.toIPv4Address().toString());
  let v = 0n;
  for (const b of v6.toByteArray()) v = (v << 8n) | BigInt(b);
  return { family: 'IPv6', value: v };
}

export function familyBits(family: IPFamily): number {
  return family === 'IPv4' ? 32 : 128;
}

/** net.IP.String(): dotted quad, or RFC 5952 (lower case, longest zero run compressed). */
export function formatIP(family: IPFamily, value: bigint): string {
  if (family === 'IPv4') {
    const n = Number(value);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const bytes: number[] = [];
  for (let shift = 120n; shift >= 0n; shift -= 8n) bytes.push(Number((value >> shift) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

/** ParseCIDRSloppy; the network address is the masked one (Go returns the masked IPNet). */
export function parseCIDR(s: string): ParsedCIDR | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const lenText = s.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(lenText)) return undefined;
  const bits = familyBits(ip.family);
  const prefixLength = Number(lenText);
  if (prefixLength > bits) return undefined;
  const hostBits = BigInt(bits - prefixLength);
  const network = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, network, prefixLength, bits };
}

export function formatCIDR(c: ParsedCIDR): string {
  return `${formatIP(c.family, c.network)}/${c.prefixLength}`;
}

/** Every address of the prefix, network and broadcast included (netutils.RangeSize). */
export function cidrSize(c: ParsedCIDR): bigint {
  return 1n << BigInt(c.bits - c.prefixLength);
}

export function cidrContains(c: ParsedCIDR, ip: ParsedIP): boolean {
  if (ip.family !== c.family) return false;
  const hostBits = BigInt(c.bits - c.prefixLength);
  return ip.value >> hostBits === c.network >> hostBits;
}

/** The canonical text of an IP (what an IPAddress object is named). Undefined when not an IP. */
export function canonicalIP(s: string): string | undefined {
  const ip = parseIP(s);
  return ip ? formatIP(ip.family, ip.value) : undefined;
}

// The wire side of the answer: turning a DnsAnswer into a DNS message (dns-packet), with truncation for UDP,
// and the fast path that answers a repeated question from a pre-encoded response by patching only the ID,
// the RD/CD bits and the SOA serial. Buffers only; no sockets here.
import dnsPacket from 'dns-packet';
import type { Rcode } from './answer.ts';
import type { MetricSlot } from './metrics.ts';
import { isDomainName } from './model.ts';
import type { DnsRecord } from './records.ts';

// dns-packet exports its record and question codecs at runtime; its typings leave them out.
const codecs = dnsPacket as unknown as {
  answer: { encodingLength(rr: dnsPacket.Answer): number };
  question: { encodingLength(q: dnsPacket.Question): number };
};
const recordLength = (rr: dnsPacket.Answer): number => codecs.answer.encodingLength(rr);
const questionLength = (q: dnsPacket.Question): number => codecs.question.encodingLength(q);

export const rcodeNumbers: Record<Rcode, number> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
};

const flagQR = 0x8000;
const flagAA = 0x0400;
const flagTC = 0x0200;
const flagRD = 0x0100;
const flagRA = 0x0080;
const flagCD = 0x0010;
const typeOPT = 41;
/** Plain DNS over UDP without EDNS0 (RFC 1035 4.2.1). */
export const classicUDPSize = 512;
/** The largest EDNS0 UDP payload we honour or advertise. */
export const maxUDPSize = 4096;
export const tcpMaxSize = 65535;

/** What the server needs from a query's header, question and OPT, read without a full decode. */
export interface QueryInfo {
  id: number;
  /** The raw header flags (RD and CD are copied into the reply). */
  flags: number;
  /** Offset just past QTYPE/QCLASS. */
  questionEnd: number;
  qtype: number;
  qclass: number;
  edns: { udpSize: number; dnssecOK: boolean; version: number } | undefined;
  /** FNV-1a of the question exactly as sent (case kept): the cache's bucket. */
  hash: number;
  /** The EDNS shape a reply depends on: 0 without EDNS, else 1 + 2·version + DO. */
  variant: number;
}

/**
 * Reads a standard query (QR=0, OPCODE=QUERY, one question, no answer/authority, at most an OPT in
 * additional). Anything else → undefined, and the caller takes the full-decode path.
 */
export function readQuery(msg: Buffer): QueryInfo | undefined {
  if (msg.length < 17) return undefined;
  const flags = msg.readUInt16BE(2);
  if ((flags & 0xf800) !== 0) return undefined; // a response, or an opcode other than QUERY
  if (msg[4] !== 0 || msg[5] !== 1 || msg[6] !== 0 || msg[7] !== 0 || msg[8] !== 0 || msg[9] !== 0) return undefined;
  const arcount = msg.readUInt16BE(10);
  if (arcount > 1) return undefined;
  let off = 12;
  for (;;) {
    if (off >= msg.length) return undefined;
    const len = msg[off];
    if (len === 0) break;
    if (len > 63) return undefined; // compression pointer in a question: full decode
    off += len + 1;
  }
  off += 1;
  if (off + 4 > msg.length) return undefined;
  const qtype = msg.readUInt16BE(off);
  const qclass = msg.readUInt16BE(off + 2);
  const questionEnd = off + 4;
  let edns: QueryInfo['edns'];
  if (arcount === 1) {
    // The OPT pseudo-record: root name, TYPE 41, CLASS = UDP size, TTL = ext-rcode/version/flags.
    if (questionEnd + 11 > msg.length || msg[questionEnd] !== 0) return undefined;
    if (msg.readUInt16BE(questionEnd + 1) !== typeOPT) return undefined;
    edns = {
      udpSize: msg.readUInt16BE(questionEnd + 3),
      version: msg[questionEnd + 6],
      dnssecOK: (msg[questionEnd + 7] & 0x80) !== 0,
    };
  }
  let hash = 0x811c9dc5;
  for (let i = 12; i < questionEnd; i++) hash = Math.imul(hash ^ msg[i], 0x01000193);
  return {
    id: msg.readUInt16BE(0),
    flags,
    questionEnd,
    qtype,
    qclass,
    edns,
    hash: hash >>> 0,
    variant: edns ? 1 + 2 * edns.version + (edns.dnssecOK ? 1 : 0) : 0,
  };
}

/** The size limit of a reply: 512 over plain UDP, the EDNS0 buffer size (≥ 512) when given, 64 KiB on TCP. */
export function replySizeLimit(transport: 'udp' | 'tcp', edns: { udpSize: number } | undefined): number {
  if (transport === 'tcp') return tcpMaxSize;
  if (!edns) return classicUDPSize;
  return Math.max(classicUDPSize, Math.min(edns.udpSize, maxUDPSize));
}

export interface ReplyQuestion {
  name: string;
  type: string;
  class: string;
}

/** Our records, or ones an upstream sent (forwarded replies). */
export type WireRecord = DnsRecord | dnsPacket.Answer;

export interface ReplyContent {
  rcode: Rcode | number;
  aa: boolean;
  /** Recursion available: CoreDNS leaves it off on its own (kubernetes plugin) answers; forwarded ones carry the upstream's. */
  ra?: boolean;
  answer: readonly WireRecord[];
  authority: readonly WireRecord[];
  additional: readonly WireRecord[];
}

export interface EncodedReply {
  buf: Buffer;
  /** Where the SOA serial sits (so a cached reply carries the current one), or -1. */
  serialOffset: number;
  truncated: boolean;
}

/** Encodes an answer as a reply to `question`, cutting it to `limit` bytes (TC set when answers had to go). */
export function encodeReply(
  question: ReplyQuestion,
  result: ReplyContent,
  options: { id: number; queryFlags: number; edns: QueryInfo['edns']; limit: number },
): EncodedReply {
  const opt = options.edns
    ? [{ name: '.', type: 'OPT' as const, udpPayloadSize: maxUDPSize, extendedRcode: 0, ednsVersion: 0, flags: options.edns.dnssecOK ? dnsPacket.DNSSEC_OK : 0, flag_do: options.edns.dnssecOK, options: [] }]
    : [];
  let flags =
    flagQR | (result.ra ? flagRA : 0) | (result.aa ? flagAA : 0) | (options.queryFlags & (flagRD | flagCD)) |
    (typeof result.rcode === 'number' ? result.rcode & 0xf : rcodeNumbers[result.rcode]);
  let answers = result.answer;
  let authorities = result.authority;
  let additionals = result.additional;
  const encode = (): Buffer =>
    dnsPacket.encode({
      type: 'response',
      id: options.id,
      flags,
      questions: [{ name: question.name, type: question.type as dnsPacket.RecordType, class: question.class as dnsPacket.RecordClass }],
      answers: answers as dnsPacket.Answer[],
      authorities: authorities as dnsPacket.Answer[],
      additionals: [...(additionals as dnsPacket.Answer[]), ...opt],
    });
  for (const section of [answers, authorities, additionals]) for (const rr of section) assertEncodable(rr);
  let buf = encode();
  let truncated = false;
  if (buf.length > options.limit) {
    // First the additional section goes (no TC needed, RFC 2181 9); then whole answer records, with TC.
    additionals = [];
    buf = encode();
    if (buf.length > options.limit) {
      truncated = true;
      flags |= flagTC;
      authorities = [];
      const all = answers;
      let room = options.limit - (buf.length - sectionLength(all) - sectionLength(result.authority));
      const kept: WireRecord[] = [];
      for (const rr of all) {
        const len = recordLength(rr as dnsPacket.Answer);
        if (len > room) break;
        room -= len;
        kept.push(rr);
      }
      answers = kept;
      buf = encode();
    }
  }
  return { buf, serialOffset: truncated ? -1 : serialOffsetOf(buf, question, answers, authorities), truncated };
}

/** dns-packet writes over-long labels without complaint, producing a broken message: refuse them here. */
function assertEncodable(rr: WireRecord): void {
  const names = [rr.name];
  const data = (rr as { data?: unknown }).data;
  if (rr.type === 'CNAME' || rr.type === 'PTR' || rr.type === 'NS') names.push(String(data));
  else if (rr.type === 'SRV') names.push((data as { target: string }).target);
  for (const name of names) {
    if (name === '' || name === '.') continue;
    if (!isDomainName(name)) throw new Error(`cannot encode the name "${name}"`);
  }
}

function sectionLength(records: readonly WireRecord[]): number {
  let n = 0;
  for (const rr of records) n += recordLength(rr as dnsPacket.Answer);
  return n;
}

function serialOffsetOf(buf: Buffer, question: ReplyQuestion, answers: readonly WireRecord[], authorities: readonly WireRecord[]): number {
  // dns-packet does not compress names, so record offsets follow from encoding lengths.
  let off = 12 + questionLength({ name: question.name, type: question.type as dnsPacket.RecordType });
  for (const section of [answers, authorities]) {
    for (const rr of section) {
      const len = recordLength(rr as dnsPacket.Answer);
      if (rr.type === 'SOA') {
        const at = off + len - 20; // serial, refresh, retry, expire, minimum: 5 × 4 bytes at the end
        return at >= 0 && at + 4 <= buf.length ? at : -1;
      }
      off += len;
    }
  }
  return -1;
}

/** RFC 6891 6.1.3: a query with an EDNS version we do not speak gets BADVERS (extended RCODE 16) and our OPT. */
export function badVersionReply(msg: Buffer, query: QueryInfo): Buffer {
  const question = dnsPacket.decode(msg).questions ?? [];
  return dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags: flagQR | (query.flags & (flagRD | flagCD)),
    questions: question,
    additionals: [{ name: '.', type: 'OPT', udpPayloadSize: maxUDPSize, extendedRcode: 1, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
}

/** A reply for a message we cannot answer from its question (FORMERR, NOTIMP), echoing the header only. */
export function headerOnlyReply(msg: Buffer, rcode: Rcode): Buffer | undefined {
  if (msg.length < 12) return undefined;
  const out = Buffer.alloc(12);
  msg.copy(out, 0, 0, 2);
  const opcode = msg.readUInt16BE(2) & 0x7800;
  out.writeUInt16BE(flagQR | opcode | (msg.readUInt16BE(2) & flagRD) | rcodeNumbers[rcode], 2);
  return out;
}

// --- the fast path ----------------------------------------------------------------------------------------

export interface CachedReply {
  buf: Buffer;
  serialOffset: number;
  /** For metrics without a decode. */
  qtype: number;
  rcode: number;
  /** The reply's metric cells, resolved when cached (see DnsMetrics.slot). */
  metrics?: MetricSlot;
}

/** A cached reply with what identifies it: the exact question bytes, the EDNS variant and the size limit. */
interface StoredReply extends CachedReply {
  key: string;
  question: Buffer;
  variant: number;
  limit: number;
  bucket: number;
}

function bucketOf(query: QueryInfo, limit: number): number {
  return (Math.imul(query.hash, 31) + query.variant * 65599 + limit) | 0;
}

function sameQuestion(msg: Buffer, end: number, question: Buffer): boolean {
  if (end - 12 !== question.length) return false;
  for (let i = 0; i < question.length; i++) if (msg[12 + i] !== question[i]) return false;
  return true;
}

/**
 * Pre-encoded replies keyed by the exact question bytes (so case variants are separate entries and the
 * query's case is always kept), the EDNS shape and the size limit; found through a numeric hash so the fast
 * path builds no strings. Each entry lists the index keys its answer consulted; invalidate(keys) drops
 * exactly the entries an index change can alter.
 */
export class ReplyCache {
  private readonly buckets = new Map<number, StoredReply[]>();
  private readonly entries = new Map<string, StoredReply>();
  private readonly byDep = new Map<string, Set<string>>();
  private readonly maxEntries: number;

  constructor(maxEntries = 100_000) {
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.entries.size;
  }

  find(msg: Buffer, query: QueryInfo, limit: number): CachedReply | undefined {
    const chain = this.buckets.get(bucketOf(query, limit));
    if (!chain) return undefined;
    for (const e of chain) {
      if (e.variant === query.variant && e.limit === limit && sameQuestion(msg, query.questionEnd, e.question)) return e;
    }
    return undefined;
  }

  set(msg: Buffer, query: QueryInfo, limit: number, reply: CachedReply, deps: readonly string[]): void {
    if (this.entries.size >= this.maxEntries) this.clear(); // crude but bounded; refills on demand
    const question = Buffer.from(msg.subarray(12, query.questionEnd));
    const key = `${question.toString('latin1')}|${query.variant}|${limit}`;
    this.remove(key);
    const stored: StoredReply = { ...reply, key, question, variant: query.variant, limit, bucket: bucketOf(query, limit) };
    this.entries.set(key, stored);
    const chain = this.buckets.get(stored.bucket);
    if (chain) chain.push(stored);
    else this.buckets.set(stored.bucket, [stored]);
    for (const d of deps) {
      let set = this.byDep.get(d);
      if (!set) this.byDep.set(d, (set = new Set()));
      set.add(key);
    }
  }

  invalidate(keys: readonly string[]): void {
    for (const d of keys) {
      const set = this.byDep.get(d);
      if (!set) continue;
      this.byDep.delete(d);
      for (const k of set) this.remove(k);
    }
  }

  clear(): void {
    this.entries.clear();
    this.buckets.clear();
    this.byDep.clear();
  }

  private remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    const chain = this.buckets.get(e.bucket);
    if (!chain) return;
    const rest = chain.filter((x) => x !== e);
    if (rest.length > 0) this.buckets.set(e.bucket, rest);
    else this.buckets.delete(e.bucket);
  }
}

/** A copy of a cached reply for this query: its ID, its RD/CD bits, the current SOA serial. */
export function patchReply(cached: CachedReply, query: Buffer, serial: number): Buffer {
  const out = Buffer.allocUnsafe(cached.buf.length);
  cached.buf.copy(out);
  out[0] = query[0];
  out[1] = query[1];
  out[2] = (out[2] & 0xfe) | (query[2] & 0x01); // RD
  out[3] = (out[3] & 0xef) | (query[3] & 0x10); // CD
  if (cached.serialOffset >= 0) out.writeUInt32BE(serial, cached.serialOffset);
  return out;
}

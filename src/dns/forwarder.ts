// Forwarding of names outside the cluster zone to upstream resolvers, with a timeout per attempt, a retry over
// TCP when an upstream truncates, and a small cache that respects TTLs (as CoreDNS' forward + cache plugins).
// The cluster zone is never forwarded: answer() decides, this only carries.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { Upstream } from './resolv-conf.ts';

export interface ForwardQuestion {
  name: string;
  type: string;
  class: string;
}

export interface ForwardResult {
  rcode: number;
  /** The upstream's RA bit. */
  ra: boolean;
  answers: dnsPacket.Answer[];
  authorities: dnsPacket.Answer[];
  additionals: dnsPacket.Answer[];
}

export interface ForwarderOptions {
  upstreams: Upstream[];
  /** Per attempt (each upstream is one attempt). */
  timeoutMs?: number;
  cacheEntries?: number;
  /** Caps, as CoreDNS' cache plugin: success 3600 s, denial 1800 s. */
  maxTTL?: number;
  maxNegativeTTL?: number;
  clock?: () => number;
}

interface CacheEntry {
  result: ForwardResult;
  storedAt: number;
  ttl: number;
}

const rcodeServfail = 2;
const rcodeNxdomain = 3;

function minTTL(records: dnsPacket.Answer[]): number | undefined {
  let min: number | undefined;
  for (const rr of records) {
    if (rr.type === 'OPT') continue;
    const ttl = (rr as { ttl?: number }).ttl ?? 0;
    if (min === undefined || ttl < min) min = ttl;
  }
  return min;
}

export class Forwarder {
  private readonly upstreams: Upstream[];
  private readonly timeoutMs: number;
  private readonly cacheEntries: number;
  private readonly maxTTL: number;
  private readonly maxNegativeTTL: number;
  private readonly clock: () => number;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<ForwardResult>>();
  private readonly pending = new Map<number, (msg: Buffer) => void>();
  private sockets: { udp4?: dgram.Socket; udp6?: dgram.Socket } = {};
  private closed = false;

  constructor(options: ForwarderOptions) {
    this.upstreams = options.upstreams;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.cacheEntries = options.cacheEntries ?? 10_000;
    this.maxTTL = options.maxTTL ?? 3600;
    this.maxNegativeTTL = options.maxNegativeTTL ?? 1800;
    this.clock = options.clock ?? Date.now;
  }

  get upstreamList(): readonly Upstream[] {
    return this.upstreams;
  }

  /** The upstream's answer with TTLs aged by the time spent in the cache; SERVFAIL when none answers. */
  async resolve(q: ForwardQuestion): Promise<ForwardResult> {
    const key = `${q.name.toLowerCase()}|${q.type}|${q.class}`;
    const hit = this.cache.get(key);
    if (hit) {
      const age = Math.floor((this.clock() - hit.storedAt) / 1000);
      if (age < hit.ttl) return aged(hit.result, age);
      this.cache.delete(key);
    }
    let running = this.inflight.get(key);
    if (!running) {
      running = this.query(q).finally(() => this.inflight.delete(key));
      this.inflight.set(key, running);
    }
    const result = await running;
    this.store(key, result);
    return result;
  }

  close(): void {
    this.closed = true;
    this.sockets.udp4?.close();
    this.sockets.udp6?.close();
    this.sockets = {};
    for (const settle of this.pending.values()) settle(Buffer.alloc(0));
    this.pending.clear();
  }

  private store(key: string, result: ForwardResult): void {
    if (result.rcode !== 0 && result.rcode !== rcodeNxdomain) return; // SERVFAIL, REFUSED: not cached
    let ttl: number | undefined;
    if (result.rcode === 0 && result.answers.length > 0) {
      ttl = Math.min(minTTL(result.answers) ?? 0, this.maxTTL);
    } else {
      // Negative caching from the SOA (RFC 2308): min(SOA TTL, SOA minimum).
      const soa = result.authorities.find((rr) => rr.type === 'SOA') as dnsPacket.SoaAnswer | undefined;
      if (!soa) return;
      ttl = Math.min(soa.ttl ?? 0, soa.data.minimum ?? 0, this.maxNegativeTTL);
    }
    if (ttl <= 0) return;
    if (this.cache.size >= this.cacheEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, { result, storedAt: this.clock(), ttl });
  }

  private async query(q: ForwardQuestion): Promise<ForwardResult> {
    for (const upstream of this.upstreams) {
      if (this.closed) break;
      try {
        let reply = await this.udpExchange(upstream, q);
        if (reply.flag_tc) reply = await this.tcpExchange(upstream, q);
        const rcode = (reply.flags ?? 0) & 0xf;
        if (rcode === rcodeServfail || rcode === 5) continue; // try the next upstream
        return {
          rcode,
          ra: reply.flag_ra,
          answers: reply.answers ?? [],
          authorities: reply.authorities ?? [],
          additionals: (reply.additionals ?? []).filter((rr) => rr.type !== 'OPT'),
        };
      } catch {
        // timeout or transport error: next upstream
      }
    }
    return { rcode: rcodeServfail, ra: false, answers: [], authorities: [], additionals: [] };
  }

  private newId(): number {
    for (;;) {
      const id = Math.floor(Math.random() * 0x10000);
      if (!this.pending.has(id)) return id;
    }
  }

  private socketFor(host: string): dgram.Socket {
    const family = host.includes(':') ? 'udp6' : 'udp4';
    let sock = this.sockets[family];
    if (!sock) {
      sock = dgram.createSocket(family);
      sock.on('message', (msg) => {
        if (msg.length < 2) return;
        this.pending.get(msg.readUInt16BE(0))?.(msg);
      });
      sock.on('error', () => {});
      sock.unref();
      this.sockets[family] = sock;
    }
    return sock;
  }

  private request(q: ForwardQuestion, id: number): Buffer {
    return dnsPacket.encode({
      type: 'query',
      id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name: q.name, type: q.type as dnsPacket.RecordType, class: q.class as dnsPacket.RecordClass }],
      additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
    });
  }

  private udpExchange(upstream: Upstream, q: ForwardQuestion): Promise<dnsPacket.DecodedPacket> {
    const id = this.newId();
    const sock = this.socketFor(upstream.host);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`upstream ${upstream.host}:${upstream.port} timed out`));
      }, this.timeoutMs);
      this.pending.set(id, (msg) => {
        let reply: dnsPacket.DecodedPacket;
        try {
          reply = dnsPacket.decode(msg);
        } catch {
          return; // garbage: keep waiting for the real reply until the timeout
        }
        const rq = reply.questions?.[0];
        if (!rq || rq.name.toLowerCase() !== q.name.toLowerCase() || rq.type !== q.type) return;
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(reply);
      });
      sock.send(this.request(q, id), upstream.port, upstream.host, (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  private tcpExchange(upstream: Upstream, q: ForwardQuestion): Promise<dnsPacket.DecodedPacket> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: upstream.host, port: upstream.port });
      let buf = Buffer.alloc(0);
      const fail = (err: Error): void => {
        sock.destroy();
        reject(err);
      };
      sock.setTimeout(this.timeoutMs, () => fail(new Error(`upstream ${upstream.host}:${upstream.port} timed out (tcp)`)));
      sock.on('error', fail);
      sock.on('connect', () => {
        const msg = this.request(q, this.newId());
        const len = Buffer.alloc(2);
        len.writeUInt16BE(msg.length);
        sock.write(Buffer.concat([len, msg]));
      });
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
        sock.destroy();
        try {
          resolve(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        } catch (err) {
          reject(err as Error);
        }
      });
    });
  }
}

function aged(result: ForwardResult, age: number): ForwardResult {
  if (age <= 0) return result;
  const age1 = (records: dnsPacket.Answer[]): dnsPacket.Answer[] =>
    records.map((rr) => (rr.type === 'OPT' ? rr : { ...rr, ttl: Math.max(0, ((rr as { ttl?: number }).ttl ?? 0) - age) }) as dnsPacket.Answer);
  return { ...result, answers: age1(result.answers), authorities: age1(result.authorities), additionals: age1(result.additionals) };
}

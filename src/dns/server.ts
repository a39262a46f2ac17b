// The cluster DNS server: UDP and TCP on one address and port. It decodes, asks answer() (or the forwarder
// for names outside the zone), encodes, and keeps every encoded in-zone reply so a repeated question is
// answered by patching the ID (the fast path); index changes drop exactly the replies they can alter.
import dgram from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import dnsPacket from 'dns-packet';
import { answer, type AnswerOptions, type DnsAnswer } from './answer.ts';
import { depKey, type ClusterIndex } from './cluster-index.ts';
import type { Forwarder } from './forwarder.ts';
import type { DnsMetrics } from './metrics.ts';
import {
  badVersionReply,
  encodeReply,
  headerOnlyReply,
  patchReply,
  readQuery,
  ReplyCache,
  replySizeLimit,
  type QueryInfo,
  type WireRecord,
} from './wire.ts';

export interface DnsServerOptions {
  index: ClusterIndex;
  answer: AnswerOptions;
  /** Upstream for names outside the zone; without one those get SERVFAIL. */
  forwarder?: Forwarder;
  metrics?: DnsMetrics;
  /** Listen address; default 127.0.0.1. '::' or an IPv6 address listens on IPv6. */
  host?: string;
  /** Default 0 (an ephemeral port, the same for UDP and TCP). */
  port?: number;
  cacheEntries?: number;
  /** Idle TCP connections are closed after this (CoreDNS: a few seconds). */
  tcpIdleTimeoutMs?: number;
}

type Transport = 'udp' | 'tcp';
type Family = 4 | 6;

const opcodeQuery = 0;
const rcodeServfail = 2;

export class DnsServer {
  private readonly index: ClusterIndex;
  private readonly answerOptions: AnswerOptions;
  private readonly forwarder: Forwarder | undefined;
  private readonly metrics: DnsMetrics | undefined;
  private readonly host: string;
  private readonly requestedPort: number;
  private readonly tcpIdleTimeoutMs: number;
  readonly cache: ReplyCache;
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly connections = new Set<net.Socket>();
  private boundPort = 0;

  constructor(options: DnsServerOptions) {
    this.index = options.index;
    this.answerOptions = options.answer;
    this.forwarder = options.forwarder;
    this.metrics = options.metrics;
    this.host = options.host ?? '127.0.0.1';
    this.requestedPort = options.port ?? 0;
    this.tcpIdleTimeoutMs = options.tcpIdleTimeoutMs ?? 10_000;
    this.cache = new ReplyCache(options.cacheEntries);
    this.index.onInvalidate((keys) => {
      if (keys.includes(depKey.synced)) this.cache.clear();
      else this.cache.invalidate(keys);
    });
  }

  get port(): number {
    return this.boundPort;
  }

  /** Binds UDP, then TCP on the same port (retrying a few ephemeral ports if TCP's is taken). */
  async start(): Promise<{ host: string; port: number }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const udp = await this.bindUDP(this.requestedPort);
      const port = udp.address().port;
      try {
        this.tcp = await this.bindTCP(port);
        this.udp = udp;
        this.boundPort = port;
        return { host: this.host, port };
      } catch (err) {
        udp.close();
        if (this.requestedPort !== 0) throw err;
      }
    }
    throw new Error('could not bind UDP and TCP to the same port');
  }

  async stop(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    for (const c of this.connections) c.destroy();
    await Promise.all([
      udp ? new Promise<void>((resolve) => udp.close(() => resolve())) : undefined,
      tcp ? new Promise<void>((resolve) => tcp.close(() => resolve())) : undefined,
    ]);
  }

  private bindUDP(port: number): Promise<dgram.Socket> {
    const sock = dgram.createSocket({
      type: this.host.includes(':') ? 'udp6' : 'udp4',
      // Replies go to the sender's IP literal: skip dns.lookup's nextTick round per datagram.
      lookup: (address: string, _family: unknown, callback: (err: Error | null, address: string, family: number) => void) =>
        callback(null, address, address.includes(':') ? 6 : 4),
    });
    return new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, this.host, () => {
        sock.off('error', reject);
        sock.on('error', () => {});
        sock.on('message', (msg, rinfo) => this.onDatagram(sock, msg, rinfo));
        resolve(sock);
      });
    });
  }

  private bindTCP(port: number): Promise<net.Server> {
    const server = net.createServer((conn) => this.onConnection(conn));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  private onDatagram(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const reply = this.handle(msg, 'udp', rinfo.family === 'IPv6' ? 6 : 4);
    if (reply === undefined) return;
    if (!(reply instanceof Promise)) {
      sock.send(reply, rinfo.port, rinfo.address);
      return;
    }
    reply.then(
      (buf) => {
        if (buf && this.udp === sock) sock.send(buf, rinfo.port, rinfo.address);
      },
      () => {},
    );
  }

  private onConnection(conn: net.Socket): void {
    this.connections.add(conn);
    conn.setNoDelay(true);
    conn.setTimeout(this.tcpIdleTimeoutMs, () => conn.destroy());
    conn.on('close', () => this.connections.delete(conn));
    conn.on('error', () => {});
    const family: Family = conn.remoteFamily === 'IPv6' ? 6 : 4;
    let pending: Buffer = Buffer.alloc(0);
    const send = (buf: Buffer): void => {
      if (conn.destroyed) return;
      const framed = Buffer.allocUnsafe(buf.length + 2);
      framed.writeUInt16BE(buf.length, 0);
      buf.copy(framed, 2);
      conn.write(framed);
    };
    conn.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      // Several length-prefixed queries per connection, answered as they complete (RFC 7766 6.2.1.1).
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (pending.length < 2 + len) break;
        const msg = Buffer.from(pending.subarray(2, 2 + len));
        pending = pending.subarray(2 + len);
        const reply = this.handle(msg, 'tcp', family);
        if (reply instanceof Promise) reply.then((buf) => buf && send(buf), () => {});
        else if (reply) send(reply);
      }
    });
  }

  /** One message in, its reply out: synchronously from the cache, else after answering (or forwarding). */
  handle(msg: Buffer, transport: Transport, family: Family): Buffer | Promise<Buffer | undefined> | undefined {
    const started = performance.now();
    const query = readQuery(msg);
    if (query) {
      const hit = this.cache.find(msg, query, replySizeLimit(transport, query.edns));
      if (hit) {
        const out = patchReply(hit, msg, this.index.serial);
        if (hit.metrics) this.metrics?.observeSlot(hit.metrics, transport, family, (performance.now() - started) / 1000);
        return out;
      }
    }
    try {
      if (query?.edns && query.edns.version > 0) return badVersionReply(msg, query);
      const reply = this.slowPath(msg, query, transport, family, started);
      if (reply instanceof Promise) return reply.catch(() => headerOnlyReply(msg, 'SERVFAIL'));
      return reply;
    } catch {
      // A record dns-packet cannot encode (say, an externalName with a 64-byte label) must not stop the server.
      return headerOnlyReply(msg, 'SERVFAIL');
    }
  }

  private observe(transport: Transport, family: Family, qtype: number | string, rcode: number, plugin: string, started: number): void {
    this.metrics?.observe({ proto: transport, family, qtype, rcode, plugin, seconds: (performance.now() - started) / 1000 });
  }

  private slowPath(
    msg: Buffer,
    query: QueryInfo | undefined,
    transport: Transport,
    family: Family,
    started: number,
  ): Buffer | Promise<Buffer | undefined> | undefined {
    let decoded: dnsPacket.DecodedPacket;
    try {
      decoded = dnsPacket.decode(msg);
    } catch {
      return headerOnlyReply(msg, 'FORMERR');
    }
    if (decoded.flag_qr) return undefined; // a response sent to us: ignore
    if (((decoded.flags ?? 0) >> 11) % 16 !== opcodeQuery) return headerOnlyReply(msg, 'NOTIMP');
    const questions = decoded.questions ?? [];
    if (questions.length !== 1) return headerOnlyReply(msg, 'FORMERR');
    const q = questions[0];
    const question = { name: q.name, type: q.type, class: q.class ?? 'IN' };
    const optRecord = (decoded.additionals ?? []).find((rr) => rr.type === 'OPT') as dnsPacket.OptAnswer | undefined;
    const edns = query?.edns ?? (optRecord ? { udpSize: optRecord.udpPayloadSize, dnssecOK: optRecord.flag_do, version: optRecord.ednsVersion } : undefined);
    const limit = replySizeLimit(transport, edns);
    const replyOptions = { id: decoded.id ?? 0, queryFlags: decoded.flags ?? 0, edns, limit };

    const result = answer(question, this.index, this.answerOptions);
    if (result.forward) return this.forward(question, replyOptions, transport, family, started);
    if (result.resolveTarget !== undefined) return this.withTarget(question, result, replyOptions, transport, family, started);

    const encoded = encodeReply(question, result, replyOptions);
    const rcode = encoded.buf.readUInt16BE(2) & 0xf;
    // Cache only complete knowledge: after the first sync, and when the query could be read on the fast path.
    if (query !== undefined && this.index.synced) {
      const template = Buffer.from(encoded.buf);
      const metrics = this.metrics?.slot(question.type, rcode, 'kubernetes');
      this.cache.set(msg, query, limit, { buf: template, serialOffset: encoded.serialOffset, qtype: query.qtype, rcode, metrics }, result.deps);
    }
    this.observe(transport, family, question.type, rcode, 'kubernetes', started);
    return encoded.buf;
  }

  private async forward(
    question: { name: string; type: string; class: string },
    replyOptions: Parameters<typeof encodeReply>[2],
    transport: Transport,
    family: Family,
    started: number,
  ): Promise<Buffer> {
    const upstream = this.forwarder
      ? await this.forwarder.resolve(question)
      : { rcode: rcodeServfail, ra: false, answers: [], authorities: [], additionals: [] };
    const encoded = encodeReply(
      question,
      { rcode: upstream.rcode, aa: false, ra: upstream.ra, answer: upstream.answers, authority: upstream.authorities, additional: upstream.additionals },
      replyOptions,
    );
    this.observe(transport, family, question.type, upstream.rcode, 'forward', started);
    return encoded.buf;
  }

  /** An ExternalName pointing outside the zone: the CNAME, then the target's records when an upstream has them. */
  private async withTarget(
    question: { name: string; type: string; class: string },
    result: DnsAnswer,
    replyOptions: Parameters<typeof encodeReply>[2],
    transport: Transport,
    family: Family,
    started: number,
  ): Promise<Buffer> {
    let extra: WireRecord[] = [];
    if (this.forwarder && result.resolveTarget !== undefined) {
      const target = await this.forwarder.resolve({ name: result.resolveTarget, type: question.type, class: question.class });
      if (target.rcode === 0) extra = target.answers;
    }
    const encoded = encodeReply(question, { ...result, answer: [...result.answer, ...extra] }, replyOptions);
    this.observe(transport, family, question.type, 0, 'kubernetes', started);
    return encoded.buf;
  }
}

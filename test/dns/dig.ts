// Test helpers: run the real `dig` against a server on loopback (asynchronously, so a server in this process
// keeps answering), and a fake upstream DNS server on loopback for forwarding tests.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface DigResult {
  status: string;
  flags: string[];
  answer: string[];
  authority: string[];
  additional: string[];
  raw: string;
}

function section(raw: string, title: string): string[] {
  const start = raw.indexOf(`;; ${title} SECTION:\n`);
  if (start < 0) return [];
  const body = raw.slice(start).split('\n').slice(1);
  const out: string[] = [];
  for (const line of body) {
    if (line.trim() === '') break;
    out.push(line.trim().split(/\s+/).join(' '));
  }
  return out;
}

export function dig(port: number, args: string[]): Promise<DigResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'dig',
      ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=3', '+nocookie', ...args],
      { timeout: 15_000 },
      (err, stdout) => {
        if (err && !stdout) return reject(err);
        const status = /status: (\w+)/.exec(stdout)?.[1] ?? '';
        const flags = (/;; flags: ([^;]*);/.exec(stdout)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
        resolve({
          status,
          flags,
          answer: section(stdout, 'ANSWER'),
          authority: section(stdout, 'AUTHORITY'),
          additional: section(stdout, 'ADDITIONAL'),
          raw: stdout,
        });
      },
    );
  });
}

/** A fake upstream resolver on 127.0.0.1 answering from a fixed table; counts the questions it gets. */
export class FakeUpstream {
  readonly asked: string[] = [];
  private readonly socket = dgram.createSocket('udp4');
  private readonly records: Map<string, dnsPacket.Answer[]>;

  constructor(records: Record<string, dnsPacket.Answer[]>) {
    this.records = new Map(
      Object.entries(records).map(([k, v]) => {
        const [name, type] = k.split(' ');
        return [`${name.toLowerCase()} ${type}`, v];
      }),
    );
  }

  async start(): Promise<number> {
    this.socket.on('message', (msg, rinfo) => {
      let q: dnsPacket.DecodedPacket;
      try {
        q = dnsPacket.decode(msg);
      } catch {
        return;
      }
      const question = q.questions?.[0];
      if (!question) return;
      this.asked.push(`${question.name.toLowerCase()} ${question.type}`);
      const key = `${question.name.toLowerCase()} ${question.type}`;
      const answers = this.records.get(key) ?? [];
      const nameKnown = [...this.records.keys()].some((k) => k.startsWith(`${question.name.toLowerCase()} `));
      const reply = dnsPacket.encode({
        type: 'response',
        id: q.id,
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (nameKnown ? 0 : 3),
        questions: [question],
        answers,
        authorities: answers.length > 0 ? [] : [
          { name: 'test', type: 'SOA', ttl: 60, data: { mname: 'ns.test', rname: 'hostmaster.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 30 } },
        ],
      });
      this.socket.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
    return this.socket.address().port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

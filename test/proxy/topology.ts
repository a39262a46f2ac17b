// A miniature node for the proxy's real-kernel tests and bench, shaped like the agent's: a node network
// namespace with a bridge cbr0 owning the pod gateway, pods as namespaces with a /32 (and /128) and a veth on
// the bridge, all their traffic via the gateway (so pod → ClusterIP → pod crosses the node's netfilter).
// Everything is created in namespaces named with our pid and removed by destroy(), also after failures.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const fixtures = path.join(import.meta.dirname, 'fixtures');

export async function sh(cmd: string, args: string[], input?: string): Promise<string> {
  if (input === undefined) {
    const { stdout } = await execFileP(cmd, args, { maxBuffer: 64 << 20 });
    return stdout;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: ${err}`))));
    child.stdin.end(input);
  });
}

export interface Pod {
  name: string;
  netns: string;
  ip: string;
  ip6: string;
}

export class Topology {
  readonly id: string;
  readonly nodeNetns: string;
  readonly gateway = '10.244.1.1';
  readonly gateway6 = 'fd00:10:244:1::1';
  readonly pods: Pod[] = [];
  /** A second node (createPeerNode): its namespace, joined to the first by a veth pair on 172.31.0.0/24. */
  readonly peerNetns: string;
  private readonly namespaces: string[] = [];
  private readonly processes: ChildProcess[] = [];

  constructor(tag: string) {
    this.id = `${tag}${process.pid}`;
    this.nodeNetns = `cipx-${this.id}-node`;
    this.peerNetns = `cipx-${this.id}-nodeb`;
  }

  /**
   * A second node, 10.244.2.0/24, routed to and from the first over a veth pair (the agent's cluster network
   * in miniature). It runs no proxy: traffic from the first node's pods to its pods is DNAT-ed on the first.
   */
  async createPeerNode(): Promise<void> {
    await this.addNetns(this.peerNetns);
    const a = this.nodeNetns;
    const b = this.peerNetns;
    await sh('ip', ['-n', b, '-batch', '-'], ['link set lo up', 'link add cbr0 type bridge', 'addr add 10.244.2.1/24 dev cbr0', 'link set cbr0 up'].join('\n') + '\n');
    await sh('ip', ['-n', a, '-batch', '-'], [
      `link add eth0 type veth peer name eth0 netns ${b}`,
      'addr add 172.31.0.1/24 dev eth0',
      'link set eth0 up',
      'route add 10.244.2.0/24 via 172.31.0.2',
    ].join('\n') + '\n');
    // The Service range via the first node too: the peer node's own processes are an off-cluster client.
    await sh('ip', ['-n', b, '-batch', '-'], [
      'addr add 172.31.0.2/24 dev eth0',
      'link set eth0 up',
      'route add 10.244.1.0/24 via 172.31.0.1',
      'route add 10.96.0.0/16 via 172.31.0.1',
    ].join('\n') + '\n');
    for (const sysctl of ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']) {
      await sh('ip', ['netns', 'exec', b, 'sysctl', '-qw', sysctl]);
    }
  }

  async createNode(): Promise<void> {
    await this.addNetns(this.nodeNetns);
    const n = this.nodeNetns;
    await sh('ip', ['-n', n, '-batch', '-'], [
      'link set lo up',
      'link add cbr0 type bridge',
      `addr add ${this.gateway}/24 dev cbr0`,
      `addr add ${this.gateway6}/64 dev cbr0 nodad`,
      'link set cbr0 up',
    ].join('\n') + '\n');
    for (const s of [
      'net.ipv4.ip_forward=1',
      'net.ipv6.conf.all.forwarding=1',
      'net.ipv4.conf.all.send_redirects=0',
      'net.ipv4.conf.default.send_redirects=0',
      'net.ipv4.conf.all.rp_filter=0',
      'net.ipv4.conf.default.rp_filter=0',
    ]) {
      await sh('ip', ['netns', 'exec', n, 'sysctl', '-qw', s]);
    }
  }

  /** A pod with IPs 10.244.1.<index> and fd00:10:244:1::<index> (on the peer node: 10.244.2.<index>, v4 only). */
  async addPod(name: string, index: number, onPeer = false): Promise<Pod> {
    const netns = `cipx-${this.id}-${name}`;
    await this.addNetns(netns);
    const veth = `v${name}`.slice(0, 15);
    const pod: Pod = {
      name,
      netns,
      ip: `10.244.${onPeer ? 2 : 1}.${index}`,
      ip6: `fd00:10:244:1::${index.toString(16)}`,
    };
    const gateway = onPeer ? '10.244.2.1' : this.gateway;
    if (onPeer) {
      await sh('ip', ['-n', this.peerNetns, '-batch', '-'], [
        `link add ${veth} type veth peer name eth0 netns ${netns}`,
        `link set ${veth} master cbr0`,
        `link set ${veth} up`,
      ].join('\n') + '\n');
      await sh('ip', ['-n', netns, '-batch', '-'], [
        'link set lo up',
        'link set eth0 up',
        `addr add ${pod.ip}/32 dev eth0`,
        `route add ${gateway} dev eth0 scope link`,
        `route add default via ${gateway} dev eth0`,
      ].join('\n') + '\n');
      this.pods.push(pod);
      return pod;
    }
    await sh('ip', ['-n', this.nodeNetns, '-batch', '-'], [
      `link add ${veth} type veth peer name eth0 netns ${netns}`,
      `link set ${veth} master cbr0`,
      `link set ${veth} type bridge_slave hairpin on`,
      `link set ${veth} up`,
    ].join('\n') + '\n');
    await sh('ip', ['-n', netns, '-batch', '-'], [
      'link set lo up',
      'link set eth0 up',
      `addr add ${pod.ip}/32 dev eth0`,
      `route add ${this.gateway} dev eth0 scope link`,
      `route add default via ${this.gateway} dev eth0`,
      `addr add ${pod.ip6}/128 dev eth0 nodad`,
      `route add ${this.gateway6} dev eth0`,
      `route add default via ${this.gateway6} dev eth0`,
    ].join('\n') + '\n');
    this.pods.push(pod);
    return pod;
  }

  /** Starts the HTTP/UDP fixture server in the pod; resolves once it listens. */
  async serve(pod: Pod, tcpPorts: number[], udpPort: number): Promise<void> {
    const child = spawn(
      'ip',
      ['netns', 'exec', pod.netns, process.execPath, path.join(fixtures, 'pod-server.ts'), pod.name, tcpPorts.join(','), String(udpPort)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    this.processes.push(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server in ${pod.name} did not start`)), 10_000);
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => reject(new Error(`server in ${pod.name} exited ${code}`)));
    });
  }

  /** Runs the client fixture in a pod: one result per request (reply body or ERR:<code>). */
  async client(pod: Pod, job: Record<string, unknown>): Promise<string[]> {
    const out = await sh('ip', ['netns', 'exec', pod.netns, process.execPath, path.join(fixtures, 'pod-client.ts'), JSON.stringify(job)]);
    return JSON.parse(out) as string[];
  }

  async nft(args: string[]): Promise<string> {
    return sh('ip', ['netns', 'exec', this.nodeNetns, 'nft', ...args]);
  }

  private async addNetns(name: string): Promise<void> {
    await sh('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
  }

  async destroy(): Promise<void> {
    for (const p of this.processes) {
      if (p.exitCode === null && p.pid) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const ns of this.namespaces.reverse()) {
      try {
        await sh('ip', ['netns', 'del', ns]);
      } catch {
        // best effort; the next one still gets removed
      }
    }
    this.namespaces.length = 0;
  }
}

/** Counts replies per body, errors under their `ERR:` code. */
export function tally(results: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

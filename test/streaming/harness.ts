// A control plane plus one fake node for the streaming protocols: the agent's real kubelet server
// (src/agent/kubelet.ts → src/agent/streaming) on loopback, with a StreamingRuntime that runs plain local
// processes and forwards ports to loopback servers. A Pod bound to that node, Running, lets real kubectl
// exec and port-forward through the real API server's proxy.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { startKubeletServer } from '../../src/agent/kubelet.ts';
import { observeStreaming, StreamingError, type StreamingEvent } from '../../src/agent/streaming/index.ts';
import type { ExecOptions, ExecProcess, PodRef, StreamingRuntime } from '../../src/agent/streaming/types.ts';
import { startTestControlPlane, type TestControlPlane } from '../support/cluster.ts';

export const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';

export interface StreamingCluster {
  cp: TestControlPlane;
  namespace: string;
  pod: string;
  /** Protocols the node agent served, in order. */
  events: StreamingEvent[];
  /** Requests the loopback "pod" HTTP server answered. */
  httpRequests(): number;
  /** Upgraded (exec/port-forward) connections to the node agent still open. */
  openStreams(): string[];
  /** Processes the runtime started and that are still running. */
  liveProcesses(): number;
  close(): Promise<void>;
}

/** Plain local processes stand in for containers; `podPorts` maps a pod port to a loopback port. */
export class LocalRuntime implements StreamingRuntime {
  readonly children = new Set<ChildProcess>();
  private readonly podPorts: Map<number, number>;
  private readonly podName: string;

  constructor(podName: string, podPorts: Map<number, number>) {
    this.podName = podName;
    this.podPorts = podPorts;
  }

  async exec(pod: PodRef, container: string, command: string[], options: ExecOptions): Promise<ExecProcess> {
    if (pod.name !== this.podName) throw new StreamingError(404, `pod "${pod.name}" in namespace "${pod.namespace}" not found`);
    if (container !== 'main') throw new StreamingError(404, `container "${container}" in pod "${pod.name}" is not running`);
    const child = spawn(command[0], command.slice(1), {
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: options.tty ? 'xterm' : 'dumb', COLUMNS: '80', LINES: '24' },
    });
    this.children.add(child);
    const exit = new Promise<number>((resolve) => {
      child.on('error', () => resolve(127));
      // 'exit', not 'close': a background child may hold stdout open after the command is done.
      child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 143)));
    }).finally(() => this.children.delete(child));
    // A tty has one output: merge stderr into it (no real pty here; `-t` only has to work end to end).
    let stdout: Readable = child.stdout!;
    if (options.tty) {
      const merged = new PassThrough();
      let open = 2;
      for (const s of [child.stdout!, child.stderr!]) {
        s.pipe(merged, { end: false });
        s.on('end', () => --open === 0 && merged.end());
      }
      stdout = merged;
    }
    return {
      stdin: child.stdin,
      stdout,
      stderr: options.tty ? null : child.stderr,
      resize: (w, h) => this.resizes.push([w, h]),
      exit,
      kill: (signal) => child.kill(signal ?? 'SIGKILL'),
    };
  }

  readonly resizes: [number, number][] = [];

  async attach(): Promise<ExecProcess> {
    throw new StreamingError(501, 'attach is not supported');
  }

  async portForward(pod: PodRef, port: number): Promise<net.Socket> {
    if (pod.name !== this.podName) throw new StreamingError(404, `pod "${pod.name}" in namespace "${pod.namespace}" not found`);
    const target = this.podPorts.get(port) ?? 1; // port 1 on loopback: connection refused
    return new Promise((resolve, reject) => {
      const s = net.connect(target, '127.0.0.1');
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', (err) => reject(new Error(`dial tcp4 127.0.0.1:${port}: connect: connection refused (${err.message})`)));
    });
  }
}

export async function startStreamingCluster(): Promise<StreamingCluster & { runtime: LocalRuntime }> {
  const cp = await startTestControlPlane();
  const cleanup: (() => Promise<void> | void)[] = [() => cp.close()];
  try {
    await mkdir(path.join(cp.dir, 'cache'), { recursive: true });
    let served = 0;
    const web = http.createServer((req, res) => {
      served++;
      const body = `hello from the pod: ${req.url}\n`;
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
    cleanup.unshift(
      () =>
        new Promise<void>((r) => {
          web.closeAllConnections();
          web.close(() => r());
        }),
    );
    const webPort = (web.address() as net.AddressInfo).port;
    const pod = 'shell';
    const runtime = new LocalRuntime(pod, new Map([[80, webPort]]));
    const kubelet = await startKubeletServer({
      port: 0,
      logs: { logPath: () => undefined, isRunning: () => false, hasPod: () => false },
      streaming: runtime,
    });
    const upgraded = new Map<import('node:stream').Duplex, string>();
    kubelet.server.on('upgrade', (req: http.IncomingMessage, socket: import('node:stream').Duplex) => {
      upgraded.set(socket, `${req.headers.upgrade} ${req.url}`);
      socket.on('close', () => upgraded.delete(socket));
    });
    cleanup.unshift(() => kubelet.close());
    // Whatever is still open when the test ends (a test failed mid-way) must not keep the server alive.
    cleanup.unshift(() => {
      for (const s of upgraded.keys()) s.destroy();
    });
    cleanup.unshift(() => {
      for (const c of runtime.children) c.kill('SIGKILL');
    });
    const events: StreamingEvent[] = [];

    observeStreaming((e) => events.push(e));
    cleanup.unshift(() => observeStreaming(undefined));

    const namespace = `stream-${process.pid}`;
    const node = `node-${process.pid}`;
    await cp.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const created = await cp.client.create<{ apiVersion: string; kind: string; metadata: { name: string }; status?: unknown }>(
      '/api/v1/nodes',
      { apiVersion: 'v1', kind: 'Node', metadata: { name: node } },
    );
    await cp.client.update(`/api/v1/nodes/${node}/status`, {
      ...created,
      status: {
        daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } },
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      },
    });
    const p = await cp.client.create<{ apiVersion: string; kind: string; metadata: { name: string }; status?: unknown }>(
      `/api/v1/namespaces/${namespace}/pods`,
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: pod },
        spec: { nodeName: node, containers: [{ name: 'main', image: 'busybox', ports: [{ containerPort: 80 }] }] },
      } as never,
    );
    const now = new Date().toISOString();
    await cp.client.update(`/api/v1/namespaces/${namespace}/pods/${pod}/status`, {
      ...p,
      status: {
        phase: 'Running',
        podIP: '127.0.0.1',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
        containerStatuses: [
          { name: 'main', ready: true, restartCount: 0, image: 'busybox', imageID: '', state: { running: { startedAt: now } } },
        ],
      },
    });
    return {
      cp,
      namespace,
      pod,
      events,
      runtime,
      httpRequests: () => served,
      liveProcesses: () => runtime.children.size,
      openStreams: () => [...upgraded.values()],
      close: async () => {
        for (const c of cleanup) await c();
      },
    };
  } catch (err) {
    for (const c of cleanup) await c();
    throw err;
  }
}

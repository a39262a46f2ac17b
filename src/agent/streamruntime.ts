// The StreamingRuntime the agent gives the exec/port-forward protocols: processes entered into a
// container's namespaces (nsenter on its main pid: network, mount — with the pod's /etc files — and UTS),
// and TCP connections to the pod IP from the node namespace.
import { spawn } from 'node:child_process';
import type net from 'node:net';
import { dialThroughNode } from './network/dialer.ts';
import { CONTAINER_PATH } from './container.ts';
import { StreamingError, type ExecOptions, type ExecProcess, type PodRef, type StreamingRuntime } from './streaming/types.ts';
import type { PodManager } from './pods.ts';

export class AgentStreamingRuntime implements StreamingRuntime {
  private readonly pods: PodManager;

  constructor(pods: PodManager) {
    this.pods = pods;
  }

  private container(pod: PodRef, container: string): { pid: number; env: Map<string, string> } {
    const found = this.pods.lookup(pod.namespace, pod.name);
    if (!found) throw new StreamingError(404, `pod "${pod.name}" in namespace "${pod.namespace}" not found`);
    const c = found.containers.get(container);
    if (!c) throw new StreamingError(404, `container "${container}" in pod "${pod.name}" is not running`);
    return c;
  }

  async exec(pod: PodRef, container: string, command: string[], options: ExecOptions): Promise<ExecProcess> {
    const c = this.container(pod, container);
    if (command.length === 0) throw new StreamingError(400, 'you must specify at least one command for the container');
    const env: Record<string, string> = { PATH: CONTAINER_PATH, HOME: '/root' };
    for (const [k, v] of c.env) env[k] = v;
    if (options.tty) env.TERM = env.TERM ?? 'xterm';
    // A tty without native addons: util-linux `script` allocates the pseudo-terminal.
    const argv = options.tty
      ? ['script', '-q', '-e', '-c', command.map(shellQuote).join(' '), '/dev/null']
      : command;
    const child = spawn('nsenter', ['-t', String(c.pid), '-n', '-m', '-u', '--', ...argv], {
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', options.tty ? 'pipe' : 'pipe'],
      env,
      cwd: '/',
    });
    const exit = new Promise<number>((resolve) => {
      child.on('error', () => resolve(126));
      child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 1)));
    });
    return {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: options.tty ? null : child.stderr,
      resize: () => {
        // Not supported without a pty handle; the terminal keeps its initial size.
      },
      exit,
      kill: (signal) => child.kill(signal ?? 'SIGKILL'),
    };
  }

  async attach(): Promise<ExecProcess> {
    throw new StreamingError(501, 'attach is not supported by clusterip: containers write to log files, not terminals');
  }

  async portForward(pod: PodRef, port: number): Promise<net.Socket> {
    const found = this.pods.lookup(pod.namespace, pod.name);
    if (!found || !found.ips[0]) throw new StreamingError(404, `pod "${pod.name}" in namespace "${pod.namespace}" not found`);
    return dialThroughNode(this.pods.dialerSocket, found.ips[0], port, 5000);
  }
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

// The StreamingRuntime the agent gives the exec/port-forward protocols: processes entered into a
// container's namespaces (nsenter on its main pid: network, mount — with the pod's /etc files — and UTS),
// and TCP connections to the pod IP from the node namespace.
import { spawn } from 'node:child_process';
import type net from 'node:net';
import type { Writable } from 'node:stream';
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
    // A tty without native addons: util-linux `script` allocates the pseudo-terminal. Inside it a small
    // shell loop reads `<cols> <rows>` lines from fd 3 and applies them with stty (the kernel then sends
    // SIGWINCH to the foreground program), which is how resize reaches the terminal.
    const inner = `(while read -r w h <&3; do stty cols "$w" rows "$h" <&1 2>/dev/null; done) 3<&3 & exec 3<&-; exec ${command.map(shellQuote).join(' ')}`;
    const argv = options.tty ? ['script', '-q', '-e', '-c', inner, '/dev/null'] : command;
    const child = spawn('nsenter', ['-t', String(c.pid), '-n', '-m', '-u', '--', ...argv], {
      stdio: [options.stdin || options.tty ? 'pipe' : 'ignore', 'pipe', 'pipe', options.tty ? 'pipe' : 'ignore'],
      env,
      cwd: '/',
    });
    const resizeFd = options.tty ? (child.stdio[3] as Writable | null) : null;
    resizeFd?.on('error', () => {});
    const exit = new Promise<number>((resolve) => {
      child.on('error', () => resolve(126));
      // 'exit', not 'close': a background child holding stdout open must not keep exec alive (the
      // protocol side drains the remaining output for a moment after the exit).
      child.on('exit', (code, signal) => {
        resizeFd?.destroy();
        resolve(code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 1));
      });
    });
    return {
      stdin: options.stdin ? child.stdin : null,
      stdout: child.stdout,
      stderr: options.tty ? null : child.stderr,
      resize: (width, height) => {
        if (resizeFd && width > 0 && height > 0) resizeFd.write(`${Math.floor(width)} ${Math.floor(height)}\n`);
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

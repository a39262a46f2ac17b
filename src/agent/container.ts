// Starting a container: a host process in the pod's network namespace (`ip netns exec`, which also
// bind-mounts /etc/netns/<pod-ns>/{resolv.conf,hosts,hostname} over /etc in a private mount namespace), in its
// own UTS namespace carrying the pod's hostname, as the leader of its own process group, with stdout/stderr
// appended to files. A tiny sh wrapper records the exit code in a file, so an agent that restarts (and is no
// longer the parent) still learns how an adopted container ended.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { processStartTicks } from './procfs.ts';

const WRAPPER = 'hostname "$1"; f=$2; shift 2; trap : TERM INT HUP; "$@"; rc=$?; echo $rc > "$f"; exit $rc';

export const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface LaunchSpec {
  netns: string;
  hostname: string;
  argv: string[];
  env: Map<string, string>;
  workingDir: string;
  /** `<base>.stdout`, `<base>.stderr` and `<base>.exit` are written. */
  logBase: string;
}

export interface Launched {
  pid: number;
  startTicks: number;
  /** Resolves with the exit code (128+signal) when the process group leader exits. */
  exit: Promise<number>;
}

export function launchContainer(spec: LaunchSpec): Launched {
  const out = fs.openSync(`${spec.logBase}.stdout`, 'a');
  const err = fs.openSync(`${spec.logBase}.stderr`, 'a');
  const exitFile = `${spec.logBase}.exit`;
  fs.rmSync(exitFile, { force: true });
  const env: Record<string, string> = { PATH: CONTAINER_PATH, HOME: '/root' };
  for (const [k, v] of spec.env) env[k] = v;
  let cwd = spec.workingDir || '/';
  if (!fs.existsSync(cwd)) cwd = '/';
  const child = spawn(
    'ip',
    ['netns', 'exec', spec.netns, 'unshare', '--uts', '/bin/sh', '-c', WRAPPER, 'sh', spec.hostname, exitFile, ...spec.argv],
    { stdio: ['ignore', out, err], detached: true, env, cwd },
  );
  fs.closeSync(out);
  fs.closeSync(err);
  const exit = new Promise<number>((resolve) => {
    child.on('error', () => resolve(128));
    child.on('exit', (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
  });
  child.unref();
  const pid = child.pid ?? -1;
  return { pid, startTicks: processStartTicks(pid) ?? 0, exit };
}

export function signalNumber(signal: NodeJS.Signals | null): number {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return signal ? (table[signal] ?? 1) : 0;
}

/** The exit code an adopted container's wrapper recorded (137 when it was killed before it could). */
export function recordedExitCode(logBase: string): number {
  try {
    const n = Number(fs.readFileSync(`${logBase}.exit`, 'utf8').trim());
    return Number.isFinite(n) ? n : 137;
  } catch {
    return 137;
  }
}

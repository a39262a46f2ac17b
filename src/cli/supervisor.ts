// Runs the cluster's parts as child processes, appends their output to logs/<part>.log, restarts a part
// that dies (with back-off, logged), and stops them all in reverse order on shutdown.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';

export interface PartSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Restart when it exits unexpectedly (default true). */
  restart?: boolean;
}

export interface PartStatus {
  name: string;
  pid?: number;
  state: 'running' | 'restarting' | 'stopped' | 'failed';
  restarts: number;
  lastExit?: string;
}

interface Part {
  spec: PartSpec;
  child?: ChildProcess;
  log: WriteStream;
  status: PartStatus;
  timer?: NodeJS.Timeout;
  startedAt: number;
}

export class Supervisor {
  private readonly parts = new Map<string, Part>();
  private readonly logDir: string;
  private readonly report: (line: string) => void;
  private stopping = false;

  constructor(logDir: string, report: (line: string) => void) {
    this.logDir = logDir;
    this.report = report;
  }

  start(spec: PartSpec): ChildProcess {
    const log = createWriteStream(path.join(this.logDir, `${spec.name}.log`), { flags: 'a' });
    const part: Part = { spec, log, status: { name: spec.name, state: 'running', restarts: 0 }, startedAt: Date.now() };
    this.parts.set(spec.name, part);
    return this.spawnPart(part);
  }

  private spawnPart(part: Part): ChildProcess {
    const { spec } = part;
    part.startedAt = Date.now();
    const child = spawn(spec.command, spec.args, {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    part.child = child;
    part.status.pid = child.pid;
    part.status.state = 'running';
    child.stdout?.pipe(part.log, { end: false });
    child.stderr?.pipe(part.log, { end: false });
    child.on('exit', (code, signal) => {
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      part.status.lastExit = how;
      part.status.pid = undefined;
      if (this.stopping || spec.restart === false) {
        part.status.state = code === 0 || signal === 'SIGTERM' || this.stopping ? 'stopped' : 'failed';
        return;
      }
      // Back off more for a part that keeps dying right after start.
      const quick = Date.now() - part.startedAt < 10_000;
      const delay = quick ? Math.min(1000 * 2 ** Math.min(part.status.restarts, 5), 30_000) : 1000;
      part.status.restarts++;
      part.status.state = 'restarting';
      this.report(`${spec.name} stopped (${how}); restarting in ${delay / 1000}s — see logs/${spec.name}.log`);
      part.log.write(`--- clusterip: ${spec.name} ${how}, restart #${part.status.restarts} in ${delay} ms\n`);
      part.timer = setTimeout(() => this.spawnPart(part), delay);
    });
    return child;
  }

  statuses(): PartStatus[] {
    return [...this.parts.values()].map((p) => ({ ...p.status }));
  }

  /** SIGTERM every part (newest first), SIGKILL what is still alive after timeoutMs. */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    const parts = [...this.parts.values()].reverse();
    for (const p of parts) if (p.timer) clearTimeout(p.timer);
    await Promise.all(
      parts.map(
        (p) =>
          new Promise<void>((resolve) => {
            const child = p.child;
            if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
            const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
            child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    for (const p of parts) p.log.end();
  }
}

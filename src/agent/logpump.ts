// Turns containers' raw stdout/stderr files into CRI log files. Containers write straight to files (not pipes)
// so that they survive an agent restart; the pump reads what was appended, stamps each line with the time it
// saw it and appends CRI lines. Its read offsets are saved next to the files, so a restarted agent resumes
// where the last one stopped.
import fs from 'node:fs';
import { formatCriLine, type LogStream } from './logs.ts';

interface Source {
  path: string;
  stream: LogStream;
  offset: number;
  partial: string;
  savedOffset: number;
}

interface Pumped {
  criPath: string;
  sources: Source[];
}

const MAX_LINE = 16 * 1024;

export class LogPump {
  private readonly pumps = new Map<string, Pumped>();
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;
  private readonly clock: () => number;

  constructor(intervalMs = 100, clock: () => number = Date.now) {
    this.intervalMs = intervalMs;
    this.clock = clock;
  }

  /** Starts pumping `<base>.stdout` and `<base>.stderr` into `<base>.log` (resuming from saved offsets). */
  add(base: string): void {
    if (this.pumps.has(base)) return;
    const sources: Source[] = (['stdout', 'stderr'] as const).map((stream) => {
      const path = `${base}.${stream}`;
      let offset = 0;
      try {
        offset = Number(fs.readFileSync(`${path}.offset`, 'utf8')) || 0;
      } catch {
        // fresh
      }
      return { path, stream, offset, partial: '', savedOffset: offset };
    });
    this.pumps.set(base, { criPath: `${base}.log`, sources });
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Pumps what is left (flushing partial lines) and forgets the container. */
  remove(base: string): void {
    const p = this.pumps.get(base);
    if (!p) return;
    this.pump(p, true);
    this.pumps.delete(base);
    if (this.pumps.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  stop(): void {
    for (const p of this.pumps.values()) this.pump(p, false);
    this.pumps.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Pumps now (the log reader calls this before reading so that `kubectl logs` sees the latest lines). */
  flush(base: string): void {
    const p = this.pumps.get(base);
    if (p) this.pump(p, false);
  }

  private tick(): void {
    for (const p of this.pumps.values()) this.pump(p, false);
  }

  private pump(p: Pumped, final: boolean): void {
    let out = '';
    const now = this.clock();
    for (const s of p.sources) {
      let size: number;
      try {
        size = fs.statSync(s.path).size;
      } catch {
        continue;
      }
      if (size < s.offset) s.offset = 0;
      if (size > s.offset) {
        const fd = fs.openSync(s.path, 'r');
        try {
          const buf = Buffer.alloc(Math.min(size - s.offset, 1 << 20));
          const n = fs.readSync(fd, buf, 0, buf.length, s.offset);
          s.offset += n;
          s.partial += buf.subarray(0, n).toString('utf8');
        } finally {
          fs.closeSync(fd);
        }
        const lines = s.partial.split('\n');
        s.partial = lines.pop() ?? '';
        for (const line of lines) out += formatCriLine(now, s.stream, line);
        while (s.partial.length > MAX_LINE) {
          out += formatCriLine(now, s.stream, s.partial.slice(0, MAX_LINE), true);
          s.partial = s.partial.slice(MAX_LINE);
        }
      }
      if (final && s.partial) {
        out += formatCriLine(now, s.stream, s.partial);
        s.partial = '';
      }
    }
    if (out) fs.appendFileSync(p.criPath, out);
    for (const s of p.sources) {
      if (s.offset === s.savedOffset) continue;
      // Saved after the CRI lines are written; the offset includes a held partial line, so on a restart a
      // partial line is lost rather than duplicated.
      fs.writeFileSync(`${s.path}.offset`, String(s.offset));
      s.savedOffset = s.offset;
    }
  }
}

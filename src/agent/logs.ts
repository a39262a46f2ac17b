// CRI container log lines (pure): `2026-11-23T11:00:00.123456789Z stdout F text`, as the kubelet's log
// reader parses them for `kubectl logs`.

export type LogStream = 'stdout' | 'stderr';

/** RFC 3339 with nanoseconds, as CRI runtimes write (JS has milliseconds; the rest is zero). */
export function criTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export function formatCriLine(ms: number, stream: LogStream, text: string, partial = false): string {
  return `${criTimestamp(ms)} ${stream} ${partial ? 'P' : 'F'} ${text}\n`;
}

export interface CriLine {
  time: string;
  timeMs: number;
  stream: LogStream;
  partial: boolean;
  text: string;
}

export function parseCriLine(line: string): CriLine | undefined {
  const m = /^(\S+) (stdout|stderr) ([PF]) ?(.*)$/.exec(line);
  if (!m) return undefined;
  const time = m[1] ?? '';
  return { time, timeMs: Date.parse(time), stream: m[2] as LogStream, partial: m[3] === 'P', text: m[4] ?? '' };
}

export interface LogOptions {
  timestamps: boolean;
  tailLines?: number;
  sinceMs?: number;
  limitBytes?: number;
}

/** What `kubectl logs` shows for these CRI lines: text (prefixed with the time when asked), tail, since. */
export function renderLogLines(lines: CriLine[], o: LogOptions): string {
  let selected = o.sinceMs !== undefined ? lines.filter((l) => l.timeMs >= (o.sinceMs ?? 0)) : lines;
  if (o.tailLines !== undefined) selected = o.tailLines <= 0 ? [] : selected.slice(-o.tailLines);
  let out = selected.map((l) => renderLogLine(l, o.timestamps)).join('');
  if (o.limitBytes !== undefined) out = Buffer.from(out).subarray(0, o.limitBytes).toString('utf8');
  return out;
}

export function renderLogLine(l: CriLine, timestamps: boolean): string {
  return `${timestamps ? `${l.time} ` : ''}${l.text}${l.partial ? '' : '\n'}`;
}

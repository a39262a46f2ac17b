// Process identity through /proc: a pid plus its start time (field 22 of /proc/<pid>/stat, in clock ticks
// since boot) names one process for good, so a restarted agent can tell its containers from recycled pids.
import fs from 'node:fs';

export function processStartTicks(pid: number): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) may contain spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  if (state === 'Z' || state === 'X') return undefined;
  const ticks = Number(rest[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

export function isSameProcess(pid: number, startTicks: number): boolean {
  return processStartTicks(pid) === startTicks;
}

/** Signals a whole process group (containers run as group leaders); a missing group is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // gone
  }
}

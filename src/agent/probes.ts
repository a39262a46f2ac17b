// Probe scheduling and thresholds (pure, time injected as milliseconds), as the kubelet's prober workers:
// the first probe runs initialDelaySeconds after the container started, then every periodSeconds; a result
// flips after successThreshold successes or failureThreshold failures in a row. Until its first success a
// readiness probe reads failure, a liveness probe success, a startup probe unknown.
import type { Probe } from '../api/index.ts';

export type ProbeKind = 'readiness' | 'liveness' | 'startup';
export type ProbeResult = 'success' | 'failure' | 'unknown';

export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** Kubernetes' defaults: period 10 s, timeout 1 s, success 1 (liveness/startup must be 1), failure 3. */
export function probeTiming(kind: ProbeKind, p: Probe): ProbeTiming {
  return {
    initialDelayMs: (p.initialDelaySeconds ?? 0) * 1000,
    periodMs: Math.max(1, p.periodSeconds ?? 10) * 1000,
    timeoutMs: Math.max(1, p.timeoutSeconds ?? 1) * 1000,
    successThreshold: kind === 'readiness' ? Math.max(1, p.successThreshold ?? 1) : 1,
    failureThreshold: Math.max(1, p.failureThreshold ?? 3),
  };
}

export interface ProbeState {
  kind: ProbeKind;
  timing: ProbeTiming;
  result: ProbeResult;
  successes: number;
  failures: number;
  nextAtMs: number;
}

export function initialProbeState(kind: ProbeKind, p: Probe, containerStartMs: number): ProbeState {
  const timing = probeTiming(kind, p);
  return {
    kind,
    timing,
    result: kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : 'unknown',
    successes: 0,
    failures: 0,
    nextAtMs: containerStartMs + timing.initialDelayMs,
  };
}

export function probeDue(s: ProbeState, nowMs: number): boolean {
  return nowMs >= s.nextAtMs;
}

/** Records one probe outcome; `changed` when the result flipped. */
export function recordProbe(s: ProbeState, ok: boolean, nowMs: number): { state: ProbeState; changed: boolean } {
  const successes = ok ? s.successes + 1 : 0;
  const failures = ok ? 0 : s.failures + 1;
  let result = s.result;
  if (ok && result !== 'success' && successes >= s.timing.successThreshold) result = 'success';
  if (!ok && result !== 'failure' && failures >= s.timing.failureThreshold) result = 'failure';
  // A liveness/startup failure restarts the container; the counters start again afterwards.
  return {
    state: { ...s, result, successes, failures, nextAtMs: nowMs + s.timing.periodMs },
    changed: result !== s.result,
  };
}

/** The Unhealthy event message: `Readiness probe failed: <output>`. */
export function unhealthyMessage(kind: ProbeKind, output: string): string {
  const name = kind === 'readiness' ? 'Readiness' : kind === 'liveness' ? 'Liveness' : 'Startup';
  return `${name} probe failed: ${output}`;
}

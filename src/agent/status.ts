// Pod status as the kubelet computes it (pure): phase, conditions with transition times, containerStatuses,
// and the crash-loop back-off.
import type { Condition, ContainerState, ContainerStatus, Pod, PodStatus } from '../api/index.ts';

export interface Terminated {
  exitCode: number;
  signal?: number;
  reason: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID: string;
}

export type RuntimeState =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: string; containerID: string }
  | { kind: 'terminated'; terminated: Terminated };

export interface ContainerRuntime {
  name: string;
  image: string;
  imageID: string;
  state: RuntimeState;
  lastTerminated?: Terminated;
  restartCount: number;
  /** Readiness probe result (true when there is no probe and the container runs). */
  ready: boolean;
  /** Startup probe passed (or none) while running. */
  started: boolean;
}

export interface PodRuntime {
  containers: ContainerRuntime[];
  /** Init containers, in order (absent or empty: none). */
  initContainers?: ContainerRuntime[];
  podIPs: string[];
  hostIPs: string[];
  startTime?: string;
  /** The network namespace is set up (PodReadyToStartContainers). */
  sandboxReady: boolean;
}

function toState(s: RuntimeState): ContainerState {
  if (s.kind === 'waiting') return { waiting: { reason: s.reason, ...(s.message ? { message: s.message } : {}) } };
  if (s.kind === 'running') return { running: { startedAt: s.startedAt } };
  return { terminated: terminatedState(s.terminated) };
}

function terminatedState(t: Terminated): NonNullable<ContainerState['terminated']> {
  return {
    exitCode: t.exitCode,
    ...(t.signal ? { signal: t.signal } : {}),
    reason: t.reason,
    ...(t.message ? { message: t.message } : {}),
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
    containerID: t.containerID,
  };
}

export function containerStatus(c: ContainerRuntime): ContainerStatus {
  const containerID =
    c.state.kind === 'running'
      ? c.state.containerID
      : c.state.kind === 'terminated'
        ? c.state.terminated.containerID
        : c.lastTerminated?.containerID;
  return {
    name: c.name,
    state: toState(c.state),
    lastState: c.lastTerminated ? { terminated: terminatedState(c.lastTerminated) } : {},
    ready: c.state.kind === 'running' && c.ready,
    started: c.state.kind === 'running' && c.started,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.imageID,
    ...(containerID ? { containerID } : {}),
  };
}

function completed(c: ContainerRuntime): boolean {
  return c.state.kind === 'terminated' && c.state.terminated.exitCode === 0;
}

/** The kubelet's getPhase: Pending while init containers run (Failed when one failed and nothing restarts). */
export function podPhase(pod: Pod, containers: ContainerRuntime[], initContainers: ContainerRuntime[] = []): NonNullable<PodStatus['phase']> {
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (!initContainers.every(completed)) {
    const failed = initContainers.some((c) => c.state.kind === 'terminated' && c.state.terminated.exitCode !== 0);
    return failed && policy === 'Never' ? 'Failed' : 'Pending';
  }
  let pending = 0;
  let running = 0;
  let succeeded = 0;
  let failed = 0;
  for (const c of containers) {
    if (c.state.kind === 'running') running++;
    else if (c.state.kind === 'terminated') {
      if (c.state.terminated.exitCode === 0) succeeded++;
      else failed++;
    } else if (c.lastTerminated) {
      // Waiting to restart after having run (back-off): counts as it last ended.
      if (c.lastTerminated.exitCode === 0) succeeded++;
      else failed++;
    } else pending++;
  }
  if (pending > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (policy === 'Always') return 'Running';
  if (failed === 0) return 'Succeeded';
  if (policy === 'OnFailure') return 'Running';
  return 'Failed';
}

function condition(
  type: string,
  ok: boolean,
  previous: Condition[] | undefined,
  now: string,
  reason?: string,
  message?: string,
): Condition {
  const status = ok ? 'True' : 'False';
  const prev = previous?.find((c) => c.type === type);
  const c: Condition = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
  };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

/** The full status the agent patches (pods/status), keeping transition times of unchanged conditions. */
export function buildPodStatus(pod: Pod, rt: PodRuntime, now: string): PodStatus {
  const previous = pod.status?.conditions;
  const statuses = rt.containers.map(containerStatus);
  const inits = rt.initContainers ?? [];
  const phase = podPhase(pod, rt.containers, inits);
  const incomplete = inits.filter((c) => !completed(c)).map((c) => c.name);
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  // A pod that ran to completion is not ready, whatever its containers said (kubelet: PodCompleted).
  const done = phase === 'Succeeded' || phase === 'Failed';
  const containersReady = unready.length === 0 && !done;
  const notReadyReason = done ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = done ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const conditions: Condition[] = [
    condition('PodReadyToStartContainers', rt.sandboxReady, previous, now),
    condition(
      'Initialized',
      incomplete.length === 0,
      previous,
      now,
      'ContainersNotInitialized',
      `containers with incomplete status: [${incomplete.join(' ')}]`,
    ),
    condition('Ready', containersReady, previous, now, notReadyReason, notReadyMessage),
    condition('ContainersReady', containersReady, previous, now, notReadyReason, notReadyMessage),
    condition('PodScheduled', true, previous, now),
  ];
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: rt.hostIPs[0],
    hostIPs: rt.hostIPs.map((ip) => ({ ip })),
    containerStatuses: statuses,
    ...(inits.length ? { initContainerStatuses: inits.map(containerStatus) } : {}),
    qosClass: pod.status?.qosClass ?? 'BestEffort',
  };
  if (rt.podIPs.length > 0) {
    status.podIP = rt.podIPs[0];
    status.podIPs = rt.podIPs.map((ip) => ({ ip }));
  }
  if (rt.startTime) status.startTime = rt.startTime;
  return status;
}

/** Whether a container that exited gets restarted under the pod's restartPolicy. */
export function shouldRestart(policy: Pod['spec']['restartPolicy'], exitCode: number): boolean {
  const p = policy ?? 'Always';
  return p === 'Always' || (p === 'OnFailure' && exitCode !== 0);
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** The kubelet's crash-loop back-off: 10 s doubling to 5 min. */
export const KUBELET_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000 };

/**
 * Delay before restart number `restartCount + 1`. The first restart is immediate, as the kubelet's (its
 * back-off entry does not exist yet); a container that ran longer than 2×max since its start resets.
 */
export function restartDelayMs(restartCount: number, ranForMs: number, policy: BackoffPolicy): number {
  if (restartCount === 0 || ranForMs > 2 * policy.maxMs) return 0;
  return Math.min(policy.initialMs * 2 ** (restartCount - 1), policy.maxMs);
}

/** The terminated reason the kubelet shows: Completed for 0, Error otherwise (OOMKilled is not detected). */
export function terminatedReason(exitCode: number): string {
  return exitCode === 0 ? 'Completed' : 'Error';
}

/** Go's time.Duration formatting for whole seconds/minutes: 10s, 20s, 1m20s, 5m0s. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${s % 60}s`;
}

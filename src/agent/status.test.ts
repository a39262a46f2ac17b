import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../api/index.ts';
import { buildPodStatus, formatDuration, podPhase, restartDelayMs, shouldRestart, KUBELET_BACKOFF, type ContainerRuntime } from './status.ts';
import { initialProbeState, probeDue, recordProbe, unhealthyMessage } from './probes.ts';
import { formatCriLine, parseCriLine, renderLogLines, criTimestamp } from './logs.ts';
import { parseAgentFlags, parseDurationMs } from './flags.ts';
import { nodeObject, nodeStatus } from './nodeobject.ts';

const pod = (restartPolicy?: Pod['spec']['restartPolicy']): Pod => ({ metadata: { name: 'p', namespace: 'd', uid: 'u' }, spec: { containers: [{ name: 'c' }], restartPolicy } });
const running: ContainerRuntime = { name: 'c', image: 'nginx', imageID: 'i', state: { kind: 'running', startedAt: 't0', containerID: 'clusterip://1' }, restartCount: 0, ready: true, started: true };
const t = (exitCode: number) => ({ exitCode, reason: exitCode ? 'Error' : 'Completed', startedAt: 't0', finishedAt: 't1', containerID: 'clusterip://1' });

test('phase as the kubelet computes it', () => {
  const cases: { name: string; policy?: Pod['spec']['restartPolicy']; c: ContainerRuntime; want: string }[] = [
    { name: 'creating', c: { ...running, state: { kind: 'waiting', reason: 'ContainerCreating' } }, want: 'Pending' },
    { name: 'image pull', c: { ...running, state: { kind: 'waiting', reason: 'ErrImagePull' } }, want: 'Pending' },
    { name: 'running', c: running, want: 'Running' },
    { name: 'crash loop', c: { ...running, state: { kind: 'waiting', reason: 'CrashLoopBackOff' }, lastTerminated: t(1) }, want: 'Running' },
    { name: 'never, exit 0', policy: 'Never', c: { ...running, state: { kind: 'terminated', terminated: t(0) } }, want: 'Succeeded' },
    { name: 'never, exit 3', policy: 'Never', c: { ...running, state: { kind: 'terminated', terminated: t(3) } }, want: 'Failed' },
    { name: 'onfailure, exit 0', policy: 'OnFailure', c: { ...running, state: { kind: 'terminated', terminated: t(0) } }, want: 'Succeeded' },
    { name: 'onfailure, exit 1', policy: 'OnFailure', c: { ...running, state: { kind: 'terminated', terminated: t(1) } }, want: 'Running' },
  ];
  for (const c of cases) assert.equal(podPhase(pod(c.policy), [c.c]), c.want, c.name);
});

test('init containers: Pending and not Initialized until all completed; Failed when one fails under Never', () => {
  const init = (state: ContainerRuntime['state']): ContainerRuntime => ({ ...running, name: 'init', ready: false, state });
  const waitingMain: ContainerRuntime = { ...running, ready: false, state: { kind: 'waiting', reason: 'PodInitializing' } };
  assert.equal(podPhase(pod(), [waitingMain], [init({ kind: 'running', startedAt: 't', containerID: 'x' })]), 'Pending');
  assert.equal(podPhase(pod('Never'), [waitingMain], [init({ kind: 'terminated', terminated: t(1) })]), 'Failed');
  assert.equal(podPhase(pod(), [running], [init({ kind: 'terminated', terminated: t(0) })]), 'Running');
  const st = buildPodStatus(pod(), { containers: [waitingMain], initContainers: [init({ kind: 'running', startedAt: 't', containerID: 'x' })], podIPs: [], hostIPs: [], sandboxReady: true }, 'T');
  const initialized = st.conditions?.find((c) => c.type === 'Initialized');
  assert.equal(initialized?.status, 'False');
  assert.equal(initialized?.reason, 'ContainersNotInitialized');
  assert.equal(initialized?.message, 'containers with incomplete status: [init]');
  assert.equal(st.initContainerStatuses?.[0]?.name, 'init');
  assert.equal(st.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
});

test('status: conditions keep transition times, unready containers listed', () => {
  const rt = { containers: [{ ...running, ready: false }], podIPs: ['10.244.1.5'], hostIPs: ['172.31.0.2'], startTime: 's', sandboxReady: true };
  const s1 = buildPodStatus(pod(), rt, 'T1');
  const ready1 = s1.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready1?.status, 'False');
  assert.equal(ready1?.reason, 'ContainersNotReady');
  assert.equal(ready1?.message, 'containers with unready status: [c]');
  assert.equal(s1.podIP, '10.244.1.5');
  assert.equal(s1.containerStatuses?.[0]?.ready, false);
  const s2 = buildPodStatus({ ...pod(), status: s1 }, rt, 'T2');
  assert.equal(s2.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, 'T1', 'unchanged keeps time');
  const s3 = buildPodStatus({ ...pod(), status: s2 }, { ...rt, containers: [running] }, 'T3');
  assert.equal(s3.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, 'T3', 'flip updates time');
  assert.equal(s3.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime, 'T1');
  const done = buildPodStatus(pod('Never'), { ...rt, containers: [{ ...running, state: { kind: 'terminated', terminated: t(0) } }] }, 'T');
  assert.equal(done.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
});

test('restart policy and crash-loop back-off', () => {
  assert.equal(shouldRestart(undefined, 0), true);
  assert.equal(shouldRestart('OnFailure', 0), false);
  assert.equal(shouldRestart('OnFailure', 2), true);
  assert.equal(shouldRestart('Never', 2), false);
  const delays = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => restartDelayMs(n, 1000, KUBELET_BACKOFF));
  assert.deepEqual(delays, [0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  assert.equal(restartDelayMs(5, 11 * 60_000, KUBELET_BACKOFF), 0, 'a long run resets the back-off');
  assert.equal(formatDuration(10_000), '10s');
  assert.equal(formatDuration(80_000), '1m20s');
  assert.equal(formatDuration(300_000), '5m0s');
});

test('probes: initial results, initial delay, thresholds (injected clock)', () => {
  let r = initialProbeState('readiness', { httpGet: { port: 80 }, initialDelaySeconds: 2, periodSeconds: 1, failureThreshold: 2, successThreshold: 2 }, 1000);
  assert.equal(r.result, 'failure');
  assert.equal(probeDue(r, 2999), false);
  assert.equal(probeDue(r, 3000), true);
  let out = recordProbe(r, true, 3000);
  assert.equal(out.changed, false, 'needs 2 successes');
  assert.equal(out.state.nextAtMs, 4000);
  out = recordProbe(out.state, true, 4000);
  assert.equal(out.changed, true);
  assert.equal(out.state.result, 'success');
  out = recordProbe(out.state, false, 5000);
  assert.equal(out.state.result, 'success', 'one failure is below the threshold');
  out = recordProbe(out.state, false, 6000);
  assert.equal(out.state.result, 'failure');
  assert.equal(out.changed, true);
  r = initialProbeState('liveness', { tcpSocket: { port: 80 } }, 0);
  assert.equal(r.result, 'success');
  assert.equal(r.timing.periodMs, 10_000);
  assert.equal(r.timing.failureThreshold, 3);
  assert.equal(initialProbeState('startup', { exec: { command: ['true'] } }, 0).result, 'unknown');
  assert.equal(unhealthyMessage('readiness', 'HTTP probe failed with statuscode: 500'), 'Readiness probe failed: HTTP probe failed with statuscode: 500');
});

test('CRI log lines', () => {
  const line = formatCriLine(Date.UTC(2026, 10, 23, 11, 0, 0, 5), 'stdout', 'hello');
  assert.equal(line, '2026-11-23T11:00:00.005000000Z stdout F hello\n');
  assert.equal(criTimestamp(0), '1970-01-01T00:00:00.000000000Z');
  const parsed = [line, formatCriLine(2000, 'stderr', 'a', true), formatCriLine(3000, 'stderr', 'b')].map((l) => parseCriLine(l.trimEnd())!);
  assert.equal(parsed[0]?.text, 'hello');
  assert.equal(renderLogLines(parsed, { timestamps: false }), 'hello\nab\n');
  assert.equal(renderLogLines(parsed, { timestamps: false, tailLines: 1 }), 'b\n');
  assert.equal(renderLogLines(parsed, { timestamps: true, tailLines: 1 }), '1970-01-01T00:00:03.000000000Z b\n');
  assert.equal(renderLogLines(parsed, { timestamps: false, limitBytes: 3 }), 'hel');
  assert.equal(parseCriLine('garbage'), undefined);
});

test('flags', () => {
  const cfg = parseAgentFlags(['--cluster', 'demo', '--node', 'node-1', '--api', 'unix:///tmp/api.sock', '--data-dir', '/tmp/d', '--pod-cidr', '10.244.1.0/24,fd00:10:244:1::/64', '--node-ip', '172.31.0.2/24', '--kubelet-port=10250', '--backoff-initial', '200ms']);
  assert.equal(cfg.podCIDRs.length, 2);
  assert.deepEqual(cfg.clusterDNS, ['10.96.0.10']);
  assert.equal(cfg.clusterDomain, 'cluster.local');
  assert.equal(cfg.backoff.initialMs, 200);
  assert.equal(cfg.backoff.maxMs, 300_000);
  assert.equal(parseDurationMs('5m'), 300_000);
  assert.throws(() => parseAgentFlags(['--cluster', 'Bad_Name']), /cluster|missing/);
  assert.throws(() => parseAgentFlags(['--bogus', 'x']), /unknown flag --bogus/);
});

test('node object as the kubelet registers it', () => {
  const facts = { name: 'node-1', internalIP: '172.31.0.2', podCIDRs: ['10.244.1.0/24'], kubeletPort: 10250, kernelVersion: 'k', osImage: 'Debian', cpus: 2, memoryKi: 1024, bootID: 'b', machineID: 'm' };
  const n = nodeObject(facts, 'T0');
  assert.equal(n.metadata.labels?.['kubernetes.io/hostname'], 'node-1');
  assert.equal(n.metadata.labels?.['kubernetes.io/os'], 'linux');
  assert.equal(n.spec.podCIDR, '10.244.1.0/24');
  assert.equal(n.status?.daemonEndpoints?.kubeletEndpoint?.Port, 10250);
  assert.deepEqual(n.status?.addresses, [{ type: 'InternalIP', address: '172.31.0.2' }, { type: 'Hostname', address: 'node-1' }]);
  assert.equal(n.status?.nodeInfo?.containerRuntimeVersion, 'clusterip://0.1.0');
  const later = nodeStatus(facts, n.status?.conditions, 'T1');
  const ready = later.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'True');
  assert.equal(ready?.lastHeartbeatTime, 'T1');
  assert.equal(ready?.lastTransitionTime, 'T0');
});

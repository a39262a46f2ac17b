// The Deployment decision: fenceposts, hashes, single steps as tables, and whole rollouts simulated to the end
// (a fake ReplicaSet controller makes every replica available at once) checking the surge/unavailable bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, Pod, ReplicaSet } from '../../api/index.ts';
import { computeHash, fnv32a, safeEncodeString } from './hash.ts';
import { planDeployment, type DeploymentAction } from './plan.ts';
import { DESIRED_REPLICAS, MAX_REPLICAS, POD_TEMPLATE_HASH, resolveFenceposts, REVISION, REVISION_HISTORY, setNewReplicaSetAnnotations } from './util.ts';

const t0 = new Date('2026-11-23T12:00:00Z');

function deployment(o: { replicas?: number; image?: string; strategy?: Record<string, unknown>; generation?: number; paused?: boolean; history?: number } = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web', generation: o.generation ?? 1, annotations: {} },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: o.image ?? 'nginx:1' }] } },
      strategy: o.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: o.history ?? 10,
      progressDeadlineSeconds: 600,
      paused: o.paused,
    },
    status: {},
  };
}

test('fenceposts: surge rounds up, unavailable rounds down, never both zero', () => {
  const cases = [
    { surge: '25%', unavailable: '25%', desired: 3, want: { surge: 1, unavailable: 0 } },
    { surge: '25%', unavailable: '25%', desired: 10, want: { surge: 3, unavailable: 2 } },
    { surge: 0, unavailable: '10%', desired: 5, want: { surge: 0, unavailable: 1 } },
    { surge: 2, unavailable: 1, desired: 5, want: { surge: 2, unavailable: 1 } },
    { surge: '100%', unavailable: 0, desired: 1, want: { surge: 1, unavailable: 0 } },
  ];
  for (const c of cases) assert.deepEqual(resolveFenceposts(c.surge, c.unavailable, c.desired), c.want, JSON.stringify(c));
});

test('pod-template-hash: FNV-1a, SafeEncodeString, collisionCount changes it', () => {
  assert.equal(fnv32a(new TextEncoder().encode('a')), 0xe40c292c); // the FNV-1a 32 test vector
  assert.equal(safeEncodeString('0123456789'), '456789bcdf'); // '0' is 48, 48 % 27 = 21 → '4'
  const t = deployment().spec!.template;
  const h = computeHash(t);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(computeHash(structuredClone(t)), h, 'stable');
  assert.notEqual(computeHash(t, 1), h);
  assert.notEqual(computeHash(deployment({ image: 'nginx:2' }).spec!.template), h);
});

test('revision annotations on a rollback keep the history', () => {
  const rs: ReplicaSet = { metadata: { name: 'web-a', annotations: { [REVISION]: '1' } } };
  assert.equal(setNewReplicaSetAnnotations(deployment(), rs, 3, true), true);
  assert.equal(rs.metadata.annotations![REVISION], '3');
  assert.equal(rs.metadata.annotations![REVISION_HISTORY], '1');
});

// --- a small world: apply a plan's actions to in-memory ReplicaSets ----------------------------------------------

interface World {
  d: Deployment;
  sets: ReplicaSet[];
  events: string[];
  clock: number;
}

function apply(w: World, actions: DeploymentAction[]): void {
  for (const a of actions) {
    switch (a.kind) {
      case 'createReplicaSet':
        w.sets.push({ ...structuredClone(a.rs), metadata: { ...a.rs.metadata, uid: `uid-${a.rs.metadata.name}`, creationTimestamp: new Date(w.clock).toISOString(), generation: 1 }, status: { replicas: 0 } });
        break;
      case 'updateReplicaSet': {
        const i = w.sets.findIndex((s) => s.metadata.name === a.rs.metadata.name);
        w.sets[i] = { ...structuredClone(a.rs), status: w.sets[i].status };
        break;
      }
      case 'deleteReplicaSet':
        w.sets = w.sets.filter((s) => s.metadata.name !== a.rs.metadata.name);
        break;
      case 'setRevision':
        w.d.metadata.annotations = { ...w.d.metadata.annotations, [REVISION]: a.revision };
        break;
      case 'event':
        w.events.push(`${a.reason}: ${a.message}`);
        break;
      case 'updateStatus':
        w.d.status = a.status;
        break;
      case 'setReplicaSetOwners':
        break;
    }
  }
}

/** A ReplicaSet controller that is instantly done: every replica exists and is available. */
function settle(w: World): void {
  for (const rs of w.sets) rs.status = { replicas: rs.spec!.replicas!, readyReplicas: rs.spec!.replicas!, availableReplicas: rs.spec!.replicas!, observedGeneration: rs.metadata.generation };
}

function rollout(w: World, maxSteps = 50): { maxTotal: number; minAvailable: number; steps: number } {
  let maxTotal = 0;
  let minAvailable = Infinity;
  for (let step = 0; step < maxSteps; step++) {
    w.clock += 1000;
    const plan = planDeployment(w.d, w.sets, [], new Date(w.clock));
    apply(w, plan.actions);
    const total = w.sets.reduce((n, rs) => n + rs.spec!.replicas!, 0);
    maxTotal = Math.max(maxTotal, total);
    settle(w);
    minAvailable = Math.min(minAvailable, w.sets.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0));
    if (!plan.actions.length) return { maxTotal, minAvailable, steps: step };
  }
  throw new Error('rollout did not settle');
}

test('a new Deployment: ReplicaSet <name>-<hash> with the hash label and selector, annotations, events, conditions', () => {
  const w: World = { d: deployment(), sets: [], events: [], clock: t0.getTime() };
  rollout(w);
  assert.equal(w.sets.length, 1);
  const rs = w.sets[0];
  const hash = computeHash(w.d.spec!.template);
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.deepEqual(rs.spec!.selector, { matchLabels: { app: 'web', [POD_TEMPLATE_HASH]: hash } });
  assert.deepEqual(rs.spec!.template!.metadata!.labels, { app: 'web', [POD_TEMPLATE_HASH]: hash });
  assert.deepEqual(
    [rs.metadata.annotations![REVISION], rs.metadata.annotations![DESIRED_REPLICAS], rs.metadata.annotations![MAX_REPLICAS]],
    ['1', '3', '4'],
  );
  assert.deepEqual(rs.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(w.events, [`ScalingReplicaSet: Scaled up replica set web-${hash} from 0 to 3`]);
  assert.equal(w.d.metadata.annotations![REVISION], '1');
  const s = w.d.status!;
  assert.deepEqual([s.replicas, s.updatedReplicas, s.readyReplicas, s.availableReplicas, s.unavailableReplicas, s.observedGeneration], [3, 3, 3, 3, undefined, 1]);
  const cond = Object.fromEntries((s.conditions ?? []).map((c) => [c.type, `${c.status} ${c.reason}: ${c.message}`]));
  assert.deepEqual(cond, {
    Available: 'True MinimumReplicasAvailable: Deployment has minimum availability.',
    Progressing: `True NewReplicaSetAvailable: ReplicaSet "web-${hash}" has successfully progressed.`,
  });
});

test('rolling updates stay within maxSurge and maxUnavailable and end on the new ReplicaSet', () => {
  const cases = [
    { name: '3 replicas, 25%/25%', replicas: 3, strategy: { maxSurge: '25%', maxUnavailable: '25%' }, maxTotal: 4, minAvailable: 3 },
    { name: '10 replicas, 25%/25%', replicas: 10, strategy: { maxSurge: '25%', maxUnavailable: '25%' }, maxTotal: 13, minAvailable: 8 },
    { name: '4 replicas, surge 0', replicas: 4, strategy: { maxSurge: 0, maxUnavailable: 1 }, maxTotal: 4, minAvailable: 3 },
    { name: '5 replicas, surge 100%', replicas: 5, strategy: { maxSurge: '100%', maxUnavailable: 0 }, maxTotal: 10, minAvailable: 5 },
  ];
  for (const c of cases) {
    const w: World = { d: deployment({ replicas: c.replicas, strategy: { type: 'RollingUpdate', rollingUpdate: c.strategy } }), sets: [], events: [], clock: t0.getTime() };
    rollout(w);
    w.d = { ...w.d, metadata: { ...w.d.metadata, generation: 2 }, spec: { ...w.d.spec!, template: deployment({ image: 'nginx:2' }).spec!.template } };
    w.events = [];
    const r = rollout(w);
    assert.ok(r.maxTotal <= c.maxTotal, `${c.name}: ${r.maxTotal} pods at once`);
    assert.ok(r.minAvailable >= c.minAvailable, `${c.name}: only ${r.minAvailable} available`);
    const active = w.sets.filter((rs) => rs.spec!.replicas! > 0);
    assert.equal(active.length, 1, c.name);
    assert.equal(active[0].spec!.template!.spec!.containers[0].image, 'nginx:2', c.name);
    assert.equal(active[0].metadata.annotations![REVISION], '2', c.name);
    assert.equal(w.d.status!.updatedReplicas, c.replicas, c.name);
    assert.ok(w.events.some((e) => /^ScalingReplicaSet: Scaled down replica set web-\w+ from \d+ to 0$/.test(e)), c.name);
  }
});

test('Recreate scales the old ReplicaSet to 0 and waits for its pods before the new one', () => {
  const w: World = { d: deployment({ strategy: { type: 'Recreate' } }), sets: [], events: [], clock: t0.getTime() };
  rollout(w);
  const oldRS = w.sets[0];
  w.d = { ...w.d, metadata: { ...w.d.metadata, generation: 2 }, spec: { ...w.d.spec!, template: deployment({ image: 'nginx:2' }).spec!.template } };
  const step1 = planDeployment(w.d, w.sets, [], t0);
  assert.deepEqual(step1.actions.filter((a) => a.kind === 'updateReplicaSet').map((a) => (a as { rs: ReplicaSet }).rs.spec!.replicas), [0]);
  apply(w, step1.actions);
  // The old pod is still terminating: no new ReplicaSet yet.
  const runningPod: Pod = { metadata: { name: 'p', namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: oldRS.metadata.name!, uid: oldRS.metadata.uid!, controller: true }] }, spec: { containers: [] }, status: { phase: 'Running' } };
  w.sets[0].status = { replicas: 0 };
  const step2 = planDeployment(w.d, w.sets, [runningPod], t0);
  assert.equal(step2.actions.filter((a) => a.kind === 'createReplicaSet').length, 0);
  const step3 = planDeployment(w.d, w.sets, [], t0);
  const created = step3.actions.find((a) => a.kind === 'createReplicaSet') as { rs: ReplicaSet } | undefined;
  assert.equal(created?.rs.spec!.replicas, 3);
});

test('scaling a Deployment scales its only active ReplicaSet; paused Deployments scale but do not roll out', () => {
  const w: World = { d: deployment(), sets: [], events: [], clock: t0.getTime() };
  rollout(w);
  w.d = { ...w.d, metadata: { ...w.d.metadata, generation: 2 }, spec: { ...w.d.spec!, replicas: 5 } };
  w.events = [];
  rollout(w);
  assert.deepEqual(w.sets.map((rs) => rs.spec!.replicas), [5]);
  assert.match(w.events[0], /^ScalingReplicaSet: Scaled up replica set web-\w+ from 3 to 5$/);
  w.d = { ...w.d, metadata: { ...w.d.metadata, generation: 3 }, spec: { ...w.d.spec!, paused: true, template: deployment({ image: 'nginx:2' }).spec!.template } };
  rollout(w);
  assert.equal(w.sets.length, 1, 'no new ReplicaSet while paused');
  const progressing = w.d.status!.conditions!.find((c) => c.type === 'Progressing');
  assert.equal(`${progressing?.status} ${progressing?.reason}`, 'Unknown DeploymentPaused');
  w.d = { ...w.d, spec: { ...w.d.spec!, paused: false } };
  rollout(w);
  assert.equal(w.sets.length, 2, 'resumed: the new ReplicaSet');
});

test('revisionHistoryLimit deletes the oldest empty ReplicaSets', () => {
  const w: World = { d: deployment({ history: 1 }), sets: [], events: [], clock: t0.getTime() };
  rollout(w);
  for (const image of ['nginx:2', 'nginx:3', 'nginx:4']) {
    w.d = { ...w.d, metadata: { ...w.d.metadata, generation: (w.d.metadata.generation ?? 1) + 1 }, spec: { ...w.d.spec!, template: deployment({ image }).spec!.template } };
    rollout(w);
  }
  assert.deepEqual(
    w.sets.map((rs) => `${rs.metadata.annotations![REVISION]}:${rs.spec!.replicas}`).sort(),
    ['3:0', '4:3'],
  );
});

test('progress deadline: no progress for progressDeadlineSeconds is ProgressDeadlineExceeded', () => {
  const w: World = { d: deployment(), sets: [], events: [], clock: t0.getTime() };
  apply(w, planDeployment(w.d, w.sets, [], t0).actions);
  // Pods get created (progress) but never become available.
  for (const rs of w.sets) rs.status = { replicas: 3 };
  apply(w, planDeployment(w.d, w.sets, [], new Date(t0.getTime() + 1000)).actions);
  const stuck = planDeployment(w.d, w.sets, [], new Date(t0.getTime() + 2000));
  assert.equal(stuck.requeueAfterMs, 600_000, 'look again when the deadline passes');
  const later = new Date(t0.getTime() + 602_000);
  const plan = planDeployment(w.d, w.sets, [], later);
  apply(w, plan.actions);
  const p = w.d.status!.conditions!.find((c) => c.type === 'Progressing')!;
  assert.equal(`${p.status} ${p.reason} ${p.message}`, `False ProgressDeadlineExceeded ReplicaSet "${w.sets[0].metadata.name}" has timed out progressing.`);
  const a = w.d.status!.conditions!.find((c) => c.type === 'Available')!;
  assert.equal(`${a.status} ${a.reason}`, 'False MinimumReplicasUnavailable');
});

test('scaling during a rollout spreads the change proportionally (max-replicas as the previous size)', () => {
  const d = deployment({ replicas: 6, image: 'nginx:2' });
  const rsOf = (name: string, image: string, replicas: number, revision: string, created: string): ReplicaSet => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: created,
      labels: { app: 'web', [POD_TEMPLATE_HASH]: name },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true }],
      annotations: { [REVISION]: revision, [DESIRED_REPLICAS]: '3', [MAX_REPLICAS]: '4' },
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web', [POD_TEMPLATE_HASH]: name } },
      template: { metadata: { labels: { app: 'web', [POD_TEMPLATE_HASH]: name } }, spec: { containers: [{ name: 'c', image }] } },
    },
    status: { replicas, availableReplicas: replicas },
  });
  const old = rsOf('old', 'nginx:1', 3, '1', '2026-11-23T10:00:00Z');
  const cur = rsOf('new', 'nginx:2', 1, '2', '2026-11-23T11:00:00Z');
  const plan = planDeployment(d, [old, cur], [], t0);
  const scaled = plan.actions.filter((a) => a.kind === 'updateReplicaSet').map((a) => `${(a as { rs: ReplicaSet }).rs.metadata.name}=${(a as { rs: ReplicaSet }).rs.spec!.replicas}`);
  // allowed 6 + surge 2 = 8; 4 to add: old 3·8/4 = 6 (+3), new 1·8/4 = 2 (+1).
  assert.deepEqual(scaled, ['old=6', 'new=2']);
  const events = plan.actions.filter((a) => a.kind === 'event').map((a) => (a as { message: string }).message);
  assert.deepEqual(events, ['Scaled up replica set old from 3 to 6', 'Scaled up replica set new from 1 to 2']);
});

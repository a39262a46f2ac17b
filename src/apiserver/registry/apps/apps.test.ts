// apps/v1 in the API core without a socket: defaults, validation messages, generation, the scale subresource.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment, KubeObject, LabelSelector } from '../../../api/index.ts';
import { createApiCore, type ApiCore } from '../../core.ts';
import { memoryBackend } from '../../memory-backend.ts';
import { formatLabelSelector } from './scale.ts';

async function newCore(): Promise<ApiCore> {
  return createApiCore({ backend: memoryBackend(), now: () => new Date('2026-01-02T03:04:05Z'), peers: {} });
}

async function call(core: ApiCore, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
  const u = new URL(path, 'http://x');
  const r = await core.handle({
    method,
    path: u.pathname,
    query: u.searchParams,
    headers: { 'content-type': contentType },
    body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
  });
  assert.ok('body' in r);
  return { status: r.status, json: JSON.parse(String(r.body)) as Record<string, unknown> };
}

const deploys = '/apis/apps/v1/namespaces/default/deployments';

function deployment(name: string, patch: (d: Deployment & { spec: NonNullable<Deployment['spec']> }) => void = () => {}): Deployment {
  const d = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } },
    },
  };
  patch(d);
  return d;
}

test('a Deployment gets Kubernetes defaults, generation 1 and empty status', async () => {
  const core = await newCore();
  try {
    const { status, json } = await call(core, 'POST', deploys, deployment('web'));
    assert.equal(status, 201);
    const d = json as unknown as Deployment;
    assert.equal(d.metadata.generation, 1);
    assert.deepEqual(d.status, {});
    assert.equal(d.spec?.replicas, 1);
    assert.deepEqual(d.spec?.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(d.spec?.revisionHistoryLimit, 10);
    assert.equal(d.spec?.progressDeadlineSeconds, 600);
    const spec = d.spec?.template?.spec as unknown as Record<string, unknown>;
    assert.deepEqual(
      { restartPolicy: spec.restartPolicy, dnsPolicy: spec.dnsPolicy, grace: spec.terminationGracePeriodSeconds, scheduler: spec.schedulerName, sc: spec.securityContext },
      { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', grace: 30, scheduler: 'default-scheduler', sc: {} },
    );
    assert.equal(spec.enableServiceLinks, undefined, 'SetDefaults_Pod, not SetDefaults_PodSpec: absent from templates');
    const c = d.spec?.template?.spec?.containers[0] as unknown as Record<string, unknown>;
    assert.deepEqual(
      [c.imagePullPolicy, c.terminationMessagePath, c.terminationMessagePolicy, (c.ports as { protocol: string }[])[0].protocol],
      ['IfNotPresent', '/dev/termination-log', 'File', 'TCP'],
    );
  } finally {
    await core.close();
  }
});

test('validation answers in Kubernetes words', async () => {
  const core = await newCore();
  try {
    const cases: { name: string; d: Deployment; message: string }[] = [
      {
        name: 'selector does not match labels',
        d: deployment('a', (d) => (d.spec.template!.metadata!.labels = { app: 'x' })),
        message: 'Deployment.apps "a" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`',
      },
      { name: 'no selector', d: deployment('b', (d) => delete d.spec.selector), message: 'Deployment.apps "b" is invalid: spec.selector: Required value' },
      {
        name: 'negative replicas',
        d: deployment('c', (d) => (d.spec.replicas = -1)),
        message: 'Deployment.apps "c" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      },
      {
        name: 'restartPolicy Never',
        d: deployment('d', (d) => (d.spec.template!.spec!.restartPolicy = 'Never')),
        message: 'Deployment.apps "d" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      },
      {
        name: 'surge and unavailable both 0',
        d: deployment('e', (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } })),
        message: 'Deployment.apps "e" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
      },
      {
        name: 'Recreate with rollingUpdate',
        d: deployment('f', (d) => (d.spec.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } })),
        message: "Deployment.apps \"f\" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
      },
      {
        name: 'no image',
        d: deployment('g', (d) => (d.spec.template!.spec!.containers = [{ name: 'c' } as never])),
        message: 'Deployment.apps "g" is invalid: spec.template.spec.containers[0].image: Required value',
      },
    ];
    for (const c of cases) {
      const { status, json } = await call(core, 'POST', deploys, c.d);
      assert.equal(status, 422, c.name);
      assert.equal(json.message, c.message, c.name);
    }
  } finally {
    await core.close();
  }
});

test('spec changes bump generation, status writes do not; the selector is immutable', async () => {
  const core = await newCore();
  try {
    await call(core, 'POST', deploys, deployment('web'));
    const patched = await call(core, 'PATCH', `${deploys}/web`, { spec: { replicas: 4 } }, 'application/merge-patch+json');
    assert.equal((patched.json as unknown as KubeObject).metadata.generation, 2);
    const status = await call(core, 'PATCH', `${deploys}/web/status`, { status: { replicas: 4, observedGeneration: 2 } }, 'application/merge-patch+json');
    assert.equal((status.json as unknown as KubeObject).metadata.generation, 2);
    const same = await call(core, 'PATCH', `${deploys}/web`, { metadata: { labels: { a: 'b' } } }, 'application/merge-patch+json');
    assert.equal((same.json as unknown as KubeObject).metadata.generation, 2);
    const bad = await call(core, 'PATCH', `${deploys}/web`, { spec: { selector: { matchLabels: { app: 'y' } }, template: { metadata: { labels: { app: 'y' } } } } }, 'application/merge-patch+json');
    assert.equal(bad.status, 422);
    assert.equal(
      bad.json.message,
      'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"y"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    );
  } finally {
    await core.close();
  }
});

test('the scale subresource reads and writes replicas as an autoscaling/v1 Scale', async () => {
  const core = await newCore();
  try {
    await call(core, 'POST', deploys, deployment('web', (d) => (d.spec.replicas = 3)));
    const got = await call(core, 'GET', `${deploys}/web/scale`);
    assert.equal(got.json.kind, 'Scale');
    assert.equal(got.json.apiVersion, 'autoscaling/v1');
    assert.deepEqual(got.json.spec, { replicas: 3 });
    assert.deepEqual(got.json.status, { replicas: 0, selector: 'app=web' });
    const patched = await call(core, 'PATCH', `${deploys}/web/scale`, { spec: { replicas: 5 } }, 'application/merge-patch+json');
    assert.deepEqual(patched.json.spec, { replicas: 5 });
    const put = await call(core, 'PUT', `${deploys}/web/scale`, { ...got.json, spec: { replicas: 2 } });
    assert.equal(put.status, 409, 'the resourceVersion of the first read is stale');
    const neg = await call(core, 'PATCH', `${deploys}/web/scale`, { spec: { replicas: -1 } }, 'application/merge-patch+json');
    assert.equal(neg.json.message, 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    const d = (await call(core, 'GET', `${deploys}/web`)).json as unknown as Deployment;
    assert.equal(d.spec?.replicas, 5);
    assert.equal(d.metadata.generation, 2);
    const disc = await call(core, 'GET', '/apis/apps/v1');
    const scaleRes = (disc.json.resources as Record<string, unknown>[]).find((r) => r.name === 'deployments/scale');
    assert.deepEqual(scaleRes, { name: 'deployments/scale', singularName: '', namespaced: true, kind: 'Scale', verbs: ['get', 'patch', 'update'], group: 'autoscaling', version: 'v1' });
  } finally {
    await core.close();
  }
});

test('formatLabelSelector as metav1.FormatLabelSelector', () => {
  const cases: { s: LabelSelector; want: string }[] = [
    { s: { matchLabels: { b: '2', a: '1' } }, want: 'a=1,b=2' },
    { s: { matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['web', 'api'] }, { key: 'x', operator: 'DoesNotExist' as const }] }, want: 'tier in (api,web),!x' },
    { s: { matchLabels: { app: 'w' }, matchExpressions: [{ key: 'env', operator: 'Exists' as const }] }, want: 'app=w,env' },
  ];
  for (const c of cases) assert.equal(formatLabelSelector(c.s), c.want);
});

// In-process tests of the API core: no socket, an in-memory Backend, a fixed clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiCore, isStream, type ApiCore, type ApiResponse } from './core.ts';
import { memoryBackend } from './memory-backend.ts';
import type { KubeList, KubeObject, Status } from '../api/index.ts';

const fixedNow = new Date('2026-01-02T03:04:05Z');

async function newCore(): Promise<ApiCore> {
  return createApiCore({ backend: memoryBackend(), now: () => fixedNow, peers: {}, bookmarkIntervalMs: 50 });
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  json: Record<string, unknown>;
}

async function call(core: ApiCore, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const u = new URL(path, 'http://x');
  const r: ApiResponse = await core.handle({
    method,
    path: u.pathname,
    query: u.searchParams,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)),
  });
  assert.ok('body' in r, `${method} ${path}: not a body response`);
  const raw = String(r.body);
  return { status: r.status, headers: r.headers, json: raw.startsWith('{') ? JSON.parse(raw) : { text: raw } };
}

const svc = (name: string, labels?: Record<string, string>): KubeObject & { spec: unknown } => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels },
  spec: { ports: [{ port: 80 }], selector: { app: name } },
});

const base = '/api/v1/namespaces/default/services';

test('create, get, conflict and not-found errors in Kubernetes words', async () => {
  const core = await newCore();
  try {
    const created = await call(core, 'POST', base, svc('web'));
    assert.equal(created.status, 201);
    const meta = (created.json as unknown as KubeObject).metadata;
    assert.equal(meta.namespace, 'default');
    assert.equal(meta.creationTimestamp, '2026-01-02T03:04:05Z');
    assert.equal(meta.generation, undefined); // Services carry no generation in Kubernetes
    assert.match(meta.uid!, /^[0-9a-f-]{36}$/);
    const cases: { name: string; method: string; path: string; body?: unknown; code: number; message: string }[] = [
      { name: 'duplicate', method: 'POST', path: base, body: svc('web'), code: 409, message: 'services "web" already exists' },
      { name: 'missing', method: 'GET', path: `${base}/nope`, code: 404, message: 'services "nope" not found' },
      { name: 'missing namespace', method: 'POST', path: '/api/v1/namespaces/gone/services', body: svc('x'), code: 404, message: 'namespaces "gone" not found' },
      {
        name: 'stale update',
        method: 'PUT',
        path: `${base}/web`,
        body: { ...svc('web'), metadata: { name: 'web', resourceVersion: '1' } },
        code: 409,
        message: 'Operation cannot be fulfilled on services "web": the object has been modified; please apply your changes to the latest version and try again',
      },
      {
        name: 'bad label value',
        method: 'POST',
        path: base,
        body: svc('lbl', { app: 'bad value' }),
        code: 422,
        message:
          'Service "lbl" is invalid: metadata.labels: Invalid value: "bad value": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')',
      },
      { name: 'no name', method: 'POST', path: base, body: { ...svc(''), metadata: {} }, code: 422, message: 'Service "" is invalid: metadata.name: Required value: name or generateName is required' },
      { name: 'unknown path', method: 'GET', path: '/api/v1/widgets', code: 404, message: 'the server could not find the requested resource' },
      { name: 'bad field selector', method: 'GET', path: `${base}?fieldSelector=spec.foo%3Dx`, code: 400, message: 'field label not supported: spec.foo' },
    ];
    for (const c of cases) {
      const a = await call(core, c.method, c.path, c.body);
      assert.equal(a.status, c.code, c.name);
      assert.equal((a.json as unknown as Status).message, c.message, c.name);
      assert.equal(a.json.kind, 'Status', c.name);
    }
    // Nothing refused changed anything: only the one service exists.
    const list = (await call(core, 'GET', base)).json as unknown as KubeList;
    assert.deepEqual(list.items.map((i) => i.metadata.name), ['web']);
  } finally {
    await core.close();
  }
});

test('generateName, update bumps generation only on spec changes, status is ignored on the main resource', async () => {
  const core = await newCore();
  try {
    const g = await call(core, 'POST', base, { ...svc(''), metadata: { generateName: 'gen-' } });
    assert.equal(g.status, 201);
    assert.match((g.json as unknown as KubeObject).metadata.name!, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const c = (await call(core, 'POST', base, svc('a'))).json as unknown as KubeObject & { spec: { ports: unknown[] } };
    const labelled = { ...c, metadata: { ...c.metadata, labels: { k: 'v' } }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } };
    const u1 = (await call(core, 'PUT', `${base}/a`, labelled)).json as unknown as KubeObject & { status: unknown };
    assert.deepEqual(u1.status, { loadBalancer: {} });
    const u2 = (await call(core, 'PUT', `${base}/a`, { ...u1, spec: { ports: [{ port: 81 }] } })).json as unknown as KubeObject;
    // Kinds that keep a generation bump it on spec changes only (EndpointSlice: everything but metadata).
    const slices = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
    const es = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'es' }, addressType: 'IPv4', endpoints: [] };
    const es1 = (await call(core, 'POST', slices, es)).json as unknown as KubeObject;
    assert.equal(es1.metadata.generation, 1);
    const es2 = (await call(core, 'PUT', `${slices}/es`, { ...es1, metadata: { ...es1.metadata, labels: { a: 'b' } } })).json as unknown as KubeObject;
    assert.equal(es2.metadata.generation, 1);
    const es3 = (await call(core, 'PUT', `${slices}/es`, { ...es2, endpoints: [{ addresses: ['10.0.0.1'] }] })).json as unknown as KubeObject;
    assert.equal(es3.metadata.generation, 2);
    assert.equal(u2.metadata.uid, c.metadata.uid);
    // Status subresource changes status only.
    const s = (await call(core, 'PUT', `${base}/a/status`, { ...u2, metadata: { ...u2.metadata, labels: { changed: 'yes' } }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } })).json as unknown as KubeObject & { status: unknown };
    assert.deepEqual(s.status, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } });
    assert.deepEqual(s.metadata.labels, { k: 'v' });
    // A no-op update writes nothing.
    const again = (await call(core, 'PUT', `${base}/a`, s)).json as unknown as KubeObject;
    assert.equal(again.metadata.resourceVersion, s.metadata.resourceVersion);
  } finally {
    await core.close();
  }
});

test('list: label selectors, field selectors, limit/continue on one snapshot, Table', async () => {
  const core = await newCore();
  try {
    for (let i = 0; i < 7; i++) await call(core, 'POST', base, svc(`s${i}`, { tier: i % 2 ? 'odd' : 'even', n: String(i) }));
    const names = async (q: string): Promise<string[]> =>
      ((await call(core, 'GET', `${base}?${q}`)).json as unknown as KubeList).items.map((i) => i.metadata.name!);
    const cases = [
      { q: 'labelSelector=tier%3Dodd', want: ['s1', 's3', 's5'] },
      { q: 'labelSelector=tier!%3Dodd', want: ['s0', 's2', 's4', 's6'] },
      { q: 'labelSelector=n%20in%20(1,2)', want: ['s1', 's2'] },
      { q: 'labelSelector=n%20notin%20(1,2),tier%3Deven', want: ['s0', 's4', 's6'] },
      { q: 'labelSelector=n>4', want: ['s5', 's6'] },
      { q: 'labelSelector=!missing,tier', want: ['s0', 's1', 's2', 's3', 's4', 's5', 's6'] },
      { q: 'fieldSelector=metadata.name%3Ds3', want: ['s3'] },
      { q: 'fieldSelector=metadata.name!%3Ds3,metadata.namespace%3Ddefault&labelSelector=tier%3Dodd', want: ['s1', 's5'] },
    ];
    for (const c of cases) assert.deepEqual(await names(c.q), c.want, c.q);
    const p1 = (await call(core, 'GET', `${base}?limit=3`)).json as unknown as KubeList;
    assert.equal(p1.items.length, 3);
    assert.equal(p1.metadata.remainingItemCount, 4);
    await call(core, 'POST', base, svc('s99')); // after the snapshot: not in the continued list
    const p2 = (await call(core, 'GET', `${base}?limit=10&continue=${encodeURIComponent(p1.metadata.continue!)}`)).json as unknown as KubeList;
    assert.deepEqual(p2.items.map((i) => i.metadata.name), ['s3', 's4', 's5', 's6']);
    assert.equal(p2.metadata.continue, undefined);
    assert.equal(p2.metadata.resourceVersion, p1.metadata.resourceVersion);
    const filtered = (await call(core, 'GET', `${base}?limit=2&labelSelector=tier%3Dodd`)).json as unknown as KubeList;
    assert.deepEqual(filtered.items.map((i) => i.metadata.name), ['s1', 's3']);
    const rest = (await call(core, 'GET', `${base}?limit=2&labelSelector=tier%3Dodd&continue=${encodeURIComponent(filtered.metadata.continue!)}`)).json as unknown as KubeList;
    assert.deepEqual(rest.items.map((i) => i.metadata.name), ['s5']);
    const table = (await call(core, 'GET', `${base}?limit=1`, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json' })).json;
    assert.equal(table.kind, 'Table');
    assert.equal((table.rows as unknown[]).length, 1);
    assert.ok((table.metadata as Record<string, unknown>).continue);
    const pom = (await call(core, 'GET', base, undefined, { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' })).json;
    assert.equal(pom.kind, 'PartialObjectMetadataList');
  } finally {
    await core.close();
  }
});

async function readEvents(r: ApiResponse, count: number, timeoutMs = 2000): Promise<{ type: string; object: KubeObject & Record<string, unknown> }[]> {
  assert.ok(isStream(r));
  const out: { type: string; object: KubeObject & Record<string, unknown> }[] = [];
  const timer = setTimeout(() => r.cancel(), timeoutMs);
  for await (const chunk of r.stream) {
    out.push(JSON.parse(chunk));
    if (out.length >= count) break;
  }
  clearTimeout(timer);
  r.cancel();
  return out;
}

async function watchReq(core: ApiCore, path: string): Promise<ApiResponse> {
  const u = new URL(path, 'http://x');
  return core.handle({ method: 'GET', path: u.pathname, query: u.searchParams, headers: {}, body: Buffer.alloc(0) });
}

test('watch: initial state, resume from a resourceVersion, selector transitions, 410 after compaction', async () => {
  const backend = memoryBackend();
  const core = await createApiCore({ backend, now: () => fixedNow, peers: {} });
  try {
    const a = (await call(core, 'POST', base, svc('a', { keep: 'y' }))).json as unknown as KubeObject;
    const w = await watchReq(core, `${base}?watch=true&labelSelector=keep%3Dy`);
    const initial = readEvents(w, 4);
    await call(core, 'POST', base, svc('b', { keep: 'y' }));
    await call(core, 'PATCH', `${base}/a`, { metadata: { labels: { keep: 'n' } } }, { 'content-type': 'application/merge-patch+json' });
    await call(core, 'DELETE', `${base}/b`);
    const events = await initial;
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED a', 'ADDED b', 'DELETED a', 'DELETED b']);
    // Resume after the first create: sees everything since.
    const resumed = await readEvents(await watchReq(core, `${base}?watch=1&resourceVersion=${a.metadata.resourceVersion}`), 3);
    assert.deepEqual(resumed.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED b', 'MODIFIED a', 'DELETED b']);
    await backend.compact(await backend.currentRevision());
    const expired = await readEvents(await watchReq(core, `${base}?watch=1&resourceVersion=${a.metadata.resourceVersion}`), 1);
    assert.equal(expired[0].type, 'ERROR');
    assert.equal(expired[0].object.code, 410);
    assert.equal(expired[0].object.reason, 'Expired');
    assert.match(String(expired[0].object.message), /^too old resource version: \d+ \(\d+\)$/);
  } finally {
    await core.close();
  }
});

test('delete: finalizers hold the object, pods delete gracefully when bound, namespaces terminate with their contents', async () => {
  const core = await newCore();
  try {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } };
    await call(core, 'POST', '/api/v1/namespaces/default/configmaps', cm);
    const d = (await call(core, 'DELETE', '/api/v1/namespaces/default/configmaps/held')).json as unknown as KubeObject;
    assert.equal(d.metadata.deletionTimestamp, '2026-01-02T03:04:05Z');
    await call(core, 'PATCH', '/api/v1/namespaces/default/configmaps/held', { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal((await call(core, 'GET', '/api/v1/namespaces/default/configmaps/held')).status, 404);

    // propagationPolicy Foreground/Orphan leave the object to the garbage collector, with its finalizer.
    for (const [policy, finalizer] of [['Foreground', 'foregroundDeletion'], ['Orphan', 'orphan']]) {
      await call(core, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `gc-${finalizer.toLowerCase()}` } });
      const gc = (await call(core, 'DELETE', `/api/v1/namespaces/default/configmaps/gc-${finalizer.toLowerCase()}`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: policy })).json as unknown as KubeObject;
      assert.deepEqual(gc.metadata.finalizers, [finalizer], policy);
      assert.ok(gc.metadata.deletionTimestamp, policy);
      await call(core, 'PATCH', `/api/v1/namespaces/default/configmaps/gc-${finalizer.toLowerCase()}`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
      assert.equal((await call(core, 'GET', `/api/v1/namespaces/default/configmaps/gc-${finalizer.toLowerCase()}`)).status, 404, policy);
    }

    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx:1.23' }] } };
    await call(core, 'POST', '/api/v1/namespaces/default/pods', pod);
    const bound = await call(core, 'POST', '/api/v1/namespaces/default/pods/p/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } });
    assert.equal(bound.status, 201);
    const twice = await call(core, 'POST', '/api/v1/namespaces/default/pods/p/binding', { target: { name: 'n2' } });
    assert.equal(twice.status, 409);
    assert.equal((twice.json as unknown as Status).message, 'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "n1"');
    const changed = await call(core, 'PATCH', '/api/v1/namespaces/default/pods/p', { spec: { containers: [{ name: 'c', image: 'nginx:1.24', ports: [{ containerPort: 80 }] }] } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(changed.status, 422);
    assert.match((changed.json as unknown as Status).message!, /^Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/);
    const image = await call(core, 'PATCH', '/api/v1/namespaces/default/pods/p', { spec: { containers: [{ name: 'c', image: 'nginx:1.24' }] } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(image.status, 200);
    const onNode = (await call(core, 'GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1')).json as unknown as KubeList;
    assert.equal(onNode.items.length, 1);
    const graceful = (await call(core, 'DELETE', '/api/v1/namespaces/default/pods/p')).json as unknown as KubeObject;
    assert.equal(graceful.metadata.deletionGracePeriodSeconds, 30);
    assert.equal(graceful.metadata.deletionTimestamp, '2026-01-02T03:04:35Z');
    assert.equal((await call(core, 'GET', '/api/v1/namespaces/default/pods/p')).status, 200);
    await call(core, 'DELETE', '/api/v1/namespaces/default/pods/p', { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 });
    assert.equal((await call(core, 'GET', '/api/v1/namespaces/default/pods/p')).status, 404);

    await call(core, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tmp' } });
    await call(core, 'POST', '/api/v1/namespaces/tmp/services', svc('x'));
    const term = (await call(core, 'DELETE', '/api/v1/namespaces/tmp')).json as unknown as KubeObject & { status: { phase: string } };
    assert.equal(term.status.phase, 'Terminating');
    const refused = await call(core, 'POST', '/api/v1/namespaces/tmp/services', svc('y'));
    assert.equal(refused.status, 403);
    assert.equal((refused.json as unknown as Status).message, 'services "y" is forbidden: unable to create new content in namespace tmp because it is being terminated');
    for (let i = 0; i < 250 && (await call(core, 'GET', '/api/v1/namespaces/tmp')).status !== 404; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await call(core, 'GET', '/api/v1/namespaces/tmp')).status, 404);
    assert.equal((await call(core, 'GET', '/api/v1/namespaces/tmp/services/x')).status, 404);
    const sys = await call(core, 'DELETE', '/api/v1/namespaces/kube-system');
    assert.equal(sys.status, 403);
  } finally {
    await core.close();
  }
});

test('discovery, version and health', async () => {
  const core = await newCore();
  try {
    const v1 = (await call(core, 'GET', '/api/v1')).json as { resources: { name: string; shortNames?: string[]; categories?: string[] }[] };
    const byName = new Map(v1.resources.map((r) => [r.name, r]));
    assert.deepEqual(byName.get('services')?.shortNames, ['svc']);
    assert.deepEqual(byName.get('pods')?.categories, ['all']);
    assert.ok(byName.has('pods/status') && byName.has('pods/exec') && byName.has('pods/log'));
    const groups = (await call(core, 'GET', '/apis')).json as { groups: { name: string }[] };
    assert.ok(groups.groups.some((g) => g.name === 'discovery.k8s.io'));
    const es = (await call(core, 'GET', '/apis/discovery.k8s.io/v1')).json as { resources: { name: string }[] };
    assert.deepEqual(es.resources.map((r) => r.name), ['endpointslices']);
    assert.equal((await call(core, 'GET', '/version')).json.gitVersion, 'v1.33.0');
    const ready = await call(core, 'GET', '/readyz?verbose');
    assert.equal(ready.status, 200);
    assert.match(String(ready.json.text), /^\[\+\]ping ok\n[\s\S]*readyz check passed\n$/);
    const ns = (await call(core, 'GET', '/api/v1/namespaces')).json as unknown as KubeList;
    assert.deepEqual(ns.items.map((n) => n.metadata.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  } finally {
    await core.close();
  }
});

test('patch types: merge, json, strategic (fallback without the patch module is merge)', async () => {
  const core = await newCore();
  try {
    await call(core, 'POST', base, svc('p'));
    const merge = (await call(core, 'PATCH', `${base}/p`, { metadata: { annotations: { a: '1' } } }, { 'content-type': 'application/merge-patch+json' })).json as unknown as KubeObject;
    assert.deepEqual(merge.metadata.annotations, { a: '1' });
    const jp = (await call(core, 'PATCH', `${base}/p`, [{ op: 'replace', path: '/spec/ports/0/port', value: 8080 }], { 'content-type': 'application/json-patch+json' })).json as unknown as { spec: { ports: { port: number }[] } };
    assert.equal(jp.spec.ports[0].port, 8080);
    const bad = await call(core, 'PATCH', `${base}/p`, '{}', { 'content-type': 'text/plain' });
    assert.equal(bad.status, 415);
    const staleRv = await call(core, 'PATCH', `${base}/p`, { metadata: { resourceVersion: '1' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(staleRv.status, 409);
  } finally {
    await core.close();
  }
});

test('with the real sibling modules: server-side apply, managedFields, fieldValidation Strict and Warn', async () => {
  const core = await createApiCore({ backend: memoryBackend(), now: () => fixedNow });
  try {
    const applied = await call(core, 'PATCH', `${base}/ssa?fieldManager=kubectl&force=false`, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: ssa\nspec:\n  ports:\n  - port: 80\n', {
      'content-type': 'application/apply-patch+yaml',
    });
    assert.equal(applied.status, 201);
    const mf = (applied.json as unknown as KubeObject).metadata.managedFields ?? [];
    assert.deepEqual(mf.map((m) => `${m.manager}/${m.operation}`), ['kubectl/Apply']);
    const strict = await call(core, 'POST', `${base}?fieldValidation=Strict`, { ...svc('strict'), spec: { ports: [{ port: 80 }], foo: 1 } });
    assert.equal(strict.status, 400);
    assert.equal((strict.json as unknown as Status).message, 'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo"');
    const warn = await call(core, 'POST', `${base}?fieldValidation=Warn&fieldManager=test`, { ...svc('warn'), spec: { ports: [{ port: 80 }], foo: 1 } });
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.warning, '299 - "unknown field \\"spec.foo\\""');
    assert.deepEqual((warn.json as unknown as KubeObject).metadata.managedFields?.map((m) => `${m.manager}/${m.operation}`), ['test/Update']);
    // dryRun: answered, not stored.
    const dry = await call(core, 'POST', `${base}?dryRun=All`, svc('dry'));
    assert.equal(dry.status, 201);
    assert.equal((await call(core, 'GET', `${base}/dry`)).status, 404);
    const live = (await call(core, 'GET', `${base}/ssa`)).json as unknown as KubeObject;
    const dryPatch = (await call(core, 'PATCH', `${base}/ssa?dryRun=All`, { metadata: { labels: { dry: 'yes' } } }, { 'content-type': 'application/merge-patch+json' })).json as unknown as KubeObject;
    assert.equal(dryPatch.metadata.labels?.dry, 'yes');
    assert.equal(dryPatch.metadata.resourceVersion, live.metadata.resourceVersion);
    assert.equal(((await call(core, 'GET', `${base}/ssa`)).json as unknown as KubeObject).metadata.labels?.dry, undefined);
    // deletecollection by label.
    await call(core, 'POST', base, svc('gone1', { batch: 'x' }));
    await call(core, 'POST', base, svc('gone2', { batch: 'x' }));
    const deleted = (await call(core, 'DELETE', `${base}?labelSelector=batch%3Dx`)).json as unknown as KubeList;
    assert.deepEqual(deleted.items.map((i) => i.metadata.name), ['gone1', 'gone2']);
    const left = ((await call(core, 'GET', base)).json as unknown as KubeList).items.map((i) => i.metadata.name);
    assert.deepEqual(left, ['ssa', 'warn']);
  } finally {
    await core.close();
  }
});

test('watch as Table, bookmarks, sendInitialEvents end marker', async () => {
  const core = await newCore();
  try {
    await call(core, 'POST', base, svc('t1'));
    const u = new URL(`${base}?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`, 'http://x');
    const r = await core.handle({ method: 'GET', path: u.pathname, query: u.searchParams, headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' }, body: Buffer.alloc(0) });
    const events = await readEvents(r, 3);
    assert.equal(events[0].type, 'ADDED');
    assert.equal(events[0].object.kind, 'Table');
    assert.equal((events[0].object.rows as unknown[]).length, 1);
    assert.equal(events[1].type, 'BOOKMARK');
    assert.equal(events[1].object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
    assert.equal(events[2].type, 'BOOKMARK'); // the periodic one (50 ms in these tests)
  } finally {
    await core.close();
  }
});

test('advertise: default/kubernetes Endpoints and EndpointSlice as the API server keeps them', async () => {
  const backend = memoryBackend();
  const advertise = { ip: '192.168.10.1', port: 6443 };
  const core = await createApiCore({ backend, now: () => fixedNow, peers: {}, advertise });
  try {
    const ep = (await call(core, 'GET', '/api/v1/namespaces/default/endpoints/kubernetes')).json as unknown as { subsets: unknown; metadata: KubeObject['metadata'] };
    assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '192.168.10.1' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
    assert.equal(ep.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror'], 'true');
    const slices = (await call(core, 'GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes')).json as unknown as KubeList;
    assert.equal(slices.items.length, 1);
    // A restart with the same address writes nothing.
    const before = await backend.currentRevision();
    const again = await createApiCore({ backend, now: () => fixedNow, peers: {}, advertise });
    await again.close();
    assert.equal(await backend.currentRevision(), before);
  } finally {
    await core.close();
  }
});

test('events.k8s.io/v1 Events are the core Events under their other names', async () => {
  const core = await newCore();
  try {
    const created = await call(core, 'POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e1' },
      regarding: { kind: 'Pod', name: 'p', namespace: 'default' },
      note: 'pulled',
      reason: 'Pulled',
      type: 'Normal',
      reportingController: 'kubelet',
      reportingInstance: 'n1',
      action: 'Pull',
      eventTime: '2026-01-02T03:04:05.000000Z',
    });
    assert.equal(created.status, 201);
    assert.equal(created.json.apiVersion, 'events.k8s.io/v1');
    const asCore = (await call(core, 'GET', '/api/v1/namespaces/default/events/e1')).json as Record<string, unknown>;
    assert.equal(asCore.apiVersion, 'v1');
    assert.equal(asCore.message, 'pulled');
    assert.deepEqual(asCore.involvedObject, { kind: 'Pod', name: 'p', namespace: 'default' });
    assert.equal(asCore.reportingComponent, 'kubelet');
    const bySelector = (await call(core, 'GET', '/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dp')).json as unknown as KubeList;
    assert.deepEqual(bySelector.items.map((i) => (i as unknown as { note: string }).note), ['pulled']);
    const coreSel = (await call(core, 'GET', '/api/v1/events?fieldSelector=involvedObject.name%3Dp')).json as unknown as KubeList;
    assert.equal(coreSel.items.length, 1);
    const table = (await call(core, 'GET', '/apis/events.k8s.io/v1/namespaces/default/events', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json;
    assert.equal((table.rows as unknown[]).length, 1);
  } finally {
    await core.close();
  }
});

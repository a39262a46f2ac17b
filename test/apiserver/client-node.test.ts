// @kubernetes/client-node against the real API server: list, watch (resuming from a resourceVersion, 410
// after compaction), create, patch, delete of Services.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig, PatchStrategy, Watch, setHeaderOptions, type V1Service } from '@kubernetes/client-node';
import { startTestCluster } from './harness.ts';

interface Seen {
  phase: string;
  obj: { metadata?: { name?: string; resourceVersion?: string }; code?: number; reason?: string; message?: string };
}

function collect(): { events: Seen[]; until(n: number): Promise<void> } {
  const events: Seen[] = [];
  return {
    events,
    async until(n: number) {
      for (let i = 0; i < 250 && events.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    },
  };
}

test('@kubernetes/client-node lists, watches, creates, patches and deletes Services', { timeout: 30_000 }, async () => {
  const cluster = await startTestCluster();
  const aborts: AbortController[] = [];
  try {
    const kc = new KubeConfig();
    // client-node refuses plain http unless skipTLSVerify is set (TLS comes in a later issue).
    kc.loadFromOptions({
      clusters: [{ name: 'clusterip', server: cluster.server.url, skipTLSVerify: true }],
      users: [{ name: 'admin' }],
      contexts: [{ name: 'clusterip', cluster: 'clusterip', user: 'admin' }],
      currentContext: 'clusterip',
    });
    const api = kc.makeApiClient(CoreV1Api);
    const ns = `cn-${process.pid}`;
    await api.createNamespace({ body: { metadata: { name: ns } } });
    const svc = (name: string): V1Service => ({ metadata: { name, labels: { app: 'demo' } }, spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { app: name } } });

    const created = await api.createNamespacedService({ namespace: ns, body: svc('one') });
    assert.equal(created.metadata?.name, 'one');
    assert.ok(created.metadata?.uid);
    const startRv = created.metadata!.resourceVersion!;

    const list = await api.listNamespacedService({ namespace: ns, labelSelector: 'app=demo' });
    assert.deepEqual(list.items.map((s) => s.metadata?.name), ['one']);

    const watch = new Watch(kc);
    const live = collect();
    aborts.push(await watch.watch(`/api/v1/namespaces/${ns}/services`, { resourceVersion: list.metadata!.resourceVersion }, (phase, obj) => live.events.push({ phase, obj }), () => {}));
    await api.createNamespacedService({ namespace: ns, body: svc('two') });
    const patched = await api.patchNamespacedService(
      { name: 'two', namespace: ns, body: { metadata: { labels: { patched: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(patched.metadata?.labels?.patched, 'yes');
    await api.deleteNamespacedService({ name: 'two', namespace: ns });
    await live.until(3);
    assert.deepEqual(live.events.map((e) => `${e.phase} ${e.obj.metadata?.name}`), ['ADDED two', 'MODIFIED two', 'DELETED two']);

    // Resume from the first create's resourceVersion: the same three events again.
    const resumed = collect();
    aborts.push(await watch.watch(`/api/v1/namespaces/${ns}/services`, { resourceVersion: startRv }, (phase, obj) => resumed.events.push({ phase, obj }), () => {}));
    await resumed.until(3);
    assert.deepEqual(resumed.events.map((e) => `${e.phase} ${e.obj.metadata?.name}`), ['ADDED two', 'MODIFIED two', 'DELETED two']);

    // After compaction, that resourceVersion is gone: an ERROR event with a 410 Status.
    await cluster.backend.compact(await cluster.backend.currentRevision());
    const expired = collect();
    aborts.push(await watch.watch(`/api/v1/namespaces/${ns}/services`, { resourceVersion: startRv }, (phase, obj) => expired.events.push({ phase, obj }), () => {}));
    await expired.until(1);
    assert.equal(expired.events[0]?.phase, 'ERROR');
    assert.equal(expired.events[0]?.obj.code, 410);
    assert.equal(expired.events[0]?.obj.reason, 'Expired');

    await api.deleteNamespacedService({ name: 'one', namespace: ns });
    await assert.rejects(api.readNamespacedService({ name: 'one', namespace: ns }), (err: { code?: number }) => err.code === 404);
  } finally {
    for (const a of aborts) a.abort();
    await cluster.stop();
  }
});

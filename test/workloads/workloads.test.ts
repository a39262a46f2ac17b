// Deployments and ReplicaSets against a real API server, the controller manager and real kubectl 1.33 (with a
// 1.29 spot check): create, scale, expose, set image, rollout status/history/undo/restart, run, cascading
// delete. No node agent: a simulated kubelet marks pods Running and Ready through pods/status.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Deployment, EndpointSlice, Event, KubeList, Pod, ReplicaSet, Service } from '../../src/api/index.ts';
import { startControllerManager, type ControllerManager } from '../../src/controllers/index.ts';
import { startTestControlPlane, type TestControlPlane } from '../support/cluster.ts';

const run = promisify(execFile);
const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
const KUBECTL_129 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.29';
const IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.52';
const IMAGE_NEXT = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const NS = `wl-${process.pid}`;

let cp: TestControlPlane;
let cm: ControllerManager;
let kubeletTimer: NodeJS.Timeout | undefined;
let nextIP = 10;

async function kubectl(args: string[], binary = KUBECTL): Promise<string> {
  try {
    const { stdout } = await run(binary, ['--kubeconfig', cp.kubeconfig, '-n', NS, ...args], { timeout: 30_000 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`kubectl ${args.join(' ')}: ${e.stderr || e.message}`);
  }
}

async function kubectlFails(args: string[]): Promise<string> {
  try {
    await run(KUBECTL, ['--kubeconfig', cp.kubeconfig, '-n', NS, ...args], { timeout: 30_000 });
  } catch (err) {
    return (err as { stderr?: string }).stderr ?? '';
  }
  throw new Error(`kubectl ${args.join(' ')} succeeded`);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const start = performance.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const api = (path: string) => `/api/v1/namespaces/${NS}/${path}`;
const apps = (path: string) => `/apis/apps/v1/namespaces/${NS}/${path}`;

async function pods(labelSelector = 'app=web'): Promise<Pod[]> {
  return (await cp.client.list<Pod>(api('pods'), { labelSelector })).items.filter((p) => !p.metadata.deletionTimestamp);
}

async function replicaSets(): Promise<ReplicaSet[]> {
  return (await cp.client.list<ReplicaSet>(apps('replicasets'))).items;
}

/** What a kubelet reports for a started pod: Running, an IP, Ready. */
async function markReady(pod: Pod): Promise<void> {
  const ip = `10.244.0.${nextIP++ % 250}`;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await cp.client.patch(api(`pods/${pod.metadata.name}/status`), {
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] },
  }, 'strategic');
}

/** A simulated kubelet: every new pod in the namespace becomes Ready shortly after it appears. */
function startKubelet(): void {
  const seen = new Set<string>();
  const tick = async () => {
    try {
      for (const p of (await cp.client.list<Pod>(api('pods'))).items) {
        if (seen.has(p.metadata.uid!) || p.metadata.deletionTimestamp) continue;
        seen.add(p.metadata.uid!);
        await markReady(p).catch(() => seen.delete(p.metadata.uid!));
      }
    } catch {
      // the next tick retries
    }
    kubeletTimer = setTimeout(() => void tick(), 25);
  };
  void tick();
}

before(async () => {
  cp = await startTestControlPlane();
  cm = await startControllerManager({ server: cp.url });
  await cp.client.create(`/api/v1/namespaces`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
});

after(async () => {
  if (kubeletTimer) clearTimeout(kubeletTimer);
  cm?.stop();
  await cp?.close();
});

describe('kubectl workload verbs', () => {
  it('create deployment → a ReplicaSet and 3 pods; kubectl get deploy, rs, pods', async () => {
    const out = await kubectl(['create', 'deployment', 'web', `--image=${IMAGE}`, '--replicas=3', '--', '/agnhost', 'serve-hostname']);
    assert.equal(out.trim(), 'deployment.apps/web created');
    const list = await until('3 pods', async () => {
      const p = await pods();
      return p.length === 3 ? p : undefined;
    });
    const [rs] = await replicaSets();
    const hash = rs.metadata.labels?.['pod-template-hash'];
    assert.ok(hash, 'pod-template-hash label');
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    for (const p of list) {
      assert.match(p.metadata.name!, new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      assert.equal(p.metadata.ownerReferences?.[0].name, rs.metadata.name);
      assert.deepEqual(p.spec.containers[0].command, ['/agnhost', 'serve-hostname']);
      assert.equal(p.metadata.labels?.['pod-template-hash'], hash);
    }
    const getRS = await kubectl(['get', 'rs']);
    assert.match(getRS, new RegExp(`^NAME\\s+DESIRED\\s+CURRENT\\s+READY\\s+AGE\\nweb-${hash}\\s+3\\s+3\\s+0\\s+\\d+s\\n$`));
    // The simulated kubelet starts: pods become Ready, the Deployment Available.
    startKubelet();
    await until('3/3 available', async () => {
      const d = await cp.client.get<Deployment>(apps('deployments/web'));
      return d.status?.availableReplicas === 3 && d.status.observedGeneration === d.metadata.generation ? d : undefined;
    });
    const getDeploy = await kubectl(['get', 'deploy']);
    assert.match(getDeploy, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+3\/3\s+3\s+3\s+\d+s\n$/);
    const getPods = await kubectl(['get', 'pods', '--no-headers']);
    assert.equal(getPods.trim().split('\n').length, 3);
    assert.match(await kubectl(['rollout', 'status', 'deployment/web', '--timeout=20s']), /deployment "web" successfully rolled out/);
    const events = await cp.client.list<Event>(api('events'));
    const reasons = events.items.map((e) => `${e.involvedObject.kind} ${e.reason}: ${e.message}`);
    assert.ok(reasons.includes(`Deployment ScalingReplicaSet: Scaled up replica set web-${hash} from 0 to 3`), reasons.join('\n'));
    assert.equal(reasons.filter((r) => r.startsWith('ReplicaSet SuccessfulCreate: Created pod: web-')).length, 3);
  });

  it('scale deployment --replicas=5 and expose deployment: a ClusterIP Service with 5 endpoints', async () => {
    assert.equal((await kubectl(['scale', 'deployment', 'web', '--replicas=5'])).trim(), 'deployment.apps/web scaled');
    assert.equal((await kubectl(['expose', 'deployment', 'web', '--port=80', '--target-port=9376'])).trim(), 'service/web exposed');
    const svc = await cp.client.get<Service>(api('services/web'));
    assert.deepEqual(svc.spec.selector, { app: 'web' });
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.match(svc.spec.clusterIP ?? '', /^10\.\d+\.\d+\.\d+$/);
    await until('5 ready endpoints on 9376', async () => {
      const slices = await cp.client.list<EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, { labelSelector: 'kubernetes.io/service-name=web' });
      const ready = slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready)).length;
      const port = slices.items[0]?.ports?.[0]?.port;
      return ready === 5 && port === 9376 ? true : undefined;
    });
    const scale = await cp.client.get<{ spec: { replicas: number }; status: { replicas: number; selector: string } } & Pod>(apps('deployments/web/scale'));
    assert.equal(scale.spec.replicas, 5);
    assert.equal(scale.status.selector, 'app=web');
    assert.match(await kubectl(['rollout', 'status', 'deployment/web', '--timeout=20s']), /successfully rolled out/);
  });

  it('set image rolls out a new ReplicaSet; rollout history, undo, restart', async () => {
    assert.equal((await kubectl(['set', 'image', 'deployment/web', `agnhost=${IMAGE_NEXT}`])).trim(), 'deployment.apps/web image updated');
    assert.match(await kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']), /deployment "web" successfully rolled out/);
    let sets = await replicaSets();
    const byRevision = (n: string) => sets.find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === n);
    assert.equal(byRevision('2')?.spec?.template?.spec?.containers[0].image, IMAGE_NEXT);
    assert.equal(byRevision('2')?.spec?.replicas, 5);
    assert.equal(byRevision('1')?.spec?.replicas, 0);
    const history = await kubectl(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^deployment\.apps\/web \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    assert.match(await kubectl(['rollout', 'history', 'deployment/web', '--revision=2']), new RegExp(`Image:\\s+${IMAGE_NEXT.replace(/\./g, '\\.')}`));

    assert.equal((await kubectl(['rollout', 'undo', 'deployment/web'])).trim(), 'deployment.apps/web rolled back');
    assert.match(await kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']), /successfully rolled out/);
    sets = await replicaSets();
    assert.equal(sets.length, 2, 'undo reuses the revision-1 ReplicaSet');
    const back = byRevision('3');
    assert.equal(back?.spec?.template?.spec?.containers[0].image, IMAGE);
    assert.equal(back?.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(back?.spec?.replicas, 5);

    assert.equal((await kubectl(['rollout', 'restart', 'deployment/web'])).trim(), 'deployment.apps/web restarted');
    assert.match(await kubectl(['rollout', 'status', 'deployment/web', '--timeout=30s']), /successfully rolled out/);
    sets = await replicaSets();
    const restarted = byRevision('4');
    assert.ok(restarted?.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'], 'restartedAt in the new template');
    assert.equal(restarted?.spec?.replicas, 5);
    const active = (await pods()).filter((p) => p.metadata.labels?.['pod-template-hash'] === restarted?.metadata.labels?.['pod-template-hash']);
    assert.equal(active.length, 5);
    const d = await cp.client.get<Deployment>(apps('deployments/web'));
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '4');
    const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(progressing?.reason, 'NewReplicaSetAvailable');
    assert.equal(progressing?.message, `ReplicaSet "${restarted?.metadata.name}" has successfully progressed.`);
  });

  it('kubectl 1.29 reads and scales Deployments too', async () => {
    assert.equal((await kubectl(['scale', 'deployment', 'web', '--replicas=2'], KUBECTL_129)).trim(), 'deployment.apps/web scaled');
    assert.match(await kubectl(['rollout', 'status', 'deployment/web', '--timeout=20s'], KUBECTL_129), /successfully rolled out/);
    assert.match(await kubectl(['get', 'deploy', 'web'], KUBECTL_129), /web\s+2\/2\s+2\s+2\s+/);
  });

  it('kubectl run makes a bare Pod', async () => {
    assert.equal((await kubectl(['run', 'solo', `--image=${IMAGE}`, '--', '/agnhost', 'pause'])).trim(), 'pod/solo created');
    const p = await cp.client.get<Pod>(api('pods/solo'));
    assert.deepEqual(p.metadata.labels, { run: 'solo' });
    assert.equal(p.metadata.ownerReferences, undefined);
  });

  it('validation errors are Kubernetes words', async () => {
    const manifest = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bad', namespace: NS },
      spec: { selector: { matchLabels: { app: 'bad' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const path = `${cp.dir}/bad.json`;
    await import('node:fs/promises').then((fs) => fs.writeFile(path, manifest));
    const stderr = await kubectlFails(['create', '-f', path]);
    assert.match(stderr, /The Deployment "bad" is invalid: spec\.template\.metadata\.labels: Invalid value: map\[string\]string\{"app":"x"\}: `selector` does not match template `labels`/);
    assert.match(await kubectlFails(['scale', 'deployment', 'web', '--replicas=-1']), /--replicas=COUNT|replicas/);
  });

  it('delete --cascade=orphan keeps the ReplicaSet and its pods, unowned; foreground deletes them first', async () => {
    await kubectl(['create', 'deployment', 'keep', `--image=${IMAGE}`, '--replicas=2']);
    await until('2 keep pods', async () => ((await pods('app=keep')).length === 2 ? true : undefined));
    assert.equal((await kubectl(['delete', 'deployment', 'keep', '--cascade=orphan'])).trim(), 'deployment.apps "keep" deleted');
    const orphaned = await until('ReplicaSet orphaned', async () => {
      const rs = (await replicaSets()).filter((r) => r.metadata.labels?.app === 'keep');
      return rs.length === 1 && !rs[0].metadata.ownerReferences?.length ? rs[0] : undefined;
    });
    await cm.idle();
    assert.equal((await pods('app=keep')).length, 2, 'the pods stay');
    // Foreground: the ReplicaSet waits for its pods to go first.
    await kubectl(['delete', 'rs', orphaned.metadata.name!, '--cascade=foreground', '--wait=true', '--timeout=20s']);
    assert.equal((await pods('app=keep')).length, 0);
  });

  it('delete deployment cascades to its ReplicaSets and pods', async () => {
    assert.equal((await kubectl(['delete', 'deployment', 'web'])).trim(), 'deployment.apps "web" deleted');
    await until('ReplicaSets and pods gone', async () => ((await replicaSets()).length === 0 && (await pods()).length === 0 ? true : undefined), 15_000);
  });
});

describe('ReplicaSet controller', () => {
  it('adopts a matching orphan, releases a relabelled pod and replaces it, deletes not-ready pods first', async () => {
    const labels = { app: 'rs-own' };
    // An orphan pod exists before the ReplicaSet.
    await cp.client.create<Pod>(api('pods'), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels }, spec: { containers: [{ name: 'c', image: IMAGE }] } });
    await cp.client.create<ReplicaSet>(apps('replicasets'), {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'own' },
      spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: IMAGE }] } } },
    });
    const two = await until('2 owned pods (one adopted)', async () => {
      const p = await pods('app=rs-own');
      return p.length === 2 && p.every((x) => x.metadata.ownerReferences?.[0]?.name === 'own') ? p : undefined;
    });
    assert.ok(two.some((p) => p.metadata.name === 'orphan'), 'the orphan was adopted');
    // Relabel the orphan: released (no owner) and replaced.
    await cp.client.patch(api('pods/orphan'), { metadata: { labels: { app: 'elsewhere' } } }, 'merge');
    await until('released and replaced', async () => {
      const released = await cp.client.get<Pod>(api('pods/orphan'));
      const owned = await pods('app=rs-own');
      return !released.metadata.ownerReferences?.length && owned.length === 2 ? true : undefined;
    });
    const rs = await until('status.replicas 2', async () => {
      const r = await cp.client.get<ReplicaSet>(apps('replicasets/own'));
      return r.status?.replicas === 2 && r.status.observedGeneration === r.metadata.generation ? r : undefined;
    });
    assert.equal(rs.status?.replicas, 2);
    // Scale 2 → 1 with one pod not ready (a kubelet would set it; do it by hand): that one goes.
    const owned = await pods('app=rs-own');
    await cp.client.patch(api(`pods/${owned[0].metadata.name}/status`), { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } }, 'strategic');
    await until('the pod marked Ready', async () => {
      const p = await cp.client.get<Pod>(api(`pods/${owned[1].metadata.name}`));
      return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
    });
    await cm.idle();
    await cp.client.patch(apps('replicasets/own/scale'), { spec: { replicas: 1 } }, 'merge');
    const left = await until('1 pod left', async () => {
      const p = await pods('app=rs-own');
      return p.length === 1 ? p : undefined;
    });
    assert.equal(left[0].metadata.name, owned[1].metadata.name, 'the not-ready pod was deleted first');
    const events = await cp.client.list<Event>(api('events'), { fieldSelector: 'involvedObject.name=own' });
    assert.ok(events.items.some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted pod: ${owned[0].metadata.name}`));
    await cp.client.delete(apps('replicasets/own'));
    await until('pods of a deleted ReplicaSet collected', async () => ((await pods('app=rs-own')).length === 0 ? true : undefined));
    const list: KubeList<Pod> = await cp.client.list<Pod>(api('pods'), { labelSelector: 'app=elsewhere' });
    assert.equal(list.items.length, 1, 'the released pod is not collected');
  });
});

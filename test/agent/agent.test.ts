// End to end: clusterip's API server (in-process) and two node agents on a real kernel. Pods run for real
// in their namespaces; everything is removed in after().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Event, KubeList, Pod } from '../../src/api/index.ts';
import { dialThroughNode, clusterPrefix } from '../../src/agent/index.ts';
import { run } from '../../src/agent/network/exec.ts';
import { startHarness, waitFor, isReady, podPath, type Harness } from './harness.ts';
import { AgentStreamingRuntime } from '../../src/agent/streamruntime.ts';

let h: Harness;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cip-agent-e2e-'));

before(async () => {
  h = await startHarness('e2e');
  await h.addAgent('n1', 1, ['--backoff-initial', '300ms', '--backoff-max', '1s', '--image-pull-backoff', '200ms']);
  await h.addAgent('n2', 2, ['--backoff-initial', '300ms', '--backoff-max', '1s']);
});

after(async () => {
  await h?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
  const left = fs.readdirSync('/run/netns').filter((n) => h && n.startsWith(clusterPrefix(h.cluster)));
  assert.deepEqual(left, [], 'no namespaces left');
});

async function createPod(pod: Pod): Promise<Pod> {
  return h.client.create<Pod>(`/api/v1/namespaces/${pod.metadata.namespace ?? 'default'}/pods`, pod);
}

const getPod = (name: string) => () => h.client.get<Pod>(podPath(name));

async function events(name: string): Promise<string[]> {
  const list = await h.client.list<Event>('/api/v1/namespaces/default/events');
  return (list as KubeList<Event>).items.filter((e) => e.involvedObject.name === name).map((e) => `${e.reason}: ${e.message}`);
}

async function kubeletGet(agent: number, p: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${h.agents[agent]?.kubeletPort}${p}`);
  return { status: res.status, text: await res.text() };
}

async function podNetns(node: string, pod: Pod): Promise<string> {
  const id = (pod.metadata.uid ?? '').replace(/-/g, '').slice(0, 10);
  return `cip-${h.cluster}_${node}_${id}`;
}

test('nodes register Ready with InternalIP, podCIDR, kubelet port and a Lease', async () => {
  const nodes = await h.client.list<import('../../src/api/index.ts').Node>('/api/v1/nodes');
  const n1 = nodes.items.find((n) => n.metadata.name === 'n1');
  assert.equal(n1?.spec.podCIDR, '10.244.1.0/24');
  assert.equal(n1?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address, '172.31.0.2');
  assert.equal(n1?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.equal(n1?.status?.daemonEndpoints?.kubeletEndpoint?.Port, h.agents[0]?.kubeletPort);
  const lease = await h.client.get<import('../../src/api/index.ts').Lease>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1');
  assert.equal(lease.spec.holderIdentity, 'n1');
  assert.equal((await kubeletGet(0, '/healthz')).text, 'ok');
});

test('nginx pod Ready fast, reachable from a curl pod on the other node, logs show the request', async () => {
  const t0 = Date.now();
  await createPod({
    metadata: { name: 'nginx-pod', labels: { app: 'nginx' } },
    spec: { nodeName: 'n1', containers: [{ name: 'nginx', image: 'nginx:1.23', ports: [{ containerPort: 80 }] }] },
  });
  await createPod({
    metadata: { name: 'curl-pod' },
    spec: { nodeName: 'n2', containers: [{ name: 'curl', image: 'curlimages/curl:8.1.2', command: ['sleep', '3600'] }] },
  });
  const nginx = await waitFor('nginx Ready', getPod('nginx-pod'), isReady);
  assert.ok(Date.now() - t0 < 3000, `Ready in ${Date.now() - t0} ms`);
  assert.match(nginx.status?.podIP ?? '', /^10\.244\.1\.\d+$/);
  assert.equal(nginx.status?.hostIP, '172.31.0.2');
  assert.equal(nginx.status?.phase, 'Running');
  assert.match(nginx.status?.containerStatuses?.[0]?.containerID ?? '', /^clusterip:\/\/\d+$/);
  const curlPod = await waitFor('curl Ready', getPod('curl-pod'), isReady);
  const ns = await podNetns('n2', curlPod);
  let body = '';
  for (let i = 0; i < 40 && !body.includes('Welcome to nginx!'); i++) {
    body = (await run('ip', ['netns', 'exec', ns, 'curl', '-s', '-m', '2', `http://${nginx.status?.podIP}/`])).stdout;
    if (!body.includes('Welcome to nginx!')) await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(body, /<title>Welcome to nginx!<\/title>/);
  // The pod's own resolv.conf and hosts, seen from inside (ip netns exec bind-mounts them over /etc).
  const resolv = (await run('ip', ['netns', 'exec', ns, 'cat', '/etc/resolv.conf'])).stdout;
  assert.equal(resolv, 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
  const logs = await waitFor('access log', () => kubeletGet(0, '/containerLogs/default/nginx-pod/nginx'), (r) => r.text.includes('"GET / HTTP/1.1" 200'));
  assert.match(logs.text, new RegExp(`^${curlPod.status?.podIP?.replace(/\./g, '\\.')} - - \\[.*\\] "GET / HTTP/1\\.1" 200 615 "-" "curl/`, 'm'));
  const all = (await kubeletGet(0, '/containerLogs/default/nginx-pod/nginx?timestamps=true')).text.trim().split('\n');
  const tail = await kubeletGet(0, '/containerLogs/default/nginx-pod/nginx?tailLines=1&timestamps=true');
  assert.equal(tail.text, `${all[all.length - 1]}\n`);
  assert.match(tail.text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \S/);
  assert.ok(all.some((l) => /^\S+Z \S+ - - \[.*"GET \/ HTTP\/1\.1" 200/.test(l)), 'timestamps prefix each line');
  assert.equal((await kubeletGet(0, '/containerLogs/default/nope/nginx')).status, 404);
  // What `kubectl logs` does: pods/log on the API server, proxied to this node's kubelet port.
  const viaApi = await fetch(`${h.url}/api/v1/namespaces/default/pods/nginx-pod/log?container=nginx`);
  assert.equal(viaApi.status, 200);
  assert.match(await viaApi.text(), /"GET \/ HTTP\/1\.1" 200 615/);
  const ev = await events('nginx-pod');
  assert.ok(ev.includes('Pulled: Container image "nginx:1.23" already present on machine'), ev.join('\n'));
  assert.ok(ev.includes('Created: Created container: nginx'));
  assert.ok(ev.includes('Started: Started container nginx'));
});

test('the StreamingRuntime behind kubectl exec/port-forward: exit codes, the pod\'s /etc, stdin, a pod port', async () => {
  const agent = h.agents[0];
  assert.ok(agent);
  const rt = new AgentStreamingRuntime(agent.pods);
  const pod = { namespace: 'default', name: 'nginx-pod' };
  const collect = async (p: Awaited<ReturnType<typeof rt.exec>>): Promise<{ out: string; code: number }> => {
    let out = '';
    p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const code = await p.exit;
    return { out, code };
  };
  const opts = { tty: false, stdin: false, stdout: true, stderr: true };
  assert.equal((await collect(await rt.exec(pod, 'nginx', ['sh', '-c', 'exit 3'], opts))).code, 3);
  const resolv = await collect(await rt.exec(pod, 'nginx', ['cat', '/etc/resolv.conf'], opts));
  assert.match(resolv.out, /^search default\.svc\.cluster\.local /);
  const host = await collect(await rt.exec(pod, 'nginx', ['hostname'], opts));
  assert.equal(host.out, 'nginx-pod\n');
  const withStdin = await rt.exec(pod, 'nginx', ['cat'], { ...opts, stdin: true });
  const echoed = collect(withStdin);
  withStdin.stdin?.end('hello\n');
  assert.equal((await echoed).out, 'hello\n');
  const tty = await rt.exec(pod, 'nginx', ['sh', '-c', 'sleep 0.3; stty size; exit 5'], { tty: true, stdin: true, stdout: true, stderr: true });
  const ttyOut = collect(tty);
  tty.resize(100, 40);
  assert.deepEqual(await ttyOut, { out: '40 100\r\n', code: 5 });
  await assert.rejects(rt.exec(pod, 'nope', ['true'], opts), /container "nope" in pod "nginx-pod" is not running/);
  await assert.rejects(rt.exec({ namespace: 'default', name: 'ghost' }, 'c', ['true'], opts), /not found/);
  const sock = await rt.portForward(pod, 80);
  const page = await new Promise<string>((resolve) => {
    let text = '';
    sock.on('data', (d: Buffer) => (text += d.toString()));
    sock.on('end', () => resolve(text));
    sock.end('GET / HTTP/1.0\r\n\r\n');
  });
  assert.match(page, /^HTTP\/1\.1 200 OK[\s\S]*Welcome to nginx!/);
});

test('agnhost serve-hostname answers the pod name; env carries service variables and the hostname', async () => {
  await createPod({
    metadata: { name: 'hostnames' },
    spec: { nodeName: 'n1', containers: [{ name: 'agnhost', image: 'registry.k8s.io/e2e-test-images/agnhost:2.45', args: ['serve-hostname'], ports: [{ containerPort: 9376 }] }] },
  });
  await createPod({
    metadata: { name: 'env-pod' },
    spec: {
      nodeName: 'n2',
      restartPolicy: 'Never',
      containers: [{ name: 'sh', image: 'busybox', command: ['sh', '-c', 'echo "k8s=$KUBERNETES_SERVICE_HOST host=$(hostname) env=$HOSTNAME wd=$(pwd) x=$X"'], env: [{ name: 'A', value: 'a' }, { name: 'X', value: 'from-$(A)-$(HOSTNAME)' }], workingDir: '/tmp' }],
    },
  });
  const pod = await waitFor('agnhost Ready', getPod('hostnames'), isReady);
  const dialer = path.join(h.dataDir, 'n1', 'dialer.sock');
  const answer = await waitFor('serve-hostname', async () => {
    const sock = await dialThroughNode(dialer, pod.status?.podIP ?? '', 9376, 2000);
    return new Promise<string>((resolve) => {
      let text = '';
      sock.on('data', (d: Buffer) => (text += d.toString()));
      sock.on('end', () => resolve(text));
      sock.on('error', () => resolve(''));
      sock.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
  }, (t) => t.endsWith('\r\n\r\nhostnames'), 8000);
  assert.match(answer, /^HTTP\/1\.1 200/);
  const done = await waitFor('env pod Succeeded', getPod('env-pod'), (p) => p.status?.phase === 'Succeeded');
  assert.equal(done.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  const log = await kubeletGet(1, '/containerLogs/default/env-pod/sh');
  const kube = (await h.client.get<import('../../src/api/index.ts').Service>('/api/v1/namespaces/default/services/kubernetes').catch(() => undefined))?.spec.clusterIP ?? '';
  assert.equal(log.text, `k8s=${kube} host=env-pod env=env-pod wd=/tmp x=from-a-$(HOSTNAME)\n`);
});

test('readiness probe flips Ready both ways; a crashing container backs off', async () => {
  const flag = path.join(scratch, 'ready');
  await createPod({
    metadata: { name: 'probed' },
    spec: {
      nodeName: 'n1',
      containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], readinessProbe: { exec: { command: ['cat', flag] }, periodSeconds: 1, failureThreshold: 1 } }],
    },
  });
  await createPod({
    metadata: { name: 'crasher' },
    spec: { nodeName: 'n2', containers: [{ name: 'boom', image: 'busybox', command: ['sh', '-c', 'echo boom; exit 3'] }] },
  });
  const running = await waitFor('probed running', getPod('probed'), (p) => p.status?.phase === 'Running');
  assert.equal(isReady(running), false, 'not Ready before the probe succeeds');
  fs.writeFileSync(flag, 'ok');
  await waitFor('probed Ready', getPod('probed'), isReady, 5000);
  fs.rmSync(flag);
  const unready = await waitFor('probed unready', getPod('probed'), (p) => !isReady(p), 5000);
  assert.equal(unready.status?.conditions?.find((c) => c.type === 'ContainersReady')?.message, 'containers with unready status: [app]');
  assert.ok((await events('probed')).some((e) => e.startsWith('Unhealthy: Readiness probe failed: cat: ')));

  const crashed = await waitFor('crash loop', getPod('crasher'), (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 && p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff', 8000);
  const cs = crashed.status?.containerStatuses?.[0];
  assert.equal(cs?.lastState?.terminated?.exitCode, 3);
  assert.equal(cs?.lastState?.terminated?.reason, 'Error');
  assert.match(cs?.state?.waiting?.message ?? '', /^back-off \ds restarting failed container=boom pod=crasher_default\(/);
  assert.ok((await events('crasher')).some((e) => e.startsWith('BackOff: Back-off restarting failed container boom in pod crasher_default(')));
  const previous = await kubeletGet(1, '/containerLogs/default/crasher/boom?previous=true');
  assert.equal(previous.text, 'boom\n');
});

test('httpGet readiness through the node namespace; a failing liveness probe restarts the container', async () => {
  await createPod({
    metadata: { name: 'netexec' },
    spec: {
      nodeName: 'n2',
      containers: [{
        name: 'agnhost',
        image: 'registry.k8s.io/e2e-test-images/agnhost:2.45',
        args: ['netexec', '--http-port=8080'],
        ports: [{ name: 'http', containerPort: 8080 }],
        readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
      }],
    },
  });
  await createPod({
    metadata: { name: 'unlively' },
    spec: {
      nodeName: 'n1',
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], livenessProbe: { tcpSocket: { port: 9999 }, periodSeconds: 1, failureThreshold: 1 } }],
    },
  });
  const ready = await waitFor('netexec Ready', getPod('netexec'), isReady, 10_000);
  assert.equal(ready.status?.containerStatuses?.[0]?.ready, true);
  const restarted = await waitFor('liveness restart', getPod('unlively'), (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 10_000);
  assert.equal(restarted.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 143, 'SIGTERM ended it');
  const ev = await events('unlively');
  assert.ok(ev.some((e) => /^Unhealthy: Liveness probe failed: dial tcp 10\.244\.1\.\d+:9999: connect: connection refused$/.test(e)), ev.join('\n'));
  assert.ok(ev.includes('Killing: Container app failed liveness probe, will be restarted'), ev.join('\n'));
  // Follow streams new lines until the client goes away.
  const ctl = new AbortController();
  const res = await fetch(`http://127.0.0.1:${h.agents[1]?.kubeletPort}/containerLogs/default/netexec/agnhost?follow=true`, { signal: ctl.signal });
  const reader = res.body?.getReader();
  let seen = '';
  const deadline = Date.now() + 5000;
  while (reader && !seen.includes('GET /healthz') && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += Buffer.from(value).toString();
  }
  ctl.abort();
  assert.match(seen, /Started HTTP server on port 8080/);
  assert.match(seen, /GET \/healthz/);
  await h.client.delete(podPath('unlively'));
  await h.client.delete(podPath('netexec'));
});

test('init containers run in order to completion before the regular containers', async () => {
  const marker = path.join(scratch, 'init-order');
  await createPod({
    metadata: { name: 'with-init' },
    spec: {
      nodeName: 'n2',
      initContainers: [
        { name: 'one', image: 'busybox', command: ['sh', '-c', `echo one >> ${marker}`] },
        { name: 'two', image: 'busybox', command: ['sh', '-c', `sleep 0.2; echo two >> ${marker}`] },
      ],
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', `echo main >> ${marker}; sleep 3600`] }],
    },
  });
  const p = await waitFor('with-init Ready', getPod('with-init'), isReady, 8000);
  assert.equal(p.status?.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
  assert.deepEqual(p.status?.initContainerStatuses?.map((c) => c.state?.terminated?.reason), ['Completed', 'Completed']);
  await waitFor('main ran', async () => fs.readFileSync(marker, 'utf8'), (t) => t.includes('main'), 3000);
  assert.equal(fs.readFileSync(marker, 'utf8'), 'one\ntwo\nmain\n');
  await h.client.delete(podPath('with-init'));
});

test('a hostNetwork pod runs in the node namespace with the node IP', async () => {
  await createPod({
    metadata: { name: 'hostnet' },
    spec: { nodeName: 'n2', hostNetwork: true, restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'ip -4 -o addr show dev eth0; hostname'] }] },
  });
  const p = await waitFor('hostnet done', getPod('hostnet'), (x) => x.status?.phase === 'Succeeded', 8000);
  assert.equal(p.status?.podIP, '172.31.0.3');
  const log = await kubeletGet(1, '/containerLogs/default/hostnet/c');
  assert.match(log.text, /inet 172\.31\.0\.3\/24/);
  assert.match(log.text, /\nn2\n$/);
  await h.client.delete(podPath('hostnet'));
  await waitFor('hostnet gone', () => h.client.get<Pod>(podPath('hostnet')).then(() => 'present', () => 'gone'), (x) => x === 'gone');
  assert.ok(fs.existsSync(`/run/netns/cip-${h.cluster}_n2`), 'the node namespace stays');
});

test('an image outside the catalogue fails like a pull failure', async () => {
  await createPod({ metadata: { name: 'redis' }, spec: { nodeName: 'n1', containers: [{ name: 'redis', image: 'redis:7' }] } });
  const p = await waitFor('ImagePullBackOff', getPod('redis'), (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff');
  assert.equal(p.status?.phase, 'Pending');
  const ev = await events('redis');
  assert.ok(ev.some((e) => /^Failed: Failed to pull image "redis:7": image "redis:7" is not in clusterip's local catalogue/.test(e)), ev.join('\n'));
  assert.ok(ev.includes('Failed: Error: ErrImagePull'));
});

test('a restarted agent adopts running pods: same process, same IP', async () => {
  const before = await waitFor('nginx Ready', getPod('nginx-pod'), isReady);
  const pid = before.status?.containerStatuses?.[0]?.containerID;
  const old = h.agents[0];
  assert.ok(old);
  await old.stop();
  h.agents.splice(0, 1);
  const fresh = await h.addAgent('n1', 1, ['--backoff-initial', '300ms', '--backoff-max', '1s']);
  h.agents.unshift(h.agents.pop() ?? fresh);
  await new Promise((r) => setTimeout(r, 300));
  const after = await waitFor('still Ready', getPod('nginx-pod'), isReady);
  assert.equal(after.status?.containerStatuses?.[0]?.containerID, pid);
  assert.equal(after.status?.containerStatuses?.[0]?.restartCount, 0);
  assert.equal(after.status?.podIP, before.status?.podIP);
  const logs = await kubeletGet(0, '/containerLogs/default/nginx-pod/nginx');
  assert.match(logs.text, /"GET \/ HTTP\/1\.1" 200/);
});

test('graceful delete: SIGTERM, pod object removed, namespace gone, IP freed', async () => {
  const pod = await waitFor('nginx Ready', getPod('nginx-pod'), isReady);
  const ns = await podNetns('n1', pod);
  assert.ok(fs.existsSync(`/run/netns/${ns}`));
  const t0 = Date.now();
  await h.client.delete(podPath('nginx-pod'));
  await waitFor('nginx gone', () => h.client.get<Pod>(podPath('nginx-pod')).then(() => 'present', (e: { code?: number }) => (e.code === 404 ? 'gone' : 'err')), (s) => s === 'gone', 10_000);
  assert.ok(Date.now() - t0 < 5000, 'nginx stops on SIGTERM well within its grace period');
  assert.equal(fs.existsSync(`/run/netns/${ns}`), false);
  assert.equal(fs.existsSync(`/etc/netns/${ns}`), false);
  const ipam = JSON.parse(fs.readFileSync(path.join(h.dataDir, 'n1', 'ipam.json'), 'utf8')) as { owners: Record<string, string> };
  assert.ok(!Object.values(ipam.owners).includes(pod.metadata.uid ?? ''), 'IP released');
  assert.ok((await events('nginx-pod')).includes('Killing: Stopping container nginx'));
  // A process ignoring SIGTERM is killed after the grace period.
  await createPod({ metadata: { name: 'stubborn' }, spec: { nodeName: 'n2', terminationGracePeriodSeconds: 1, containers: [{ name: 's', image: 'busybox', command: ['sh', '-c', 'trap "" TERM; sleep 3600 & wait'] }] } });
  await waitFor('stubborn Ready', getPod('stubborn'), isReady);
  const t1 = Date.now();
  await h.client.delete(podPath('stubborn'));
  await waitFor('stubborn gone', () => h.client.get<Pod>(podPath('stubborn')).then(() => 'present', () => 'gone'), (s) => s === 'gone', 10_000);
  const took = Date.now() - t1;
  assert.ok(took >= 900 && took < 5000, `killed after the 1 s grace period (${took} ms)`);
});

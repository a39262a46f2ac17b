// `clusterip up`: the whole cluster from one command — API server, controllers, one agent and one proxy per
// node, and the cluster DNS as a system pod — supervised in the foreground (or handed to the background).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Node, Pod, Service } from '../api/index.ts';
import { ApiClient, ApiError } from '../client/index.ts';
import { mergeIntoUserKubeconfig, userKubeconfigPath, writeAdminKubeconfig, contextName } from './kubeconfig.ts';
import { planCluster, type ClusterPlan, type UpFlags } from './plan.ts';
import { freePort, preflight } from './preflight.ts';
import { nodeNetnsName } from '../agent/index.ts';
import { cleanupClusterHost } from './cleanup.ts';
import { logDir, processAlive, readState, writeState, type ClusterState } from './state.ts';
import type { Supervisor } from './supervisor.ts';
import { etcdHealthy, localEtcdPart, localEtcdProblem } from './etcd.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NODE_FLAGS = ['--disable-warning=ExperimentalWarning'];

export interface UpOptions extends UpFlags {
  kubeconfig: boolean;
  wait: number;
}

export interface Progress {
  step(title: string): { done(detail?: string): void; fail(detail: string): void };
  info(line: string): void;
}

/** kind-style checklist on a terminal: ` ✓ Starting API server`. */
export function checklist(out: NodeJS.WriteStream = process.stdout): Progress {
  return {
    step(title) {
      const started = Date.now();
      if (out.isTTY) out.write(` • ${title} ...`);
      const finish = (mark: string, detail?: string) => {
        const ms = Date.now() - started;
        const line = ` ${mark} ${title}${detail ? ` ${detail}` : ''} (${ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`})`;
        out.write(out.isTTY ? `\r\x1b[2K${line}\n` : `${line}\n`);
      };
      return { done: (d) => finish('✓', d), fail: (d) => finish('✗', d) };
    },
    info: (line) => out.write(`${line}\n`),
  };
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (let delay = 10; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, delay));
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`);
}

const nodeReady = (n: Node) => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
const podReady = (p: Pod) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** The cluster DNS as kubeadm deploys CoreDNS: kube-system/kube-dns Service + a coredns pod. */
export function clusterDNSObjects(plan: ClusterPlan, apiSocket: string): { service: Service; pod: Pod } {
  const labels = { 'k8s-app': 'kube-dns' };
  return {
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: { ...labels, 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
        annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
      },
      spec: {
        selector: labels,
        clusterIP: plan.dnsServiceIP,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
      },
    },
    pod: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'coredns', namespace: 'kube-system', labels },
      spec: {
        priority: 2000000000,
        dnsPolicy: 'Default',
        containers: [
          {
            name: 'coredns',
            image: 'registry.k8s.io/coredns/coredns:v1.11.3',
            // Our DNS's flags; the API server is reached through its unix socket from inside the pod.
            args: [
              '--listen', '0.0.0.0:53',
              '--api', `unix://${apiSocket}`,
              '--zone', plan.clusterDomain,
              '--health-port', '8080',
              '--metrics-port', '9153',
              // As kubeadm's Corefile: `pods insecure`.
              '--pods', 'insecure',
            ],
            env: [{ name: 'CLUSTERIP_API', value: `unix://${apiSocket}` }],
            ports: [
              { name: 'dns', containerPort: 53, protocol: 'UDP' },
              { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
              { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
            ],
            readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
            livenessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 10, failureThreshold: 5 },
          },
        ],
      },
    },
  };
}

async function ensureObject(client: ApiClient, listPath: string, object: Service | Pod): Promise<void> {
  // Look first, as `kubectl apply` does: a second create of a Service with a fixed clusterIP is refused by
  // the allocator ("provided IP is already allocated") before the name clash is noticed, as in Kubernetes.
  const existing = await client.get(`${listPath}/${object.metadata.name}`).catch((err: unknown) => {
    if (err instanceof ApiError && err.code === 404) return undefined;
    throw err;
  });
  if (existing) return;
  try {
    await client.create(listPath, object);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 409)) throw err;
  }
}

/**
 * Starts the cluster under `supervisor` (which the caller owns, so a signal during start-up can stop what
 * was started). Throws UpError/PlanError for the user's mistakes, AlreadyRunning when it is up already.
 */
export async function up(options: UpOptions, supervisor: Supervisor, progress: Progress = checklist()): Promise<{ state: ClusterState; stop: () => Promise<void> }> {
  const plan = planCluster(options);
  const dataDir = path.resolve(options.dataDir);
  const existing = await readState(dataDir);
  if (existing && processAlive(existing.pid)) {
    throw new AlreadyRunning(`Cluster "${options.name}" is already running (pid ${existing.pid}, API ${existing.server}).\nUse it with: kubectl --kubeconfig ${existing.kubeconfig} get nodes\nStop it with: clusterip down --name ${options.name}`);
  }
  const problems = await preflight({ nodes: options.nodes, apiPort: options.apiPort });
  if (problems.length) throw new UpError(`cannot start cluster "${options.name}":\n${problems.map((p) => `  - ${p}`).join('\n')}`);

  progress.info(`Creating cluster "${options.name}" ...`);
  await mkdir(logDir(dataDir), { recursive: true });
  // Left-overs of a crashed run (namespaces, processes) would clash with the new one.
  if (options.nodes > 0) await cleanupClusterHost(options.name, dataDir);

  const socket = path.join(dataDir, 'api.sock');
  const server = `http://127.0.0.1:${options.apiPort}`;
  const node = process.execPath;
  const stop = async () => {
    await supervisor.stopAll();
    if (options.nodes > 0) await cleanupClusterHost(options.name, dataDir);
  };
  const kubeconfig = path.join(dataDir, 'kubeconfig');
  const userKubeconfig = options.kubeconfig ? userKubeconfigPath() : undefined;
  const nodes: ClusterState['nodes'] = [];
  const state: ClusterState = { name: options.name, pid: process.pid, server, socket, kubeconfig, userKubeconfig, nodes, startedAt: new Date().toISOString(), ready: false };
  // Written before anything starts, so `down` finds this process even while it is still starting.
  await writeState(dataDir, state);
  try {
    let etcdEndpoints = options.etcdEndpoints;
    if (options.storage === 'etcd' && !etcdEndpoints) {
      const problem = await localEtcdProblem();
      if (problem) throw new UpError(`cannot start cluster "${options.name}": ${problem}`);
      const etcdStep = progress.step('Starting etcd');
      const etcd = localEtcdPart(dataDir, await freePort(), await freePort());
      supervisor.start(etcd.spec);
      etcdEndpoints = etcd.endpoint;
      await waitFor('etcd to be healthy', options.wait, () => etcdHealthy(etcd.endpoint));
      etcdStep.done(`(${etcd.endpoint}, data in ${path.join(dataDir, 'etcd')})`);
    }
    let step = progress.step(`Starting API server (${options.storage}, ${server})`);
    supervisor.start({
      name: 'apiserver',
      command: node,
      args: [
        ...NODE_FLAGS,
        path.join(ROOT, 'src/apiserver/main.ts'),
        '--data-dir', dataDir,
        '--port', String(options.apiPort),
        '--socket', socket,
        '--service-cidr', plan.serviceCIDRs.join(','),
        '--storage', options.storage,
        ...(etcdEndpoints ? ['--etcd-endpoints', etcdEndpoints] : []),
      ],
    });
    // Every other part starts now, not after the API server is ready: each waits for what it needs by
    // itself (clients retry, a proxy retries until its node's namespace exists), so start-up costs the
    // slowest path, not the sum of all of them.
    supervisor.start({
      name: 'controllers',
      command: node,
      args: [...NODE_FLAGS, path.join(ROOT, 'src/controllers/main.ts'), '--api', `unix://${socket}`],
    });
    for (const n of plan.nodes) {
      const kubeletPort = await freePort();
      const proxyHealthzPort = await freePort();
      const netns = nodeNetnsName(options.name, n.name);
      nodes.push({ name: n.name, kubeletPort, proxyHealthzPort, netns });
      supervisor.start({
        name: `agent-${n.name}`,
        command: node,
        args: [
          ...NODE_FLAGS,
          path.join(ROOT, 'src/agent/main.ts'),
          '--cluster', options.name,
          '--node', n.name,
          '--api', `unix://${socket}`,
          '--data-dir', path.join(dataDir, 'nodes', n.name),
          '--pod-cidr', n.podCIDRs.join(','),
          '--node-ip', n.nodeIP,
          '--kubelet-port', String(kubeletPort),
          '--cluster-dns', plan.dnsServiceIP,
          '--cluster-domain', plan.clusterDomain,
          '--service-cidr', plan.serviceCIDRs.join(','),
          '--api-socket', socket,
        ],
      });
      supervisor.start({
        name: `proxy-${n.name}`,
        command: node,
        args: [
          ...NODE_FLAGS,
          path.join(ROOT, 'src/proxy/main.ts'),
          '--node', n.name,
          '--netns', netns,
          '--api', `unix://${socket}`,
          '--cluster-cidr', plan.podCIDRs.join(','),
          '--healthz-port', String(proxyHealthzPort),
        ],
      });
    }
    const client = new ApiClient({ server: `unix://${socket}`, userAgent: 'clusterip-up' });
    await waitFor('the API server to answer /readyz', options.wait, () => client.request('GET', '/readyz').then(() => true as const));
    step.done();

    step = progress.step('Writing kubeconfig');
    await writeAdminKubeconfig(kubeconfig, options.name, server);
    if (userKubeconfig) await mergeIntoUserKubeconfig(userKubeconfig, options.name, server);
    step.done(userKubeconfig ? `(context "${contextName(options.name)}" in ${userKubeconfig})` : `(${kubeconfig})`);

    step = progress.step('Starting controllers and scheduler');
    step.done();

    if (plan.nodes.length) {
      step = progress.step(`Preparing nodes ${plan.nodes.map(() => '📦').join(' ')}`);
      const dns = clusterDNSObjects(plan, socket);
      await ensureObject(client, '/api/v1/namespaces/kube-system/services', dns.service);
      await ensureObject(client, '/api/v1/namespaces/kube-system/pods', dns.pod);
      await waitFor('every node to be Ready', options.wait, async () => {
        const list = await client.list<Node>('/api/v1/nodes');
        return plan.nodes.every((n) => list.items.some((i) => i.metadata.name === n.name && nodeReady(i))) ? true : undefined;
      });
      step.done();

      step = progress.step('Starting proxies (nftables)');
      await waitFor('every proxy to answer /healthz', options.wait, async () => {
        const answers = await Promise.all(nodes.map((n) => fetch(`http://127.0.0.1:${n.proxyHealthzPort}/healthz`).then((r) => r.ok, () => false)));
        return answers.every(Boolean) ? true : undefined;
      });
      step.done();

      step = progress.step('Starting cluster DNS');
      await waitFor('the cluster DNS pod to be Ready', options.wait, async () => {
        const pod = await client.get<Pod>('/api/v1/namespaces/kube-system/pods/coredns');
        return podReady(pod) ? true : undefined;
      });
      step.done(`(${plan.dnsServiceIP})`);
    }

    state.ready = true;
    await writeState(dataDir, state);
    client.close();
    if (userKubeconfig) {
      progress.info(`Set kubectl context to "${contextName(options.name)}"`);
      progress.info('You can now use your cluster with:\n');
      progress.info(`kubectl cluster-info --context ${contextName(options.name)}\n`);
    } else {
      progress.info('You can now use your cluster with:\n');
      progress.info(`kubectl --kubeconfig ${kubeconfig} get nodes\n`);
    }
    return { state, stop };
  } catch (err) {
    // Leave nothing half-made.
    await stop();
    throw err;
  }
}

export class UpError extends Error {}
export class AlreadyRunning extends Error {}

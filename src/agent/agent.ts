// One node agent: wires the network, the node registration, the pod manager and the kubelet API together.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { ApiClient, Informer } from '../client/index.ts';
import type { Node, Pod, Service } from '../api/index.ts';
import type { AgentConfig } from './config.ts';
import { ensureNodeNetwork, applyRoutes } from './network/plumbing.ts';
import { routeLines, staleRouteLines, type PeerNode } from './network/plan.ts';
import { nodeNetnsName } from './names.ts';
import { PodManager } from './pods.ts';
import { NodeHeartbeat, hostFacts } from './node.ts';
import { KUBELET_VERSION } from './nodeobject.ts';
import { startKubeletServer } from './kubelet.ts';
import { AgentStreamingRuntime } from './streamruntime.ts';
import { serviceForEnv, type ServiceForEnv } from './podconfig.ts';

export interface Agent {
  config: AgentConfig;
  kubeletPort: number;
  pods: PodManager;
  /** Stops the agent; pods keep running (a new agent adopts them). */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Observes status writes (benchmarks). */
  onPodStatus?: (pod: Pod) => void;
  log?: (line: string) => void;
}

export async function startAgent(cfg: AgentConfig, o: StartOptions = {}): Promise<Agent> {
  const log = o.log ?? ((line: string) => process.stderr.write(`agent ${cfg.node}: ${line}\n`));
  fs.mkdirSync(cfg.dataDir, { recursive: true });
  fs.writeFileSync(path.join(cfg.dataDir, 'agent.pid'), String(process.pid));
  await ensureNodeNetwork({ cluster: cfg.cluster, node: cfg.node, nodeIP: cfg.nodeIP, podCIDRs: cfg.podCIDRs });

  const client = new ApiClient({ server: cfg.api, userAgent: `kubelet/${KUBELET_VERSION} (linux/amd64) clusterip` });
  const stops: (() => void | Promise<void>)[] = [() => client.close()];
  try {
    // The node dialer carries probes and port-forwards: restart it if it ever dies.
    const dialerSocket = path.join(cfg.dataDir, 'dialer.sock');
    let dialer = await startDialer(cfg, dialerSocket);
    let stopping = false;
    const superviseDialer = (child: ChildProcess): void => {
      child.once('exit', () => {
        if (stopping) return;
        log('node dialer exited; restarting it');
        setTimeout(() => {
          if (stopping) return;
          startDialer(cfg, dialerSocket).then(
            (next) => {
              dialer = next;
              superviseDialer(next);
            },
            (err: unknown) => log(`node dialer: ${(err as Error).message}`),
          );
        }, 500);
      });
    };
    superviseDialer(dialer);
    stops.push(() => {
      stopping = true;
      dialer.kill('SIGTERM');
    });


    const services = new Informer<Service>(client, { path: '/api/v1/services', onError: (e) => log(`services: ${e.message}`) });
    const envServices = (): ServiceForEnv[] => services.list().flatMap((s) => serviceForEnv(s) ?? []);
    const pods = new PodManager({ config: cfg, client, services: envServices, onStatus: (p) => o.onPodStatus?.(p) });
    stops.push(() => pods.stop());

    const kubelet = await startKubeletServer({
      port: cfg.kubeletPort,
      logs: {
        logPath: (ns, name, c, prev) => pods.logPath(ns, name, c, prev),
        isRunning: (ns, name, c) => pods.isRunning(ns, name, c),
        hasPod: (ns, name) => pods.has(ns, name),
      },
      streaming: new AgentStreamingRuntime(pods),
    });
    stops.push(() => kubelet.close());

    // Registered once the kubelet API listens, so that daemonEndpoints carries its real port.
    const heartbeat = new NodeHeartbeat(client, { ...hostFacts(cfg), kubeletPort: kubelet.port }, cfg.heartbeatMs);
    await retryForever(() => heartbeat.start(), log, 'register node');
    stops.push(() => heartbeat.stop());

    // Routes to the other nodes' pod ranges follow the Node objects.
    const nodes = new Informer<Node>(client, { path: '/api/v1/nodes', onError: (e) => log(`nodes: ${e.message}`) });
    let programmed: string[] = [];
    let routing = Promise.resolve();
    const syncRoutes = (): void => {
      routing = routing.then(async () => {
        const peers: PeerNode[] = nodes.list().map((n) => ({
          name: n.metadata.name ?? '',
          ip: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '',
          podCIDRs: n.spec.podCIDRs ?? (n.spec.podCIDR ? [n.spec.podCIDR] : []),
        }));
        const want = routeLines(cfg.node, peers);
        if (want.join('\n') === programmed.join('\n')) return;
        try {
          await applyRoutes(cfg.cluster, cfg.node, want, staleRouteLines(programmed, want));
          programmed = want;
        } catch (err) {
          log(`routes: ${(err as Error).message}`);
          programmed = [];
        }
      });
    };
    nodes.on('add', syncRoutes).on('update', syncRoutes).on('delete', syncRoutes);
    stops.push(() => nodes.stop());
    stops.push(() => services.stop());
    await Promise.all([services.start(), nodes.start()]);

    const podInformer = new Informer<Pod>(client, {
      path: '/api/v1/pods',
      fieldSelector: `spec.nodeName=${cfg.node}`,
      onError: (e) => log(`pods: ${e.message}`),
    });
    podInformer.on('add', (p) => pods.sync(p)).on('update', (p) => pods.sync(p)).on('delete', (p) => pods.forget(p));
    stops.push(() => podInformer.stop());
    pods.start();
    await podInformer.start();
    await pods.reconcileOrphans(new Set(podInformer.list().map((p) => p.metadata.uid ?? '')));
    log(`ready: node namespace ${nodeNetnsName(cfg.cluster, cfg.node)}, kubelet on 127.0.0.1:${kubelet.port}`);

    return {
      config: cfg,
      kubeletPort: kubelet.port,
      pods,
      stop: async () => {
        for (const s of stops.reverse()) await s();
      },
    };
  } catch (err) {
    for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => {});
    throw err;
  }
}

async function retryForever(what: () => Promise<void>, log: (l: string) => void, name: string): Promise<void> {
  for (let delay = 100; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await what();
    } catch (err) {
      log(`${name}: ${(err as Error).message}; retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** The node namespace's connection relay (network/dialer.ts); it exits when the agent does. */
async function startDialer(cfg: AgentConfig, socketPath: string): Promise<ChildProcess> {
  const script = new URL('./network/dialer.ts', import.meta.url).pathname;
  const child = spawn('ip', ['netns', 'exec', nodeNetnsName(cfg.cluster, cfg.node), process.execPath, script, socketPath], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('node dialer did not start')), 10_000);
    child.stdout?.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node dialer exited with ${code}`));
    });
  });
  return child;
}

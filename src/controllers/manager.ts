// The controller manager: shared informers plus every controller, started together (as
// kube-controller-manager and kube-scheduler are, in one process here).
import { ApiClient } from '../client/index.ts';
import { DeploymentController } from './deployment/controller.ts';
import { EndpointsController } from './endpoints/controller.ts';
import { EndpointSliceController } from './endpointslice/controller.ts';
import { GarbageCollector } from './gc/controller.ts';
import { NodeLifecycleController } from './nodelifecycle/controller.ts';
import { ReplicaSetController } from './replicaset/controller.ts';
import { createSharedInformers, type SharedInformers } from './runtime/informers.ts';
import { Scheduler } from './scheduler/controller.ts';

export interface ControllerManagerOptions {
  /** API server URL (`http://127.0.0.1:6443` or `unix:///…/api.sock`). */
  server: string;
  maxEndpointsPerSlice?: number;
  nodeMonitorGraceMs?: number;
  /** Logs a controller failure (the controllers retry by themselves). */
  log?: (message: string) => void;
}

export interface ControllerManager {
  informers: SharedInformers;
  endpointSlices: EndpointSliceController;
  endpoints: EndpointsController;
  scheduler: Scheduler;
  gc: GarbageCollector;
  nodeLifecycle: NodeLifecycleController;
  replicaSets: ReplicaSetController;
  deployments: DeploymentController;
  /** Resolves when every queue is empty (tests). */
  idle(): Promise<void>;
  stop(): void;
}

export async function startControllerManager(options: ControllerManagerOptions): Promise<ControllerManager> {
  const client = new ApiClient({ server: options.server, userAgent: 'kube-controller-manager/clusterip' });
  const log = options.log ?? (() => {});
  const onError = (key: string, err: unknown) => log(`reconcile ${key}: ${(err as Error).message}`);
  const informers = createSharedInformers(client, (err) => log(`informer: ${err.message}`));
  const endpointSlices = new EndpointSliceController(client, informers, { maxEndpointsPerSlice: options.maxEndpointsPerSlice, onError });
  const endpoints = new EndpointsController(client, informers, { onError });
  const scheduler = new Scheduler(client, informers, { onError });
  const gc = new GarbageCollector(client, undefined, { onError });
  const nodeLifecycle = new NodeLifecycleController(client, informers, { graceMs: options.nodeMonitorGraceMs });
  const onInformerError = (err: Error) => log(`informer: ${err.message}`);
  const replicaSets = new ReplicaSetController(client, informers, { onError, onInformerError });
  const deployments = new DeploymentController(client, informers, replicaSets.replicaSets, { onError, onInformerError });
  // Not awaited: an API server without apps/v1 must not hold up the other controllers (the informers retry).
  void replicaSets.start();
  void deployments.start();
  await Promise.all([informers.start(), gc.start()]);
  endpointSlices.resyncAll();
  endpoints.resyncAll();
  scheduler.resyncAll();
  nodeLifecycle.start();
  return {
    informers,
    endpointSlices,
    endpoints,
    scheduler,
    gc,
    nodeLifecycle,
    replicaSets,
    deployments,
    idle: async () => {
      await Promise.all([endpointSlices.idle(), endpoints.idle(), scheduler.idle(), gc.idle(), replicaSets.idle(), deployments.idle()]);
    },
    stop: () => {
      endpointSlices.stop();
      endpoints.stop();
      scheduler.stop();
      gc.stop();
      nodeLifecycle.stop();
      deployments.stop();
      replicaSets.stop();
      informers.stop();
      client.close();
    },
  };
}

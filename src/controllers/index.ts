// Controllers: EndpointSlice (+ mirroring), Endpoints, scheduler, garbage collector, node lifecycle, ReplicaSet, Deployment.
export { startControllerManager } from './manager.ts';
export type { ControllerManager, ControllerManagerOptions } from './manager.ts';
export { reconcileEndpointSlices, reconcileSlices } from './endpointslice/reconcile.ts';
export { reconcileEndpoints } from './endpoints/reconcile.ts';
export { schedulePod } from './scheduler/schedule.ts';
export { reconcileReplicaSet, podFromTemplate } from './replicaset/reconcile.ts';
export { planDeployment, computeHash } from './deployment/index.ts';
export { WorkQueue } from './runtime/queue.ts';
export { EventRecorder } from './runtime/events.ts';

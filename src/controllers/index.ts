// Controllers: EndpointSlice (+ mirroring), Endpoints, scheduler, garbage collector, node lifecycle.
export { startControllerManager } from './manager.ts';
export type { ControllerManager, ControllerManagerOptions } from './manager.ts';
export { reconcileEndpointSlices, reconcileSlices } from './endpointslice/reconcile.ts';
export { reconcileEndpoints } from './endpoints/reconcile.ts';
export { schedulePod } from './scheduler/schedule.ts';
export { WorkQueue } from './runtime/queue.ts';
export { EventRecorder } from './runtime/events.ts';

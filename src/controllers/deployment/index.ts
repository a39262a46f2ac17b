// The Deployment controller: rolling updates and Recreate over ReplicaSets, revisions, progress conditions.
export { DeploymentController } from './controller.ts';
export type { DeploymentControllerOptions } from './controller.ts';
export { planDeployment } from './plan.ts';
export type { DeploymentAction, DeploymentPlan } from './plan.ts';
export { computeHash, safeEncodeString, fnv32a } from './hash.ts';
export { resolveFenceposts, maxSurge, maxUnavailable, equalIgnoreHash, POD_TEMPLATE_HASH, REVISION, DESIRED_REPLICAS, MAX_REPLICAS, CHANGE_CAUSE } from './util.ts';

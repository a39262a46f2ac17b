// apps/v1 Deployments and ReplicaSets in the API server: defaulting, validation, the scale subresource.
export { deploymentStrategy, replicaSetStrategy, workloadStrategies } from './strategy.ts';
export { defaultDeployment, defaultReplicaSet, defaultPodTemplate } from './defaults.ts';
export { validateDeployment, validateDeploymentUpdate, validateReplicaSet, validateReplicaSetUpdate } from './validation.ts';
export { scaleOf, applyScale, validateScale, formatLabelSelector } from './scale.ts';
export type { Scale } from './scale.ts';

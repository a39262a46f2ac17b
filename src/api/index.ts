// Kubernetes object types shared by every component (the k8s.io/api of clusterip).
export type * from './types.ts';

// The apps/v1 registry strategies (pkg/registry/apps/deployment/strategy.go, replicaset/strategy.go): status is
// cleared on create, defaults applied on every write, the essentials validated, selectors immutable.
// metadata.generation bumps on spec changes are the generic registry's (`generation: true` in resources.ts).
import type { Deployment, KubeObject, ReplicaSet } from '../../../api/index.ts';
import type { Strategy } from '../strategy.ts';
import { defaultDeployment, defaultReplicaSet } from './defaults.ts';
import { validateDeployment, validateDeploymentUpdate, validateReplicaSet, validateReplicaSetUpdate } from './validation.ts';

export const deploymentStrategy: Strategy<Deployment> = {
  prepareForCreate(d) {
    d.status = {};
    defaultDeployment(d);
  },
  prepareForUpdate(d) {
    defaultDeployment(d);
  },
  validateCreate: validateDeployment,
  validateUpdate: validateDeploymentUpdate,
};

export const replicaSetStrategy: Strategy<ReplicaSet> = {
  prepareForCreate(rs) {
    rs.status = { replicas: 0 };
    defaultReplicaSet(rs);
  },
  prepareForUpdate(rs) {
    defaultReplicaSet(rs);
  },
  validateCreate: validateReplicaSet,
  validateUpdate: validateReplicaSetUpdate,
};

/** The strategies keyed by plural, as createApiCore takes them. */
export const workloadStrategies: Record<string, Strategy> = {
  deployments: deploymentStrategy as unknown as Strategy<KubeObject>,
  replicasets: replicaSetStrategy as unknown as Strategy<KubeObject>,
};

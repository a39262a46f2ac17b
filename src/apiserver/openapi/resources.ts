// The served resources: what the OpenAPI paths are built from. (Discovery in the core has its own table; the
// two describe the same set of resources.)

export interface ServedResource {
  group: string; // '' for core
  version: string;
  plural: string;
  kind: string; // also the model definition `<prefix>.<kind>`
  model: string; // the model definition of the kind, e.g. core.Service
  namespaced: boolean;
  subresources: ('status' | 'scale')[];
}

const r = (
  group: string,
  plural: string,
  kind: string,
  model: string,
  namespaced: boolean,
  subresources: ServedResource['subresources'] = [],
): ServedResource => ({ group, version: 'v1', plural, kind, model, namespaced, subresources });

export const servedResources: ServedResource[] = [
  r('', 'namespaces', 'Namespace', 'core.Namespace', false, ['status']),
  r('', 'pods', 'Pod', 'core.Pod', true, ['status']),
  r('', 'services', 'Service', 'core.Service', true, ['status']),
  r('', 'endpoints', 'Endpoints', 'core.Endpoints', true),
  r('', 'events', 'Event', 'core.Event', true),
  r('', 'nodes', 'Node', 'core.Node', false, ['status']),
  r('', 'configmaps', 'ConfigMap', 'core.ConfigMap', true),
  r('', 'secrets', 'Secret', 'core.Secret', true),
  r('', 'serviceaccounts', 'ServiceAccount', 'core.ServiceAccount', true),
  r('discovery.k8s.io', 'endpointslices', 'EndpointSlice', 'discovery.EndpointSlice', true),
  r('networking.k8s.io', 'servicecidrs', 'ServiceCIDR', 'networking.ServiceCIDR', false, ['status']),
  r('networking.k8s.io', 'ipaddresses', 'IPAddress', 'networking.IPAddress', false),
  r('coordination.k8s.io', 'leases', 'Lease', 'coordination.Lease', true),
  r('apps', 'deployments', 'Deployment', 'apps.Deployment', true, ['status', 'scale']),
  r('apps', 'replicasets', 'ReplicaSet', 'apps.ReplicaSet', true, ['status', 'scale']),
];

// "api/v1" or "apis/<group>/<version>": the key of a group version in /openapi/v3.
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

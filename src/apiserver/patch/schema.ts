// Patch strategies of the kinds we serve, transcribed from the Go struct tags and OpenAPI markers of k8s.io/api
// (core/v1, apps/v1, discovery/v1, networking/v1, meta/v1). One tree drives both strategic merge patch
// (`patchStrategy`, `patchMergeKey`) and server-side apply (`listType`, `listMapKeys`, atomic maps/structs).
// A field missing from the tree has the defaults: objects merge field by field, lists are replaced whole
// (strategic merge) or atomic (server-side apply).
import type { Json, JsonObject } from './json.ts';

export interface PatchSchema {
  /** Declared fields of a struct (only those whose subtree carries a strategy need listing). */
  fields?: { [name: string]: PatchSchema };
  /** Element schema of a list. */
  items?: PatchSchema;
  /** `patchStrategy` struct tag: "merge", "replace", "retainKeys" or "merge,retainKeys". */
  patchStrategy?: 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';
  /** `patchMergeKey` struct tag. */
  patchMergeKey?: string;
  /** `+listType`; without it server-side apply derives it from the patch strategy as kube-openapi does. */
  listType?: 'atomic' | 'set' | 'map';
  /** `+listMapKey` markers. */
  listMapKeys?: string[];
  /** OpenAPI defaults of key fields: a missing `protocol` still keys an item as "TCP" (structured-merge-diff). */
  listMapKeyDefaults?: { [key: string]: Json };
  /** `+mapType=atomic` / `+structType=atomic`: owned and replaced as one value. */
  atomic?: boolean;
}

/** How server-side apply treats a list: kube-openapi's rule, `x-kubernetes-list-type` first, then the tags. */
export function effectiveListType(schema: PatchSchema | undefined): 'atomic' | 'set' | 'map' {
  if (schema?.listType) return schema.listType;
  if (schema?.patchStrategy?.split(',').includes('merge')) return schema.patchMergeKey ? 'map' : 'set';
  return 'atomic';
}

export function listKeysOf(schema: PatchSchema | undefined): string[] {
  if (schema?.listMapKeys) return schema.listMapKeys;
  return schema?.patchMergeKey ? [schema.patchMergeKey] : [];
}

// --- building blocks ---------------------------------------------------------------------------------------

function mergeList(
  mergeKey: string,
  items: PatchSchema = {},
  listMapKeys: string[] = [mergeKey],
  listMapKeyDefaults?: { [key: string]: Json },
  patchStrategy: 'merge' | 'merge,retainKeys' = 'merge',
): PatchSchema {
  return { patchStrategy, patchMergeKey: mergeKey, listType: 'map', listMapKeys, listMapKeyDefaults, items };
}

const setList: PatchSchema = { patchStrategy: 'merge', listType: 'set' };
const atomic: PatchSchema = { atomic: true };
const conditions = mergeList('type');

const objectMeta: PatchSchema = {
  fields: {
    finalizers: setList,
    ownerReferences: mergeList('uid'),
    managedFields: { listType: 'atomic' },
  },
};

const container: PatchSchema = {
  fields: {
    ports: mergeList('containerPort', {}, ['containerPort', 'protocol'], { protocol: 'TCP' }),
    env: mergeList('name'),
    volumeMounts: mergeList('mountPath'),
    volumeDevices: mergeList('devicePath'),
    resources: { fields: { claims: { listType: 'map', listMapKeys: ['name'] } } },
  },
};

const labelSelector = atomic;

const podSpec: PatchSchema = {
  fields: {
    volumes: mergeList('name', {}, ['name'], undefined, 'merge,retainKeys'),
    initContainers: mergeList('name', container),
    containers: mergeList('name', container),
    ephemeralContainers: mergeList('name', container),
    imagePullSecrets: mergeList('name'),
    hostAliases: mergeList('ip'),
    topologySpreadConstraints: mergeList(
      'topologyKey',
      { fields: { labelSelector } },
      ['topologyKey', 'whenUnsatisfiable'],
    ),
    resourceClaims: mergeList('name', {}, ['name'], undefined, 'merge,retainKeys'),
    schedulingGates: mergeList('name'),
    nodeSelector: atomic,
  },
};

const podStatus: PatchSchema = {
  fields: {
    conditions,
    podIPs: mergeList('ip'),
    hostIPs: mergeList('ip'),
    resourceClaimStatuses: mergeList('name', {}, ['name'], undefined, 'merge,retainKeys'),
  },
};

const podTemplateSpec: PatchSchema = { fields: { metadata: objectMeta, spec: podSpec } };

const withMeta = (fields: { [name: string]: PatchSchema } = {}): PatchSchema => ({
  fields: { metadata: objectMeta, ...fields },
});

export const patchSchemas = {
  pod: withMeta({ spec: podSpec, status: podStatus }),
  service: withMeta({
    spec: {
      fields: {
        ports: mergeList('port', {}, ['port', 'protocol'], { protocol: 'TCP' }),
        selector: atomic,
      },
    },
    status: { fields: { conditions } },
  }),
  endpoints: withMeta(),
  node: withMeta({
    spec: { fields: { podCIDRs: setList } },
    // addresses merge by type in strategic merge patch but are +listType=atomic for apply (types repeat).
    status: { fields: { conditions, addresses: { ...mergeList('type'), listType: 'atomic' } } },
  }),
  namespace: withMeta({ status: { fields: { conditions } } }),
  event: withMeta(),
  endpointSlice: withMeta(),
  ipAddress: withMeta(),
  serviceCIDR: withMeta({ status: { fields: { conditions } } }),
  deployment: withMeta({
    spec: { fields: { selector: labelSelector, template: podTemplateSpec, strategy: { patchStrategy: 'retainKeys' } } },
    status: { fields: { conditions } },
  }),
  replicaSet: withMeta({
    spec: { fields: { selector: labelSelector, template: podTemplateSpec } },
    status: { fields: { conditions } },
  }),
} satisfies { [name: string]: PatchSchema };

interface KindInfo {
  schema: PatchSchema;
  /**
   * The JSON of the kind's Go zero value (`r.New()`): what a create is compared against when tracking managed
   * fields. Fields that are present there (a non-omitempty `containers: null`) do not get a "." entry when
   * set; absent ones do. Only maps/lists matter, so leaves are left out.
   */
  zero: JsonObject;
}

const podTemplateZero: JsonObject = { metadata: {}, spec: { containers: null } };

const kinds: { [gvk: string]: KindInfo } = {
  'v1/Pod': { schema: patchSchemas.pod, zero: { metadata: {}, spec: { containers: null }, status: {} } },
  'v1/Service': { schema: patchSchemas.service, zero: { metadata: {}, spec: {}, status: { loadBalancer: {} } } },
  'v1/Endpoints': { schema: patchSchemas.endpoints, zero: { metadata: {} } },
  'v1/Node': { schema: patchSchemas.node, zero: { metadata: {}, spec: {}, status: {} } },
  'v1/Namespace': { schema: patchSchemas.namespace, zero: { metadata: {}, spec: {}, status: {} } },
  'v1/Event': { schema: patchSchemas.event, zero: { metadata: {}, involvedObject: {}, source: {} } },
  'events.k8s.io/v1/Event': { schema: patchSchemas.event, zero: { metadata: {} } },
  'discovery.k8s.io/v1/EndpointSlice': { schema: patchSchemas.endpointSlice, zero: { metadata: {}, endpoints: null } },
  'networking.k8s.io/v1/IPAddress': { schema: patchSchemas.ipAddress, zero: { metadata: {}, spec: {} } },
  'networking.k8s.io/v1/ServiceCIDR': { schema: patchSchemas.serviceCIDR, zero: { metadata: {}, spec: {}, status: {} } },
  'apps/v1/Deployment': {
    schema: patchSchemas.deployment,
    zero: { metadata: {}, spec: { template: podTemplateZero, selector: null, strategy: {} }, status: {} },
  },
  'apps/v1/ReplicaSet': {
    schema: patchSchemas.replicaSet,
    zero: { metadata: {}, spec: { template: podTemplateZero, selector: null }, status: {} },
  },
};

/** The patch schema of a served kind, or undefined for a kind we do not know. */
export function patchSchemaFor(apiVersion: string, kind: string): PatchSchema | undefined {
  return kinds[`${apiVersion}/${kind}`]?.schema;
}

/** The Go zero value of a kind as JSON (see KindInfo.zero); `{}` for kinds we do not know. */
export function zeroObjectFor(apiVersion: string, kind: string): JsonObject {
  return structuredClone(kinds[`${apiVersion}/${kind}`]?.zero ?? {});
}

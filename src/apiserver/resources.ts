// The table of resources clusterip serves. One entry drives discovery (/api/v1, /apis/<g>/<v>), the
// generic registry (storage keys, field selectors, status subresource rules) and the URL router. Adding a
// resource is adding one entry. Storage keys follow Kubernetes' etcd layout (pkg/registry/*/storage).
import type { KubeObject } from '../api/index.ts';
import { eventsV1View } from './events-view.ts';

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

const allVerbs: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** A field selector key and how to read it from an object (Kubernetes' per-resource GetAttrs). */
export type FieldGetter = (obj: KubeObject) => string;

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: Verb[];
  /** Subresources served: status, binding, exec, attach, portforward, log, finalize. */
  subresources: string[];
  /** Storage key prefix, ending in '/': `/registry/services/specs/`. */
  keyPrefix: string;
  /** Has a status subresource: writes to the main resource keep the stored status and vice versa. */
  hasStatus: boolean;
  /** metadata.generation is kept and bumped on spec changes (Kubernetes sets it per strategy). */
  generation: boolean;
  /** PUT of a missing object creates it (Kubernetes' AllowCreateOnUpdate). */
  createOnUpdate: boolean;
  /** Name validation: DNS-1123 subdomain (default), DNS-1123 label (namespaces), DNS-1035 label (services). */
  nameRule: 'subdomain' | 'label' | 'dns1035' | 'ip' | 'path';
  /** Field selector keys beyond metadata.name and metadata.namespace. */
  fields: Record<string, FieldGetter>;
  /** A second version of another resource's stored objects (events.k8s.io/v1 over core/v1 Events). */
  view?: { fromStorage(obj: KubeObject): KubeObject; toStorage(obj: KubeObject): KubeObject };
}

function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  return String(v);
}

function path(obj: unknown, ...keys: string[]): unknown {
  let cur: unknown = obj;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function get(...keys: string[]): FieldGetter {
  return (obj) => str(path(obj, ...keys));
}

// The pod fields Kubernetes' pod GetAttrs exposes (pkg/registry/core/pod/strategy.go ToSelectableFields).
const podFields: Record<string, FieldGetter> = {
  'spec.nodeName': get('spec', 'nodeName'),
  'spec.restartPolicy': get('spec', 'restartPolicy'),
  'spec.schedulerName': get('spec', 'schedulerName'),
  'spec.serviceAccountName': get('spec', 'serviceAccountName'),
  'spec.hostNetwork': (obj) => (path(obj, 'spec', 'hostNetwork') === true ? 'true' : 'false'),
  'status.phase': get('status', 'phase'),
  'status.podIP': get('status', 'podIP'),
  'status.nominatedNodeName': get('status', 'nominatedNodeName'),
};

// Event fields (pkg/registry/core/event/strategy.go ToSelectableFields).
const eventFields: Record<string, FieldGetter> = {
  'involvedObject.kind': get('involvedObject', 'kind'),
  'involvedObject.namespace': get('involvedObject', 'namespace'),
  'involvedObject.name': get('involvedObject', 'name'),
  'involvedObject.uid': get('involvedObject', 'uid'),
  'involvedObject.apiVersion': get('involvedObject', 'apiVersion'),
  'involvedObject.resourceVersion': get('involvedObject', 'resourceVersion'),
  'involvedObject.fieldPath': get('involvedObject', 'fieldPath'),
  reason: get('reason'),
  reportingComponent: get('reportingComponent'),
  source: get('source', 'component'),
  type: get('type'),
};

interface Entry extends Partial<ResourceInfo> {
  kind: string;
  plural: string;
  namespaced: boolean;
}

function entry(group: string, version: string, e: Entry): ResourceInfo {
  return {
    group,
    version,
    listKind: `${e.kind}List`,
    singular: e.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    verbs: allVerbs,
    subresources: [],
    keyPrefix: `/registry/${e.plural}/`,
    hasStatus: false,
    generation: false,
    createOnUpdate: false,
    nameRule: 'subdomain',
    fields: {},
    ...e,
  };
}

/** Every resource served, in discovery order. */
export const resources: ResourceInfo[] = [
  entry('', 'v1', {
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status', 'finalize'],
    hasStatus: true,
    nameRule: 'label',
    fields: { 'status.phase': get('status', 'phase') },
  }),
  entry('', 'v1', {
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'binding', 'exec', 'attach', 'portforward', 'log'],
    hasStatus: true,
    fields: podFields,
  }),
  entry('', 'v1', {
    kind: 'Service',
    plural: 'services',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status'],
    keyPrefix: '/registry/services/specs/',
    hasStatus: true,
    // Services carry no metadata.generation in Kubernetes (its strategy never sets one).
    generation: false,
    nameRule: 'dns1035',
  }),
  entry('', 'v1', {
    kind: 'Endpoints',
    listKind: 'EndpointsList',
    plural: 'endpoints',
    singular: 'endpoints',
    namespaced: true,
    shortNames: ['ep'],
    keyPrefix: '/registry/services/endpoints/',
    createOnUpdate: true,
  }),
  entry('', 'v1', {
    kind: 'Event',
    plural: 'events',
    namespaced: true,
    shortNames: ['ev'],
    createOnUpdate: true,
    fields: eventFields,
  }),
  entry('', 'v1', {
    kind: 'Node',
    plural: 'nodes',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status'],
    // Kubernetes still stores nodes under their old name.
    keyPrefix: '/registry/minions/',
    hasStatus: true,
    fields: { 'spec.unschedulable': (obj) => (path(obj, 'spec', 'unschedulable') === true ? 'true' : 'false') },
  }),
  entry('', 'v1', { kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] }),
  entry('', 'v1', { kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'] }),
  entry('discovery.k8s.io', 'v1', {
    kind: 'EndpointSlice',
    plural: 'endpointslices',
    namespaced: true,
    generation: true,
    fields: { addressType: get('addressType') },
  }),
  entry('networking.k8s.io', 'v1', {
    kind: 'ServiceCIDR',
    plural: 'servicecidrs',
    namespaced: false,
    subresources: ['status'],
    hasStatus: true,
    generation: true,
  }),
  entry('networking.k8s.io', 'v1', {
    kind: 'IPAddress',
    plural: 'ipaddresses',
    namespaced: false,
    shortNames: ['ip'],
    nameRule: 'ip',
  }),
  entry('coordination.k8s.io', 'v1', { kind: 'Lease', plural: 'leases', namespaced: true, createOnUpdate: false }),
  entry('events.k8s.io', 'v1', {
    kind: 'Event',
    plural: 'events',
    namespaced: true,
    shortNames: ['ev'],
    // Same keys as core/v1 Events, shown with the events.k8s.io field names.
    keyPrefix: '/registry/events/',
    view: eventsV1View,
    fields: {
      'regarding.kind': get('regarding', 'kind'),
      'regarding.namespace': get('regarding', 'namespace'),
      'regarding.name': get('regarding', 'name'),
      'regarding.uid': get('regarding', 'uid'),
      'regarding.apiVersion': get('regarding', 'apiVersion'),
      'regarding.resourceVersion': get('regarding', 'resourceVersion'),
      'regarding.fieldPath': get('regarding', 'fieldPath'),
      reason: get('reason'),
      reportingController: get('reportingController'),
      type: get('type'),
    },
  }),
  // apps/v1 workloads (pkg/registry/apps): status and scale subresources, generation bumped on spec changes.
  entry('apps', 'v1', {
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasStatus: true,
    generation: true,
  }),
  entry('apps', 'v1', {
    kind: 'ReplicaSet',
    plural: 'replicasets',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasStatus: true,
    generation: true,
  }),
];

/** The API groups served besides the core group, in /apis order, with their versions. */
export function groupVersions(): { group: string; versions: string[] }[] {
  const out: { group: string; versions: string[] }[] = [];
  for (const r of resources) {
    if (!r.group) continue;
    let g = out.find((x) => x.group === r.group);
    if (!g) out.push((g = { group: r.group, versions: [] }));
    if (!g.versions.includes(r.version)) g.versions.push(r.version);
  }
  return out;
}

export function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function resourceForKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return resources.find((r) => r.group === group && r.version === version && r.kind === kind);
}

export function apiVersionOf(r: ResourceInfo): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

function byPlural(plural: string): ResourceInfo {
  const r = resources.find((x) => x.plural === plural);
  if (!r) throw new Error(`unknown resource ${plural}`);
  return r;
}

/**
 * The storage key of an object, as Kubernetes lays out etcd: `/registry/<resource>/<ns>/<name>`,
 * `/registry/<resource>/<name>` when cluster-scoped; services under `/registry/services/specs/`.
 */
export function storageKeyFor(resourcePlural: string, namespace: string | undefined, name: string): string {
  const r = byPlural(resourcePlural);
  return r.namespaced ? `${r.keyPrefix}${namespace ?? ''}/${name}` : `${r.keyPrefix}${name}`;
}

/** The prefix to list or watch a resource in one namespace (or all when namespace is empty). */
export function storagePrefixFor(r: ResourceInfo, namespace: string | undefined): string {
  return r.namespaced && namespace ? `${r.keyPrefix}${namespace}/` : r.keyPrefix;
}

/** The stored form: JSON without metadata.resourceVersion (that is the key's modRevision, set on read). */
export function encodeForStorage(obj: KubeObject): string {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  // metadata first, so a list can splice resourceVersion in without re-encoding (Store.listJson).
  const { metadata: _m, ...rest } = obj;
  return JSON.stringify({ metadata, ...rest });
}

/** The object read back, with resourceVersion from the stored revision. */
export function decodeFromStorage<T extends KubeObject = KubeObject>(value: string, modRevision: number): T {
  const obj = JSON.parse(value) as T;
  obj.metadata.resourceVersion = String(modRevision);
  return obj;
}

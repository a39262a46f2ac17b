// Builds /openapi/v2 (Swagger 2.0) and /openapi/v3/<group-version> (OpenAPI 3.0) documents from the model:
// definitions named as Kubernetes names them (io.k8s.api.core.v1.Service), the x-kubernetes-* extensions
// kubectl reads (group-version-kind, patch merge keys and strategies, list types), and one path per resource
// and verb with its x-kubernetes-action. kubectl decides whether the server validates fields itself by finding
// the PATCH operation of the kind with a `fieldValidation` parameter (cli-runtime queryParamVerifierV3).

import { aliases, definitions, fullName } from './model.ts';
import type { Definition, Field, GroupVersionKind } from './model.ts';
import { groupVersionPath, servedResources } from './resources.ts';
import type { ServedResource } from './resources.ts';

type Flavor = 'v2' | 'v3';
type Json = Record<string, unknown>;

export const serverVersion = 'v1.33.0';

function refTo(short: string, flavor: Flavor): Json {
  const name = fullName(short);
  return { $ref: flavor === 'v2' ? `#/definitions/${name}` : `#/components/schemas/${name}` };
}

function typeSchema(type: string, flavor: Flavor): Json {
  if (type.startsWith('[]')) return { type: 'array', items: typeSchema(type.slice(2), flavor) };
  switch (type) {
    case 's':
      return { type: 'string' };
    case 'i32':
      return { type: 'integer', format: 'int32' };
    case 'i64':
      return { type: 'integer', format: 'int64' };
    case 'b':
      return { type: 'boolean' };
    case 'n':
      return { type: 'number', format: 'double' };
    case 'byte':
      return { type: 'string', format: 'byte' };
    case 'map':
      return { type: 'object', additionalProperties: { type: 'string' } };
    case 'bmap':
      return { type: 'object', additionalProperties: { type: 'string', format: 'byte' } };
    case 'qmap':
      return { type: 'object', additionalProperties: refTo(aliases.qty, flavor) };
    case 'obj':
      return { type: 'object' };
    default:
      return refTo(aliases[type] ?? type, flavor);
  }
}

function propertySchema(field: Field, flavor: Flavor): Json {
  const [type, description, ext] = field;
  const base = typeSchema(type, flavor);
  // OpenAPI 3.0 ignores siblings of $ref, so Kubernetes wraps a described reference in allOf.
  const schema: Json = '$ref' in base && flavor === 'v3' ? { allOf: [base] } : { ...base };
  schema.description = description;
  if (ext?.enum) schema.enum = [...ext.enum];
  if (ext?.mapKeys) schema['x-kubernetes-list-map-keys'] = [...ext.mapKeys];
  if (ext?.listType) schema['x-kubernetes-list-type'] = ext.listType;
  if (ext?.mapType) schema['x-kubernetes-map-type'] = ext.mapType;
  if (ext?.mergeKey) schema['x-kubernetes-patch-merge-key'] = ext.mergeKey;
  if (ext?.strategy) schema['x-kubernetes-patch-strategy'] = ext.strategy;
  return schema;
}

function definitionSchema(def: Definition, flavor: Flavor): Json {
  if (def.scalar) return { description: def.description, ...(flavor === 'v3' && def.scalarV3 ? def.scalarV3 : def.scalar) };
  const properties: Json = {};
  const required: string[] = [];
  for (const name of Object.keys(def.fields ?? {}).sort()) {
    const field = (def.fields ?? {})[name];
    properties[name] = propertySchema(field, flavor);
    if (field[2]?.required) required.push(name);
  }
  const schema: Json = { description: def.description, type: 'object', properties };
  if (required.length > 0) schema.required = required;
  if (def.gvk) schema['x-kubernetes-group-version-kind'] = def.gvk.map((g) => ({ ...g }));
  if (def.mapType) schema['x-kubernetes-map-type'] = def.mapType;
  return schema;
}

// The definitions reachable from `roots`, as short names.
function reachable(roots: string[]): string[] {
  const seen = new Set<string>();
  const visit = (short: string): void => {
    if (seen.has(short)) return;
    const def = definitions[short];
    if (!def) throw new Error(`openapi model: no definition ${short}`);
    seen.add(short);
    for (const [type] of Object.values(def.fields ?? {})) {
      const inner = type.replace(/^(\[\])+/, '');
      if (aliases[inner]) visit(aliases[inner]);
      else if (inner === 'qmap') visit(aliases.qty);
      else if (inner.includes('.')) visit(inner);
    }
  };
  for (const r of roots) visit(r);
  return [...seen];
}

// --- operations -----------------------------------------------------------------------------------------------

interface Param {
  name: string;
  in: 'query' | 'path';
  type: 'string' | 'integer' | 'boolean';
  description: string;
}

const p = (name: string, type: Param['type'], description: string): Param => ({ name, in: 'query', type, description });

const params = {
  pretty: p('pretty', 'string', "If 'true', the output is pretty printed."),
  dryRun: p('dryRun', 'string', "When set to All, the request is validated but nothing is persisted."),
  fieldManager: p('fieldManager', 'string', 'The name of the actor making the change, recorded in managedFields.'),
  fieldValidation: p(
    'fieldValidation',
    'string',
    'How the server treats unknown or duplicate fields in the body: Ignore (drop them), Warn (drop them and return a warning) or Strict (fail the request).',
  ),
  force: p('force', 'boolean', 'For apply requests: take ownership of conflicting fields from other managers.'),
  allowWatchBookmarks: p('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events in a watch.'),
  continue: p('continue', 'string', 'The continue token of the previous page of a limited list.'),
  fieldSelector: p('fieldSelector', 'string', 'Select objects by fields, e.g. metadata.name=x.'),
  labelSelector: p('labelSelector', 'string', 'Select objects by labels, e.g. app=nginx.'),
  limit: p('limit', 'integer', 'The most items to return; the rest come with the continue token.'),
  resourceVersion: p('resourceVersion', 'string', 'The revision to read at or watch from.'),
  resourceVersionMatch: p('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  sendInitialEvents: p('sendInitialEvents', 'boolean', 'Start a watch with the current objects as ADDED events.'),
  timeoutSeconds: p('timeoutSeconds', 'integer', 'End a list or watch after this many seconds.'),
  watch: p('watch', 'boolean', 'Watch for changes instead of listing.'),
  gracePeriodSeconds: p('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; 0 deletes at once.'),
  ignoreStoreReadError: p('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean', 'Delete even if the stored object cannot be read.'),
  orphanDependents: p('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  propagationPolicy: p('propagationPolicy', 'string', 'Orphan, Background or Foreground deletion of dependents.'),
};

const listParams = [
  params.allowWatchBookmarks,
  params.continue,
  params.fieldSelector,
  params.labelSelector,
  params.limit,
  params.pretty,
  params.resourceVersion,
  params.resourceVersionMatch,
  params.sendInitialEvents,
  params.timeoutSeconds,
  params.watch,
];
const writeParams = [params.dryRun, params.fieldManager, params.fieldValidation, params.pretty];
const patchParams = [params.dryRun, params.fieldManager, params.fieldValidation, params.force, params.pretty];
const deleteParams = [
  params.dryRun,
  params.gracePeriodSeconds,
  params.ignoreStoreReadError,
  params.orphanDependents,
  params.pretty,
  params.propagationPolicy,
];

const pathParam = (name: string, description: string): Param => ({ name, in: 'path', type: 'string', description });
const nameParam = (kind: string): Param => pathParam('name', `name of the ${kind}`);
const namespaceParam = pathParam('namespace', 'object name and auth scope, such as for teams and projects');

const jsonTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const patchTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'connect';

interface Operation {
  method: 'get' | 'put' | 'post' | 'patch' | 'delete';
  action: Action;
  operationId: string;
  description: string;
  params: Param[];
  body?: string; // model definition of the request body
  bodyTypes?: string[];
  response?: string; // model definition of the 200 response
  responseTypes?: string[];
  created?: boolean;
  gvk?: GroupVersionKind;
}

function groupCamel(group: string): string {
  if (group === '') return 'Core';
  const first = group.split('.')[0];
  return first.charAt(0).toUpperCase() + first.slice(1);
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// The paths and operations of one resource, as the Kubernetes apiserver registers them.
function resourcePaths(res: ServedResource): [string, Operation[]][] {
  const base = `/${groupVersionPath(res.group, res.version)}`;
  const gvk: GroupVersionKind = { group: res.group, version: res.version, kind: res.kind };
  const id = `${groupCamel(res.group)}${capital(res.version)}`;
  const ns = res.namespaced ? 'Namespaced' : '';
  const scope = res.namespaced ? [namespaceParam] : [];
  const collection = res.namespaced ? `${base}/namespaces/{namespace}/${res.plural}` : `${base}/${res.plural}`;
  const item = `${collection}/{name}`;
  const list = `${res.model}List`;
  const k = res.kind;
  const out: [string, Operation[]][] = [];

  if (res.namespaced) {
    out.push([
      `${base}/${res.plural}`,
      [{ method: 'get', action: 'list', operationId: `list${id}${k}ForAllNamespaces`, description: `list or watch objects of kind ${k}`, params: listParams, response: list, gvk }],
    ]);
  }
  out.push([
    collection,
    [
      { method: 'get', action: 'list', operationId: `list${id}${ns}${k}`, description: `list or watch objects of kind ${k}`, params: [...scope, ...listParams], response: list, gvk },
      { method: 'post', action: 'post', operationId: `create${id}${ns}${k}`, description: `create a ${k}`, params: [...scope, ...writeParams], body: res.model, response: res.model, created: true, gvk },
      { method: 'delete', action: 'deletecollection', operationId: `deletecollection${id}${ns}${k}`, description: `delete collection of ${k}`, params: [...scope, ...deleteParams, ...listParams.filter((x) => x.name !== 'watch' && x.name !== 'allowWatchBookmarks')], body: 'meta.DeleteOptions', response: 'meta.Status', gvk },
    ],
  ]);
  const itemParams = [nameParam(k), ...scope];
  out.push([
    item,
    [
      { method: 'get', action: 'get', operationId: `read${id}${ns}${k}`, description: `read the specified ${k}`, params: [...itemParams, params.pretty], response: res.model, gvk },
      { method: 'put', action: 'put', operationId: `replace${id}${ns}${k}`, description: `replace the specified ${k}`, params: [...itemParams, ...writeParams], body: res.model, response: res.model, created: true, gvk },
      { method: 'patch', action: 'patch', operationId: `patch${id}${ns}${k}`, description: `partially update the specified ${k}`, params: [...itemParams, ...patchParams], body: 'meta.Patch', bodyTypes: patchTypes, response: res.model, created: true, gvk },
      { method: 'delete', action: 'delete', operationId: `delete${id}${ns}${k}`, description: `delete a ${k}`, params: [...itemParams, ...deleteParams], body: 'meta.DeleteOptions', response: 'meta.Status', gvk },
    ],
  ]);
  for (const sub of res.subresources) {
    const model = sub === 'scale' ? 'autoscaling.Scale' : res.model;
    const subGvk = sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : gvk;
    const S = capital(sub);
    out.push([
      `${item}/${sub}`,
      [
        { method: 'get', action: 'get', operationId: `read${id}${ns}${k}${S}`, description: `read ${sub} of the specified ${k}`, params: [...itemParams, params.pretty], response: model, gvk: subGvk },
        { method: 'put', action: 'put', operationId: `replace${id}${ns}${k}${S}`, description: `replace ${sub} of the specified ${k}`, params: [...itemParams, ...writeParams], body: model, response: model, created: true, gvk: subGvk },
        { method: 'patch', action: 'patch', operationId: `patch${id}${ns}${k}${S}`, description: `partially update ${sub} of the specified ${k}`, params: [...itemParams, ...patchParams], body: 'meta.Patch', bodyTypes: patchTypes, response: model, created: true, gvk: subGvk },
      ],
    ]);
  }
  if (res.group === '' && res.plural === 'pods') {
    const streamed = (sub: string, optionsKind: string, methods: ('get' | 'post')[]): [string, Operation[]] => [
      `${item}/${sub}`,
      methods.map((method) => ({
        method,
        action: 'connect',
        operationId: `connect${capital(method)}${id}${ns}Pod${capital(sub)}`,
        description: `connect ${method.toUpperCase()} requests to ${sub} of Pod`,
        params: [...itemParams],
        responseTypes: ['*/*'],
        gvk: { group: '', version: 'v1', kind: optionsKind },
      })),
    ];
    out.push(streamed('exec', 'PodExecOptions', ['get', 'post']));
    out.push(streamed('attach', 'PodAttachOptions', ['get', 'post']));
    out.push(streamed('portforward', 'PodPortForwardOptions', ['get', 'post']));
    out.push([
      `${item}/log`,
      [{ method: 'get', action: 'get', operationId: `read${id}${ns}PodLog`, description: 'read log of the specified Pod', params: [...itemParams, p('container', 'string', 'The container to read from.'), p('follow', 'boolean', 'Stream the log.'), p('previous', 'boolean', 'The log of the previous instance.'), p('sinceSeconds', 'integer', 'Only lines newer than this.'), p('tailLines', 'integer', 'Only the last lines.'), p('timestamps', 'boolean', 'Prefix lines with timestamps.'), p('limitBytes', 'integer', 'Stop after this many bytes.')], responseTypes: ['text/plain'], gvk: { group: '', version: 'v1', kind: 'Pod' } }],
    ]);
  }
  return out;
}

function paramV2(param: Param): Json {
  const out: Json = { uniqueItems: true, type: param.type, name: param.name, in: param.in, description: param.description };
  if (param.in === 'path') out.required = true;
  return out;
}

function paramV3(param: Param): Json {
  const out: Json = { name: param.name, in: param.in, description: param.description, schema: { type: param.type, uniqueItems: true } };
  if (param.in === 'path') out.required = true;
  return out;
}

function tagOf(res: ServedResource): string {
  return `${res.group === '' ? 'core' : res.group.split('.')[0]}_${res.version}`;
}

function operationV2(op: Operation, tag: string): Json {
  const parameters: Json[] = op.params.map(paramV2);
  if (op.body) {
    parameters.push({ name: 'body', in: 'body', required: op.method !== 'delete', schema: refTo(op.body, 'v2') });
  }
  const ok: Json = op.response ? { description: 'OK', schema: refTo(op.response, 'v2') } : { description: 'OK', schema: { type: 'string' } };
  const responses: Json = { '200': ok };
  if (op.created) responses['201'] = { ...ok, description: 'Created' };
  if (op.method === 'delete' && op.action === 'delete') responses['202'] = { ...ok, description: 'Accepted' };
  responses['401'] = { description: 'Unauthorized' };
  const out: Json = {
    description: op.description,
    consumes: op.bodyTypes ?? ['*/*'],
    produces: op.responseTypes ?? (op.action === 'list' ? [...jsonTypes, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'] : jsonTypes),
    schemes: ['https'],
    tags: [tag],
    operationId: op.operationId,
    parameters,
    responses,
    'x-kubernetes-action': op.action,
  };
  if (op.gvk) out['x-kubernetes-group-version-kind'] = { ...op.gvk };
  return out;
}

function operationV3(op: Operation, tag: string): Json {
  const out: Json = { tags: [tag], description: op.description, operationId: op.operationId, parameters: op.params.map(paramV3) };
  if (op.body) {
    const schema = refTo(op.body, 'v3');
    out.requestBody = {
      content: Object.fromEntries((op.bodyTypes ?? ['*/*']).map((t) => [t, { schema }])),
      required: op.method !== 'delete',
    };
  }
  const types = op.responseTypes ?? jsonTypes;
  const content = (schema: Json): Json => Object.fromEntries(types.map((t) => [t, { schema }]));
  const schema = op.response ? refTo(op.response, 'v3') : { type: 'string' };
  const responses: Json = { '200': { description: 'OK', content: content(schema) } };
  if (op.created) responses['201'] = { description: 'Created', content: content(schema) };
  if (op.method === 'delete' && op.action === 'delete') responses['202'] = { description: 'Accepted', content: content(schema) };
  responses['401'] = { description: 'Unauthorized' };
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  if (op.gvk) out['x-kubernetes-group-version-kind'] = { ...op.gvk };
  return out;
}

// Definitions every document carries besides the resources' own.
const commonDefinitions = ['meta.Status', 'meta.DeleteOptions', 'meta.Patch', 'meta.WatchEvent'];

function modelsOf(resources: ServedResource[]): string[] {
  const roots = [...commonDefinitions];
  for (const res of resources) {
    roots.push(res.model, `${res.model}List`);
    if (res.subresources.includes('scale')) roots.push('autoscaling.Scale');
  }
  return reachable(roots).sort((a, b) => (fullName(a) < fullName(b) ? -1 : 1));
}

export function buildV2(): Json {
  const paths: Json = {};
  for (const res of servedResources) {
    for (const [path, ops] of resourcePaths(res)) {
      paths[path] = Object.fromEntries(ops.map((op) => [op.method, operationV2(op, tagOf(res))]));
    }
  }
  const defs: Json = {};
  for (const short of modelsOf(servedResources)) defs[fullName(short)] = definitionSchema(definitions[short], 'v2');
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: serverVersion },
    paths,
    definitions: defs,
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}

// The group-version keys of /openapi/v3 ("api/v1", "apis/apps/v1", …).
export function servedGroupVersionPaths(): string[] {
  return [...new Set(servedResources.map((r) => groupVersionPath(r.group, r.version)))];
}

export function buildV3(gvPath: string): Json | undefined {
  const resources = servedResources.filter((r) => groupVersionPath(r.group, r.version) === gvPath);
  if (resources.length === 0) return undefined;
  const paths: Json = {};
  for (const res of resources) {
    for (const [path, ops] of resourcePaths(res)) {
      paths[path] = Object.fromEntries(ops.map((op) => [op.method, operationV3(op, tagOf(res))]));
    }
  }
  const schemas: Json = {};
  for (const short of modelsOf(resources)) schemas[fullName(short)] = definitionSchema(definitions[short], 'v3');
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: serverVersion },
    paths,
    components: {
      schemas,
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
  };
}

// The API core: `(request) → response` with no socket. Routing, content negotiation, body decoding and the
// one error handler that turns every failure into a meta/v1 Status. The HTTP listener (server.ts) is a thin
// layer over handle().
import YAML from 'yaml';
import type { KubeObject, Status, WatchEvent } from '../api/index.ts';
import { StorageError, type Backend } from '../storage/index.ts';
import { toTable } from './tables/index.ts';
import { jsonPatch, mergePatch } from './basic-patch.ts';
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions, healthText, rootPaths, serverVersion, type HealthEndpoint } from './discovery.ts';
import { ApiError } from './errors.ts';
import { reconcileKubernetesEndpoints, type AdvertisedEndpoint } from './kubernetes-endpoints.ts';
import { loadPeers, managedFieldsFrom, type Peers } from './peers.ts';
import { apiVersionOf, findResource, resources, type ResourceInfo } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { rfc3339, Store, type DeleteOptions, type WriteContext } from './registry/store.ts';
import { applyScale, scaleOf, validateScale, workloadStrategies, type Scale } from './registry/apps/index.ts';
import type { Strategy } from './registry/strategy.ts';

export type Headers = Record<string, string | string[] | undefined>;

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: Buffer;
}

/** A complete answer. */
export interface ApiBodyResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** A watch or followed log: chunks until the stream ends or the client goes away (then cancel()). */
export interface ApiStreamResponse {
  status: number;
  headers: Record<string, string>;
  stream: AsyncIterable<string>;
  cancel(): void;
}

/** pods/{name}/exec|attach|portforward|log: the listener forwards the request to the node agent. */
export interface ApiProxyResponse {
  proxy: { host: string; port: number; path: string };
}

export type ApiResponse = ApiBodyResponse | ApiStreamResponse | ApiProxyResponse;

export function isStream(r: ApiResponse): r is ApiStreamResponse {
  return 'stream' in r;
}
export function isProxy(r: ApiResponse): r is ApiProxyResponse {
  return 'proxy' in r;
}

export interface ApiCoreOptions {
  backend: Backend;
  /** Per-resource rules keyed by plural (`services`): defaulting, validation, allocation. */
  strategies?: Record<string, Strategy>;
  /** Injected clock (tests). */
  now?: () => Date;
  /** Sibling modules (patch, openapi, protobuf); loaded from their folders when absent. */
  peers?: Peers;
  /** Create the system namespaces at start (default true). */
  bootstrap?: boolean;
  /** BOOKMARK interval for watches that allow them (default 30 s). */
  bookmarkIntervalMs?: number;
  /** Address reported in /api serverAddressByClientCIDRs. */
  serverAddress?: string;
  /** When set, keep `default/kubernetes` Endpoints and EndpointSlice pointing here (Kubernetes' reconciler). */
  advertise?: AdvertisedEndpoint;
}

export interface ApiCore {
  handle(req: ApiRequest): Promise<ApiResponse>;
  /** The generic registry (for in-process components and tests). */
  readonly store: Store;
  close(): Promise<void>;
}

const jsonHeaders = { 'content-type': 'application/json' };

function json(status: number, obj: unknown, extra: Record<string, string> = {}): ApiBodyResponse {
  return { status, headers: { ...jsonHeaders, ...extra }, body: JSON.stringify(obj) };
}

function text(status: number, body: string): ApiBodyResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body };
}

function header(h: Headers, name: string): string {
  const v = h[name] ?? h[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A read at a revision not written yet, when no caller said which revision is current: as the apiserver's
 * storage.NewTooLargeResourceVersionError, a 504 Timeout the client retries after a second. The store's
 * message carries "<requested>, current: <current>" when the backend knows both.
 */
function tooLargeResourceVersion(err: StorageError): ApiError {
  const m = /(\d+)\D+(\d+)/.exec(err.message);
  const message = m ? `Too large resource version: ${m[1]}, current: ${m[2]}` : 'Too large resource version';
  return new ApiError(504, 'Timeout', `Timeout: ${message}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

/** The one place errors become responses. */
export function errorResponse(err: unknown): ApiBodyResponse {
  let e: ApiError;
  if (err instanceof ApiError) e = err;
  else if (err instanceof Error && (err.name === 'PatchError' || err.name === 'ProtobufDecodeError')) {
    // The patch and protobuf modules' own error types carry Kubernetes' code, reason and causes.
    const pe = err as Error & { code: number; reason: string; causes?: { field?: string; message?: string; reason?: string }[] };
    e = new ApiError(pe.code, pe.reason, pe.message, pe.causes?.length ? { causes: pe.causes } : undefined);
  }
  else if (err instanceof StorageError && err.code === 'Unavailable') e = ApiError.serviceUnavailable(err.message);
  else if (err instanceof StorageError && err.code === 'Compacted') e = ApiError.gone(`too old resource version: ${err.message}`);
  else if (err instanceof StorageError && err.code === 'FutureRevision') e = tooLargeResourceVersion(err);
  else {
    // A bug or a broken dependency: say so loudly, answer 500 in Kubernetes' words.
    process.emitWarning(`apiserver: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    e = ApiError.internal(err instanceof Error ? err.message : String(err));
  }
  return json(e.code, e.toStatus());
}

// --- content negotiation -------------------------------------------------------------------------------------

type Rendering = { as: 'Object' | 'Table' | 'PartialObjectMetadata'; tableVersion: string; yaml: boolean };

function negotiate(accept: string): Rendering {
  if (!accept) return { as: 'Object', tableVersion: 'v1', yaml: false };
  for (const clause of accept.split(',')) {
    const [type, ...params] = clause.split(';').map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf('=');
      if (i > 0) p[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
    }
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*' && type !== 'application/yaml') continue;
    if (p.as) {
      if (p.g !== 'meta.k8s.io') continue;
      if (p.as === 'Table' && (p.v === 'v1' || p.v === 'v1beta1')) return { as: 'Table', tableVersion: p.v, yaml: false };
      if ((p.as === 'PartialObjectMetadata' || p.as === 'PartialObjectMetadataList') && (p.v === 'v1' || p.v === 'v1beta1'))
        return { as: 'PartialObjectMetadata', tableVersion: p.v, yaml: false };
      continue;
    }
    return { as: 'Object', tableVersion: 'v1', yaml: type === 'application/yaml' };
  }
  // Only protobuf (or something else) asked for: JSON is what we speak, and clients accept it.
  return { as: 'Object', tableVersion: 'v1', yaml: false };
}

// --- request parsing -------------------------------------------------------------------------------------------

interface ResourceRequest {
  r: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

const namespaceSubresources = new Set(['status', 'finalize']);

function parseResourcePath(path: string): ResourceRequest | undefined {
  const segs = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group = '';
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else return undefined;
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // As Kubernetes' RequestInfoFactory: namespaces/{ns}/{resource}… unless the third part is a namespace
  // subresource (namespaces/{name}/status).
  if (rest[0] === 'namespaces' && rest.length > 2 && !namespaceSubresources.has(rest[2])) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const r = findResource(group, version, rest[0] ?? '');
  if (!r || rest.length > 3) return undefined;
  if (namespace !== undefined && !r.namespaced) return undefined;
  const name = rest[1];
  const subresource = rest[2];
  if (subresource !== undefined && !r.subresources.includes(subresource)) return undefined;
  return { r, namespace, name, subresource, watchPath };
}

function gvkMatches(r: ResourceInfo, obj: Record<string, unknown>): void {
  const kind = obj.kind;
  const apiVersion = obj.apiVersion;
  if ((kind !== undefined && kind !== r.kind) || (apiVersion !== undefined && apiVersion !== apiVersionOf(r))) {
    const got = `${String(apiVersion ?? '')}, Kind=${String(kind ?? '')}`;
    throw ApiError.badRequest(
      `the object provided is unrecognized (must be of type ${r.kind}): ${got} does not match ${apiVersionOf(r)}, Kind=${r.kind}`,
    );
  }
}

function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw ApiError.badRequest(`invalid value for ${name}: ${v}`);
  return n;
}

/** An async queue the watch handler pushes into and the listener iterates. */
class ChunkQueue implements AsyncIterable<string> {
  private items: string[] = [];
  private waiting: ((r: IteratorResult<string>) => void) | undefined;
  private ended = false;
  onEnd: (() => void) | undefined;

  get isEnded(): boolean {
    return this.ended;
  }

  push(s: string): void {
    if (this.ended) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: s, done: false });
    } else this.items.push(s);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd?.();
    if (this.waiting && this.items.length === 0) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return {
      next: () => {
        if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((res) => (this.waiting = res));
      },
      return: () => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

// Server-sent warnings for deprecated APIs, as the real 1.33 server sends them.
const deprecationWarnings: Record<string, string> = {
  endpoints: 'v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice',
};

function warningHeader(messages: string[]): Record<string, string> {
  if (!messages.length) return {};
  return { warning: messages.map((m) => `299 - ${JSON.stringify(m)}`).join(', ') };
}

// --- the core --------------------------------------------------------------------------------------------------

export async function createApiCore(options: ApiCoreOptions): Promise<ApiCore> {
  const now = options.now ?? (() => new Date());
  const peers = options.peers ?? (await loadPeers());
  // apps/v1 strategies are built in (callers pass the Service ones, which need network configuration).
  const store = new Store({ backend: options.backend, strategies: { ...workloadStrategies, ...(options.strategies ?? {}) }, now });
  if (options.bootstrap !== false) await store.bootstrap();
  if (options.advertise) await reconcileKubernetesEndpoints(store, options.advertise, now());
  const bookmarkMs = options.bookmarkIntervalMs ?? 30_000;
  const openStreams = new Set<ChunkQueue>();

  function render(obj: unknown, rendering: Rendering, r: ResourceInfo | undefined, includeObject: string | null, noHeaders = false): unknown {
    if (!r || !isObject(obj)) return obj;
    const isList = Array.isArray(obj.items);
    const items = (isList ? obj.items : [obj]) as KubeObject[];
    if (rendering.as === 'Table') {
      // The printers read the stored version's fields (events.k8s.io Events print as core Events do).
      const view = r.view;
      const printable = view && includeObject !== 'Object' ? items.map((i) => view.toStorage(i)) : items;
      const table = toTable(r.kind, printable, {
        now: now(),
        includeObject: includeObject === 'None' || includeObject === 'Object' ? includeObject : 'Metadata',
        noHeaders,
        listMeta: isList ? (obj.metadata as KubeObject["metadata"] & Record<string, unknown>) : { resourceVersion: (obj as unknown as KubeObject).metadata?.resourceVersion },
      });
      return rendering.tableVersion === 'v1beta1' ? { ...table, apiVersion: 'meta.k8s.io/v1beta1' } : table;
    }
    if (rendering.as === 'PartialObjectMetadata') {
      const apiVersion = `meta.k8s.io/${rendering.tableVersion}`;
      const partial = (o: KubeObject): Record<string, unknown> => ({ kind: 'PartialObjectMetadata', apiVersion, metadata: o.metadata });
      if (isList) return { kind: 'PartialObjectMetadataList', apiVersion, metadata: obj.metadata, items: items.map(partial) };
      return partial(obj as unknown as KubeObject);
    }
    return obj;
  }

  function respond(status: number, obj: unknown, req: ApiRequest, r: ResourceInfo | undefined, warnings: string[] = []): ApiBodyResponse {
    const rendering = negotiate(header(req.headers, 'accept'));
    const extra = warningHeader([...(r && deprecationWarnings[r.plural] ? [deprecationWarnings[r.plural]] : []), ...warnings]);
    const out = render(obj, rendering, r, req.query.get('includeObject'));
    if (rendering.yaml) return { status, headers: { 'content-type': 'application/yaml', ...extra }, body: YAML.stringify(out) };
    return json(status, out, extra);
  }

  function decodeBody(req: ApiRequest): unknown {
    const ct = header(req.headers, 'content-type').split(';')[0].trim().toLowerCase();
    if (ct === 'application/vnd.kubernetes.protobuf') {
      const decode = peers.protobuf?.decodeProtobufObject;
      if (!decode) throw ApiError.unsupportedMediaType(['application/json', 'application/yaml']);
      return decode(req.body);
    }
    const raw = req.body.toString('utf8');
    if (ct.includes('yaml')) {
      try {
        return YAML.parse(raw);
      } catch (err) {
        throw ApiError.badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
      }
    }
    try {
      return JSON.parse(raw);
    } catch (err) {
      if (!ct) {
        try {
          return YAML.parse(raw);
        } catch {
          // fall through to the JSON error
        }
      }
      throw ApiError.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
  }

  /** fieldValidation=Strict|Warn|Ignore over unknown fields (the openapi module knows the schema). */
  function checkFields(req: ApiRequest, r: ResourceInfo, obj: unknown, defaultMode = 'Warn'): string[] {
    const mode = req.query.get('fieldValidation') ?? defaultMode;
    if (!['Strict', 'Warn', 'Ignore'].includes(mode))
      throw ApiError.badRequest(`fieldValidation parameter unsupported: ${mode}. Valid values are Strict, Warn, Ignore`);
    const unknown = mode === 'Ignore' ? [] : (peers.openapi?.unknownFields?.(apiVersionOf(r), r.kind, obj) ?? []);
    if (!unknown.length) return [];
    const messages = unknown.map((f) => `unknown field ${JSON.stringify(f.replace(/^\./, ''))}`);
    if (mode === 'Strict')
      throw ApiError.badRequest(
        `${r.kind} in version ${JSON.stringify(r.version)} cannot be handled as a ${r.kind}: strict decoding error: ${messages.join(', ')}`,
      );
    return messages;
  }

  function fieldManager(req: ApiRequest): string {
    const m = req.query.get('fieldManager');
    if (m !== null) {
      if (m.length > 128) throw ApiError.invalid('PatchOptions', 'meta.k8s.io', '', [{ type: 'FieldValueTooLong', field: 'fieldManager', detail: 'may not be more than 128 bytes' }]);
      return m;
    }
    // Kubernetes: the User-Agent up to its first '/'.
    return header(req.headers, 'user-agent').split('/')[0].slice(0, 128) || 'unknown';
  }

  function writeContext(req: ApiRequest, operation: 'Update' | 'Apply', subresource?: string, dryRunOverride?: boolean): WriteContext {
    const dryRun = dryRunOverride ?? req.query.getAll('dryRun').includes('All');
    const ts = rfc3339(now());
    const manager = fieldManager(req);
    const track = peers.patch?.trackManagedFields;
    return {
      now: ts,
      dryRun,
      track:
        operation === 'Update' && track
          ? (old, updated) => {
              const mf = managedFieldsFrom(track(old, updated, { manager, operation: 'Update', now: ts, subresource }));
              if (mf) updated.metadata.managedFields = mf;
              else delete updated.metadata.managedFields;
            }
          : undefined,
    };
  }

  // --- verbs ---

  async function list(req: ApiRequest, rr: ResourceRequest): Promise<ApiResponse> {
    const q = req.query;
    const rv = q.get('resourceVersion');
    const match = q.get('resourceVersionMatch');
    const limit = intParam(q, 'limit');
    let revision: number | undefined;
    if (match === 'Exact') {
      if (!rv || rv === '0') throw ApiError.badRequest('resourceVersionMatch "Exact" is forbidden for resourceVersion "0"');
      revision = Number(rv);
    }
    const query = {
      labels: parseLabelSelector(q.get('labelSelector')),
      fields: parseFieldSelector(q.get('fieldSelector')),
      limit: limit && limit > 0 ? limit : undefined,
      continueToken: q.get('continue') || undefined,
      revision,
    };
    const rendering = negotiate(header(req.headers, 'accept'));
    if (rendering.as === 'Object' && !rendering.yaml) {
      const warnings = deprecationWarnings[rr.r.plural] ? [deprecationWarnings[rr.r.plural]] : [];
      return { status: 200, headers: { ...jsonHeaders, ...warningHeader(warnings) }, body: await store.listJson(rr.r, rr.namespace, query) };
    }
    return respond(200, await store.list(rr.r, rr.namespace, query), req, rr.r);
  }

  async function watch(req: ApiRequest, rr: ResourceRequest): Promise<ApiResponse> {
    const q = req.query;
    const rendering = negotiate(header(req.headers, 'accept'));
    const rv = q.get('resourceVersion');
    const sendInitial = q.get('sendInitialEvents') === 'true';
    const fromRevision = !rv || rv === '0' || sendInitial ? undefined : Number(rv);
    if (fromRevision !== undefined && !Number.isInteger(fromRevision))
      throw ApiError.badRequest(`invalid resource version: ${rv}`);
    const timeoutSeconds = intParam(q, 'timeoutSeconds') ?? 1800;
    const bookmarks = boolParam(q, 'allowWatchBookmarks');
    const queue = new ChunkQueue();
    let lastRevision = fromRevision ?? 0;
    const includeObject = q.get('includeObject');
    // As the apiserver's watch: Table column definitions go with the first event only.
    let headersSent = false;
    const emit = (e: WatchEvent<KubeObject | Status>, revision: number): void => {
      lastRevision = Math.max(lastRevision, revision);
      let object: unknown = e.object;
      if ((e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED') && rendering.as !== 'Object') {
        object = render(e.object, rendering, rr.r, includeObject, headersSent);
        headersSent = true;
      }
      queue.push(JSON.stringify({ type: e.type, object }) + '\n');
      if (e.type === 'ERROR') queue.end();
    };
    const watcher = await store.watch(
      rr.r,
      rr.namespace,
      {
        labels: parseLabelSelector(q.get('labelSelector')),
        fields: parseFieldSelector(q.get('fieldSelector')),
        fromRevision,
        initialEventsEndBookmark: sendInitial && bookmarks,
      },
      emit,
      () => queue.end(),
    );
    const timers: NodeJS.Timeout[] = [];
    timers.push(setTimeout(() => queue.end(), Math.max(0, timeoutSeconds) * 1000));
    if (bookmarks)
      timers.push(
        setInterval(() => {
          if (lastRevision > 0)
            queue.push(
              JSON.stringify({
                type: 'BOOKMARK',
                object: { kind: rr.r.kind, apiVersion: apiVersionOf(rr.r), metadata: { resourceVersion: String(lastRevision) } },
              }) + '\n',
            );
        }, bookmarkMs),
      );
    openStreams.add(queue);
    const cleanup = (): void => {
      watcher.stop();
      for (const t of timers) clearTimeout(t);
      openStreams.delete(queue);
    };
    // An ERROR event during the initial replay may have ended the stream already.
    if (queue.isEnded) cleanup();
    else queue.onEnd = cleanup;
    return {
      status: 200,
      headers: { ...jsonHeaders, ...warningHeader(deprecationWarnings[rr.r.plural] ? [deprecationWarnings[rr.r.plural]] : []) },
      stream: queue,
      cancel: () => queue.end(),
    };
  }

  async function create(req: ApiRequest, rr: ResourceRequest): Promise<ApiResponse> {
    const body = decodeBody(req);
    if (!isObject(body)) throw ApiError.badRequest('the body of the request must be an object');
    gvkMatches(rr.r, body);
    const warnings = checkFields(req, rr.r, body);
    const created = await store.create(rr.r, rr.namespace, body as unknown as KubeObject, writeContext(req, 'Update'));
    return respond(201, created, req, rr.r, warnings);
  }

  async function update(req: ApiRequest, rr: ResourceRequest): Promise<ApiResponse> {
    const body = decodeBody(req);
    if (!isObject(body)) throw ApiError.badRequest('the body of the request must be an object');
    gvkMatches(rr.r, body);
    const warnings = checkFields(req, rr.r, body);
    const input = body as unknown as KubeObject;
    const sub = rr.subresource;
    const { object, created } = await store.update(
      rr.r,
      rr.namespace,
      rr.name!,
      writeContext(req, 'Update', sub),
      (old) => {
        if (sub === 'finalize' && old) {
          // namespaces/{name}/finalize changes only spec.finalizers.
          const ns = structuredClone(old) as KubeObject & { spec?: Record<string, unknown> };
          const spec = (input as { spec?: { finalizers?: string[] } }).spec;
          ns.spec = { ...(ns.spec ?? {}), finalizers: spec?.finalizers ?? [] };
          ns.metadata.resourceVersion = input.metadata?.resourceVersion ?? old.metadata.resourceVersion;
          return ns;
        }
        return input;
      },
      { subresource: sub === 'finalize' ? undefined : sub, createOnMissing: rr.r.createOnUpdate },
    );
    return respond(created ? 201 : 200, object, req, rr.r, warnings);
  }

  async function patch(req: ApiRequest, rr: ResourceRequest): Promise<ApiResponse> {
    const ct = header(req.headers, 'content-type').split(';')[0].trim().toLowerCase();
    const patchTypes = [
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
      'application/apply-patch+yaml',
    ];
    if (!patchTypes.includes(ct)) throw ApiError.unsupportedMediaType(patchTypes);
    const pm = peers.patch ?? {};
    const isApply = ct === 'application/apply-patch+yaml';
    if (isApply && !pm.serverSideApply) throw ApiError.unsupportedMediaType(patchTypes.filter((t) => !t.includes('apply')));
    const raw = req.body.toString('utf8');
    let patchDoc: unknown;
    try {
      patchDoc = isApply ? YAML.parse(raw) : JSON.parse(raw);
    } catch (err) {
      throw ApiError.badRequest(`error decoding patch: ${(err as Error).message}`);
    }
    const manager = req.query.get('fieldManager');
    if (isApply && !manager) throw ApiError.badRequest('PATCH, application/apply-patch+yaml requires fieldManager parameter');
    const force = boolParam(req.query, 'force');
    const sub = rr.subresource;
    const ctx = writeContext(req, isApply ? 'Apply' : 'Update', sub);
    let warnings: string[] = [];
    if (isApply) {
      if (!isObject(patchDoc)) throw ApiError.badRequest('the body of the request must be an object');
      gvkMatches(rr.r, patchDoc);
      warnings = checkFields(req, rr.r, patchDoc, 'Strict');
    }
    const { object, created } = await store.update(
      rr.r,
      rr.namespace,
      rr.name!,
      ctx,
      (old) => {
        let result: unknown;
        switch (ct) {
          case 'application/merge-patch+json':
            result = pm.applyMergePatch ? pm.applyMergePatch(old, patchDoc) : mergePatch(old, patchDoc);
            break;
          case 'application/json-patch+json':
            result = pm.applyJsonPatch ? pm.applyJsonPatch(old, patchDoc) : jsonPatch(old, patchDoc);
            break;
          case 'application/strategic-merge-patch+json': {
            const schema = pm.patchSchemaFor?.(apiVersionOf(rr.r), rr.r.kind);
            result = pm.applyStrategicMergePatch ? pm.applyStrategicMergePatch(old, patchDoc, schema) : mergePatch(old, patchDoc);
            break;
          }
          default: {
            const applied = structuredClone(patchDoc) as KubeObject;
            applied.metadata ??= {};
            if (!applied.metadata.name) applied.metadata.name = rr.name;
            if (rr.r.namespaced && rr.namespace && !applied.metadata.namespace) applied.metadata.namespace = rr.namespace;
            result = pm.serverSideApply!(old, applied, { manager: manager!, force, now: ctx.now, subresource: sub });
            // The patch module answers {object}.
            if (isObject(result) && isObject(result.object)) result = result.object;
          }
        }
        if (!isObject(result) || !isObject(result.metadata)) throw ApiError.invalidPatch('the patch did not produce an object');
        if (!isApply) warnings = checkFields(req, rr.r, result);
        return result as unknown as KubeObject;
      },
      { subresource: sub, createOnMissing: isApply },
    );
    return respond(created ? 201 : 200, object, req, rr.r, warnings);
  }

  function deleteOptions(req: ApiRequest): { options: DeleteOptions; dryRun: boolean } {
    let body: Record<string, unknown> = {};
    if (req.body.length) {
      const parsed = decodeBody(req);
      if (isObject(parsed)) body = parsed;
    }
    const q = req.query;
    const grace = intParam(q, 'gracePeriodSeconds') ?? (typeof body.gracePeriodSeconds === 'number' ? body.gracePeriodSeconds : undefined);
    // orphanDependents (deprecated) means Orphan / Background when no policy is given.
    const orphanDependents = q.get('orphanDependents') ?? (typeof body.orphanDependents === 'boolean' ? String(body.orphanDependents) : null);
    const policy =
      q.get('propagationPolicy') ??
      (typeof body.propagationPolicy === 'string' ? body.propagationPolicy : undefined) ??
      (orphanDependents === null ? undefined : orphanDependents === 'true' ? 'Orphan' : 'Background');
    const dryRun = q.getAll('dryRun').includes('All') || (Array.isArray(body.dryRun) && body.dryRun.includes('All'));
    const preconditions = isObject(body.preconditions) ? (body.preconditions as DeleteOptions['preconditions']) : undefined;
    return { options: { gracePeriodSeconds: grace, propagationPolicy: policy, preconditions }, dryRun };
  }

  // Kubernetes' registries that answer a completed delete with the object itself (ReturnDeletedObject).
  const returnsDeletedObject = new Set(['pods', 'services', 'namespaces']);

  async function del(req: ApiRequest, rr: ResourceRequest): Promise<ApiResponse> {
    const { options, dryRun } = deleteOptions(req);
    const ctx = writeContext(req, 'Update', undefined, dryRun);
    const { object, deleted } = await store.delete(rr.r, rr.namespace, rr.name!, options, ctx);
    if (deleted && !returnsDeletedObject.has(rr.r.plural)) {
      const status = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name: rr.name, group: rr.r.group || undefined, kind: rr.r.plural, uid: object.metadata.uid },
      };
      return json(200, status, warningHeader(deprecationWarnings[rr.r.plural] ? [deprecationWarnings[rr.r.plural]] : []));
    }
    return respond(200, object, req, rr.r);
  }

  async function deleteCollection(req: ApiRequest, rr: ResourceRequest): Promise<ApiResponse> {
    const { options, dryRun } = deleteOptions(req);
    const q = req.query;
    const list = await store.deleteCollection(
      rr.r,
      rr.namespace,
      { labels: parseLabelSelector(q.get('labelSelector')), fields: parseFieldSelector(q.get('fieldSelector')) },
      options,
      writeContext(req, 'Update', undefined, dryRun),
    );
    return respond(200, list, req, rr.r);
  }

  async function binding(req: ApiRequest, rr: ResourceRequest): Promise<ApiResponse> {
    const body = decodeBody(req);
    const target = isObject(body) && isObject(body.target) ? body.target : {};
    await store.bind(rr.namespace!, rr.name!, typeof target.name === 'string' ? target.name : '', writeContext(req, 'Update', 'binding'));
    return json(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }

  /** pods/{name}/exec|attach|portforward|log → the node agent's kubelet-style path. */
  async function nodeProxy(req: ApiRequest, rr: ResourceRequest): Promise<ApiResponse> {
    const pods = findResource('', 'v1', 'pods')!;
    const nodes = findResource('', 'v1', 'nodes')!;
    const pod = (await store.get(pods, rr.namespace, rr.name!)) as KubeObject & {
      spec: { nodeName?: string; containers?: { name: string }[] };
    };
    const nodeName = pod.spec.nodeName;
    if (!nodeName) {
      // As LogLocation: an unscheduled pod has an empty log; exec/attach/portforward are refused.
      if (rr.subresource === 'log') {
        containerFor(pod, new URLSearchParams(req.query), rr);
        return { status: 200, headers: { 'content-type': 'text/plain' }, body: '' };
      }
      throw ApiError.badRequest(`pod ${rr.name} does not have a host assigned`);
    }
    const node = (await store.get(nodes, undefined, nodeName)) as KubeObject & {
      status?: { daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
    };
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    if (!port) throw ApiError.internal(`no kubelet endpoint for node ${JSON.stringify(nodeName)}`);
    const query = new URLSearchParams(req.query);
    const container = rr.subresource === 'portforward' ? '' : containerFor(pod, query, rr);
    query.delete('container');
    const ns = encodeURIComponent(rr.namespace ?? '');
    const name = encodeURIComponent(rr.name!);
    const c = encodeURIComponent(container);
    const paths: Record<string, string> = {
      exec: `/exec/${ns}/${name}/${c}`,
      attach: `/attach/${ns}/${name}/${c}`,
      portforward: `/portForward/${ns}/${name}`,
      log: `/containerLogs/${ns}/${name}/${c}`,
    };
    const qs = query.toString();
    return { proxy: { host: '127.0.0.1', port, path: paths[rr.subresource!] + (qs ? `?${qs}` : '') } };
  }

  /** The container a log/exec/attach request means (validateContainer's rules and words). */
  function containerFor(pod: KubeObject & { spec: { containers?: { name: string }[] } }, query: URLSearchParams, rr: ResourceRequest): string {
    const container = query.get('container') ?? '';
    const names = (pod.spec.containers ?? []).map((c) => c.name);
    if (!container) {
      if (names.length !== 1)
        throw ApiError.badRequest(`a container name must be specified for pod ${rr.name}, choose one of: [${names.join(' ')}]`);
      return names[0];
    }
    if (!names.includes(container)) throw ApiError.badRequest(`container ${container} is not valid for pod ${rr.name}`);
    return container;
  }

  /** {deployments,replicasets}/{name}/scale: an autoscaling/v1 Scale view (GET, PUT, PATCH), as ScaleREST. */
  async function scale(req: ApiRequest, rr: ResourceRequest): Promise<ApiResponse> {
    const method = req.method.toUpperCase();
    if (method === 'GET') return respond(200, scaleOf(await store.get(rr.r, rr.namespace, rr.name!)), req, undefined);
    if (method !== 'PUT' && method !== 'PATCH') throw notAllowed(rr, method.toLowerCase());
    const ct = header(req.headers, 'content-type').split(';')[0].trim().toLowerCase();
    let doc: unknown;
    if (method === 'PUT') doc = decodeBody(req);
    else {
      const types = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
      if (!types.includes(ct)) throw ApiError.unsupportedMediaType(types);
      try {
        doc = JSON.parse(req.body.toString('utf8'));
      } catch (err) {
        throw ApiError.badRequest(`error decoding patch: ${(err as Error).message}`);
      }
    }
    const pm = peers.patch ?? {};
    const { object } = await store.update(rr.r, rr.namespace, rr.name!, writeContext(req, 'Update', 'scale'), (old) => {
      const current = scaleOf(old!);
      let next: unknown = doc;
      // A Scale has no lists, so a strategic merge patch is a merge patch.
      if (method === 'PATCH' && ct === 'application/json-patch+json') next = pm.applyJsonPatch ? pm.applyJsonPatch(current, doc) : jsonPatch(current, doc);
      else if (method === 'PATCH') next = pm.applyMergePatch ? pm.applyMergePatch(current, doc) : mergePatch(current, doc);
      if (!isObject(next)) throw ApiError.badRequest('the body of the request must be an object');
      const errs = validateScale(next as unknown as Scale);
      if (errs.length) throw ApiError.invalid('Scale', 'autoscaling', rr.name!, errs);
      return applyScale(old!, next as unknown as Scale);
    }, { subresource: 'scale' });
    return respond(200, scaleOf(object), req, undefined);
  }

  /** A verb the resource's routes do not install: go-restful's 405, as the apiserver answers. */
  function notAllowed(_rr: ResourceRequest, _verb: string): ApiError {
    return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
  }

  async function resourceRequest(req: ApiRequest, rr: ResourceRequest): Promise<ApiResponse> {
    const method = req.method.toUpperCase();
    const has = (v: string): boolean => (rr.r.verbs as string[]).includes(v);
    const sub = rr.subresource;
    if (sub && ['exec', 'attach', 'portforward', 'log'].includes(sub)) {
      if (sub === 'log' && method !== 'GET') throw notAllowed(rr, method.toLowerCase());
      return nodeProxy(req, rr);
    }
    if (rr.r.namespaced && rr.namespace === undefined && rr.name !== undefined) throw ApiError.noSuchPath();
    if (sub === 'scale') return scale(req, rr);
    switch (method) {
      case 'GET':
        if (rr.name === undefined) {
          if (rr.watchPath || boolParam(req.query, 'watch')) {
            if (!has('watch')) throw notAllowed(rr, 'watch');
            return watch(req, rr);
          }
          if (!has('list')) throw notAllowed(rr, 'list');
          return list(req, rr);
        }
        if (rr.watchPath) {
          // /watch/…/{name}: a watch of one object.
          req.query.set('fieldSelector', [req.query.get('fieldSelector'), `metadata.name=${rr.name}`].filter(Boolean).join(','));
          return watch(req, { ...rr, name: undefined });
        }
        return respond(200, await store.get(rr.r, rr.namespace, rr.name), req, rr.r);
      case 'POST':
        if (sub === 'binding') return binding(req, rr);
        if (rr.name !== undefined) throw notAllowed(rr, 'create');
        if (rr.r.namespaced && rr.namespace === undefined) throw ApiError.noSuchPath();
        if (!has('create')) throw notAllowed(rr, 'create');
        return create(req, rr);
      case 'PUT':
        if (rr.name === undefined || !has('update')) throw notAllowed(rr, 'update');
        return update(req, rr);
      case 'PATCH':
        if (rr.name === undefined || !has('patch')) throw notAllowed(rr, 'patch');
        return patch(req, rr);
      case 'DELETE':
        if (rr.name === undefined) {
          if (!has('deletecollection')) throw notAllowed(rr, 'deletecollection');
          return deleteCollection(req, rr);
        }
        if (!has('delete')) throw notAllowed(rr, 'delete');
        return del(req, rr);
      default:
        throw notAllowed(rr, method.toLowerCase());
    }
  }

  function health(req: ApiRequest, endpoint: HealthEndpoint): ApiResponse {
    const { ok, text: body } = healthText(endpoint, req.query.has('verbose'), req.query.getAll('exclude'), []);
    return text(ok ? 200 : 500, body);
  }

  async function openapi(req: ApiRequest, path: string): Promise<ApiResponse> {
    const oa = peers.openapi;
    let doc: unknown;
    const protobufV2 = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
    if (path === '/openapi/v2' && header(req.headers, 'accept').includes(protobufV2) && oa?.openapiV2Protobuf)
      // kube-openapi answers the @-spelled type (which Go's mime parser refuses) as octet-stream.
      return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from(oa.openapiV2Protobuf()) };
    if (path === '/openapi/v2') doc = oa?.openapiV2?.();
    else if (path === '/openapi/v3') doc = oa?.openapiV3Paths?.();
    else doc = oa?.openapiV3Document?.(path.slice('/openapi/v3/'.length));
    if (doc === undefined || doc === null) throw ApiError.noSuchPath();
    if (typeof doc === 'string' || Buffer.isBuffer(doc)) return { status: 200, headers: jsonHeaders, body: doc };
    return json(200, doc);
  }

  async function route(req: ApiRequest): Promise<ApiResponse> {
    const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
    const method = req.method.toUpperCase();
    if (method === 'GET' || method === 'HEAD') {
      switch (path) {
        case '/':
          return json(200, rootPaths());
        case '/version':
          return json(200, serverVersion);
        case '/livez':
        case '/readyz':
        case '/healthz':
          return health(req, path.slice(1) as HealthEndpoint);
        case '/api':
          return json(200, apiVersions(options.serverAddress ?? '127.0.0.1:6443'));
        case '/apis':
          return json(200, apiGroupList());
      }
      if (/^\/(livez|readyz|healthz)\/[\w/-]+$/.test(path)) return text(200, 'ok');
      if (path === '/openapi/v2' || path === '/openapi/v3' || path.startsWith('/openapi/v3/')) return openapi(req, path);
      let m = path.match(/^\/api\/([^/]+)$/);
      if (m) {
        const list = apiResourceList('', m[1]);
        if (list) return json(200, list);
      }
      m = path.match(/^\/apis\/([^/]+)$/);
      if (m) {
        const g = apiGroupDoc(m[1]);
        if (g) return json(200, g);
      }
      m = path.match(/^\/apis\/([^/]+)\/([^/]+)$/);
      if (m) {
        const list = apiResourceList(m[1], m[2]);
        if (list) return json(200, list);
      }
    }
    const rr = parseResourcePath(path);
    if (!rr) throw ApiError.noSuchPath();
    return resourceRequest(req, rr);
  }

  return {
    store,
    async handle(req) {
      try {
        return await route(req);
      } catch (err) {
        return errorResponse(err);
      }
    },
    async close() {
      store.close();
      for (const q of [...openStreams]) q.end();
    },
  };
}

export { resources };

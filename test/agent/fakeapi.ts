// A minimal in-memory Kubernetes API server for the agent's tests and benchmark, until clusterip's own API
// server lands: list (with spec.nodeName / metadata.name field selectors), watch with resourceVersion replay,
// get, create, update, JSON merge patch (also on /status), delete with graceful pod deletion (a pod bound to
// a node gets deletionTimestamp; the agent's final delete with gracePeriodSeconds=0 removes it).
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

type Obj = { metadata: Record<string, unknown> & { name?: string; namespace?: string; uid?: string; resourceVersion?: string }; [k: string]: unknown };

interface Parsed {
  group: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
}

const kinds: Record<string, string> = { pods: 'Pod', nodes: 'Node', services: 'Service', events: 'Event', leases: 'Lease', namespaces: 'Namespace' };

function parsePath(p: string): Parsed | undefined {
  const parts = p.split('/').filter(Boolean);
  let group: string;
  if (parts[0] === 'api' && parts[1] === 'v1') {
    group = 'v1';
    parts.splice(0, 2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = `${parts[1]}/${parts[2]}`;
    parts.splice(0, 3);
  } else return undefined;
  let namespace: string | undefined;
  if ((parts[0] as string) === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts.splice(0, 2);
  }
  const [resource, name, subresource] = parts;
  if (!resource) return undefined;
  return { group, namespace, resource, name, subresource };
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function fieldValue(o: Obj, path: string): string {
  let cur: unknown = o;
  for (const part of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  return cur === undefined || cur === null ? '' : String(cur);
}

function matches(o: Obj, fieldSelector: string | null, labelSelector: string | null): boolean {
  for (const term of (fieldSelector ?? '').split(',').filter(Boolean)) {
    const [k = '', v = ''] = term.split('=');
    if (fieldValue(o, k.replace(/=$/, '')) !== v) return false;
  }
  const labels = (o.metadata.labels ?? {}) as Record<string, string>;
  for (const term of (labelSelector ?? '').split(',').filter(Boolean)) {
    const [k = '', v = ''] = term.split('=');
    if (labels[k] !== v) return false;
  }
  return true;
}

interface Watcher {
  key: string;
  namespace?: string;
  fieldSelector: string | null;
  labelSelector: string | null;
  res: http.ServerResponse;
}

export class FakeApiServer {
  private readonly objects = new Map<string, Obj>();
  private readonly history: { rv: number; key: string; type: string; object: Obj }[] = [];
  private readonly watchers = new Set<Watcher>();
  private rv = 1;
  private server: http.Server | undefined;
  url = '';
  requests = 0;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests++;
        try {
          this.handle(req, res, Buffer.concat(chunks).toString('utf8'));
        } catch (err) {
          this.status(res, 500, 'InternalError', (err as Error).message);
        }
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Direct access for tests. */
  get(resource: string, namespace: string | undefined, name: string): Obj | undefined {
    return this.objects.get(this.key(resource, namespace, name));
  }

  list(resource: string): Obj[] {
    return [...this.objects.entries()].filter(([k]) => k.startsWith(`${resource}/`)).map(([, o]) => o);
  }

  private key(resource: string, namespace: string | undefined, name: string): string {
    return `${resource}/${namespace ?? ''}/${name}`;
  }

  private status(res: http.ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, message, code }));
  }

  private json(res: http.ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private record(type: string, key: string, object: Obj): void {
    this.history.push({ rv: Number(object.metadata.resourceVersion), key, type, object });
    if (this.history.length > 10000) this.history.splice(0, 1000);
    for (const w of this.watchers) this.deliver(w, type, key, object);
  }

  private deliver(w: Watcher, type: string, key: string, object: Obj): void {
    if (!key.startsWith(w.key)) return;
    if (w.namespace !== undefined && object.metadata.namespace !== w.namespace) return;
    if (!matches(object, w.fieldSelector, w.labelSelector)) return;
    w.res.write(`${JSON.stringify({ type, object })}\n`);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = parsePath(url.pathname);
    if (!p) return this.status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const kind = kinds[p.resource] ?? p.resource;
    const key = p.name ? this.key(p.resource, p.namespace, p.name) : '';
    const method = req.method ?? 'GET';
    if (method === 'GET' && !p.name) {
      if (url.searchParams.get('watch') === 'true') {
        const w: Watcher = {
          key: `${p.resource}/`,
          namespace: p.namespace,
          fieldSelector: url.searchParams.get('fieldSelector'),
          labelSelector: url.searchParams.get('labelSelector'),
          res,
        };
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        const from = Number(url.searchParams.get('resourceVersion') ?? 0);
        for (const h of this.history) if (h.rv > from) this.deliver(w, h.type, h.key, h.object);
        this.watchers.add(w);
        res.on('close', () => this.watchers.delete(w));
        return;
      }
      const items = [...this.objects.entries()]
        .filter(([k, o]) => k.startsWith(`${p.resource}/`) && (p.namespace === undefined || o.metadata.namespace === p.namespace))
        .map(([, o]) => o)
        .filter((o) => matches(o, url.searchParams.get('fieldSelector'), url.searchParams.get('labelSelector')));
      return this.json(res, 200, { kind: `${kind}List`, apiVersion: p.group, metadata: { resourceVersion: String(this.rv) }, items });
    }
    if (method === 'GET') {
      const o = this.objects.get(key);
      return o ? this.json(res, 200, o) : this.status(res, 404, 'NotFound', `${p.resource} "${p.name}" not found`);
    }
    const parsed = body ? (JSON.parse(body) as Obj) : undefined;
    if (method === 'POST') {
      if (!parsed) return this.status(res, 400, 'BadRequest', 'no body');
      const name = parsed.metadata.name ?? `${String(parsed.metadata.generateName ?? 'x')}${randomUUID().slice(0, 5)}`;
      const k = this.key(p.resource, p.namespace, name);
      if (this.objects.has(k)) return this.status(res, 409, 'AlreadyExists', `${p.resource} "${name}" already exists`);
      const o: Obj = {
        ...parsed,
        apiVersion: p.group,
        kind,
        metadata: {
          ...parsed.metadata,
          name,
          ...(p.namespace ? { namespace: p.namespace } : {}),
          uid: randomUUID(),
          creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          resourceVersion: String(++this.rv),
        },
      };
      this.objects.set(k, o);
      this.record('ADDED', k, o);
      return this.json(res, 201, o);
    }
    const existing = this.objects.get(key);
    if (!existing) return this.status(res, 404, 'NotFound', `${p.resource} "${p.name}" not found`);
    if (method === 'PUT' || method === 'PATCH') {
      let next: Obj;
      if (method === 'PUT') next = { ...(parsed as Obj), metadata: { ...existing.metadata, ...(parsed as Obj).metadata } };
      else next = mergePatch(existing, p.subresource === 'status' ? { status: (parsed as Obj).status } : parsed) as Obj;
      next.metadata = { ...next.metadata, uid: existing.metadata.uid, resourceVersion: String(++this.rv) };
      this.objects.set(key, next);
      this.record('MODIFIED', key, next);
      return this.json(res, 200, next);
    }
    if (method === 'DELETE') {
      const opts = (parsed ?? {}) as { gracePeriodSeconds?: number; preconditions?: { uid?: string } };
      if (opts.preconditions?.uid && opts.preconditions.uid !== existing.metadata.uid) {
        return this.status(res, 409, 'Conflict', 'Precondition failed: UID in precondition does not match');
      }
      const spec = (existing.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
      if (p.resource === 'pods' && spec.nodeName && opts.gracePeriodSeconds !== 0) {
        if (!existing.metadata.deletionTimestamp) {
          const next: Obj = {
            ...existing,
            metadata: {
              ...existing.metadata,
              deletionTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
              deletionGracePeriodSeconds: opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30,
              resourceVersion: String(++this.rv),
            },
          };
          this.objects.set(key, next);
          this.record('MODIFIED', key, next);
          return this.json(res, 200, next);
        }
        return this.json(res, 200, existing);
      }
      this.objects.delete(key);
      const gone: Obj = { ...existing, metadata: { ...existing.metadata, resourceVersion: String(++this.rv) } };
      this.record('DELETED', key, gone);
      return this.json(res, 200, gone);
    }
    return this.status(res, 405, 'MethodNotAllowed', 'method not allowed');
  }
}

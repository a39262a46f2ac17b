// A small Kubernetes REST client for clusterip's own components (controllers, agent, proxy, DNS). It speaks
// the same API kubectl does, over TCP (`http://127.0.0.1:6443`) or a unix socket (`unix:///path/api.sock`):
// a file path crosses network namespaces where loopback does not, so components inside a pod or node
// namespace reach the API server that way.
import http from 'node:http';
import type { KubeList, KubeObject, Status, WatchEvent } from '../api/index.ts';

export interface ClientConfig {
  /** `http://host:port` or `unix:///absolute/path.sock`. */
  server: string;
  /** Bearer token, when the server asks for one. */
  token?: string;
  /** Sent as User-Agent (the apiserver records it as the field manager for writes without one). */
  userAgent?: string;
}

/** A failed API call: the server's Status (or one made up for transport failures, code 0). */
export class ApiError extends Error {
  readonly status: Status;
  readonly code: number;
  readonly reason: string;

  constructor(status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = status.code;
    this.reason = status.reason ?? '';
  }
}

export interface ResourceRef {
  group?: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** `/api/v1/namespaces/ns/services/name/status` and friends. */
export function resourcePath(ref: ResourceRef): string {
  let path = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  if (ref.namespace !== undefined) path += `/namespaces/${encodeURIComponent(ref.namespace)}`;
  path += `/${ref.resource}`;
  if (ref.name !== undefined) path += `/${encodeURIComponent(ref.name)}`;
  if (ref.subresource !== undefined) path += `/${ref.subresource}`;
  return path;
}

export type Query = Record<string, string | number | boolean | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export interface WatchHandle {
  stop(): void;
  /** Resolves when the stream ends (server closed it, or stop()); rejects on transport errors. */
  done: Promise<void>;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';
const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export class ApiClient {
  readonly config: ClientConfig;
  private readonly agent: http.Agent;
  private readonly target: { socketPath?: string; host?: string; port?: number };

  constructor(config: ClientConfig) {
    this.config = config;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    if (config.server.startsWith('unix://')) {
      this.target = { socketPath: config.server.slice('unix://'.length) };
    } else {
      const url = new URL(config.server);
      this.target = { host: url.hostname, port: Number(url.port || 80) };
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private open(method: string, path: string, body: string | undefined, contentType: string): http.ClientRequest {
    const headers: http.OutgoingHttpHeaders = {
      Accept: 'application/json',
      'User-Agent': this.config.userAgent ?? 'clusterip',
    };
    if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`;
    if (body !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const req = http.request({ ...this.target, agent: this.agent, method, path, headers });
    if (body !== undefined) req.write(body);
    req.end();
    return req;
  }

  /** One request; resolves with the decoded JSON body, rejects with ApiError on a non-2xx answer. */
  request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = this.open(method, path, payload, contentType);
      req.on('error', (err) => reject(transportError(err)));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(transportError(err)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          if (code >= 200 && code < 300) resolve(parsed as T);
          else reject(new ApiError(asStatus(parsed, code, text)));
        });
      });
    });
  }

  get<T extends KubeObject>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', withQuery(path, query));
  }

  list<T extends KubeObject>(path: string, query?: Query): Promise<KubeList<T>> {
    return this.request<KubeList<T>>('GET', withQuery(path, query));
  }

  create<T extends KubeObject>(path: string, body: T, query?: Query): Promise<T> {
    return this.request<T>('POST', withQuery(path, query), body);
  }

  update<T extends KubeObject>(path: string, body: T, query?: Query): Promise<T> {
    return this.request<T>('PUT', withQuery(path, query), body);
  }

  patch<T extends KubeObject>(path: string, patch: unknown, type: PatchType = 'merge', query?: Query): Promise<T> {
    return this.request<T>('PATCH', withQuery(path, query), patch, patchContentTypes[type]);
  }

  delete<T = Status>(path: string, options?: Record<string, unknown>, query?: Query): Promise<T> {
    return this.request<T>('DELETE', withQuery(path, query), options ?? undefined);
  }

  /**
   * A watch stream: `?watch=true` on a list path. Calls onEvent per event in order. An ERROR event whose
   * Status has code 410 means the resourceVersion is too old: the caller relists.
   */
  watch<T extends KubeObject>(path: string, query: Query, onEvent: (event: WatchEvent<T>) => void): WatchHandle {
    let req: http.ClientRequest | undefined;
    let stopped = false;
    const done = new Promise<void>((resolve, reject) => {
      req = this.open('GET', withQuery(path, { ...query, watch: true }), undefined, '');
      req.on('error', (err) => (stopped ? resolve() : reject(transportError(err))));
      req.on('response', (res) => {
        const code = res.statusCode ?? 0;
        if (code < 200 || code >= 300) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            reject(new ApiError(asStatus(parsed, code, text)));
          });
          return;
        }
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (line && !stopped) onEvent(JSON.parse(line) as WatchEvent<T>);
          }
        });
        res.on('end', () => resolve());
        res.on('error', (err) => (stopped ? resolve() : reject(transportError(err))));
        res.on('close', () => resolve());
      });
    });
    return {
      stop: () => {
        stopped = true;
        req?.destroy();
      },
      done,
    };
  }
}

function transportError(err: Error): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    reason: 'ServiceUnavailable',
    message: `cannot reach the API server: ${err.message}`,
    code: 0,
  });
}

function asStatus(parsed: unknown, code: number, text: string): Status {
  if (parsed && typeof parsed === 'object' && (parsed as { kind?: unknown }).kind === 'Status') {
    return parsed as Status;
  }
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: text.slice(0, 500) || `HTTP ${code}`,
    code,
  };
}

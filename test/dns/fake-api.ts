// A fake API server for the DNS tests: serves lists of Services, EndpointSlices and Namespaces and keeps
// watch streams open so a test can push events (or answer them 410 Gone, forcing a relist).
import http from 'node:http';
import type { KubeObject } from '../../src/api/index.ts';

const lists: Record<string, string> = {
  '/api/v1/services': 'ServiceList',
  '/apis/discovery.k8s.io/v1/endpointslices': 'EndpointSliceList',
  '/api/v1/namespaces': 'NamespaceList',
};

/** Serves lists from `state` and keeps watch streams open so the test can push events. */
export class FakeAPI {
  state: Record<string, KubeObject[]>;
  rv: number;
  /** Answer every watch with 410 Gone (history compacted): clients must relist. */
  gone = false;
  private readonly watches = new Map<string, http.ServerResponse[]>();
  private readonly server: http.Server;

  constructor(state: Record<string, KubeObject[]>, rv: number) {
    this.state = state;
    this.rv = rv;
    this.server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const kind = lists[url.pathname];
      if (!kind) {
        res.writeHead(404).end();
        return;
      }
      if (url.searchParams.get('watch') === 'true') {
        if (this.gone) {
          res.writeHead(410, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Expired', message: 'too old resource version', code: 410 }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        const open = this.watches.get(url.pathname) ?? [];
        open.push(res);
        this.watches.set(url.pathname, open);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind, apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) }, items: this.state[url.pathname] ?? [] }));
    });
  }

  listen(socketPath: string): Promise<void> {
    return new Promise((resolve) => this.server.listen(socketPath, () => resolve()));
  }

  push(listPath: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): void {
    this.rv++;
    const withRV = { ...object, metadata: { ...object.metadata, resourceVersion: String(this.rv) } };
    for (const res of this.watches.get(listPath) ?? []) res.write(`${JSON.stringify({ type, object: withRV })}\n`);
  }

  close(): Promise<void> {
    for (const open of this.watches.values()) for (const res of open) res.destroy();
    this.watches.clear();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export function ns(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, resourceVersion: '1' } };
}


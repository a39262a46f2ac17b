// The proxy's HTTP endpoints: /healthz (kube-proxy's JSON and status semantics) and /metrics (Prometheus).
import http from 'node:http';
import type { Proxier } from './proxier.ts';

/** Serves /healthz, /livez and /metrics for a proxier; resolves with the server once listening. */
export function serveHealthz(proxier: Proxier, port: number, host = '127.0.0.1'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/livez') {
      const { status, body } = proxier.healthz();
      res.writeHead(status, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
      res.end(JSON.stringify(body));
      return;
    }
    if (path === '/metrics') {
      proxier.registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'Content-Type': proxier.registry.contentType });
          res.end(text);
        })
        .catch((err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        });
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('404 page not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

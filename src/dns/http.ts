// The DNS pod's HTTP side, as CoreDNS' health (:8080/health → 200 "OK"), ready (/ready → 200 once the
// Kubernetes caches synced) and prometheus (:9153/metrics) plugins. One port may serve all three.
import http from 'node:http';
import type { DnsMetrics } from './metrics.ts';

export interface HttpEndpointsOptions {
  host?: string;
  healthPort: number;
  metricsPort: number;
  ready: () => boolean;
  metrics?: DnsMetrics;
}

export interface HttpEndpoints {
  healthPort: number;
  metricsPort: number;
  close(): Promise<void>;
}

function handler(options: HttpEndpointsOptions, serve: { health: boolean; metrics: boolean }): http.RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (serve.health && path === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    } else if (serve.health && path === '/ready') {
      if (options.ready()) res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      else res.writeHead(503, { 'content-type': 'text/plain' }).end('kubernetes');
    } else if (serve.metrics && path === '/metrics' && options.metrics) {
      const metrics = options.metrics;
      metrics.text().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
    }
  };
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

export async function startHttpEndpoints(options: HttpEndpointsOptions): Promise<HttpEndpoints> {
  const host = options.host ?? '0.0.0.0';
  const servers: http.Server[] = [];
  let healthPort: number;
  let metricsPort: number;
  if (options.healthPort === options.metricsPort && options.healthPort !== 0) {
    const server = http.createServer(handler(options, { health: true, metrics: true }));
    servers.push(server);
    healthPort = metricsPort = await listen(server, options.healthPort, host);
  } else {
    const health = http.createServer(handler(options, { health: true, metrics: false }));
    const metrics = http.createServer(handler(options, { health: false, metrics: true }));
    servers.push(health, metrics);
    healthPort = await listen(health, options.healthPort, host);
    metricsPort = await listen(metrics, options.metricsPort, host);
  }
  return {
    healthPort,
    metricsPort,
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}

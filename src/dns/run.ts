// Wires the cluster DNS together: informers (Services, EndpointSlices, Namespaces) → index → server, plus the
// forwarder, metrics and HTTP endpoints. The informers relist and rewatch on their own; while the API server
// is away the index keeps its last state and the server keeps answering from it.
import fs from 'node:fs';
import type { EndpointSlice, Namespace, Service } from '../api/index.ts';
import { ApiClient, Informer } from '../client/index.ts';
import type { PodMode } from './answer.ts';
import { ClusterIndex } from './cluster-index.ts';
import { Forwarder } from './forwarder.ts';
import { startHttpEndpoints, type HttpEndpoints } from './http.ts';
import { DnsMetrics } from './metrics.ts';
import { resolvConfPaths, upstreamsFromResolvConf, type Upstream } from './resolv-conf.ts';
import { DnsServer } from './server.ts';

export interface ClusterDNSConfig {
  host: string;
  port: number;
  /** `http://host:port` or `unix:///path/api.sock`. */
  api: string;
  token?: string;
  zone: string;
  ttl: number;
  pods: PodMode;
  healthPort: number;
  metricsPort: number;
  /** Overrides the host's resolv.conf (tests point this at a fake upstream). */
  upstreams?: Upstream[];
  forwardTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface ClusterDNS {
  index: ClusterIndex;
  server: DnsServer;
  http: HttpEndpoints;
  port: number;
  upstreams: readonly Upstream[];
  synced: Promise<void>;
  stop(): Promise<void>;
}

/** The host's upstream resolvers: systemd-resolved's real list when present, else /etc/resolv.conf. */
export function hostUpstreams(): Upstream[] {
  for (const path of resolvConfPaths) {
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    return upstreamsFromResolvConf(text);
  }
  return [];
}

export async function startClusterDNS(config: ClusterDNSConfig): Promise<ClusterDNS> {
  const log = config.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const index = new ClusterIndex();
  const upstreams = config.upstreams ?? hostUpstreams();
  const forwarder = new Forwarder({ upstreams, timeoutMs: config.forwardTimeoutMs });
  const metrics = new DnsMetrics({ server: `dns://${config.host === '0.0.0.0' || config.host === '::' ? '' : config.host}:${config.port}` });
  const server = new DnsServer({
    index,
    answer: { zone: config.zone, ttl: config.ttl, pods: config.pods },
    forwarder,
    metrics,
    host: config.host,
    port: config.port,
  });
  const { port } = await server.start();
  const http = await startHttpEndpoints({
    healthPort: config.healthPort,
    metricsPort: config.metricsPort,
    ready: () => index.synced,
    metrics,
  });

  const client = new ApiClient({ server: config.api, token: config.token, userAgent: 'clusterip-dns' });
  const onError = (what: string) => (err: Error) => log(`dns: ${what}: ${err.message}`);
  const services = new Informer<Service>(client, { path: '/api/v1/services', onError: onError('services') });
  services
    .on('add', (s) => index.upsertService(s))
    .on('update', (s) => index.upsertService(s))
    .on('delete', (s) => index.deleteService(s));
  const slices = new Informer<EndpointSlice>(client, {
    path: '/apis/discovery.k8s.io/v1/endpointslices',
    onError: onError('endpointslices'),
  });
  slices
    .on('add', (s) => index.upsertEndpointSlice(s))
    .on('update', (s) => index.upsertEndpointSlice(s))
    .on('delete', (s) => index.deleteEndpointSlice(s));
  // Namespaces tell `<ns>.svc.<zone>` NODATA from NXDOMAIN for namespaces without Services (CoreDNS watches them too).
  const namespaces = new Informer<Namespace>(client, { path: '/api/v1/namespaces', onError: onError('namespaces') });
  namespaces
    .on('add', (n) => index.upsertNamespace(n))
    .on('update', (n) => index.upsertNamespace(n))
    .on('delete', (n) => index.deleteNamespace(n));
  const synced = Promise.all([services.start(), slices.start(), namespaces.start()]).then(() => {
    index.markSynced();
    const size = index.size;
    log(`dns: synced ${size.services} services, ${size.endpointSlices} endpointslices, ${size.namespaces} namespaces`);
  });

  return {
    index,
    server,
    http,
    port,
    upstreams,
    synced,
    stop: async () => {
      services.stop();
      slices.stop();
      namespaces.stop();
      client.close();
      forwarder.close();
      await Promise.all([server.stop(), http.close()]);
    },
  };
}

// clusterip-proxy: one per node. Watches Services and EndpointSlices and programs the node's network namespace.
//   node src/proxy/main.ts --node node-a --netns cip-node-a --api unix:///run/clusterip/api.sock \
//     --cluster-cidr 10.244.0.0/16 --healthz-port 10256
import { Command } from 'commander';
import type { EndpointSlice, Service } from '../api/index.ts';
import { ApiClient, Informer } from '../client/index.ts';
import { Executor, NetnsRunner } from './executor.ts';
import { serveHealthz } from './healthz.ts';
import { Proxier } from './proxier.ts';

interface Options {
  node: string;
  netns: string;
  api: string;
  clusterCidr: string;
  healthzPort: string;
  healthzAddress: string;
  minSyncPeriod: string;
  token?: string;
}

function log(level: 'info' | 'error', message: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, component: 'proxy', msg: message, ...fields }) + '\n');
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('clusterip-proxy')
    .requiredOption('--node <name>', 'this node’s name (for internalTrafficPolicy Local)')
    .requiredOption('--netns <name>', 'the node network namespace to program (/run/netns/<name>)')
    .requiredOption('--api <url>', 'API server: http://host:port or unix:///path.sock')
    .option('--cluster-cidr <cidrs>', 'pod network ranges, comma-separated (off-cluster sources are masqueraded)', '')
    .option('--healthz-port <port>', 'port for /healthz and /metrics (0: off)', '10256')
    .option('--healthz-address <ip>', 'address for /healthz and /metrics', '127.0.0.1')
    .option('--min-sync-period <ms>', 'changes within this window go out together', '10')
    .option('--token <token>', 'bearer token for the API server');
  program.parse(argv);
  const opts = program.opts<Options>();

  const client = new ApiClient({ server: opts.api, token: opts.token, userAgent: `clusterip-proxy/${opts.node}` });
  const runner = new NetnsRunner(opts.netns);
  const executor = new Executor(runner, {
    onConntrackError: (err) => log('error', 'conntrack clean-up failed', { error: err.message }),
  });
  const proxier = new Proxier({
    config: { nodeName: opts.node, clusterCIDRs: opts.clusterCidr.split(',').map((s) => s.trim()).filter(Boolean) },
    executor,
    minSyncPeriodMs: Number(opts.minSyncPeriod),
    log,
  });

  const onError = (err: Error) => log('error', 'watch failed; retrying', { error: err.message });
  const services = new Informer<Service>(client, { path: '/api/v1/services', onError });
  services
    .on('add', (s) => proxier.upsertService(s))
    .on('update', (s) => proxier.upsertService(s))
    .on('delete', (s) => proxier.deleteService(s));
  const slices = new Informer<EndpointSlice>(client, { path: '/apis/discovery.k8s.io/v1/endpointslices', onError });
  slices
    .on('add', (s) => proxier.upsertEndpointSlice(s))
    .on('update', (s) => proxier.upsertEndpointSlice(s))
    .on('delete', (s) => proxier.deleteEndpointSlice(s));

  const port = Number(opts.healthzPort);
  const server = port > 0 ? await serveHealthz(proxier, port, opts.healthzAddress) : undefined;
  // As kube-proxy: the first sync waits for both initial lists, so it never programs a partial view.
  await Promise.all([services.start(), slices.start()]);
  proxier.start();
  log('info', 'proxy started', { node: opts.node, netns: opts.netns });

  const shutdown = async () => {
    services.stop();
    slices.stop();
    await proxier.stop();
    runner.close();
    server?.close();
    client.close();
    // Rules stay: a restarted proxy adopts them and established flows are never interrupted.
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

if (import.meta.main) {
  main(process.argv).catch((err: unknown) => {
    log('error', 'proxy failed', { error: (err as Error).message });
    process.exit(1);
  });
}

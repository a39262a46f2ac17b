// clusterip's cluster DNS, as CoreDNS in a kubeadm cluster:
//   node src/dns/main.ts --listen 0.0.0.0:53 --api unix:///run/clusterip/api.sock --zone cluster.local --ttl 5 \
//     --health-port 8080 --metrics-port 9153 --pods disabled
import { Command, InvalidArgumentError } from 'commander';
import { parseUpstream } from './resolv-conf.ts';
import { startClusterDNS } from './run.ts';

function hostPort(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  if (!m) throw new InvalidArgumentError(`expected host:port, got "${text}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}

function integer(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, got "${text}"`);
  return n;
}

const program = new Command()
  .name('clusterip-dns')
  .description('Cluster DNS for clusterip (the kubernetes/dns specification, CoreDNS behaviour)')
  .option('--listen <host:port>', 'DNS address (UDP and TCP)', '0.0.0.0:53')
  .option('--api <url>', 'API server: http://host:port or unix:///path/api.sock (default: $CLUSTERIP_API)', process.env.CLUSTERIP_API)
  .option('--token <token>', 'bearer token for the API server')
  .option('--zone <domain>', 'cluster domain', 'cluster.local')
  .option('--ttl <seconds>', 'TTL of answers', integer, 5)
  .option('--health-port <port>', '/health and /ready', integer, 8080)
  .option('--metrics-port <port>', '/metrics (Prometheus)', integer, 9153)
  .option('--pods <mode>', 'pod records: disabled | insecure', 'disabled')
  .option(
    '--upstream <ip:port>',
    'an upstream resolver, repeatable (default: the host resolv.conf, loopback skipped)',
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  )
  .option('--forward-timeout <ms>', 'upstream timeout per attempt', integer, 2000)
  // A CoreDNS pod spec may still pass CoreDNS' own flags (`-conf /etc/coredns/Corefile`): ignored.
  .allowUnknownOption()
  .allowExcessArguments();

program.parse();
const opts = program.opts<{
  listen: string;
  api?: string;
  token?: string;
  zone: string;
  ttl: number;
  healthPort: number;
  metricsPort: number;
  pods: string;
  upstream?: string[];
  forwardTimeout: number;
}>();
const api: string = opts.api ?? program.error('error: --api (or $CLUSTERIP_API) is required: http://host:port or unix:///path/api.sock');

function listenAddress(): { host: string; port: number } {
  try {
    return hostPort(opts.listen);
  } catch (err) {
    return program.error(`error: --listen: ${(err as Error).message}`);
  }
}
const listen = listenAddress();
if (opts.pods !== 'disabled' && opts.pods !== 'insecure') {
  program.error(`error: --pods must be "disabled" or "insecure", got "${opts.pods}"`);
}

const dns = await startClusterDNS({
  host: listen.host,
  port: listen.port,
  api,
  token: opts.token,
  zone: opts.zone.replace(/\.$/, '').toLowerCase(),
  ttl: opts.ttl,
  pods: opts.pods === 'insecure' ? 'insecure' : 'disabled',
  healthPort: opts.healthPort,
  metricsPort: opts.metricsPort,
  upstreams: opts.upstream?.map(parseUpstream),
  forwardTimeoutMs: opts.forwardTimeout,
});
process.stderr.write(
  `dns: serving ${opts.zone} on ${listen.host}:${dns.port} (udp+tcp), health :${dns.http.healthPort}, ` +
    `metrics :${dns.http.metricsPort}, upstreams ${dns.upstreams.map((u) => `${u.host}:${u.port}`).join(' ') || '(none)'}\n`,
);
const shutdown = (): void => {
  void dns.stop().then(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

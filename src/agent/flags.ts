// The agent's command line (pure parsing).
import { parseCidrList } from './network/cidr.ts';
import { KUBELET_BACKOFF } from './status.ts';
import type { AgentConfig } from './config.ts';

export const USAGE = `usage: node src/agent/main.ts --cluster NAME --node NAME --api URL --data-dir DIR
    --pod-cidr 10.244.1.0/24[,fd00:10:244:1::/64] --node-ip 172.31.0.N/24 --kubelet-port P
    [--cluster-dns 10.96.0.10] [--cluster-domain cluster.local] [--service-cidr 10.96.0.0/12]
    [--api-socket /path/api.sock] [--backoff-initial 10s] [--backoff-max 5m] [--heartbeat 10s]`;

/** `10s`, `5m`, `250ms`, or a plain number of seconds. */
export function parseDurationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`invalid duration "${text}"`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000));
}

export function parseAgentFlags(argv: string[]): AgentConfig {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"\n${USAGE}`);
    const eq = arg.indexOf('=');
    if (eq > 0) values.set(arg.slice(2, eq), arg.slice(eq + 1));
    else {
      const v = argv[i + 1];
      if (v === undefined) throw new Error(`flag ${arg} needs a value\n${USAGE}`);
      values.set(arg.slice(2), v);
      i++;
    }
  }
  const need = (name: string): string => {
    const v = values.get(name);
    if (!v) throw new Error(`missing --${name}\n${USAGE}`);
    return v;
  };
  const known = new Set([
    'cluster', 'node', 'api', 'data-dir', 'pod-cidr', 'node-ip', 'kubelet-port', 'cluster-dns', 'cluster-domain',
    'service-cidr', 'api-socket', 'backoff-initial', 'backoff-max', 'heartbeat', 'image-pull-backoff',
  ]);
  for (const k of values.keys()) if (!known.has(k)) throw new Error(`unknown flag --${k}\n${USAGE}`);
  const cluster = need('cluster');
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(cluster)) throw new Error(`invalid --cluster "${cluster}": must be a DNS label`);
  const nodeIP = need('node-ip');
  if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(nodeIP)) throw new Error(`invalid --node-ip "${nodeIP}": want an IPv4 address with prefix, e.g. 172.31.0.2/24`);
  const kubeletPort = Number(need('kubelet-port'));
  if (!Number.isInteger(kubeletPort) || kubeletPort < 0 || kubeletPort > 65535) throw new Error('invalid --kubelet-port');
  return {
    cluster,
    node: need('node'),
    api: need('api'),
    apiSocket: values.get('api-socket'),
    dataDir: need('data-dir'),
    podCIDRs: parseCidrList(need('pod-cidr')),
    nodeIP,
    kubeletPort,
    clusterDNS: (values.get('cluster-dns') ?? '10.96.0.10').split(',').filter(Boolean),
    clusterDomain: values.get('cluster-domain') ?? 'cluster.local',
    serviceCIDR: values.get('service-cidr') ?? '10.96.0.0/12',
    backoff: {
      initialMs: parseDurationMs(values.get('backoff-initial') ?? `${KUBELET_BACKOFF.initialMs}ms`),
      maxMs: parseDurationMs(values.get('backoff-max') ?? `${KUBELET_BACKOFF.maxMs}ms`),
    },
    imagePullBackoffMs: parseDurationMs(values.get('image-pull-backoff') ?? '1s'),
    heartbeatMs: parseDurationMs(values.get('heartbeat') ?? '10s'),
  };
}

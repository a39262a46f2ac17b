// What a pod's containers see besides the network (pure): /etc/resolv.conf, /etc/hosts, /etc/hostname and the
// environment, rendered as the kubelet renders them.
import type { Container, EnvVar, Pod, Service } from '../api/index.ts';

export interface DnsSettings {
  clusterDNS: string[];
  clusterDomain: string;
  /** The host's /etc/resolv.conf text (dnsPolicy Default). */
  hostResolvConf: string;
}

/** As the kubelet: search list at most 32 domains, ClusterFirst's three cluster searches first. */
export function renderResolvConf(pod: Pod, dns: DnsSettings): string {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  const cfg = pod.spec.dnsConfig;
  let nameservers: string[] = [];
  let searches: string[] = [];
  let options: { name: string; value?: string }[] = [];
  if (policy === 'None') {
    // Only dnsConfig.
  } else if (policy === 'Default' || (policy === 'ClusterFirst' && pod.spec.hostNetwork)) {
    const host = parseResolvConf(dns.hostResolvConf);
    nameservers = host.nameservers;
    searches = host.searches;
    options = host.options;
  } else {
    const ns = pod.metadata.namespace ?? 'default';
    nameservers = [...dns.clusterDNS];
    searches = [`${ns}.svc.${dns.clusterDomain}`, `svc.${dns.clusterDomain}`, dns.clusterDomain];
    options = [{ name: 'ndots', value: '5' }];
  }
  if (cfg) {
    nameservers = dedupe([...nameservers, ...(cfg.nameservers ?? [])]).slice(0, 3);
    searches = dedupe([...searches, ...(cfg.searches ?? [])]);
    for (const o of cfg.options ?? []) {
      options = options.filter((x) => x.name !== o.name);
      options.push(o);
    }
  }
  searches = searches.slice(0, 32);
  const lines: string[] = [];
  if (searches.length) lines.push(`search ${searches.join(' ')}`);
  for (const n of nameservers) lines.push(`nameserver ${n}`);
  if (options.length) lines.push(`options ${options.map((o) => (o.value !== undefined ? `${o.name}:${o.value}` : o.name)).join(' ')}`);
  return lines.join('\n') + '\n';
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

export function parseResolvConf(text: string): {
  nameservers: string[];
  searches: string[];
  options: { name: string; value?: string }[];
} {
  const out = { nameservers: [] as string[], searches: [] as string[], options: [] as { name: string; value?: string }[] };
  for (const raw of text.split('\n')) {
    const fields = raw.replace(/[#;].*$/, '').trim().split(/\s+/).filter(Boolean);
    const [key, ...rest] = fields;
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest;
    else if (key === 'options') {
      for (const o of rest) {
        const [name, value] = o.split(':');
        if (name) out.options.push(value !== undefined ? { name, value } : { name });
      }
    }
  }
  return out;
}

/** The pod's hostname: spec.hostname, else its name (truncated to 63 characters as the kubelet does). */
export function podHostname(pod: Pod): string {
  return (pod.spec.hostname || pod.metadata.name || 'pod').slice(0, 63);
}

/** The kubelet's managed hosts file (managedHostsFileContent). */
export function renderHostsFile(pod: Pod, podIPs: string[], clusterDomain: string): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const hostname = podHostname(pod);
  const sub = pod.spec.subdomain;
  for (const ip of podIPs) {
    if (sub) lines.push(`${ip}\t${hostname}.${sub}.${pod.metadata.namespace ?? 'default'}.svc.${clusterDomain}\t${hostname}`);
    else lines.push(`${ip}\t${hostname}`);
  }
  return lines.join('\n') + '\n';
}

/** A Service as the env injection needs it. */
export interface ServiceForEnv {
  namespace: string;
  name: string;
  clusterIP: string;
  ports: { name?: string; port: number; protocol?: string }[];
}

export function serviceForEnv(s: Service): ServiceForEnv | undefined {
  const ip = s.spec.clusterIP;
  if (!ip || ip === 'None' || !s.metadata.name) return undefined;
  return { namespace: s.metadata.namespace ?? 'default', name: s.metadata.name, clusterIP: ip, ports: s.spec.ports ?? [] };
}

function envName(service: string): string {
  return service.toUpperCase().replace(/-/g, '_');
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** `FOO_SERVICE_HOST`, `FOO_SERVICE_PORT[_NAME]` and the docker-link `FOO_PORT…` variables of one Service. */
export function serviceEnvVars(s: ServiceForEnv): EnvVar[] {
  const name = envName(s.name);
  const out: EnvVar[] = [{ name: `${name}_SERVICE_HOST`, value: s.clusterIP }];
  const first = s.ports[0];
  if (first) out.push({ name: `${name}_SERVICE_PORT`, value: String(first.port) });
  for (const p of s.ports) if (p.name) out.push({ name: `${name}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
  if (first) {
    const proto = (first.protocol ?? 'TCP').toLowerCase();
    out.push({ name: `${name}_PORT`, value: `${proto}://${hostPort(s.clusterIP, first.port)}` });
  }
  for (const p of s.ports) {
    const proto = (p.protocol ?? 'TCP').toLowerCase();
    const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.push({ name: prefix, value: `${proto}://${hostPort(s.clusterIP, p.port)}` });
    out.push({ name: `${prefix}_PROTO`, value: proto });
    out.push({ name: `${prefix}_PORT`, value: String(p.port) });
    out.push({ name: `${prefix}_ADDR`, value: s.clusterIP });
  }
  return out;
}

/**
 * The Services whose variables a pod gets, as the kubelet's getServiceEnvVarMap: the pod namespace's
 * Services when enableServiceLinks (default true), and always the master `kubernetes` Service of `default`.
 */
export function servicesForPod(pod: Pod, services: ServiceForEnv[]): ServiceForEnv[] {
  const ns = pod.metadata.namespace ?? 'default';
  const links = pod.spec.enableServiceLinks ?? true;
  const byName = new Map<string, ServiceForEnv>();
  for (const s of services) {
    if (s.namespace === 'default' && s.name === 'kubernetes') byName.set(s.name, s);
  }
  if (links) for (const s of services) if (s.namespace === ns) byName.set(s.name, s);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** `$(VAR)` expansion as Kubernetes': defined names expand, `$$` escapes, anything else stays as written. */
export function expandVars(text: string, vars: Map<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m: string, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && vars.has(name) ? (vars.get(name) ?? '') : m;
  });
}

/**
 * The container's environment, in the kubelet's order: service variables first, then the container's own
 * env (which overrides them, each value expanded against what is defined before it), then what the runtime
 * adds (HOSTNAME).
 */
export function containerEnv(
  pod: Pod,
  container: Container,
  services: ServiceForEnv[],
  extra: Record<string, string> = {},
): Map<string, string> {
  const env = new Map<string, string>();
  for (const s of servicesForPod(pod, services)) for (const v of serviceEnvVars(s)) env.set(v.name, v.value ?? '');
  for (const v of container.env ?? []) {
    let value = v.value ?? '';
    if (v.valueFrom) value = resolveFieldRef(pod, v.valueFrom) ?? '';
    env.set(v.name, expandVars(value, env));
  }
  for (const [k, v] of Object.entries(extra)) if (!env.has(k)) env.set(k, v);
  return env;
}

/** The downward API fields commonly used in tests (fieldRef). */
function resolveFieldRef(pod: Pod, valueFrom: Record<string, unknown>): string | undefined {
  const ref = valueFrom.fieldRef as { fieldPath?: string } | undefined;
  switch (ref?.fieldPath) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'spec.nodeName':
      return pod.spec.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName;
    case 'status.podIP':
      return pod.status?.podIP;
    case 'status.hostIP':
      return pod.status?.hostIP;
    default:
      return undefined;
  }
}

/** command/args with `$(VAR)` expanded against the container's environment. */
export function expandArgv(argv: string[], env: Map<string, string>): string[] {
  return argv.map((a) => expandVars(a, env));
}

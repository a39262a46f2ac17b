// Discovery documents built from the resource table (plain, non-aggregated discovery: kubectl falls back to
// it when the answer is not an APIGroupDiscoveryList), /version and the health endpoints. Pure.
import { apiVersionOf, groupVersions, resources, type ResourceInfo } from './resources.ts';

/** The Kubernetes version clusterip answers as (kept in step with the behaviour matched). */
export const serverVersion = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0',
  gitCommit: '60a317eadfcb839692a68eab88b2096f4d708f4f',
  gitTreeState: 'clean',
  buildDate: '2025-04-23T13:07:44Z',
  goVersion: 'go1.24.2',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const subresourceKinds: Record<string, { kind: string; verbs: string[]; group?: string; version?: string }> = {
  // The Scale kind lives in autoscaling/v1 whatever the parent's group (kubectl scale reads this).
  scale: { kind: 'Scale', verbs: ['get', 'patch', 'update'], group: 'autoscaling', version: 'v1' },
  status: { kind: '', verbs: ['get', 'patch', 'update'] },
  binding: { kind: 'Binding', verbs: ['create'] },
  exec: { kind: 'PodExecOptions', verbs: ['create', 'get'] },
  attach: { kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  portforward: { kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  log: { kind: 'Pod', verbs: ['get'] },
  finalize: { kind: 'Namespace', verbs: ['update'] },
};

function apiResource(r: ResourceInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
  };
  if (r.shortNames.length) out.shortNames = r.shortNames;
  if (r.categories.length) out.categories = r.categories;
  return out;
}

export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const served = resources.filter((r) => r.group === group && r.version === version);
  if (!served.length) return undefined;
  const list: Record<string, unknown>[] = [];
  for (const r of served) {
    list.push(apiResource(r));
    for (const sub of r.subresources) {
      const info = subresourceKinds[sub];
      list.push({
        name: `${r.plural}/${sub}`,
        singularName: '',
        namespaced: r.namespaced,
        kind: info.kind || r.kind,
        verbs: info.verbs,
        ...(info.group ? { group: info.group, version: info.version } : {}),
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(served[0]), resources: list };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(group: string, versions: string[]): Record<string, unknown> {
  const gvs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: gvs, preferredVersion: gvs[0] };
}

export function apiGroupList(): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupVersions().map((g) => apiGroup(g.group, g.versions)) };
}

export function apiGroupDoc(group: string): Record<string, unknown> | undefined {
  const g = groupVersions().find((x) => x.group === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.group, g.versions) } : undefined;
}

/** The checks /livez and /readyz report (each passes once the core is up). */
const healthChecks = {
  livez: ['ping', 'log', 'etcd', 'poststarthook/start-apiserver-admission-initializer', 'poststarthook/bootstrap-controller'],
  readyz: ['ping', 'log', 'etcd', 'etcd-readiness', 'informer-sync', 'poststarthook/start-apiserver-admission-initializer', 'poststarthook/bootstrap-controller', 'shutdown'],
  healthz: ['ping', 'log', 'etcd', 'poststarthook/start-apiserver-admission-initializer', 'poststarthook/bootstrap-controller'],
};

export type HealthEndpoint = keyof typeof healthChecks;

/** The text of /livez, /readyz, /healthz (verbose lists every check; exclude drops some). */
export function healthText(endpoint: HealthEndpoint, verbose: boolean, exclude: string[], failing: string[]): { ok: boolean; text: string } {
  const checks = healthChecks[endpoint].filter((c) => !exclude.includes(c));
  const failed = checks.filter((c) => failing.includes(c));
  const ok = failed.length === 0;
  if (!verbose && ok) return { ok, text: 'ok' };
  let text = '';
  for (const c of checks) text += failing.includes(c) ? `[-]${c} failed: reason withheld\n` : `[+]${c} ok\n`;
  for (const c of exclude) if (healthChecks[endpoint].includes(c)) text += `[+]${c} excluded: ok\n`;
  text += ok ? `${endpoint} check passed\n` : `${endpoint} check failed\n`;
  return { ok, text };
}

export function rootPaths(): Record<string, unknown> {
  const paths = ['/api', '/api/v1', '/apis', '/apis/'];
  for (const g of groupVersions()) {
    paths.push(`/apis/${g.group}`);
    for (const v of g.versions) paths.push(`/apis/${g.group}/${v}`);
  }
  paths.push('/healthz', '/livez', '/openapi/v2', '/openapi/v3', '/openapi/v3/', '/readyz', '/version');
  return { paths: paths.sort() };
}

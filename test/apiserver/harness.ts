// Starts a real API server for tests: SQLite in a temp dir, the Service strategies when their module is
// there, a TCP loopback port, and an admin kubeconfig. Also runnable alone: `node test/apiserver/harness.ts`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiCore, startApiServer, type ApiCore, type ApiServer, type Strategy } from '../../src/apiserver/index.ts';
import { openSqliteBackend, type Backend } from '../../src/storage/index.ts';

export interface TestCluster {
  dir: string;
  kubeconfig: string;
  server: ApiServer;
  core: ApiCore;
  backend: Backend;
  stop(): Promise<void>;
}

interface ServiceModule {
  serviceStrategy(config: unknown): Strategy;
  ipAddressStrategy: Strategy;
  serviceCIDRStrategy: Strategy;
  serviceNetworkConfig(cidrs?: string, port?: number): unknown;
  bootstrapServiceNetworking(store: Backend, config: unknown): Promise<unknown>;
}

export function writeKubeconfig(file: string, server: string): void {
  fs.writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- cluster:',
      `    server: ${server}`,
      '  name: clusterip',
      'contexts:',
      '- context:',
      '    cluster: clusterip',
      '    user: admin',
      '    namespace: default',
      '  name: clusterip',
      'current-context: clusterip',
      'users:',
      '- name: admin',
      '  user: {}',
      '',
    ].join('\n'),
  );
}

/** `openBackend(dir)`: the store to serve from (default SQLite in `dir`; the etcd runs pass an etcd backend). */
export async function startTestCluster(options: { openBackend?: (dir: string) => Promise<Backend> } = {}): Promise<TestCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterip-api-'));
  const backend = await (options.openBackend ?? ((d: string) => openSqliteBackend(path.join(d, 'state.db'))))(dir);
  const strategies: Record<string, Strategy> = {};
  let svc: ServiceModule | undefined;
  try {
    svc = (await import(new URL('../../src/apiserver/registry/service/index.ts', import.meta.url).href)) as ServiceModule;
  } catch {
    svc = undefined;
  }
  let port = 0;
  if (svc) {
    const config = svc.serviceNetworkConfig(undefined, 6443);
    strategies.services = svc.serviceStrategy(config);
    strategies.ipaddresses = svc.ipAddressStrategy;
    strategies.servicecidrs = svc.serviceCIDRStrategy;
  }
  const core = await createApiCore({ backend, strategies });
  const server = await startApiServer({ core, host: '127.0.0.1', port });
  if (svc) await svc.bootstrapServiceNetworking(backend, svc.serviceNetworkConfig(undefined, server.port));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, server.url);
  return {
    dir,
    kubeconfig,
    server,
    core,
    backend,
    async stop() {
      await server.close();
      await core.close();
      await backend.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const c = await startTestCluster();
  console.log(`KUBECONFIG=${c.kubeconfig} ${c.server.url}`);
  const stop = (): void => void c.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

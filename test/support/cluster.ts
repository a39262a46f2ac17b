// A control plane for tests: a real API server (SQLite in a temp dir by default, or any Backend) on a
// loopback port and a unix socket, with the Service strategies wired as `clusterip up` wires them, and an
// admin kubeconfig. Always closed by the caller. Also runnable alone: `node test/support/cluster.ts`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApiCore, startApiServer, type ApiCore, type ApiServer } from '../../src/apiserver/index.ts';
import {
  bootstrapServiceNetworking,
  ipAddressStrategy,
  serviceCIDRStrategy,
  serviceNetworkConfig,
  serviceStrategy,
} from '../../src/apiserver/registry/service/index.ts';
import { ApiClient } from '../../src/client/index.ts';
import { openSqliteBackend, type Backend } from '../../src/storage/index.ts';

export interface TestControlPlane {
  dir: string;
  url: string;
  socket: string;
  kubeconfig: string;
  client: ApiClient;
  server: ApiServer;
  core: ApiCore;
  backend: Backend;
  close(): Promise<void>;
}

export interface TestControlPlaneOptions {
  serviceCIDRs?: string;
  /** The store to serve from, given the temp dir (default: SQLite in it). */
  openBackend?: (dir: string) => Promise<Backend>;
}

/** An admin kubeconfig for a server URL (no credentials: the test server has no authentication). */
export async function writeKubeconfig(file: string, server: string): Promise<void> {
  await writeFile(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: clusterip, cluster: {server: "' + server + '"}}]',
      'users: [{name: admin, user: {}}]',
      'contexts: [{name: clusterip, context: {cluster: clusterip, user: admin, namespace: default}}]',
      'current-context: clusterip',
      '',
    ].join('\n'),
  );
}

export async function startTestControlPlane(options: TestControlPlaneOptions = {}): Promise<TestControlPlane> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cip-test-'));
  const backend = await (options.openBackend ?? ((d: string) => openSqliteBackend(path.join(d, 'state.db'))))(dir);
  const socket = path.join(dir, 'api.sock');
  const cidrs = options.serviceCIDRs; // undefined: the default ranges, both families
  const core = await createApiCore({
    backend,
    strategies: { services: serviceStrategy(serviceNetworkConfig(cidrs, 6443)), ipaddresses: ipAddressStrategy, servicecidrs: serviceCIDRStrategy },
  });
  const server = await startApiServer({ core, host: '127.0.0.1', port: 0, socketPath: socket });
  await bootstrapServiceNetworking(backend, serviceNetworkConfig(cidrs, server.port));
  const kubeconfig = path.join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, server.url);
  const client = new ApiClient({ server: server.url });
  return {
    dir,
    url: server.url,
    socket,
    kubeconfig,
    client,
    server,
    core,
    backend,
    close: async () => {
      client.close();
      await server.close();
      await core.close();
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cp = await startTestControlPlane();
  console.log(`KUBECONFIG=${cp.kubeconfig} ${cp.url}`);
  const stop = (): void => void cp.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

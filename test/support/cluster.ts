// A control plane for tests: a real API server on SQLite in a temp dir, on a loopback port and a unix
// socket, with the Service strategies wired as `clusterip up` wires them. Always closed by the caller.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApiCore, startApiServer } from '../../src/apiserver/index.ts';
import {
  bootstrapServiceNetworking,
  ipAddressStrategy,
  serviceCIDRStrategy,
  serviceNetworkConfig,
  serviceStrategy,
} from '../../src/apiserver/registry/service/index.ts';
import { ApiClient } from '../../src/client/index.ts';
import { openSqliteBackend } from '../../src/storage/index.ts';

export interface TestControlPlane {
  dir: string;
  url: string;
  socket: string;
  kubeconfig: string;
  client: ApiClient;
  close(): Promise<void>;
}

export async function startTestControlPlane(options: { serviceCIDRs?: string } = {}): Promise<TestControlPlane> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cip-test-'));
  const backend = await openSqliteBackend(path.join(dir, 'state.db'));
  const network = serviceNetworkConfig(options.serviceCIDRs ?? '10.96.0.0/12', 6443);
  const core = await createApiCore({
    backend,
    strategies: { services: serviceStrategy(network), ipaddresses: ipAddressStrategy, servicecidrs: serviceCIDRStrategy },
  });
  await bootstrapServiceNetworking(backend, network);
  const socket = path.join(dir, 'api.sock');
  const server = await startApiServer({ core, host: '127.0.0.1', port: 0, socketPath: socket });
  const kubeconfig = path.join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: t, cluster: {server: "${server.url}"}}]`,
      'users: [{name: t, user: {}}]',
      'contexts: [{name: t, context: {cluster: t, user: t}}]',
      'current-context: t',
      '',
    ].join('\n'),
  );
  const client = new ApiClient({ server: server.url });
  return {
    dir,
    url: server.url,
    socket,
    kubeconfig,
    client,
    close: async () => {
      client.close();
      await server.close();
      await core.close();
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

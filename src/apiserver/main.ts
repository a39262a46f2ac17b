// The API server process (what `clusterip up` runs as its `apiserver` part):
//   node src/apiserver/main.ts --data-dir D --port 6443 --socket D/api.sock --service-cidr 10.96.0.0/12
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openBackend, type BackendConfig } from '../storage/index.ts';
import { createApiCore } from './core.ts';
import {
  bootstrapServiceNetworking,
  ipAddressStrategy,
  repairServiceAllocations,
  serviceCIDRStrategy,
  serviceNetworkConfig,
  serviceStrategy,
} from './registry/service/index.ts';
import { startApiServer } from './server.ts';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: '.' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '6443' },
    socket: { type: 'string' },
    'service-cidr': { type: 'string', default: '10.96.0.0/12,fd00:10:96::/112' },
    storage: { type: 'string', default: 'sqlite' },
    'etcd-endpoints': { type: 'string', default: 'http://127.0.0.1:2379' },
    // The address pods reach the API server at; when given, default/kubernetes Endpoints point there.
    'advertise-address': { type: 'string' },
  },
});

const log = (message: string) => process.stderr.write(`${new Date().toISOString()} apiserver: ${message}\n`);
const port = Number(values.port);
// Watch history is kept for a window (the API server's 5-minute compaction policy), then 410 Gone.
const storage: BackendConfig =
  values.storage === 'etcd'
    ? { kind: 'etcd', endpoints: values['etcd-endpoints'].split(','), autoCompaction: {} }
    : { kind: 'sqlite', path: path.join(values['data-dir'], 'state.db'), autoCompaction: {} };
fs.mkdirSync(values['data-dir'], { recursive: true });

const backend = await openBackend(storage, (err) => log(`storage: ${(err as Error).message}`));
const network = serviceNetworkConfig(values['service-cidr'], port);
const services = serviceStrategy(network);
const core = await createApiCore({
  backend,
  strategies: { services, ipaddresses: ipAddressStrategy, servicecidrs: serviceCIDRStrategy },
  serverAddress: `${values.host}:${port}`,
  advertise: values['advertise-address'] ? { ip: values['advertise-address'], port } : undefined,
});
const boot = await bootstrapServiceNetworking(backend, network);
const repair = await repairServiceAllocations(backend, network);
const fixed = repair.removedIPAddresses.length + repair.createdIPAddresses.length;
if (fixed || repair.conflicts.length) log(`repair: ${JSON.stringify(repair)}`);
log(`service network ${network.ranges.map((r) => r.cidr).join(',')}; kubernetes Service ${boot.kubernetesServiceIP}`);

// Failed requests always reach the log; every request with CLUSTERIP_API_LOG=1 (an access log for debugging).
const accessLog = process.env.CLUSTERIP_API_LOG === '1';
const server = await startApiServer({
  core,
  host: values.host,
  port,
  socketPath: values.socket,
  onRequest: (e) => {
    if (accessLog || e.status >= 500) log(`${e.method} ${e.url} ${e.status} ${e.ms}ms ${e.userAgent}`);
  },
});
log(`serving on ${server.url}${values.socket ? ` and unix://${values.socket}` : ''} (storage: ${values.storage})`);

let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  await server.close();
  await core.close();
  await backend.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

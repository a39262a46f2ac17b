// kube-controller-manager + kube-scheduler of clusterip, as one process:
//   node src/controllers/main.ts --api unix:///var/lib/clusterip/x/api.sock
import { parseArgs } from 'node:util';
import { startControllerManager } from './manager.ts';

const { values } = parseArgs({
  options: {
    api: { type: 'string', default: 'http://127.0.0.1:6443' },
    'max-endpoints-per-slice': { type: 'string', default: '100' },
    'node-monitor-grace-period': { type: 'string', default: '40' },
  },
});

const log = (message: string) => process.stderr.write(`${new Date().toISOString()} controllers: ${message}\n`);
const manager = await startControllerManager({
  server: values.api,
  maxEndpointsPerSlice: Number(values['max-endpoints-per-slice']),
  nodeMonitorGraceMs: Number(values['node-monitor-grace-period']) * 1000,
  log,
});
log('started: endpointslice, endpointslicemirroring, endpoints, scheduler, garbagecollector, nodelifecycle, replicaset, deployment');
const stop = () => {
  manager.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

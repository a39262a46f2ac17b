// The proxy: ClusterIP forwarding in one node network namespace with nftables (kube-proxy's nftables mode,
// with a constant-chain rule shape).
export { Proxier } from './proxier.ts';
export type { Healthz, ProxierOptions } from './proxier.ts';
export { Executor, NetnsRunner } from './executor.ts';
export type { NftRunner, SyncResult } from './executor.ts';
export { Planner, plan, fullScript, diffScript, deltaScript, slicesByService, TABLE_FAMILY, TABLE_NAME } from './plan.ts';
export type { Delta, NftState, Plan, PlannedPort, ProxyConfig } from './plan.ts';
export { serviceFromApi, sliceFromApi, endpointsFor } from './model.ts';
export type { Backend, EndpointInfo, ServiceInfo, SliceInfo } from './model.ts';
export { tracePacket } from './trace.ts';
export type { Packet, Verdict } from './trace.ts';
export { serveHealthz } from './healthz.ts';

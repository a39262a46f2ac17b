// The node agent: pods as processes in network namespaces on a node bridge, Node/Lease heartbeats, and the
// kubelet API (logs; exec/port-forward via ./streaming).
export { startAgent } from './agent.ts';
export type { Agent, StartOptions } from './agent.ts';
export type { AgentConfig } from './config.ts';
export { parseAgentFlags, USAGE as AGENT_USAGE } from './flags.ts';
export { cleanupCluster } from './cleanup.ts';
export type { CleanupOptions, CleanupReport } from './cleanup.ts';
export { clusterNetnsName, clusterPrefix, nodeNetnsName, podNetnsName } from './names.ts';
export { dialThroughNode } from './network/dialer.ts';
export type { StreamingRuntime, ExecOptions, ExecProcess, PodRef } from './streaming/types.ts';

// clusterip's cluster DNS: the index of names, the answer function, the server and its runner.
export { answer, dnsSchemaVersion, reverseName } from './answer.ts';
export type { AnswerOptions, DnsAnswer, PodMode, Question, Rcode } from './answer.ts';
export { ClusterIndex, depKey } from './cluster-index.ts';
export type { IndexView } from './cluster-index.ts';
export { formatRecord } from './records.ts';
export type { DnsRecord } from './records.ts';
export { DnsServer } from './server.ts';
export type { DnsServerOptions } from './server.ts';
export { Forwarder } from './forwarder.ts';
export { parseResolvConf, upstreamsFromResolvConf } from './resolv-conf.ts';
export type { Upstream } from './resolv-conf.ts';
export { startClusterDNS, hostUpstreams } from './run.ts';
export type { ClusterDNS, ClusterDNSConfig } from './run.ts';
export { podResolvConf } from './pod-resolv-conf.ts';
export type { PodResolvConfInput } from './pod-resolv-conf.ts';

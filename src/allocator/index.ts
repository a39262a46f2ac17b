// Pure ClusterIP allocation logic: CIDR math, KEP-3070 bands, candidate order, the recently-released hold.
export { parseIP, parseCIDR, formatIP, formatCIDR, canonicalIP, cidrContains, cidrSize } from './ip.ts';
export type { ParsedIP, ParsedCIDR } from './ip.ts';
export {
  serviceRange,
  staticBandSize,
  rangeHolds,
  indexedIP,
  kubernetesServiceIP,
  dnsServiceIP,
  candidateOrder,
  walkFrom,
  randomBelow,
} from './range.ts';
export type { ServiceRange, Random } from './range.ts';
export { RecentlyReleased, nextFreeAddress, rangeFor, allocatorErrors } from './select.ts';
export type { NextAddressOptions } from './select.ts';
export {
  defaultServiceCIDRs,
  defaultServiceCIDRName,
  serviceNetworkConfig,
  rangeOfFamily,
  configKubernetesServiceIP,
  configDNSServiceIP,
} from './config.ts';
export type { ServiceNetworkConfig } from './config.ts';

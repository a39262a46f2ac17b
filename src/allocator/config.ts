// The cluster's Service IP configuration (`clusterip up --service-cidr`), as kube-apiserver's
// --service-cluster-ip-range: one or two CIDRs, one per family, the first one primary. Pure.
import type { IPFamily } from '../api/index.ts';
import { dnsServiceIP, kubernetesServiceIP, serviceRange, type ServiceRange } from './range.ts';

export const defaultServiceCIDRs = '10.96.0.0/12,fd00:10:96::/112';
/** The default ServiceCIDR object's name (KEP-1880). */
export const defaultServiceCIDRName = 'kubernetes';

export interface ServiceNetworkConfig {
  /** The configured ranges, primary first. */
  ranges: ServiceRange[];
  /** The primary family: what a single-stack Service gets when it asks for nothing. */
  primaryFamily: IPFamily;
  /** The API server's secure port: the `kubernetes` Service's targetPort. */
  apiServerPort: number;
}

/**
 * Parse `--service-cidr` ("10.96.0.0/12,fd00:10:96::/112"): at most two, of different families, as
 * kube-apiserver's validation of --service-cluster-ip-range requires.
 */
export function serviceNetworkConfig(serviceCIDRs = defaultServiceCIDRs, apiServerPort = 6443): ServiceNetworkConfig {
  const parts = serviceCIDRs.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error('service CIDR must not be empty');
  if (parts.length > 2) throw new Error('--service-cluster-ip-range must not contain more than two entries');
  const ranges = parts.map(serviceRange);
  if (ranges.length === 2 && ranges[0].family === ranges[1].family)
    throw new Error('--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different IP family');
  return { ranges, primaryFamily: ranges[0].family, apiServerPort };
}

/** The range configured for a family, if any. */
export function rangeOfFamily(config: ServiceNetworkConfig, family: IPFamily): ServiceRange | undefined {
  return config.ranges.find((r) => r.family === family);
}

/** The `default/kubernetes` Service's address in this configuration. */
export function configKubernetesServiceIP(config: ServiceNetworkConfig): string {
  return kubernetesServiceIP(config.ranges[0].cidr);
}

/** The cluster DNS Service's address in this configuration. */
export function configDNSServiceIP(config: ServiceNetworkConfig): string {
  return dnsServiceIP(config.ranges[0].cidr);
}

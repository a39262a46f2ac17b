// Services in the API server: defaulting, validation, ClusterIP allocation (KEP-1880 IPAddress/ServiceCIDR,
// KEP-3070 bands), bootstrap and repair.
export { serviceStrategy, ipAddressStrategy, serviceCIDRStrategy } from './strategy.ts';
export type { ServiceStrategy, ServiceStrategyOptions } from './strategy.ts';
export {
  bootstrapServiceNetworking,
  repairServiceAllocations,
  startServiceRepairLoop,
  kubernetesService,
  defaultServiceCIDR,
  kubernetesServiceName,
  kubernetesServiceNamespace,
} from './bootstrap.ts';
export type { BootstrapReport, RepairReport, BootstrapOptions, RepairLoopOptions } from './bootstrap.ts';
export { defaultService, prepareServiceForCreate, prepareServiceForUpdate } from './defaults.ts';
export { validateService, validateServiceUpdate } from './validation.ts';
export { initIPFamilyFields } from './families.ts';
export {
  serviceNetworkConfig,
  defaultServiceCIDRs,
  kubernetesServiceIP,
  dnsServiceIP,
  configKubernetesServiceIP,
  configDNSServiceIP,
} from '../../../allocator/index.ts';
export type { ServiceNetworkConfig } from '../../../allocator/index.ts';

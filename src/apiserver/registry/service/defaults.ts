// Service defaulting and the create/update preparation Kubernetes does before validation:
// pkg/apis/core/v1/defaults.go SetDefaults_Service and pkg/registry/core/service/strategy.go
// (PrepareForCreate/PrepareForUpdate: normalizeClusterIPs, patchAllocatedValues, dropTypeDependentFields).
// ipFamilies/ipFamilyPolicy are filled in later, with allocation (families.ts), as storage/alloc.go does. Pure.
import type { Service, ServiceSpec } from '../../../api/index.ts';

export const clusterIPNone = 'None';
/** v1.DefaultClientIPServiceAffinitySeconds: 3 hours. */
export const defaultClientIPAffinitySeconds = 10800;
/** core.MaxClientIPServiceAffinitySeconds: one day. */
export const maxClientIPAffinitySeconds = 86400;

/** service.ExternallyAccessible: NodePort, LoadBalancer, or ClusterIP with externalIPs. */
export function externallyAccessible(spec: ServiceSpec): boolean {
  return (
    spec.type === 'LoadBalancer' ||
    spec.type === 'NodePort' ||
    (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0)
  );
}

/** SetDefaults_Service, as the v1 decoder applies it to every Service body (create and update). */
export function defaultService(svc: Service): void {
  svc.spec ??= {};
  const spec = svc.spec;
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == null) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: defaultClientIPAffinitySeconds } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const port of spec.ports ?? []) {
    if (!port.protocol) port.protocol = 'TCP';
    // intstr zero value (absent, 0) or "" means "same as port".
    if (port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === '')
      port.targetPort = port.port;
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (!spec.internalTrafficPolicy && (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || spec.type === 'ClusterIP'))
    spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined)
    spec.allocateLoadBalancerNodePorts = true;
}

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

export function sameClusterIPs(a: Service, b: Service): boolean {
  return sameStrings(a.spec.clusterIPs, b.spec.clusterIPs);
}

export function sameIPFamilies(a: Service, b: Service): boolean {
  return sameStrings(a.spec.ipFamilies, b.spec.ipFamilies);
}

/** needsClusterIP: every type but ExternalName holds a clusterIP (even "None"). */
export function needsClusterIP(svc: Service): boolean {
  return svc.spec.type !== 'ExternalName';
}

/**
 * normalizeClusterIPs: keep clusterIP and clusterIPs in step for clients that set only the singular field
 * (old clients, `kubectl create service --clusterip`), or that clear clusterIP to switch type.
 */
export function normalizeClusterIPs(svc: Service, old: Service | undefined): void {
  const spec = svc.spec;
  if (!old) {
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  // An old client patching some other field and not sending clusterIPs.
  if (old.spec.clusterIPs?.length && !spec.clusterIPs?.length && (old.spec.clusterIP ?? '') === (spec.clusterIP ?? ''))
    spec.clusterIPs = old.spec.clusterIPs;
  if ((old.spec.clusterIP ?? '') !== (spec.clusterIP ?? '')) {
    if (old.spec.clusterIP && !spec.clusterIP) {
      // Clearing clusterIP: clear clusterIPs on their behalf if they left it alone.
      if (sameClusterIPs(old, svc)) delete spec.clusterIPs;
    } else if (sameClusterIPs(old, svc)) {
      spec.clusterIPs = [spec.clusterIP ?? ''];
    }
  }
}

/** patchAllocatedValues: an update that omits the allocated clusterIP(s) keeps them (PUT of an edited manifest). */
export function patchAllocatedValues(svc: Service, old: Service): void {
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!svc.spec.clusterIP && old.spec.clusterIP) svc.spec.clusterIP = old.spec.clusterIP;
    if (!svc.spec.clusterIPs?.length && old.spec.clusterIPs?.length) svc.spec.clusterIPs = [...old.spec.clusterIPs];
  }
}

/**
 * dropTypeDependentFields: switching to ExternalName wipes the allocated clusterIP(s), families and policy —
 * only those the user did not also change (a change is then caught by validation). They are released with
 * the update.
 */
export function dropTypeDependentFields(svc: Service, old: Service): void {
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (sameClusterIPs(old, svc)) {
      delete svc.spec.clusterIP;
      delete svc.spec.clusterIPs;
    }
    if (sameIPFamilies(old, svc)) delete svc.spec.ipFamilies;
    if (old.spec.ipFamilyPolicy === svc.spec.ipFamilyPolicy) delete svc.spec.ipFamilyPolicy;
  }
  // externalTrafficPolicy only applies to externally accessible Services.
  if (externallyAccessible(old.spec) && !externallyAccessible(svc.spec) &&
    old.spec.externalTrafficPolicy === svc.spec.externalTrafficPolicy)
    delete svc.spec.externalTrafficPolicy;
}

/** PrepareForCreate: status is the server's, then defaults and clusterIP normalisation. */
export function prepareServiceForCreate(svc: Service): void {
  defaultService(svc);
  svc.status = { loadBalancer: {} };
  normalizeClusterIPs(svc, undefined);
}

/** PrepareForUpdate: status kept from the stored object; allocated values kept; type-dependent fields dropped. */
export function prepareServiceForUpdate(svc: Service, old: Service): void {
  defaultService(svc);
  svc.status = old.status ?? { loadBalancer: {} };
  patchAllocatedValues(svc, old);
  normalizeClusterIPs(svc, old);
  dropTypeDependentFields(svc, old);
}

// ipFamilyPolicy and ipFamilies defaulting against the cluster's configured families, with the errors
// Kubernetes gives (pkg/registry/core/service/storage/alloc.go initIPFamilyFields). Runs with allocation,
// after validation, as Kubernetes' BeginCreate/BeginUpdate hooks do. Pure.
import type { IPFamily, IPFamilyPolicy, Service } from '../../../api/index.ts';
import { fieldErrors, type FieldError } from '../../errors.ts';
import { parseIP } from '../../../allocator/index.ts';
import { clusterIPNone, sameClusterIPs, sameIPFamilies } from './defaults.ts';
import { validateClusterIPsRelatedFields } from './validation.ts';

export interface ClusterFamilies {
  /** Families with a configured service range, primary first. */
  configured: IPFamily[];
}

function otherFamily(f: IPFamily): IPFamily {
  return f === 'IPv4' ? 'IPv6' : 'IPv4';
}

function policyValue(p: IPFamilyPolicy | undefined): string | null {
  return p ?? null;
}

/**
 * isMatchingPreferDualStackClusterIPFields: a PreferDualStack Service whose IP fields are unchanged is left alone
 * even if the cluster's dual-stackness changed since (no automatic upgrade or downgrade).
 */
function isMatchingPreferDualStack(svc: Service, old: Service | undefined): boolean {
  if (!old) return false;
  if (svc.spec.ipFamilyPolicy !== 'PreferDualStack' || old.spec.ipFamilyPolicy !== 'PreferDualStack') return false;
  return sameClusterIPs(old, svc) && sameIPFamilies(old, svc);
}

function reduced(before: readonly string[] | undefined, after: readonly string[] | undefined): boolean {
  const b = before ?? [];
  const a = after ?? [];
  return a.length > 0 && a.length < b.length;
}

/** Fill in ipFamilyPolicy and ipFamilies; errors are the Service's Invalid causes. Mutates svc. */
export function initIPFamilyFields(svc: Service, old: Service | undefined, cluster: ClusterFamilies): FieldError[] {
  const spec = svc.spec;
  if (spec.type === 'ExternalName') return [];
  if (isMatchingPreferDualStack(svc, old)) return [];

  if (!spec.ipFamilyPolicy) {
    if (old?.spec.ipFamilyPolicy) spec.ipFamilyPolicy = old.spec.ipFamilyPolicy;
    // Headless without a selector defaults to dual-stack (its endpoints may be of either family).
    else if (spec.clusterIP === clusterIPNone && Object.keys(spec.selector ?? {}).length === 0) spec.ipFamilyPolicy = 'RequireDualStack';
    else spec.ipFamilyPolicy = 'SingleStack';
  }

  const pre = validateClusterIPsRelatedFields(svc);
  if (pre.length) return pre;

  const errs: FieldError[] = [];
  const policy = spec.ipFamilyPolicy;
  if (old) {
    if (policy === 'SingleStack') {
      // Setting SingleStack with the IP fields untouched is a clear request to drop the secondary.
      if (sameClusterIPs(old, svc) && (spec.clusterIPs?.length ?? 0) > 1) spec.clusterIPs = spec.clusterIPs!.slice(0, 1);
      if (sameIPFamilies(old, svc) && (spec.ipFamilies?.length ?? 0) > 1) spec.ipFamilies = spec.ipFamilies!.slice(0, 1);
    } else {
      if (reduced(old.spec.clusterIPs, spec.clusterIPs))
        errs.push(fieldErrors.invalid('spec.ipFamilyPolicy', policyValue(policy), "must be 'SingleStack' to release the secondary cluster IP"));
      if (reduced(old.spec.ipFamilies, spec.ipFamilies))
        errs.push(fieldErrors.invalid('spec.ipFamilyPolicy', policyValue(policy), "must be 'SingleStack' to release the secondary IP family"));
    }
  }
  if (policy === 'SingleStack') {
    if ((spec.clusterIPs?.length ?? 0) === 2)
      errs.push(fieldErrors.invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    if ((spec.ipFamilies?.length ?? 0) === 2)
      errs.push(fieldErrors.invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
  }

  // Infer ipFamilies from explicit clusterIPs.
  for (const [i, ip] of (spec.clusterIPs ?? []).entries()) {
    if (ip === clusterIPNone) break;
    const family = parseIP(ip)?.family;
    if (!family) continue;
    if (i >= (spec.ipFamilies?.length ?? 0)) {
      if (!cluster.configured.includes(family))
        errs.push(fieldErrors.invalid(`spec.clusterIPs[${i}]`, spec.clusterIPs ?? [], `${family} is not configured on this cluster`));
      else spec.ipFamilies = [...(spec.ipFamilies ?? []), family];
    }
  }
  if (errs.length) return errs;

  // Headless without a selector: every family is allowed, even one not configured.
  if (spec.clusterIP === clusterIPNone && Object.keys(spec.selector ?? {}).length === 0) {
    if (!spec.ipFamilies?.length) spec.ipFamilies = [cluster.configured[0]];
    if (spec.ipFamilies.length < 2 && policy !== 'SingleStack') spec.ipFamilies = [spec.ipFamilies[0], otherFamily(spec.ipFamilies[0])];
    return [];
  }

  if (policy === 'RequireDualStack' && cluster.configured.length < 2)
    errs.push(fieldErrors.invalid('spec.ipFamilyPolicy', policy, 'this cluster is not configured for dual-stack services'));
  for (const [i, family] of (spec.ipFamilies ?? []).entries())
    if (!cluster.configured.includes(family)) errs.push(fieldErrors.invalid(`spec.ipFamilies[${i}]`, family, 'not configured on this cluster'));
  if (errs.length) return errs;

  if (!spec.ipFamilies?.length) spec.ipFamilies = [cluster.configured[0]];
  if (policy !== 'SingleStack' && spec.ipFamilies.length === 1 && cluster.configured.length === 2)
    spec.ipFamilies = [spec.ipFamilies[0], otherFamily(spec.ipFamilies[0])];
  return [];
}

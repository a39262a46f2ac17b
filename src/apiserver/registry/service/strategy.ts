// The Service Strategy: defaulting, validation and ClusterIP allocation, with the allocation written as IPAddress
// objects in the same storage transaction as the Service (KEP-1880), so concurrent creates never share an IP
// and a failed create leaks nothing. Also the IPAddress and ServiceCIDR strategies for direct writes.
import type { IPAddress, IPFamily, Service, ServiceCIDR } from '../../../api/index.ts';
import type { TxnOp } from '../../../storage/index.ts';
import type { AllocationContext, Allocation, Strategy } from '../strategy.ts';
import { ApiError, fieldErrors, type FieldError } from '../../errors.ts';
import {
  allocatorErrors,
  canonicalIP,
  dnsServiceIP,
  nextFreeAddress,
  parseCIDR,
  RecentlyReleased,
  rangeFor,
  type Random,
  type ServiceNetworkConfig,
  type ServiceRange,
} from '../../../allocator/index.ts';
import { clusterIPNone, prepareServiceForCreate, prepareServiceForUpdate } from './defaults.ts';
import { validateService, validateServiceUpdate } from './validation.ts';
import { initIPFamilyFields } from './families.ts';
import {
  activeRanges,
  allocatedIPs,
  createIPAddressOp,
  deleteIPAddressOp,
  ipAddressKey,
  ipAddressPrefix,
} from './ipaddress.ts';

export interface ServiceStrategyOptions {
  random?: Random;
  /** Milliseconds now, for the recently-released hold. */
  clock?: () => number;
  recentlyReleased?: RecentlyReleased;
  /** Probes of single keys before one list of every IPAddress answers the rest (large, crowded ranges). */
  probesBeforeList?: number;
  /** How long one list of every IPAddress may answer later allocations in a crowded range. */
  snapshotMaxAgeMs?: number;
  /** Addresses dynamic allocation leaves for last (default: the cluster DNS address of each range). */
  reserved?: string[];
}

export interface ServiceStrategy extends Strategy<Service> {
  readonly config: ServiceNetworkConfig;
  readonly recentlyReleased: RecentlyReleased;
}

function invalid(svc: Service, errs: FieldError[]): ApiError {
  return ApiError.invalid('Service', '', svc.metadata.name ?? '', errs);
}

/** The families of which some range is configured, primary first. */
function configuredFamilies(config: ServiceNetworkConfig): IPFamily[] {
  return config.ranges.map((r) => r.family);
}

export function serviceStrategy(config: ServiceNetworkConfig, options: ServiceStrategyOptions = {}): ServiceStrategy {
  const random = options.random ?? Math.random;
  const clock = options.clock ?? Date.now;
  const recentlyReleased = options.recentlyReleased ?? new RecentlyReleased();
  const probesBeforeList = options.probesBeforeList ?? 32;
  const snapshotMaxAgeMs = options.snapshotMaxAgeMs ?? 5000;
  // kube-dns gets the tenth address by asking for it explicitly; keep it free until nothing else is.
  const reserved = new Set(options.reserved ?? config.ranges.flatMap((r) => (r.usable >= 10n ? [dnsServiceIP(r.cidr)] : [])));

  let snapshot: { keys: Set<string>; atMs: number; store: AllocationContext['store'] } | undefined;

  /** One address per (family, requested ip or '' for any), as allocIPs does. Throws Kubernetes' errors. */
  async function allocateIPs(
    svc: Service,
    wanted: { family: IPFamily; ip: string }[],
    ctx: AllocationContext,
  ): Promise<{ assigned: Map<IPFamily, string>; ops: TxnOp[] }> {
    const ranges = await activeRanges(ctx.store, config.ranges);
    const assigned = new Map<IPFamily, string>();
    const ops: TxnOp[] = [];
    let probes = 0;
    // A fresh snapshot (this range was crowded a moment ago) answers from the start.
    let listed: Set<string> | undefined = snapshot && snapshot.store === ctx.store && clock() - snapshot.atMs <= snapshotMaxAgeMs ? snapshot.keys : undefined;
    // Candidates come out of the range already canonical: their key needs no parsing.
    const isFree = async (ip: string): Promise<boolean> => {
      const key = ipAddressPrefix + ip;
      if (ctx.taken.has(key)) return false;
      if (listed) return !listed.has(key);
      if (++probes > probesBeforeList) {
        listed = await allocatedSnapshot(ctx);
        return !listed.has(key);
      }
      return (await ctx.store.get(key)) === undefined;
    };
    for (const { family, ip } of wanted) {
      const familyRanges = ranges.filter((r) => r.family === family);
      if (ip) {
        const fail = (why: string): ApiError =>
          invalid(svc, [fieldErrors.invalid('spec.clusterIPs', svc.spec.clusterIPs ?? [], `failed to allocate IP ${ip}: ${why}`)]);
        if (!rangeFor(familyRanges, ip)) throw fail(allocatorErrors.mismatchedNetwork);
        const key = ipAddressKey(ip);
        if (ctx.taken.has(key) || (await ctx.store.get(key)) !== undefined) throw fail(allocatorErrors.allocated);
        assigned.set(family, ip);
        ops.push(createIPAddressOp(ip, family, svc, ctx.now));
        continue;
      }
      let chosen: string | undefined;
      for (const range of familyRanges) {
        chosen = await nextFreeAddress(range, { random, isFree, recentlyReleased, reserved, nowMs: clock() });
        if (chosen) break;
      }
      if (!chosen && listed) {
        // "Full" according to a snapshot: an address may have been freed since. Ask the store again.
        snapshot = undefined;
        listed = await allocatedSnapshot(ctx);
        for (const range of familyRanges) {
          chosen = await nextFreeAddress(range, { random, isFree, recentlyReleased, reserved, nowMs: clock() });
          if (chosen) break;
        }
      }
      if (!chosen) throw ApiError.internal(`failed to allocate a serviceIP: ${allocatorErrors.full}`);
      assigned.set(family, chosen);
      snapshot?.keys.add(ipAddressKey(chosen));
      ops.push(createIPAddressOp(chosen, family, svc, ctx.now));
    }
    return { assigned, ops };
  }

  /**
   * Every allocated key, for a crowded range where probing key by key takes too long. Reused for a few
   * seconds: a stale snapshot is safe (an address taken since fails its create guard and the registry retries
   * with it in ctx.taken; an address freed since is merely not offered yet, which the hold wants anyway).
   */
  async function allocatedSnapshot(ctx: AllocationContext): Promise<Set<string>> {
    const now = clock();
    if (!snapshot || snapshot.store !== ctx.store || now - snapshot.atMs > snapshotMaxAgeMs) {
      const keys = new Set((await ctx.store.list(ipAddressPrefix)).items.map((kv) => kv.key));
      snapshot = { keys, atMs: now, store: ctx.store };
    }
    return snapshot.keys;
  }

  function setClusterIPs(svc: Service, assigned: Map<IPFamily, string>): void {
    const families = svc.spec.ipFamilies ?? [];
    const ips = [...(svc.spec.clusterIPs ?? [])];
    for (const [i, family] of families.entries()) {
      const ip = assigned.get(family);
      if (ip !== undefined) ips[i] = ip;
    }
    svc.spec.clusterIPs = ips;
    if (ips.length) svc.spec.clusterIP = ips[0];
  }

  function release(ips: readonly string[]): TxnOp[] {
    const now = clock();
    const ops: TxnOp[] = [];
    for (const ip of ips) {
      recentlyReleased.add(canonicalIP(ip) ?? ip, now);
      ops.push(deleteIPAddressOp(ip));
    }
    return ops;
  }

  async function allocate(svc: Service, old: Service | undefined, ctx: AllocationContext): Promise<Allocation> {
    const familyErrs = initIPFamilyFields(svc, old, { configured: configuredFamilies(config) });
    if (familyErrs.length) throw invalid(svc, familyErrs);
    const spec = svc.spec;

    // B: to ExternalName — release everything the old one held.
    if (spec.type === 'ExternalName') {
      return { ops: old ? release(allocatedIPs(old).map((a) => a.ip)) : [] };
    }
    // Headless Services hold no address.
    if (spec.clusterIPs?.[0] === clusterIPNone) return { ops: [] };

    const families = spec.ipFamilies ?? [];
    const current = spec.clusterIPs ?? [];
    // Create, or A: from ExternalName — allocate every family.
    if (!old || old.spec.type === 'ExternalName') {
      const wanted = families.map((family, i) => ({ family, ip: current[i] ?? '' }));
      const { assigned, ops } = await allocateIPs(svc, wanted, ctx);
      setClusterIPs(svc, assigned);
      return { ops };
    }
    if (old.spec.clusterIPs?.[0] === clusterIPNone) return { ops: [] };
    const oldFamilies = old.spec.ipFamilies ?? [];
    // C: upgrade to dual-stack — allocate the secondary.
    if (oldFamilies.length === 1 && families.length === 2) {
      const { assigned, ops } = await allocateIPs(svc, [{ family: families[1], ip: current[1] ?? '' }], ctx);
      setClusterIPs(svc, assigned);
      return { ops };
    }
    // D: downgrade — release the secondary.
    if (oldFamilies.length === 2 && families.length === 1) {
      const secondary = old.spec.clusterIPs?.[1];
      return { ops: secondary ? release([secondary]) : [] };
    }
    return { ops: [] };
  }

  return {
    config,
    recentlyReleased,
    maxAttempts: 16,
    prepareForCreate: prepareServiceForCreate,
    prepareForUpdate: prepareServiceForUpdate,
    validateCreate: validateService,
    validateUpdate: validateServiceUpdate,
    allocate,
    releaseOnDelete: (svc) => release(allocatedIPs(svc).map((a) => a.ip)),
  };
}

// --- IPAddress (pkg/apis/networking/validation ValidateIPAddress) --------------------------------------------

function isValidPathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

function validateParentRef(ip: IPAddress): FieldError[] {
  const ref = ip.spec?.parentRef;
  const path = 'spec.parentRef';
  if (!ref) return [fieldErrors.required(path, '')];
  const errs: FieldError[] = [];
  if (!ref.resource) errs.push(fieldErrors.required(`${path}.resource`, ''));
  else for (const m of isValidPathSegmentName(ref.resource)) errs.push(fieldErrors.invalid(`${path}.resource`, ref.resource, m));
  if (ref.namespace) for (const m of isValidPathSegmentName(ref.namespace)) errs.push(fieldErrors.invalid(`${path}.namespace`, ref.namespace, m));
  if (!ref.name) errs.push(fieldErrors.required(`${path}.name`, ''));
  else for (const m of isValidPathSegmentName(ref.name)) errs.push(fieldErrors.invalid(`${path}.name`, ref.name, m));
  return errs;
}

function goParentRef(ip: IPAddress): { goSyntax: string } {
  const r = ip.spec?.parentRef;
  if (!r) return { goSyntax: 'null' };
  const q = JSON.stringify;
  return {
    goSyntax: `networking.ParentReference{Group:${q(r.group ?? '')}, Resource:${q(r.resource ?? '')}, Namespace:${q(r.namespace ?? '')}, Name:${q(r.name ?? '')}}`,
  };
}

export const ipAddressStrategy: Strategy<IPAddress> = {
  validateCreate: (ip) => validateParentRef(ip),
  validateUpdate: (ip, old) => {
    const errs = validateParentRef(ip);
    if (JSON.stringify(ip.spec?.parentRef ?? null) !== JSON.stringify(old.spec?.parentRef ?? null))
      errs.push(fieldErrors.invalid('spec.parentRef', goParentRef(ip), 'field is immutable'));
    return errs;
  },
};

// --- ServiceCIDR (ValidateServiceCIDR) ---------------------------------------------------------------------

const validCIDRMessage = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

function validateServiceCIDRSpec(obj: ServiceCIDR): FieldError[] {
  const cidrs = obj.spec?.cidrs ?? [];
  const path = 'spec.cidrs';
  if (cidrs.length === 0) return [fieldErrors.required(path, 'at least one CIDR required')];
  if (cidrs.length > 2)
    return [fieldErrors.invalid(path, { goSyntax: `networking.ServiceCIDRSpec{CIDRs:[]string{${cidrs.map((c) => JSON.stringify(c)).join(', ')}}}` }, 'may only hold up to 2 values')];
  const errs: FieldError[] = [];
  for (const [i, c] of cidrs.entries()) if (!parseCIDR(c)) errs.push(fieldErrors.invalid(`${path}[${i}]`, c, validCIDRMessage));
  if (cidrs.length === 2) {
    const [a, b] = cidrs.map((c) => parseCIDR(c)?.family);
    if (a && a === b)
      errs.push(fieldErrors.invalid(path, cidrs, 'may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64'));
  }
  return errs;
}

export const serviceCIDRStrategy: Strategy<ServiceCIDR> = {
  prepareForCreate: (obj) => {
    // Status is written by the server (bootstrap marks the default one Ready).
    delete obj.status;
  },
  prepareForUpdate: (obj, old) => {
    if (old.status) obj.status = old.status;
    else delete obj.status;
  },
  validateCreate: validateServiceCIDRSpec,
  validateUpdate: (obj, old) => {
    const errs = validateServiceCIDRSpec(obj);
    const was = old.spec?.cidrs ?? [];
    const now = obj.spec?.cidrs ?? [];
    // Only a single-stack range may gain its second family; nothing else changes (KEP-1880).
    const upgraded = was.length === 1 && now.length === 2 && now[0] === was[0];
    if (!upgraded && JSON.stringify(was) !== JSON.stringify(now))
      errs.push(fieldErrors.invalid('spec.cidrs', now, 'field is immutable'));
    return errs;
  },
};

export type { ServiceRange };

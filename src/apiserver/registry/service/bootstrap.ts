// API server start-up for Service networking: the default `kubernetes` ServiceCIDR (Ready), the
// `default/kubernetes` Service on the range's first address, and a repair pass that makes Services and
// IPAddresses agree (Kubernetes: defaultservicecidr controller, the kubernetes-service reconciler in
// pkg/controlplane/controller/kubernetesservice, and ipallocator/controller/repairip.go).
import type { IPAddress, Service, ServiceCIDR } from '../../../api/index.ts';
import { StorageError, type Backend, type TxnOp } from '../../../storage/index.ts';
import {
  canonicalIP,
  configKubernetesServiceIP,
  defaultServiceCIDRName,
  parseIP,
  rangeFor,
  type ServiceNetworkConfig,
} from '../../../allocator/index.ts';
import { encodeForStorage, storageKeyFor } from '../../resources.ts';
import { prepareServiceForCreate } from './defaults.ts';
import {
  activeRanges,
  allocatedIPs,
  createIPAddressOp,
  ipAddressKey,
  ipAddressPrefix,
  ipAllocatorManager,
  labelManagedBy,
  newUID,
  ownedBy,
  serviceKey,
  servicePrefix,
} from './ipaddress.ts';

export const kubernetesServiceName = 'kubernetes';
export const kubernetesServiceNamespace = 'default';
/** What the servicecidrs controller writes on a usable range. */
export const serviceCIDRReadyMessage = 'Kubernetes Service CIDR is ready';

export interface BootstrapOptions {
  /** RFC 3339 now (injected clock). */
  now?: () => string;
}

export interface BootstrapReport {
  serviceCIDRCreated: boolean;
  /** The default ServiceCIDR exists with other ranges than configured (left as it is, as Kubernetes does). */
  serviceCIDRMismatch?: string[];
  kubernetesServiceCreated: boolean;
  kubernetesServiceUpdated: boolean;
  kubernetesServiceIP: string;
  repair: RepairReport;
}

export interface RepairReport {
  /** IPAddresses whose Service is gone or no longer holds that IP: deleted. */
  removedIPAddresses: string[];
  /** Service IPs that had no IPAddress: created. */
  createdIPAddresses: string[];
  /** `ns/name ip` held by another Service's IPAddress (Kubernetes: event ClusterIPAlreadyAllocated). */
  conflicts: string[];
  /** `ns/name ip` outside every ServiceCIDR (Kubernetes: event ClusterIPOutOfRange); left alone. */
  outOfRange: string[];
}

function nowRFC3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isKeyExists(err: unknown): boolean {
  return err instanceof StorageError && err.code === 'KeyExists';
}

/** The default ServiceCIDR as the API server creates it, Ready. */
export function defaultServiceCIDR(config: ServiceNetworkConfig, now: string): ServiceCIDR {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'ServiceCIDR',
    metadata: { name: defaultServiceCIDRName, uid: newUID(), creationTimestamp: now },
    spec: { cidrs: config.ranges.map((r) => r.cidr) },
    status: {
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now, reason: '', message: serviceCIDRReadyMessage }],
    },
  };
}

/** The `default/kubernetes` Service as kube-apiserver's reconciler makes it. */
export function kubernetesService(config: ServiceNetworkConfig, now: string): Service {
  const ip = configKubernetesServiceIP(config);
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: kubernetesServiceName,
      namespace: kubernetesServiceNamespace,
      uid: newUID(),
      creationTimestamp: now,
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: ip,
      clusterIPs: [ip],
      ipFamilies: [config.primaryFamily],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: config.apiServerPort }],
      sessionAffinity: 'None',
    },
  };
  prepareServiceForCreate(svc);
  return svc;
}

/** Create the default ServiceCIDR and the kubernetes Service if missing, then repair. Idempotent. */
export async function bootstrapServiceNetworking(
  store: Backend,
  config: ServiceNetworkConfig,
  options: BootstrapOptions = {},
): Promise<BootstrapReport> {
  const now = (options.now ?? nowRFC3339)();
  const report: BootstrapReport = {
    serviceCIDRCreated: false,
    kubernetesServiceCreated: false,
    kubernetesServiceUpdated: false,
    kubernetesServiceIP: configKubernetesServiceIP(config),
    repair: { removedIPAddresses: [], createdIPAddresses: [], conflicts: [], outOfRange: [] },
  };

  const cidrKey = storageKeyFor('servicecidrs', undefined, defaultServiceCIDRName);
  const existingCIDR = await store.get(cidrKey);
  if (!existingCIDR) {
    try {
      await store.create(cidrKey, encodeForStorage(defaultServiceCIDR(config, now)));
      report.serviceCIDRCreated = true;
    } catch (err) {
      if (!isKeyExists(err)) throw err; // another API server made it first
    }
  } else {
    const obj = JSON.parse(existingCIDR.value) as ServiceCIDR;
    const want = config.ranges.map((r) => r.cidr);
    if (JSON.stringify(obj.spec?.cidrs ?? []) !== JSON.stringify(want)) report.serviceCIDRMismatch = obj.spec?.cidrs ?? [];
    const ready = obj.status?.conditions?.find((c) => c.type === 'Ready');
    if (!ready || ready.status === 'Unknown') {
      obj.status = {
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now, reason: '', message: serviceCIDRReadyMessage }],
      };
      try {
        await store.update(cidrKey, encodeForStorage(obj), existingCIDR.modRevision);
      } catch (err) {
        if (!(err instanceof StorageError)) throw err; // changed meanwhile: whoever changed it wins
      }
    }
  }

  // Repair first, so a stale IPAddress cannot keep the kubernetes Service off its address.
  report.repair = await repairServiceAllocations(store, config);

  const key = serviceKey(kubernetesServiceNamespace, kubernetesServiceName);
  const existing = await store.get(key);
  if (!existing) {
    const svc = kubernetesService(config, now);
    const ops: TxnOp[] = [{ op: 'create', key, value: encodeForStorage(svc) }];
    const ip = svc.spec.clusterIP ?? '';
    if (!(await store.get(ipAddressKey(ip)))) ops.push(createIPAddressOp(ip, config.primaryFamily, svc, now));
    try {
      await store.txn(ops);
      report.kubernetesServiceCreated = true;
    } catch (err) {
      if (!isKeyExists(err)) throw err;
    }
  } else {
    // Keep the port pointing at this API server (the reconciler rewrites ports, never the clusterIP).
    const svc = JSON.parse(existing.value) as Service;
    const port = svc.spec.ports?.[0];
    if (svc.spec.ports?.length !== 1 || port?.name !== 'https' || port.port !== 443 || port.targetPort !== config.apiServerPort) {
      svc.spec.ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: config.apiServerPort }];
      if (svc.metadata.generation !== undefined) svc.metadata.generation += 1;
      try {
        await store.update(key, encodeForStorage(svc), existing.modRevision);
        report.kubernetesServiceUpdated = true;
      } catch (err) {
        if (!(err instanceof StorageError)) throw err;
      }
    }
  }
  return report;
}

/**
 * Make the allocation record match the Services: every Service IP has an IPAddress pointing at it, and every
 * allocator-managed IPAddress belongs to a Service that holds that IP. Safe while the server runs: creates are
 * create-if-absent and deletes are guarded by the revision read.
 */
export async function repairServiceAllocations(store: Backend, config: ServiceNetworkConfig): Promise<RepairReport> {
  const report: RepairReport = { removedIPAddresses: [], createdIPAddresses: [], conflicts: [], outOfRange: [] };
  const ranges = await activeRanges(store, config.ranges);
  // Read IPAddresses first: an IPAddress created after this read by a concurrent create has its Service
  // written in the same transaction, so a Service list taken later always sees its owner.
  const ipList = await store.list(ipAddressPrefix);
  const svcList = await store.list(servicePrefix);

  /** canonical ip -> "ns/name" of every Service holding it. */
  const holders = new Map<string, string[]>();
  const services: { svc: Service; id: string }[] = [];
  for (const kv of svcList.items) {
    const svc = JSON.parse(kv.value) as Service;
    const id = `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
    services.push({ svc, id });
    for (const { ip } of allocatedIPs(svc)) {
      const c = canonicalIP(ip) ?? ip;
      holders.set(c, [...(holders.get(c) ?? []), id]);
    }
  }

  const present = new Map<string, IPAddress>();
  for (const kv of ipList.items) {
    const obj = JSON.parse(kv.value) as IPAddress;
    const ip = obj.metadata.name ?? kv.key.slice(ipAddressPrefix.length);
    const ref = obj.spec?.parentRef;
    const owner = `${ref?.namespace ?? ''}/${ref?.name ?? ''}`;
    const managed = obj.metadata.labels?.[labelManagedBy] === ipAllocatorManager;
    if (managed && ref?.resource === 'services' && !(holders.get(ip) ?? []).includes(owner)) {
      try {
        await store.delete(kv.key, kv.modRevision);
        report.removedIPAddresses.push(ip);
      } catch (err) {
        if (!(err instanceof StorageError)) throw err; // changed or gone meanwhile
      }
      continue;
    }
    present.set(ip, obj);
  }

  const now = nowRFC3339();
  for (const { svc, id } of services) {
    const [namespace, name] = [svc.metadata.namespace ?? '', svc.metadata.name ?? ''];
    for (const { ip, family } of allocatedIPs(svc)) {
      const c = canonicalIP(ip) ?? ip;
      const have = present.get(c);
      if (have) {
        if (!ownedBy(have, namespace, name)) report.conflicts.push(`${id} ${c}`);
        continue;
      }
      if (!parseIP(ip) || !rangeFor(ranges.filter((r) => r.family === family), ip)) {
        report.outOfRange.push(`${id} ${c}`);
        continue;
      }
      try {
        const op = createIPAddressOp(ip, family, svc, now);
        await store.create(op.key, op.op === 'create' ? op.value : '');
        report.createdIPAddresses.push(c);
      } catch (err) {
        if (isKeyExists(err)) report.conflicts.push(`${id} ${c}`);
        else throw err;
      }
    }
  }
  return report;
}

export interface RepairLoopOptions {
  intervalMs?: number;
  /** Hears every pass that fixed or found something, and errors (the loop never stops on them). */
  onReport?: (report: RepairReport) => void;
  onError?: (err: unknown) => void;
}

/**
 * Run repairServiceAllocations periodically, as kube-apiserver's repair controllers do (an IPAddress deleted
 * by hand is recreated; one left behind is removed). Returns a stop function.
 */
export function startServiceRepairLoop(store: Backend, config: ServiceNetworkConfig, options: RepairLoopOptions = {}): () => void {
  let stopped = false;
  let running = false;
  const timer = setInterval(() => {
    if (stopped || running) return;
    running = true;
    repairServiceAllocations(store, config)
      .then((r) => {
        if (r.removedIPAddresses.length || r.createdIPAddresses.length || r.conflicts.length || r.outOfRange.length) options.onReport?.(r);
      })
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => {
        running = false;
      });
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

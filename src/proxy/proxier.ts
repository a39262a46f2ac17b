// The sync loop: change notifications for Services and EndpointSlices go into a cache of domain objects; a
// sync (batched over a short window) plans the whole desired state and lets the executor send the difference.
// A failed sync is retried with a full one after a delay; the loop never dies. Metrics carry kube-proxy's names.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EndpointSlice, Service } from '../api/index.ts';
import { type Executor, type SyncResult } from './executor.ts';
import { type ServiceInfo, type SliceInfo, serviceFromApi, sliceFromApi } from './model.ts';
import { Planner, type ProxyConfig } from './plan.ts';

export interface ProxierOptions {
  config: ProxyConfig;
  executor: Executor;
  /** Changes arriving within this window go out in one sync (kube-proxy's minSyncPeriod; default 10 ms). */
  minSyncPeriodMs?: number;
  /** A full re-sync this often even without changes (kube-proxy nftables: 1 h). 0 disables. */
  fullSyncPeriodMs?: number;
  /** Delay before retrying after a failed sync (default 1 s). */
  retryDelayMs?: number;
  /** /healthz turns 503 when a change has waited longer than this (kube-proxy: 2 × syncPeriod = 60 s). */
  healthTimeoutMs?: number;
  /** Milliseconds since the epoch; injected so tests control time. */
  clock?: () => number;
  registry?: Registry;
  log?: (level: 'info' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export interface Healthz {
  status: 200 | 503;
  body: { lastUpdated: string; currentTime: string; nodeEligible: boolean };
}

export class Proxier {
  readonly registry: Registry;
  private readonly executor: Executor;
  private readonly minSyncPeriodMs: number;
  private readonly fullSyncPeriodMs: number;
  private readonly retryDelayMs: number;
  private readonly healthTimeoutMs: number;
  private readonly clock: () => number;
  private readonly log: NonNullable<ProxierOptions['log']>;

  private readonly planner: Planner;
  private readonly services = new Map<string, ServiceInfo>();
  /** Service `namespace/name` → its slices by slice `namespace/name`. */
  private readonly slicesByService = new Map<string, Map<string, SliceInfo>>();
  /** Slice `namespace/name` → the Service it was filed under. */
  private readonly sliceOwner = new Map<string, string>();
  /** Services whose planned share must be recomputed at the next sync. */
  private changedServices = new Set<string>();
  /** Trigger times of slice changes not yet programmed. */
  private pendingTriggerTimes: number[] = [];
  /** When the oldest unprogrammed change arrived (undefined: none pending). */
  private oldestPendingMs: number | undefined;
  private started = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private fullSyncTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private dirty = false;
  private lastSyncMs = 0;
  private lastSuccessMs = 0;
  private lastResult: SyncResult | undefined;
  private syncWaiters: (() => void)[] = [];

  private readonly syncDuration: Histogram;
  private readonly fullSyncDuration: Histogram;
  private readonly partialSyncDuration: Histogram;
  private readonly lastTimestamp: Gauge;
  private readonly programmingDuration: Histogram;
  private readonly syncFailures: Counter;

  constructor(options: ProxierOptions) {
    this.planner = new Planner(options.config);
    this.executor = options.executor;
    this.minSyncPeriodMs = options.minSyncPeriodMs ?? 10;
    this.fullSyncPeriodMs = options.fullSyncPeriodMs ?? 3_600_000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.healthTimeoutMs = options.healthTimeoutMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? (() => {});
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    // Buckets as kube-proxy's metrics.go: exponential from 1 ms for sync durations.
    const syncBuckets = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);
    this.syncDuration = new Histogram({
      name: 'kubeproxy_sync_proxy_rules_duration_seconds',
      help: 'SyncProxyRules latency in seconds',
      buckets: syncBuckets,
      registers,
    });
    this.fullSyncDuration = new Histogram({
      name: 'kubeproxy_sync_full_proxy_rules_duration_seconds',
      help: 'SyncProxyRules latency in seconds for full resyncs',
      buckets: syncBuckets,
      registers,
    });
    this.partialSyncDuration = new Histogram({
      name: 'kubeproxy_sync_partial_proxy_rules_duration_seconds',
      help: 'SyncProxyRules latency in seconds for partial resyncs',
      buckets: syncBuckets,
      registers,
    });
    this.lastTimestamp = new Gauge({
      name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
      help: 'The last time proxy rules were successfully synced',
      registers,
    });
    this.programmingDuration = new Histogram({
      name: 'kubeproxy_network_programming_duration_seconds',
      help: 'In Cluster Network Programming Latency in seconds',
      // kube-proxy: 0.25 s steps to 1 s, then coarser up to 5 min; finer at the bottom for our speed.
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.syncFailures = new Counter({
      name: 'kubeproxy_sync_proxy_rules_nftables_sync_failures_total',
      help: 'Cumulative proxy nftables sync failures',
      registers,
    });
  }

  // --- change notifications ------------------------------------------------------------------------------

  upsertService(svc: Service): void {
    const id = `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name ?? ''}`;
    const info = serviceFromApi(svc);
    if (info) this.services.set(id, info);
    else if (!this.services.delete(id)) return;
    this.changed(id);
  }

  deleteService(svc: Service): void {
    const id = `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name ?? ''}`;
    if (this.services.delete(id)) this.changed(id);
  }

  upsertEndpointSlice(slice: EndpointSlice): void {
    const id = `${slice.metadata.namespace ?? 'default'}/${slice.metadata.name ?? ''}`;
    const info = sliceFromApi(slice);
    const previousOwner = this.sliceOwner.get(id);
    if (previousOwner !== undefined && previousOwner !== info?.serviceId) this.removeSlice(id);
    if (!info) return;
    let slices = this.slicesByService.get(info.serviceId);
    if (!slices) this.slicesByService.set(info.serviceId, (slices = new Map()));
    slices.set(id, info);
    this.sliceOwner.set(id, info.serviceId);
    if (info.triggerTimeMs !== undefined) this.pendingTriggerTimes.push(info.triggerTimeMs);
    this.changed(info.serviceId);
  }

  deleteEndpointSlice(slice: EndpointSlice): void {
    this.removeSlice(`${slice.metadata.namespace ?? 'default'}/${slice.metadata.name ?? ''}`);
  }

  private removeSlice(id: string): void {
    const owner = this.sliceOwner.get(id);
    if (owner === undefined) return;
    this.sliceOwner.delete(id);
    const slices = this.slicesByService.get(owner);
    slices?.delete(id);
    if (slices?.size === 0) this.slicesByService.delete(owner);
    this.changed(owner);
  }

  // --- loop ----------------------------------------------------------------------------------------------

  /** Starts syncing (call once the initial lists are in, as kube-proxy waits for its informers). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.oldestPendingMs ??= this.clock();
    this.schedule(0);
    if (this.fullSyncPeriodMs > 0) {
      this.fullSyncTimer = setInterval(() => {
        this.executor.requestFullSync();
        this.changed();
      }, this.fullSyncPeriodMs);
      this.fullSyncTimer.unref();
    }
  }

  /** Stops the loop; waits for a sync in flight. Leaves the rules in place (a restart adopts them). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.fullSyncTimer) clearInterval(this.fullSyncTimer);
    await this.syncing;
  }

  /** Resolves after the next successful sync that includes every change made so far. */
  waitForSync(): Promise<void> {
    if (this.started && this.oldestPendingMs === undefined && !this.syncing && !this.timer) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get lastSync(): SyncResult | undefined {
    return this.lastResult;
  }

  healthz(): Healthz {
    const now = this.clock();
    const waiting = this.oldestPendingMs !== undefined && now - this.oldestPendingMs > this.healthTimeoutMs;
    return {
      status: waiting ? 503 : 200,
      body: {
        lastUpdated: new Date(this.lastSuccessMs).toISOString(),
        currentTime: new Date(now).toISOString(),
        nodeEligible: true,
      },
    };
  }

  private changed(serviceId?: string): void {
    if (serviceId !== undefined) this.changedServices.add(serviceId);
    this.oldestPendingMs ??= this.clock();
    if (!this.started || this.stopped) return;
    if (this.syncing) {
      this.dirty = true;
      return;
    }
    if (!this.timer) this.schedule(this.minSyncPeriodMs);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.syncing = this.sync().finally(() => {
        this.syncing = undefined;
        if (this.dirty) {
          this.dirty = false;
          // Keep at least minSyncPeriod between syncs, as kube-proxy's bounded-frequency runner.
          const since = this.clock() - this.lastSyncMs;
          this.schedule(Math.max(0, this.minSyncPeriodMs - since));
        }
      });
    }, delayMs);
  }

  private async sync(): Promise<void> {
    const start = this.clock();
    const startHr = performance.now();
    this.lastSyncMs = start;
    const triggers = this.pendingTriggerTimes;
    this.pendingTriggerTimes = [];
    const pendingSince = this.oldestPendingMs;
    this.oldestPendingMs = undefined;
    try {
      const changed = this.changedServices;
      this.changedServices = new Set();
      const delta = this.planner.update(this.services, (id) => [...(this.slicesByService.get(id)?.values() ?? [])], changed);
      const result = await this.executor.sync(this.planner, delta);
      const seconds = (performance.now() - startHr) / 1000;
      this.syncDuration.observe(seconds);
      (result.full ? this.fullSyncDuration : this.partialSyncDuration).observe(seconds);
      const now = this.clock();
      this.lastSuccessMs = now;
      this.lastTimestamp.set(now / 1000);
      // As kube-proxy: programming latency is measured from the slice's last-change-trigger-time.
      for (const t of triggers) if (now >= t) this.programmingDuration.observe((now - t) / 1000);
      this.lastResult = result;
      if (result.scriptBytes > 0) {
        this.log('info', 'synced proxy rules', { full: result.full, bytes: result.scriptBytes, ms: Math.round(seconds * 1000) });
      }
      if (!this.dirty) for (const resolve of this.syncWaiters.splice(0)) resolve();
    } catch (err) {
      this.syncFailures.inc();
      this.log('error', 'sync failed; will retry with a full sync', { error: (err as Error).message });
      this.oldestPendingMs = pendingSince ?? start;
      this.pendingTriggerTimes.push(...triggers);
      if (!this.stopped && !this.dirty) this.schedule(this.retryDelayMs);
    }
  }
}

// The pod lifecycle on one node, as the kubelet's pod workers: set up the network, write resolv.conf and
// hosts, start containers, keep their status, run probes, restart with back-off, terminate gracefully, and
// adopt what a previous agent process left running.
import fs from 'node:fs';
import path from 'node:path';
import type { ApiClient } from '../client/index.ts';
import type { Container, Event, Pod, PodStatus } from '../api/index.ts';
import type { AgentConfig } from './config.ts';
import { REPO_ROOT } from './config.ts';
import { allocate, release, restoreIpamState, retainOwners, type IpamState } from './network/ipam.ts';
import { setupPodNetwork, teardownPodNetwork } from './network/plumbing.ts';
import { nodeNetnsName, podNetnsName } from './names.ts';
import { imageID, resolveImage, type ImageResolution } from './images/catalogue.ts';
import { NGINX_WELCOME_HTML, nginxArgv, nginxConfig } from './images/nginx.ts';
import { containerEnv, expandArgv, podHostname, renderHostsFile, renderResolvConf, type ServiceForEnv } from './podconfig.ts';
import { buildPodStatus, formatDuration, restartDelayMs, shouldRestart, terminatedReason, type ContainerRuntime, type Terminated } from './status.ts';
import { initialProbeState, probeDue, recordProbe, unhealthyMessage, type ProbeKind, type ProbeState } from './probes.ts';
import { podEvents, podEventObject, type PodEventSpec } from './events.ts';
import { launchContainer, recordedExitCode } from './container.ts';
import { isSameProcess, signalGroup } from './procfs.ts';
import { LogPump } from './logpump.ts';
import { runProbe } from './prober.ts';

/** What survives an agent restart, per pod (<data-dir>/pods/<uid>/state.json). */
interface SavedPod {
  uid: string;
  namespace: string;
  name: string;
  netns: string;
  ips: string[];
  startTime: string;
  containers: Record<string, SavedContainer>;
}

interface SavedContainer {
  pid: number;
  startTicks: number;
  startedAt: string;
  restartCount: number;
  lastTerminated?: Terminated;
  logBase: string;
}

interface Slot {
  spec: Container;
  /** An init container: runs to completion, in order, before the regular containers start. */
  init: boolean;
  /** A start was attempted (set once; a new instance after an exit comes from onExit's restart). */
  attempted: boolean;
  resolution: ImageResolution;
  rt: ContainerRuntime;
  pid?: number;
  startTicks?: number;
  startedAtMs?: number;
  logBase?: string;
  probes: ProbeState[];
  probing: boolean;
  restartTimer?: NodeJS.Timeout;
  adopted: boolean;
}

interface Worker {
  pod: Pod;
  hostNetwork: boolean;
  uid: string;
  dir: string;
  netns: string;
  ips: string[];
  startTime: string;
  slots: Slot[];
  sandboxReady: boolean;
  terminating: boolean;
  removed: boolean;
  statusInFlight: boolean;
  statusDirty: boolean;
  ready: Promise<void>;
}

export interface PodManagerOptions {
  config: AgentConfig;
  client: ApiClient;
  /** Services for env injection (from the agent's informer). */
  services: () => ServiceForEnv[];
  clock?: () => number;
  /** Called after each successful status write (benchmarks and tests). */
  onStatus?: (pod: Pod, status: PodStatus) => void;
}

export class PodManager {
  private readonly cfg: AgentConfig;
  private readonly client: ApiClient;
  private readonly services: () => ServiceForEnv[];
  private readonly clock: () => number;
  private readonly onStatus?: (pod: Pod, status: PodStatus) => void;
  private readonly workers = new Map<string, Worker>();
  private readonly saved = new Map<string, SavedPod>();
  private ipam: IpamState;
  private readonly logs = new LogPump();
  private probeTimer: NodeJS.Timeout | undefined;
  private adoptTimer: NodeJS.Timeout | undefined;
  private eventSeq = 0;
  private readonly setupSlots = new Semaphore(4);
  private readonly events: Event[] = [];
  private eventsInFlight = 0;
  private stopped = false;
  readonly dialerSocket: string;

  constructor(o: PodManagerOptions) {
    this.cfg = o.config;
    this.client = o.client;
    this.services = o.services;
    this.clock = o.clock ?? Date.now;
    this.onStatus = o.onStatus;
    this.dialerSocket = path.join(this.cfg.dataDir, 'dialer.sock');
    fs.mkdirSync(this.podsDir(), { recursive: true });
    let savedIpam: unknown;
    try {
      savedIpam = JSON.parse(fs.readFileSync(this.ipamPath(), 'utf8'));
    } catch {
      savedIpam = undefined;
    }
    this.ipam = restoreIpamState(savedIpam, this.cfg.podCIDRs);
    for (const uid of fs.readdirSync(this.podsDir())) {
      try {
        const s = JSON.parse(fs.readFileSync(path.join(this.podsDir(), uid, 'state.json'), 'utf8')) as SavedPod;
        this.saved.set(s.uid, s);
      } catch {
        // a pod whose setup never finished: cleaned up in reconcileOrphans()
      }
    }
  }

  private podsDir(): string {
    return path.join(this.cfg.dataDir, 'pods');
  }

  private ipamPath(): string {
    return path.join(this.cfg.dataDir, 'ipam.json');
  }

  private saveIpam(): void {
    const tmp = `${this.ipamPath()}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.ipam));
    fs.renameSync(tmp, this.ipamPath());
  }

  start(): void {
    this.probeTimer = setInterval(() => this.runDueProbes(), 100);
    this.adoptTimer = setInterval(() => this.pollAdopted(), 500);
  }

  /** Stops the agent's loops; containers keep running (an agent restart adopts them). */
  stop(): void {
    this.stopped = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
    if (this.adoptTimer) clearInterval(this.adoptTimer);
    for (const w of this.workers.values()) for (const s of w.slots) if (s.restartTimer) clearTimeout(s.restartTimer);
    this.logs.stop();
  }

  /** After the first pod list: pods we know from disk but the API no longer has are torn down. */
  async reconcileOrphans(known: Set<string>): Promise<void> {
    const alive = new Set<string>([...known].filter((uid) => this.workers.has(uid) || this.saved.has(uid)));
    for (const uid of fs.readdirSync(this.podsDir())) {
      if (known.has(uid)) continue;
      const s = this.saved.get(uid);
      if (s) for (const c of Object.values(s.containers)) if (isSameProcess(c.pid, c.startTicks)) signalGroup(c.pid, 'SIGKILL');
      await teardownPodNetwork(this.cfg.cluster, this.cfg.node, uid).catch(() => {});
      fs.rmSync(`/etc/netns/${podNetnsName(this.cfg.cluster, this.cfg.node, uid)}`, { recursive: true, force: true });
      fs.rmSync(path.join(this.podsDir(), uid), { recursive: true, force: true });
      this.saved.delete(uid);
    }
    this.ipam = retainOwners(this.ipam, alive);
    this.saveIpam();
  }

  /** Informer add/update. */
  sync(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    if (!uid || this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) {
      if (TRACE) process.stderr.write(`trace ${Date.now() % 100000} ${pod.metadata.name}: informer add\n`);
      if (isFinished(pod) && !pod.metadata.deletionTimestamp) return;
      if (pod.metadata.deletionTimestamp && !this.saved.has(uid)) {
        // Deleted before this node ever ran it: nothing to stop, remove the object (as the kubelet does).
        void this.client
          .delete(podPath(pod), { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid } })
          .catch(() => {});
        return;
      }
      w = this.newWorker(pod);
      this.workers.set(uid, w);
    } else {
      w.pod = pod;
    }
    if (pod.metadata.deletionTimestamp && !w.terminating) void this.terminate(w);
  }

  /** Informer delete: the object is gone (force delete or our own final delete). */
  forget(pod: Pod): void {
    const w = this.workers.get(pod.metadata.uid ?? '');
    if (!w || w.removed) return;
    w.pod = pod;
    void this.terminate(w, 0);
  }

  /** The pod's processes and namespace for exec/port-forward. */
  lookup(namespace: string, name: string): { pod: Pod; netns: string; ips: string[]; containers: Map<string, { pid: number; env: Map<string, string> }> } | undefined {
    for (const w of this.workers.values()) {
      if (w.pod.metadata.namespace !== namespace || w.pod.metadata.name !== name || w.removed) continue;
      const containers = new Map<string, { pid: number; env: Map<string, string> }>();
      for (const s of w.slots) {
        if (s.rt.state.kind === 'running' && s.pid) containers.set(s.spec.name, { pid: s.pid, env: this.envFor(w, s.spec) });
      }
      return { pod: w.pod, netns: w.netns, ips: w.ips, containers };
    }
    return undefined;
  }

  /** Log file of a container's current (or previous) instance. */
  logPath(namespace: string, name: string, container: string, previous: boolean): string | undefined {
    for (const w of this.workers.values()) {
      if (w.pod.metadata.namespace !== namespace || w.pod.metadata.name !== name) continue;
      const s = w.slots.find((x) => x.spec.name === container);
      if (!s) return undefined;
      const n = s.rt.restartCount - (previous ? 1 : 0);
      if (n < 0) return undefined;
      const base = path.join(w.dir, 'logs', container, String(n));
      this.logs.flush(base);
      return `${base}.log`;
    }
    return undefined;
  }

  /** Whether the container is still running (log follow stops when it ends). */
  isRunning(namespace: string, name: string, container: string): boolean {
    for (const w of this.workers.values()) {
      if (w.pod.metadata.namespace !== namespace || w.pod.metadata.name !== name) continue;
      return w.slots.some((s) => s.spec.name === container && s.rt.state.kind === 'running');
    }
    return false;
  }

  has(namespace: string, name: string): boolean {
    for (const w of this.workers.values()) if (w.pod.metadata.namespace === namespace && w.pod.metadata.name === name) return true;
    return false;
  }

  get size(): number {
    return this.workers.size;
  }

  // --- setup -------------------------------------------------------------------------------------------------

  private newWorker(pod: Pod): Worker {
    const uid = pod.metadata.uid ?? '';
    const saved = this.saved.get(uid);
    const w: Worker = {
      pod,
      uid,
      dir: path.join(this.podsDir(), uid),
      // hostNetwork pods share the node's namespace (and IP), as they share the host's on a real node.
      netns: pod.spec.hostNetwork ? nodeNetnsName(this.cfg.cluster, this.cfg.node) : podNetnsName(this.cfg.cluster, this.cfg.node, uid),
      hostNetwork: pod.spec.hostNetwork === true,
      ips: saved?.ips ?? [],
      startTime: saved?.startTime ?? isoSeconds(this.clock()),
      slots: [
        ...(pod.spec.initContainers ?? []).map((c) => ({ c, init: true })),
        ...pod.spec.containers.map((c) => ({ c, init: false })),
      ].map(({ c, init }) => ({
        spec: c,
        init,
        attempted: false,
        resolution: resolveImage(c),
        rt: {
          name: c.name,
          image: c.image ?? '',
          imageID: '',
          state: {
            kind: 'waiting',
            reason: !init && (pod.spec.initContainers ?? []).length > 0 ? 'PodInitializing' : 'ContainerCreating',
          },
          restartCount: 0,
          ready: false,
          started: false,
        },
        probes: [],
        probing: false,
        adopted: false,
      })),
      sandboxReady: false,
      terminating: false,
      removed: false,
      statusInFlight: false,
      statusDirty: false,
      ready: Promise.resolve(),
    };
    w.ready = saved ? this.adopt(w, saved) : this.setup(w);
    w.ready.catch((err: unknown) => {
      process.stderr.write(`agent: pod ${key(pod)}: ${(err as Error).message}\n`);
      for (const s of w.slots) {
        if (s.rt.state.kind === 'waiting' && s.rt.state.reason === 'ContainerCreating') {
          s.rt.state = { kind: 'waiting', reason: 'ContainerCreating', message: (err as Error).message };
        }
      }
      this.markDirty(w);
    });
    return w;
  }

  private async setup(w: Worker): Promise<void> {
    if (w.hostNetwork) {
      // No namespace, IP or /etc files of its own: /etc/netns/<node ns> would change the node's view for
      // everything run there, so these pods see the host's /etc.
      w.ips = [this.hostIP()];
      fs.mkdirSync(w.dir, { recursive: true });
      w.sandboxReady = true;
      this.save(w);
      this.advance(w);
      this.markDirty(w);
      return;
    }
    const t0 = performance.now();
    const { state, allocation } = allocate(this.ipam, this.cfg.podCIDRs, w.uid);
    this.ipam = state;
    this.saveIpam();
    w.ips = allocation.ips;
    fs.mkdirSync(w.dir, { recursive: true });
    const etc = `/etc/netns/${w.netns}`;
    fs.mkdirSync(etc, { recursive: true });
    const withIP = this.podWithIPs(w);
    fs.writeFileSync(path.join(etc, 'resolv.conf'), renderResolvConf(withIP, this.dnsSettings()));
    fs.writeFileSync(path.join(etc, 'hosts'), renderHostsFile(withIP, w.ips, this.cfg.clusterDomain));
    fs.writeFileSync(path.join(etc, 'hostname'), `${podHostname(withIP)}\n`);
    const t1 = performance.now();
    // A few setups at a time: in a burst, pods then become Ready in turn instead of all at the end together.
    await this.setupSlots.acquire();
    let t2: number;
    try {
      await setupPodNetwork({ cluster: this.cfg.cluster, node: this.cfg.node, uid: w.uid, podCIDRs: this.cfg.podCIDRs, ips: w.ips });
      t2 = performance.now();
      w.sandboxReady = true;
      this.save(w);
      this.advance(w);
    } finally {
      this.setupSlots.release();
    }
    if (w.terminating) return;
    this.markDirty(w);
    if (TRACE) {
      const t3 = performance.now();
      process.stderr.write(`trace ${Date.now() % 100000} ${w.pod.metadata.name}: files ${(t1 - t0).toFixed(1)} net ${(t2 - t1).toFixed(1)} start ${(t3 - t2).toFixed(1)} ms\n`);
    }
  }

  private async adopt(w: Worker, saved: SavedPod): Promise<void> {
    w.sandboxReady = fs.existsSync(`/run/netns/${w.netns}`);
    for (const s of w.slots) if (saved.containers[s.spec.name]) s.attempted = true;
    for (const s of w.slots) {
      const c = saved.containers[s.spec.name];
      if (!c) continue;
      s.rt.restartCount = c.restartCount;
      s.rt.lastTerminated = c.lastTerminated;
      s.rt.imageID = imageID(s.spec.image ?? '');
      s.logBase = c.logBase;
      if (isSameProcess(c.pid, c.startTicks)) {
        s.pid = c.pid;
        s.startTicks = c.startTicks;
        s.startedAtMs = Date.parse(c.startedAt);
        s.adopted = true;
        s.rt.state = { kind: 'running', startedAt: c.startedAt, containerID: `clusterip://${c.pid}` };
        this.logs.add(c.logBase);
        this.initProbes(s, this.clock());
      } else {
        // It ended while no agent watched: record how, then restart as the policy says.
        this.logs.add(c.logBase);
        this.onExit(w, s, recordedExitCode(c.logBase), c.pid, c.startedAt);
      }
    }
    if (w.sandboxReady) this.advance(w);
    this.markDirty(w);
  }

  /**
   * Starts what is next, as the kubelet's computePodActions: the first init container not yet completed
   * (one at a time, in order), and once all have completed, every regular container not yet started.
   */
  private advance(w: Worker): void {
    if (w.terminating || this.stopped) return;
    let started = false;
    for (const s of w.slots) {
      if (!s.init) continue;
      const completed = s.rt.state.kind === 'terminated' && s.rt.state.terminated.exitCode === 0;
      if (completed) continue;
      if (!s.attempted) {
        this.startContainer(w, s);
        this.markDirty(w);
      }
      return;
    }
    for (const s of w.slots) {
      if (s.init || s.attempted) continue;
      this.startContainer(w, s);
      started = true;
    }
    if (started) this.markDirty(w);
  }

  private dnsSettings(): { clusterDNS: string[]; clusterDomain: string; hostResolvConf: string } {
    let hostResolvConf = '';
    try {
      hostResolvConf = fs.readFileSync('/etc/resolv.conf', 'utf8');
    } catch {
      // none
    }
    return { clusterDNS: this.cfg.clusterDNS, clusterDomain: this.cfg.clusterDomain, hostResolvConf };
  }

  private podWithIPs(w: Worker): Pod {
    return {
      ...w.pod,
      status: { ...w.pod.status, podIP: w.ips[0], hostIP: this.hostIP() },
    };
  }

  private hostIP(): string {
    return this.cfg.nodeIP.split('/')[0] ?? '';
  }

  /** A hostNetwork pod has the node's hostname (here: the node name). */
  private hostnameOf(w: Worker): string {
    return w.hostNetwork ? this.cfg.node : podHostname(w.pod);
  }

  private envFor(w: Worker, c: Container): Map<string, string> {
    const extra: Record<string, string> = { HOSTNAME: this.hostnameOf(w) };
    return containerEnv(this.podWithIPs(w), c, this.services(), extra);
  }

  private save(w: Worker): void {
    const containers: Record<string, SavedContainer> = {};
    for (const s of w.slots) {
      if (!s.logBase) continue;
      containers[s.spec.name] = {
        pid: s.pid ?? 0,
        startTicks: s.startTicks ?? 0,
        startedAt: s.startedAtMs ? isoSeconds(s.startedAtMs) : w.startTime,
        restartCount: s.rt.restartCount,
        lastTerminated: s.rt.lastTerminated,
        logBase: s.logBase,
      };
    }
    const saved: SavedPod = {
      uid: w.uid,
      namespace: w.pod.metadata.namespace ?? 'default',
      name: w.pod.metadata.name ?? '',
      netns: w.netns,
      ips: w.ips,
      startTime: w.startTime,
      containers,
    };
    const file = path.join(w.dir, 'state.json');
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(saved));
    fs.renameSync(`${file}.tmp`, file);
  }

  // --- containers ----------------------------------------------------------------------------------------------

  private startContainer(w: Worker, s: Slot): void {
    if (w.terminating || this.stopped) return;
    s.attempted = true;
    const image = s.spec.image ?? '';
    const r = s.resolution;
    if (!r.ok) {
      s.rt.state = { kind: 'waiting', reason: 'ErrImagePull', message: r.message };
      this.event(w, podEvents.pullFailed(s.spec.name, image, r.message));
      this.event(w, podEvents.errImagePull(s.spec.name));
      s.restartTimer = setTimeout(() => {
        if (w.terminating) return;
        s.rt.state = { kind: 'waiting', reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ${r.message}` };
        this.event(w, podEvents.pullBackOff(s.spec.name, image));
        this.markDirty(w);
      }, this.cfg.imagePullBackoffMs);
      this.markDirty(w);
      return;
    }
    s.rt.imageID = imageID(image);
    this.event(w, podEvents.pulled(s.spec.name, image));
    const logDir = path.join(w.dir, 'logs', s.spec.name);
    fs.mkdirSync(logDir, { recursive: true });
    const logBase = path.join(logDir, String(s.rt.restartCount));
    const env = this.envFor(w, s.spec);
    let argv: string[];
    const program = r.program;
    if (program.kind === 'nginx') {
      const dir = path.join(w.dir, 'nginx', s.spec.name);
      for (const sub of ['html', 'tmp']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
      fs.writeFileSync(path.join(dir, 'html', 'index.html'), NGINX_WELCOME_HTML);
      fs.writeFileSync(path.join(dir, 'html', '50x.html'), '<html><body><h1>An error occurred.</h1></body></html>\n');
      const conf = path.join(dir, 'nginx.conf');
      fs.writeFileSync(conf, nginxConfig({ dir, ports: program.ports, ipv6: w.ips.length > 1 }));
      argv = nginxArgv(conf);
    } else if (program.kind === 'agnhost') {
      argv = [process.execPath, path.join(REPO_ROOT, 'src/agent/images/agnhost.ts'), ...expandArgv(program.args, env)];
    } else if (program.kind === 'dns') {
      argv = [process.execPath, path.join(REPO_ROOT, 'src/dns/main.ts'), ...expandArgv(program.args, env)];
      const api = this.cfg.apiSocket ? `unix://${this.cfg.apiSocket}` : this.cfg.api.startsWith('unix://') ? this.cfg.api : '';
      if (r.system && api && w.pod.metadata.namespace === 'kube-system') env.set('CLUSTERIP_API', api);
    } else {
      argv = expandArgv(program.argv, env);
    }
    this.event(w, podEvents.created(s.spec.name));
    const launched = launchContainer({
      netns: w.netns,
      hostname: this.hostnameOf(w),
      argv,
      env,
      workingDir: s.spec.workingDir ?? '/',
      logBase,
    });
    const now = this.clock();
    s.pid = launched.pid;
    s.startTicks = launched.startTicks;
    s.startedAtMs = now;
    s.logBase = logBase;
    s.adopted = false;
    s.rt.state = { kind: 'running', startedAt: isoSeconds(now), containerID: `clusterip://${launched.pid}` };
    s.rt.ready = !s.spec.readinessProbe;
    s.rt.started = !s.spec.startupProbe;
    this.logs.add(logBase);
    this.initProbes(s, now);
    this.event(w, podEvents.started(s.spec.name));
    this.save(w);
    const pid = launched.pid;
    const startedAt = isoSeconds(now);
    void launched.exit.then((code) => {
      if (s.pid === pid) this.onExit(w, s, code, pid, startedAt);
    });
  }

  private initProbes(s: Slot, startMs: number): void {
    s.probes = [];
    const add = (kind: ProbeKind, p: Container['readinessProbe']): void => {
      if (p) s.probes.push(initialProbeState(kind, p, startMs));
    };
    add('startup', s.spec.startupProbe);
    add('readiness', s.spec.readinessProbe);
    add('liveness', s.spec.livenessProbe);
    s.rt.ready = !s.spec.readinessProbe;
    s.rt.started = !s.spec.startupProbe;
  }

  private onExit(w: Worker, s: Slot, code: number, pid: number, startedAt: string): void {
    if (s.logBase) this.logs.remove(s.logBase);
    const now = this.clock();
    const t: Terminated = {
      exitCode: code,
      ...(code > 128 && code < 160 ? { signal: code - 128 } : {}),
      reason: terminatedReason(code),
      startedAt,
      finishedAt: isoSeconds(now),
      containerID: `clusterip://${pid}`,
    };
    s.pid = undefined;
    s.probes = [];
    s.rt.ready = false;
    s.rt.started = false;
    if (w.terminating || this.stopped) {
      s.rt.state = { kind: 'terminated', terminated: t };
      return;
    }
    if (s.init && code === 0) {
      // An init container done: the next one (or the regular containers) may start.
      s.rt.state = { kind: 'terminated', terminated: t };
      this.save(w);
      this.advance(w);
      this.markDirty(w);
      return;
    }
    // Init containers that fail are retried unless the pod never restarts (kubelet: Always acts as OnFailure).
    if (s.init ? w.pod.spec.restartPolicy === 'Never' : !shouldRestart(w.pod.spec.restartPolicy, code)) {
      s.rt.state = { kind: 'terminated', terminated: t };
      this.save(w);
      this.markDirty(w);
      return;
    }
    const ranFor = now - (s.startedAtMs ?? now);
    const delay = restartDelayMs(s.rt.restartCount, ranFor, this.cfg.backoff);
    s.rt.lastTerminated = t;
    if (delay > 0) {
      s.rt.state = {
        kind: 'waiting',
        reason: 'CrashLoopBackOff',
        message: `back-off ${formatDuration(delay)} restarting failed container=${s.spec.name} pod=${w.pod.metadata.name}_${w.pod.metadata.namespace}(${w.uid})`,
      };
      this.event(w, podEvents.backOff(s.spec.name, w.pod));
    } else {
      s.rt.state = { kind: 'terminated', terminated: t };
    }
    this.markDirty(w);
    s.restartTimer = setTimeout(() => {
      s.restartTimer = undefined;
      if (w.terminating) return;
      s.rt.restartCount++;
      this.startContainer(w, s);
      this.markDirty(w);
    }, delay);
  }

  /** Adopted containers are not our children: watch their pids. */
  private pollAdopted(): void {
    for (const w of this.workers.values()) {
      for (const s of w.slots) {
        if (!s.adopted || !s.pid || s.startTicks === undefined) continue;
        if (isSameProcess(s.pid, s.startTicks)) continue;
        const pid = s.pid;
        s.adopted = false;
        const startedAt = s.rt.state.kind === 'running' ? s.rt.state.startedAt : w.startTime;
        this.onExit(w, s, recordedExitCode(s.logBase ?? ''), pid, startedAt);
      }
    }
  }

  // --- probes --------------------------------------------------------------------------------------------------

  private runDueProbes(): void {
    const now = this.clock();
    for (const w of this.workers.values()) {
      if (w.terminating) continue;
      for (const s of w.slots) {
        if (s.probing || s.rt.state.kind !== 'running' || !s.pid) continue;
        // Readiness and liveness wait for the startup probe (as the kubelet).
        const startup = s.probes.find((p) => p.kind === 'startup');
        const candidates = s.probes.filter((p) => (startup && startup.result !== 'success' ? p.kind === 'startup' : true));
        const due = candidates.find((p) => probeDue(p, now) && !(p.kind === 'startup' && p.result === 'success'));
        if (!due) continue;
        s.probing = true;
        const spec = due.kind === 'readiness' ? s.spec.readinessProbe : due.kind === 'liveness' ? s.spec.livenessProbe : s.spec.startupProbe;
        const pid = s.pid;
        void runProbe(spec ?? {}, {
          podIP: w.ips[0] ?? '',
          containerPid: pid,
          ports: s.spec.ports ?? [],
          dialerSocket: this.dialerSocket,
          timeoutMs: due.timing.timeoutMs,
          env: spec?.exec ? this.envFor(w, s.spec) : undefined,
        })
          .then((outcome) => this.onProbe(w, s, due.kind, pid, outcome))
          .finally(() => {
            s.probing = false;
          });
      }
    }
  }

  private onProbe(w: Worker, s: Slot, kind: ProbeKind, pid: number, outcome: { ok: boolean; output: string }): void {
    if (s.pid !== pid || w.terminating) return;
    const i = s.probes.findIndex((p) => p.kind === kind);
    const current = s.probes[i];
    if (!current) return;
    const { state, changed } = recordProbe(current, outcome.ok, this.clock());
    s.probes[i] = state;
    if (!outcome.ok) this.event(w, podEvents.unhealthy(s.spec.name, unhealthyMessage(kind, outcome.output)));
    if (!changed) return;
    if (kind === 'readiness') {
      s.rt.ready = state.result === 'success';
      this.markDirty(w);
    } else if (kind === 'startup' && state.result === 'success') {
      s.rt.started = true;
      this.markDirty(w);
    } else if (state.result === 'failure') {
      // Liveness or startup failure: the kubelet kills the container and restarts it per restartPolicy.
      this.event(w, podEvents.killing(s.spec.name, `failed ${kind} probe`));
      const grace = w.pod.spec.terminationGracePeriodSeconds ?? 30;
      signalGroup(pid, 'SIGTERM');
      setTimeout(() => signalGroup(pid, 'SIGKILL'), grace * 1000).unref();
    }
  }

  // --- termination ---------------------------------------------------------------------------------------------

  private async terminate(w: Worker, graceOverride?: number): Promise<void> {
    if (w.terminating) {
      if (graceOverride === 0) for (const s of w.slots) if (s.pid) signalGroup(s.pid, 'SIGKILL');
      return;
    }
    w.terminating = true;
    await w.ready.catch(() => {});
    const grace =
      graceOverride ?? w.pod.metadata.deletionGracePeriodSeconds ?? w.pod.spec.terminationGracePeriodSeconds ?? 30;
    const exits: Promise<void>[] = [];
    for (const s of w.slots) {
      if (s.restartTimer) clearTimeout(s.restartTimer);
      if (!s.pid || s.rt.state.kind !== 'running') continue;
      this.event(w, podEvents.killing(s.spec.name));
      const pid = s.pid;
      signalGroup(pid, 'SIGTERM');
      exits.push(waitForExit(pid, s.startTicks ?? 0, grace * 1000).then((exited) => {
        if (!exited) signalGroup(pid, 'SIGKILL');
      }));
    }
    await Promise.all(exits);
    // Stragglers of every container's process group.
    for (const s of w.slots) if (s.pid) signalGroup(s.pid, 'SIGKILL');
    for (const s of w.slots) if (s.logBase) this.logs.remove(s.logBase);
    if (!w.hostNetwork) await teardownPodNetwork(this.cfg.cluster, this.cfg.node, w.uid).catch((err: unknown) => {
      process.stderr.write(`agent: teardown ${key(w.pod)}: ${(err as Error).message}\n`);
    });
    this.ipam = release(this.ipam, w.uid);
    this.saveIpam();
    if (!w.hostNetwork) fs.rmSync(`/etc/netns/${w.netns}`, { recursive: true, force: true });
    fs.rmSync(w.dir, { recursive: true, force: true });
    w.removed = true;
    this.workers.delete(w.uid);
    this.saved.delete(w.uid);
    if (graceOverride === 0 && !w.pod.metadata.deletionTimestamp) return;
    // The pod object goes once its processes are gone (the kubelet's final delete with grace 0).
    try {
      await this.client.delete(podPath(w.pod), {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        gracePeriodSeconds: 0,
        preconditions: { uid: w.uid },
      });
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code !== 404 && code !== 409) process.stderr.write(`agent: delete ${key(w.pod)}: ${(err as Error).message}\n`);
    }
  }

  // --- status and events ---------------------------------------------------------------------------------------

  private markDirty(w: Worker): void {
    w.statusDirty = true;
    if (!w.statusInFlight) void this.writeStatus(w);
  }

  private async writeStatus(w: Worker): Promise<void> {
    while (w.statusDirty && !w.removed && !this.stopped) {
      w.statusDirty = false;
      w.statusInFlight = true;
      const status = buildPodStatus(w.pod, this.podRuntime(w), isoSeconds(this.clock()));
      try {
        const tp = performance.now();
        const updated = await this.client.patch<Pod>(`${podPath(w.pod)}/status`, { status }, 'merge');
        if (TRACE) process.stderr.write(`trace ${Date.now() % 100000} ${w.pod.metadata.name}: status patch ${(performance.now() - tp).toFixed(1)} ms\n`);
        if (updated?.metadata?.uid === w.uid) {
          w.pod = { ...w.pod, status: updated.status ?? status };
        }
        this.onStatus?.(w.pod, status);
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code === 404) break;
        w.statusDirty = true;
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        w.statusInFlight = false;
      }
    }
  }

  private podRuntime(w: Worker): { containers: ContainerRuntime[]; initContainers: ContainerRuntime[]; podIPs: string[]; hostIPs: string[]; startTime: string; sandboxReady: boolean } {
    return {
      containers: w.slots.filter((s) => !s.init).map((s) => s.rt),
      initContainers: w.slots.filter((s) => s.init).map((s) => s.rt),
      podIPs: w.sandboxReady ? w.ips : [],
      hostIPs: [this.hostIP()],
      startTime: w.startTime,
      sandboxReady: w.sandboxReady,
    };
  }

  /**
   * Events go out through a small queue (two in flight) so that a burst of pod starts does not put its
   * Pulled/Created/Started events ahead of the status writes that make pods Ready.
   */
  private event(w: Worker, spec: PodEventSpec): void {
    this.events.push(podEventObject(w.pod, spec, this.cfg.node, new Date(this.clock()), this.eventSeq++));
    this.pumpEvents();
  }

  private pumpEvents(): void {
    while (this.eventsInFlight < 2 && this.events.length > 0) {
      const ev = this.events.shift();
      if (!ev) break;
      this.eventsInFlight++;
      void this.client
        .create(`/api/v1/namespaces/${ev.metadata.namespace}/events`, ev)
        .catch(() => {})
        .finally(() => {
          this.eventsInFlight--;
          if (this.events.length > 1000) this.events.splice(0, this.events.length - 1000);
          this.pumpEvents();
        });
    }
  }
}

class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** CIP_AGENT_TRACE=1 prints per-pod setup timings (benchmarks). */
const TRACE = process.env.CIP_AGENT_TRACE === '1';

function podPath(pod: Pod): string {
  return `/api/v1/namespaces/${pod.metadata.namespace ?? 'default'}/pods/${pod.metadata.name}`;
}

function key(pod: Pod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

function isFinished(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Kubernetes timestamps have second precision (RFC 3339). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function waitForExit(pid: number, startTicks: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const deadline = Date.now() + timeoutMs;
    const check = (): void => {
      if (!isSameProcess(pid, startTicks) && !groupAlive(pid)) return resolve(true);
      if (Date.now() >= deadline) return resolve(false);
      setTimeout(check, 20);
    };
    check();
  });
}

/** Whether any process of the group remains (kill with signal 0 probes it). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

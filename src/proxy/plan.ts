// The nftables plan: (services, slices, node) → the desired state of our table, and the diff between two such
// states as one `nft -f` transaction. Pure.
//
// Shape: a constant set of chains; Services and endpoints exist only as map and set elements, so the cost of
// loading and of matching a packet does not grow with the number of Services (kube-proxy's nftables mode has
// a chain per service and per endpoint; on nft 1.0.6 that loads 10k Services in ~73 s, this in < 1 s).
//   service-ips{4,6}          vmap  vip . proto . port        → goto endpoints/N | goto affinity/N/T
//   service-endpoints{4,6}    map   vip . proto . port . slot → endpoint ip . port   (slot = numgen mod N)
//   no-endpoint-services{4,6} vmap  vip . proto . port        → goto reject-chain | drop
//   service-ports{4,6}        set   vip . proto . port        (every port of every VIP)
//   cluster-ips{4,6}          set   vip                       (anything else to a VIP is rejected)
//   hairpin{4,6}              set   endpoint . endpoint       (a pod reaching itself is masqueraded)
//   affinity{4,6}             dynamic timeout set client . vip . proto . port . slot  (sessionAffinity ClientIP)
// The only chains that vary are `endpoints/N` (one per distinct endpoint count), `affinity/N/T` and
// `affinity-hit/T` (per count and affinity timeout): bounded by the largest Service, not by how many Services
// there are. `/` appears only in generated names, so they never collide with fixed ones.
import type { Protocol } from '../api/index.ts';
import {
  type Backend,
  type Family,
  type ServiceInfo,
  type SliceInfo,
  endpointsFor,
  familyOf,
  hasAnyEndpoint,
  normalizeIP,
} from './model.ts';

export const TABLE_FAMILY = 'inet';
export const TABLE_NAME = 'clusterip';
const TABLE = `${TABLE_FAMILY} ${TABLE_NAME}`;

// Fixed chain names.
export const REJECT_CHAIN = 'reject-chain';
const SERVICES_CHAIN = 'services';
const SERVICE_CHECK_CHAIN = 'service-check';

// Fixed set and map names, one of each per IP family.
export const SET_NAMES = [
  'service-ips',
  'service-endpoints',
  'no-endpoint-services',
  'service-ports',
  'cluster-ips',
  'hairpin',
] as const;
export type SetBase = (typeof SET_NAMES)[number];
export function setName(base: SetBase | 'affinity', family: Family): string {
  return `${base}${family}`;
}

/** Dynamic affinity sets hold at most this many client entries per family. */
const AFFINITY_SET_SIZE = 1048576;

export interface ProxyConfig {
  nodeName: string;
  /** Pod network ranges; traffic to a Service from outside them is masqueraded (kube-proxy --cluster-cidr). */
  clusterCIDRs: string[];
}

/** Element maps: set name → (element key → element value, '' for plain sets). */
export type Elements = Map<string, Map<string, string>>;

/** What our table holds: the static skeleton, the generated chains and every set's elements. */
export interface NftState {
  skeleton: string;
  /** Generated chain name → its rules. */
  chains: Map<string, string[]>;
  elements: Elements;
}

export interface PlanInput {
  services: Iterable<ServiceInfo>;
  slices: Iterable<SliceInfo>;
}

/** Planned per-port facts, kept for the executor's conntrack clean-up and for tests. */
export interface PlannedPort {
  key: string;
  family: Family;
  vip: string;
  protocol: Protocol;
  port: number;
  backends: Backend[];
}

export interface Plan {
  state: NftState;
  ports: Map<string, PlannedPort>;
}

/** `vip . proto . port` as nft writes the key. */
export function serviceKey(vip: string, protocol: Protocol | string, port: number): string {
  return `${vip} . ${protocol.toLowerCase()} . ${port}`;
}

export function endpointsChainName(count: number): string {
  return `endpoints/${count}`;
}

export function affinityChainName(count: number, timeoutSeconds: number): string {
  return `affinity/${count}/${timeoutSeconds}`;
}

export function affinityHitChainName(timeoutSeconds: number): string {
  return `affinity-hit/${timeoutSeconds}`;
}

function endpointsChainRules(count: number): string[] {
  return [
    `meta mark set numgen random mod ${count}`,
    `dnat ip to ip daddr . meta l4proto . th dport . meta mark map @${setName('service-endpoints', 4)}`,
    `dnat ip6 to ip6 daddr . meta l4proto . th dport . meta mark map @${setName('service-endpoints', 6)}`,
  ];
}

// sessionAffinity ClientIP: the slot a client got is remembered as an element `client . vip . proto . port .
// slot` of a dynamic set with the Service's timeout, refreshed on every new connection (as kube-proxy's
// `update @affinity-… { ip saddr }`). The chain tries slots 0..N-1 (a remembered slot beyond the current count
// is never tried, so the client is re-picked); else picks at random. A set, not a map to the slot: nft 1.0.6
// aborts on `update @map { <ipv6 concatenation> : data }` (netlink_linearize assertion), sets work.
function affinityChainRules(count: number, timeoutSeconds: number): string[] {
  const hit = affinityHitChainName(timeoutSeconds);
  const rules: string[] = [];
  for (let slot = 0; slot < count; slot++) {
    rules.push(`meta mark set ${slot}`);
    for (const [fam, ip] of [[4, 'ip'], [6, 'ip6']] as const) {
      rules.push(`${ip} saddr . ${ip} daddr . meta l4proto . th dport . meta mark @${setName('affinity', fam)} goto ${hit}`);
    }
  }
  rules.push(`meta mark set numgen random mod ${count}`, `goto ${hit}`);
  return rules;
}

function affinityHitChainRules(timeoutSeconds: number): string[] {
  const rules: string[] = [];
  for (const [fam, ip] of [[4, 'ip'], [6, 'ip6']] as const) {
    rules.push(
      `update @${setName('affinity', fam)} { ${ip} saddr . ${ip} daddr . meta l4proto . th dport . meta mark timeout ${timeoutSeconds}s }`,
    );
  }
  return [...rules, ...endpointsChainRules(1).slice(1)];
}

function parseCIDRs(cidrs: string[], family: Family): string[] {
  const out: string[] = [];
  for (const cidr of cidrs) {
    const [addr, bits] = cidr.split('/');
    const parsed = addr === undefined ? undefined : normalizeIP(addr);
    if (!parsed || parsed.family !== family) continue;
    out.push(bits === undefined ? parsed.ip : `${parsed.ip}/${bits}`);
  }
  return out;
}

/** The static part of our table: sets and the constant chains. Depends only on the configuration. */
export function skeleton(config: ProxyConfig): string {
  const lines: string[] = [`table ${TABLE} {`];
  for (const fam of [4, 6] as const) {
    const addr = fam === 4 ? 'ipv4_addr' : 'ipv6_addr';
    const svc = `${addr} . inet_proto . inet_service`;
    lines.push(
      `  map ${setName('service-ips', fam)} { type ${svc} : verdict; }`,
      `  map ${setName('service-endpoints', fam)} { type ${svc} . mark : ${addr} . inet_service; }`,
      `  map ${setName('no-endpoint-services', fam)} { type ${svc} : verdict; }`,
      `  set ${setName('service-ports', fam)} { type ${svc}; }`,
      `  set ${setName('cluster-ips', fam)} { type ${addr}; }`,
      `  set ${setName('hairpin', fam)} { type ${addr} . ${addr}; }`,
      `  set ${setName('affinity', fam)} { type ${addr} . ${svc} . mark; size ${AFFINITY_SET_SIZE}; flags dynamic, timeout; }`,
    );
  }
  const chain = (name: string, rules: string[], hook?: string) => {
    lines.push(`  chain ${name} {`);
    if (hook) lines.push(`    ${hook};`);
    for (const rule of rules) lines.push(`    ${rule}`);
    lines.push('  }');
  };
  // As kube-proxy: `reject` answers ICMP port-unreachable (TCP connect fails at once with ECONNREFUSED).
  chain(REJECT_CHAIN, ['reject']);
  // Before DNAT: Services with no usable endpoint are rejected (or dropped, for internalTrafficPolicy Local
  // with endpoints only elsewhere); any other traffic to a ClusterIP that matches none of its ports too.
  const check: string[] = [];
  for (const [fam, ip] of [[4, 'ip'], [6, 'ip6']] as const) {
    check.push(
      `${ip} daddr . meta l4proto . th dport vmap @${setName('no-endpoint-services', fam)}`,
      `${ip} daddr . meta l4proto . th dport @${setName('service-ports', fam)} return`,
      `${ip} daddr @${setName('cluster-ips', fam)} goto ${REJECT_CHAIN}`,
    );
  }
  chain(SERVICE_CHECK_CHAIN, check);
  chain(SERVICES_CHAIN, [
    `ip daddr . meta l4proto . th dport vmap @${setName('service-ips', 4)}`,
    `ip6 daddr . meta l4proto . th dport vmap @${setName('service-ips', 6)}`,
  ]);
  chain('filter-prerouting', [`ct state new jump ${SERVICE_CHECK_CHAIN}`], 'type filter hook prerouting priority -110');
  chain('filter-output', [`ct state new jump ${SERVICE_CHECK_CHAIN}`], 'type filter hook output priority -110');
  chain('nat-prerouting', [`jump ${SERVICES_CHAIN}`], 'type nat hook prerouting priority -100');
  chain('nat-output', [`jump ${SERVICES_CHAIN}`], 'type nat hook output priority -100');
  // Only our DNAT exists in the node namespace, so `ct status dnat` means "Service traffic". Masquerade it
  // when it comes from outside the pod network (replies must come back through us) and when a pod reached
  // itself through its Service (hairpin: otherwise it would answer itself directly).
  const post: string[] = [];
  for (const [fam, ip] of [[4, 'ip'], [6, 'ip6']] as const) {
    const cidrs = parseCIDRs(config.clusterCIDRs, fam);
    if (cidrs.length === 1) post.push(`ct status dnat ${ip} saddr != ${cidrs[0]} masquerade fully-random`);
    else if (cidrs.length > 1) {
      post.push(`ct status dnat ${ip} saddr != { ${cidrs.join(', ')} } masquerade fully-random`);
    }
    post.push(`ct status dnat ${ip} saddr . ${ip} daddr @${setName('hairpin', fam)} masquerade fully-random`);
  }
  chain('nat-postrouting', post, 'type nat hook postrouting priority 100');
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** What one Service contributes to the table. */
interface Fragment {
  elements: [set: string, key: string, value: string][];
  chains: [name: string, rules: string[]][];
  ports: [id: string, port: PlannedPort][];
}

/** Generated chains' rules depend only on their name: build each once. */
const rulesByChain = new Map<string, string[]>();
function memoRules(name: string, build: () => string[]): string[] {
  let rules = rulesByChain.get(name);
  if (!rules) rulesByChain.set(name, (rules = build()));
  return rules;
}

function serviceFragment(svc: ServiceInfo, slices: SliceInfo[], config: ProxyConfig): Fragment {
  const fragment: Fragment = { elements: [], chains: [], ports: [] };
  const add = (base: SetBase, fam: Family, key: string, value = '') => fragment.elements.push([setName(base, fam), key, value]);
  for (const vip of svc.clusterIPs) {
    const fam = familyOf(vip);
    add('cluster-ips', fam, vip);
    for (const port of svc.ports) {
      const key = serviceKey(vip, port.protocol, port.port);
      add('service-ports', fam, key);
      const backends = endpointsFor(svc, port, fam, slices, config.nodeName);
      fragment.ports.push([`${port.key}@${vip}`, { key, family: fam, vip, protocol: port.protocol, port: port.port, backends }]);
      if (backends.length === 0) {
        // As kube-proxy: no endpoints at all → REJECT; internalTrafficPolicy Local with endpoints only on
        // other nodes → DROP.
        add('no-endpoint-services', fam, key, hasAnyEndpoint(svc, port, fam, slices) ? 'drop' : `goto ${REJECT_CHAIN}`);
        continue;
      }
      const count = backends.length;
      let chainName: string;
      if (svc.affinityTimeoutSeconds > 0) {
        const timeout = svc.affinityTimeoutSeconds;
        chainName = affinityChainName(count, timeout);
        fragment.chains.push([chainName, memoRules(chainName, () => affinityChainRules(count, timeout))]);
        const hit = affinityHitChainName(timeout);
        fragment.chains.push([hit, memoRules(hit, () => affinityHitChainRules(timeout))]);
      } else {
        chainName = endpointsChainName(count);
        fragment.chains.push([chainName, memoRules(chainName, () => endpointsChainRules(count))]);
      }
      add('service-ips', fam, key, `goto ${chainName}`);
      backends.forEach((b, slot) => {
        add('service-endpoints', fam, `${key} . ${slot}`, `${b.ip} . ${b.port}`);
        add('hairpin', fam, `${b.ip} . ${b.ip}`);
      });
    }
  }
  return fragment;
}

/** The change between two successive desired states, as element and chain additions and removals. */
export interface Delta {
  addChains: Map<string, string[]>;
  deleteChains: string[];
  /** set → keys to delete (removed, or whose value changed). */
  remove: Map<string, string[]>;
  /** set → key → value to add. Read it before the planner's next update. */
  add: Map<string, Map<string, string>>;
  /** Planned ports of the changed Services, before and after (for conntrack clean-up). */
  portsBefore: Map<string, PlannedPort>;
  portsAfter: Map<string, PlannedPort>;
}

interface Counted<T> {
  value: T;
  count: number;
}

/**
 * The desired state, kept up to date Service by Service: each Service's contribution is memoised, elements
 * and chains are reference-counted (an endpoint behind two Services is one hairpin element; many Services
 * share `endpoints/2`), and an update of a few Services costs only their share, not the whole table.
 * Still pure: no I/O; the caller says which Services changed.
 */
export class Planner {
  readonly config: ProxyConfig;
  private readonly fragments = new Map<string, Fragment>();
  /** set → key → value; how many fragments hold a key is kept apart, and only when more than one. */
  private readonly elements = new Map<string, Map<string, string>>();
  private readonly extraRefs = new Map<string, Map<string, number>>();
  private readonly chains = new Map<string, Counted<string[]>>();
  private readonly plannedPorts = new Map<string, PlannedPort>();
  private readonly skeletonText: string;

  constructor(config: ProxyConfig) {
    this.config = config;
    this.skeletonText = skeleton(config);
    for (const fam of [4, 6] as const) {
      for (const base of SET_NAMES) {
        this.elements.set(setName(base, fam), new Map());
        this.extraRefs.set(setName(base, fam), new Map());
      }
    }
  }

  /**
   * Re-plans the given Services (absent from `services`: deleted) and returns what changed.
   * `slicesOf` gives a Service's slices by its `namespace/name`.
   */
  update(
    services: ReadonlyMap<string, ServiceInfo>,
    slicesOf: (serviceId: string) => SliceInfo[],
    changed: Iterable<string>,
  ): Delta {
    const touchedElements = new Map<string, Map<string, string | undefined>>();
    const touchedChains = new Map<string, boolean>();
    const portsBefore = new Map<string, PlannedPort>();
    const portsAfter = new Map<string, PlannedPort>();
    // From empty (start-up, the common full sync) everything is an addition: skip the per-key bookkeeping.
    const fromEmpty = this.fragments.size === 0;
    const touchElement = (set: string, key: string, current: string | undefined) => {
      if (fromEmpty) return;
      let keys = touchedElements.get(set);
      if (!keys) touchedElements.set(set, (keys = new Map()));
      if (!keys.has(key)) keys.set(key, current);
    };
    for (const id of new Set(changed)) {
      const old = this.fragments.get(id);
      if (old) {
        for (const [set, key] of old.elements) {
          const entries = this.elements.get(set) as Map<string, string>;
          const refs = this.extraRefs.get(set) as Map<string, number>;
          touchElement(set, key, entries.get(key));
          const extra = refs.get(key);
          if (extra === undefined) entries.delete(key);
          else if (extra === 1) refs.delete(key);
          else refs.set(key, extra - 1);
        }
        for (const [name] of old.chains) {
          const entry = this.chains.get(name);
          if (!touchedChains.has(name)) touchedChains.set(name, entry !== undefined);
          if (entry && --entry.count === 0) this.chains.delete(name);
        }
        for (const [portId, port] of old.ports) {
          portsBefore.set(portId, port);
          this.plannedPorts.delete(portId);
        }
        this.fragments.delete(id);
      }
      const svc = services.get(id);
      if (!svc) continue;
      const fragment = serviceFragment(svc, slicesOf(id), this.config);
      this.fragments.set(id, fragment);
      for (const [set, key, value] of fragment.elements) {
        const entries = this.elements.get(set) as Map<string, string>;
        const current = entries.get(key);
        touchElement(set, key, current);
        if (current !== undefined) {
          const refs = this.extraRefs.get(set) as Map<string, number>;
          refs.set(key, (refs.get(key) ?? 0) + 1);
        }
        entries.set(key, value); // one VIP claimed by two Services: the latest wins
      }
      for (const [name, rules] of fragment.chains) {
        const entry = this.chains.get(name);
        if (!touchedChains.has(name)) touchedChains.set(name, entry !== undefined);
        if (entry) entry.count++;
        else this.chains.set(name, { value: rules, count: 1 });
      }
      for (const [portId, port] of fragment.ports) {
        portsAfter.set(portId, port);
        this.plannedPorts.set(portId, port);
      }
    }
    const delta: Delta = { addChains: new Map(), deleteChains: [], remove: new Map(), add: new Map(), portsBefore, portsAfter };
    if (fromEmpty) {
      // Everything is new; built only if someone asks (a full sync, the usual case then, does not).
      const elements = this.elements;
      let add: Map<string, Map<string, string>> | undefined;
      Object.defineProperty(delta, 'add', {
        get: () => (add ??= new Map([...elements].filter(([, m]) => m.size > 0).map(([set, m]) => [set, new Map(m)]))),
      });
    }
    for (const [set, keys] of touchedElements) {
      const entries = this.elements.get(set) as Map<string, string>;
      const remove: string[] = [];
      const add = new Map<string, string>();
      for (const [key, before] of keys) {
        const after = entries.get(key);
        if (before === after) continue;
        if (before !== undefined) remove.push(key);
        if (after !== undefined) add.set(key, after);
      }
      if (remove.length) delta.remove.set(set, remove);
      if (add.size) delta.add.set(set, add);
    }
    for (const [name, existed] of touchedChains) {
      const now = this.chains.get(name);
      if (existed && !now) delta.deleteChains.push(name);
      if (!existed && now) delta.addChains.set(name, now.value);
    }
    return delta;
  }

  /** The whole desired state (for a full sync). */
  state(): NftState {
    const elements: Elements = new Map();
    for (const [set, entries] of this.elements) elements.set(set, new Map(entries));
    const chains = new Map<string, string[]>();
    for (const [name, entry] of this.chains) chains.set(name, entry.value);
    return { skeleton: this.skeletonText, chains, elements };
  }

  ports(): ReadonlyMap<string, PlannedPort> {
    return this.plannedPorts;
  }
}

/** Groups slices by the Service they belong to. */
export function slicesByService(slices: Iterable<SliceInfo>): Map<string, SliceInfo[]> {
  const out = new Map<string, SliceInfo[]>();
  for (const slice of slices) {
    const list = out.get(slice.serviceId);
    if (list) list.push(slice);
    else out.set(slice.serviceId, [slice]);
  }
  return out;
}

/** The desired state of our table for the given Services and slices, from scratch. */
export function plan(input: PlanInput, config: ProxyConfig): Plan {
  const services = new Map<string, ServiceInfo>();
  for (const svc of input.services) services.set(svc.id, svc);
  const bySvc = slicesByService(input.slices);
  const planner = new Planner(config);
  planner.update(services, (id) => bySvc.get(id) ?? [], services.keys());
  return { state: planner.state(), ports: new Map(planner.ports()) };
}

/** The script for a delta, in the same order as diffScript. Empty when nothing changed. */
export function deltaScript(delta: Delta): string {
  const out = chainStatements([...delta.addChains]);
  for (const [name, keys] of delta.remove) out.push(...elementStatements('delete', name, keys));
  for (const [name, items] of delta.add) {
    out.push(...elementStatements('add', name, [...items].map(([k, v]) => element(k, v))));
  }
  for (const name of [...delta.deleteChains].sort(compareText).reverse()) out.push(`delete chain ${TABLE} ${name}`);
  return out.length === 0 ? '' : out.join('\n') + '\n';
}

/** Elements are written this many per statement: nft parses large single statements slowly. */
const ELEMENTS_PER_STATEMENT = 1000;

function elementStatements(verb: 'add' | 'delete', name: string, items: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < items.length; i += ELEMENTS_PER_STATEMENT) {
    out.push(`${verb} element ${TABLE} ${name} { ${items.slice(i, i + ELEMENTS_PER_STATEMENT).join(', ')} }`);
  }
  return out;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Chains are declared before any rule, so a rule may jump to a chain declared in the same batch. */
function chainStatements(chains: [string, string[]][]): string[] {
  chains.sort(([a], [b]) => compareText(a, b));
  const out = chains.map(([name]) => `add chain ${TABLE} ${name}`);
  for (const [name, rules] of chains) for (const rule of rules) out.push(`add rule ${TABLE} ${name} ${rule}`);
  return out;
}

function element(key: string, value: string): string {
  return value === '' ? key : `${key} : ${value}`;
}

/**
 * The whole table as one transaction that replaces whatever is there: `add table` (so `delete` cannot fail)
 * then `delete table`, then the table afresh. Atomic, so packets never see a half-built table, and
 * established flows keep going (their NAT lives in conntrack, not in the rules).
 */
export function fullScript(state: NftState): string {
  const out: string[] = [`add table ${TABLE}`, `delete table ${TABLE}`, state.skeleton.trimEnd()];
  out.push(...chainStatements([...state.chains]));
  for (const [name, items] of state.elements) {
    if (items.size === 0) continue;
    out.push(...elementStatements('add', name, [...items].map(([k, v]) => element(k, v))));
  }
  return out.join('\n') + '\n';
}

/**
 * Only the changes from `programmed` to `desired`, in an order the kernel accepts within one transaction:
 * new chains, then element deletions (removed or changed), element additions, and last the chains nothing
 * points at any more. Empty when nothing changed. The skeletons must be equal (else: full sync).
 */
export function diffScript(programmed: NftState, desired: NftState): string {
  if (programmed.skeleton !== desired.skeleton) throw new Error('skeleton changed: a full sync is needed');
  const out = chainStatements([...desired.chains].filter(([name]) => !programmed.chains.has(name)));
  const additions: string[] = [];
  for (const [name, want] of desired.elements) {
    const have = programmed.elements.get(name) ?? new Map<string, string>();
    const removed: string[] = [];
    const added: string[] = [];
    for (const [key, value] of have) {
      const next = want.get(key);
      if (next === undefined || next !== value) removed.push(key);
    }
    for (const [key, value] of want) if (have.get(key) !== value) added.push(element(key, value));
    out.push(...elementStatements('delete', name, removed));
    additions.push(...elementStatements('add', name, added));
  }
  out.push(...additions);
  // Chains that jump to others go first.
  const gone = [...programmed.chains.keys()].filter((name) => !desired.chains.has(name));
  for (const name of gone.sort(compareText).reverse()) out.push(`delete chain ${TABLE} ${name}`);
  return out.length === 0 ? '' : out.join('\n') + '\n';
}

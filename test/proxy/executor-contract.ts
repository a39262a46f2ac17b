// One contract for the executor, run against every runner: the real one (nft in a namespace) and a fake that
// interprets our scripts. After any sequence of changes, with syncs that fail on the way, what the "kernel"
// holds equals the planner's state; and a failed transaction changes nothing.
import assert from 'node:assert/strict';
import type { ConntrackFilter } from '../../src/proxy/conntrack.ts';
import { Executor, type NftRunner } from '../../src/proxy/executor.ts';
import type { ServiceInfo, SliceInfo } from '../../src/proxy/model.ts';
import { type NftState, Planner, deltaScript, slicesByService } from '../../src/proxy/plan.ts';
import { serviceFromApi, sliceFromApi } from '../../src/proxy/model.ts';
import { makeService, makeSlice } from '../../src/proxy/testing.ts';

/** What a kernel holds, in our element syntax: set → elements (`key` or `key : value`), generated chains. */
export interface KernelContents {
  elements: Map<string, Set<string>>;
  chains: Set<string>;
}

export interface KernelUnderTest {
  runner: NftRunner;
  /** Makes the next script fail as a whole (nft rejects the transaction). */
  failNext(): void;
  read(): Promise<KernelContents>;
}

function expected(state: NftState): KernelContents {
  const elements = new Map<string, Set<string>>();
  for (const [set, items] of state.elements) {
    if (items.size === 0) continue;
    elements.set(set, new Set([...items].map(([k, v]) => (v === '' ? k : `${k} : ${v}`))));
  }
  return { elements, chains: new Set(state.chains.keys()) };
}

export async function runExecutorContract(kernel: KernelUnderTest, steps = 40): Promise<void> {
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed >>> 16) % n;
  };
  const executor = new Executor(kernel.runner);
  const planner = new Planner({ nodeName: 'node-a', clusterCIDRs: ['10.244.0.0/16'] });
  const services = new Map<string, ServiceInfo>();
  const slices = new Map<string, SliceInfo>();
  const changed = new Set<string>();
  let failures = 0;
  let failuresInSync = 0;
  let sending = 0;
  for (let step = 0; step < steps; step++) {
    for (let k = 0; k < 1 + rand(3); k++) {
      const i = rand(8);
      const id = `default/s${i}`;
      changed.add(id);
      const what = rand(4);
      if (what === 0) services.delete(id);
      else if (what === 1) {
        const svc = serviceFromApi(
          makeService({
            name: `s${i}`,
            clusterIPs: rand(3) === 0 ? [`10.96.0.${i}`, `fd00:96::${i}`] : [`10.96.0.${i}`],
            ports: [{ name: 'p', port: 80, protocol: rand(2) ? 'TCP' : 'UDP' }],
            affinitySeconds: rand(3) === 0 ? 30 + rand(2) : 0,
          }),
        );
        if (svc) services.set(id, svc);
      } else {
        const family = rand(4) === 0 ? 6 : 4;
        const eps = Array.from({ length: rand(4) }, () => ({
          ip: family === 4 ? `10.244.1.${rand(6) + 2}` : `fd00:10:244:1::${rand(6) + 2}`,
          ready: rand(5) !== 0,
        }));
        const slice = sliceFromApi(
          makeSlice({ name: `s${i}-${family}`, service: `s${i}`, family, ports: [{ name: 'p', port: 8080, protocol: 'TCP' }, { name: 'p', port: 8080, protocol: 'UDP' }], endpoints: eps }),
        );
        if (slice) slices.set(slice.id, slice);
      }
    }
    const bySvc = slicesByService(slices.values());
    const delta = planner.update(services, (sid) => bySvc.get(sid) ?? [], changed);
    changed.clear();
    // Every fourth step that sends something fails, whatever state the executor is in.
    const sends = executor.needsFullSync || deltaScript(delta) !== '';
    if (sends && ++sending % 4 === 0) {
      if (!executor.needsFullSync) failuresInSync++;
      const before = await kernel.read().catch(() => undefined);
      kernel.failNext();
      await assert.rejects(executor.sync(planner, delta), Error, `step ${step}: the injected failure surfaces`);
      failures++;
      assert.deepEqual(await kernel.read().catch(() => undefined), before, `step ${step}: a failed transaction changes nothing`);
      assert.equal(executor.needsFullSync, true);
      continue;
    }
    await executor.sync(planner, delta);
    assert.deepEqual(await kernel.read(), expected(planner.state()), `step ${step}`);
  }
  assert.ok(failures > 1 && failuresInSync > 0, `the scenario injected failures (${failures}, ${failuresInSync} in sync)`);
}

/** A fake kernel: interprets the subset of nft syntax our scripts use. */
export class ScriptModelRunner implements NftRunner {
  private table: KernelContents | undefined;
  private failing = false;
  conntrack: ConntrackFilter[] = [];

  failNext(): void {
    this.failing = true;
  }

  async read(): Promise<KernelContents> {
    if (!this.table) throw new Error('No such file or directory: table inet clusterip');
    return structuredClone(this.table);
  }

  async runScript(script: string): Promise<void> {
    if (this.failing) {
      this.failing = false;
      throw new Error('Error: Could not process rule: No such file or directory');
    }
    // Work on a copy: the transaction applies as a whole or not at all.
    let table = this.table ? structuredClone(this.table) : undefined;
    const lines = script.split('\n');
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n] as string;
      let m: RegExpExecArray | null;
      if (line === '' || line.startsWith('add rule ')) continue;
      if (line === 'add table inet clusterip') table ??= { elements: new Map(), chains: new Set() };
      else if (line === 'delete table inet clusterip') {
        if (!table) throw new Error('No such file or directory');
        table = undefined;
      } else if (line.startsWith('table inet clusterip {')) {
        table = { elements: new Map(), chains: new Set() };
        while (n < lines.length && lines[n] !== '}') n++; // the skeleton: fixed chains and empty sets
      } else if ((m = /^add chain inet clusterip (\S+)$/.exec(line))) {
        table?.chains.add(m[1] as string);
      } else if ((m = /^delete chain inet clusterip (\S+)$/.exec(line))) {
        if (!table?.chains.delete(m[1] as string)) throw new Error(`No such chain ${m[1]}`);
      } else if ((m = /^(add|delete) element inet clusterip (\S+) \{ (.*) \}$/.exec(line))) {
        if (!table) throw new Error('No such file or directory');
        let set = table.elements.get(m[2] as string);
        if (!set) table.elements.set(m[2] as string, (set = new Set()));
        for (const item of (m[3] as string).split(', ')) {
          if (m[1] === 'add') {
            const key = item.split(' : ')[0] as string;
            if ([...set].some((e) => e.split(' : ')[0] === key)) throw new Error(`File exists: ${item}`);
            set.add(item);
          } else {
            const found = [...set].find((e) => e.split(' : ')[0] === item);
            if (found === undefined) throw new Error(`No such element ${item}`);
            set.delete(found);
          }
        }
        if (set.size === 0) table.elements.delete(m[2] as string);
      } else throw new Error(`fake kernel: cannot interpret "${line}"`);
    }
    this.table = table;
  }

  async deleteConntrack(filter: ConntrackFilter): Promise<void> {
    this.conntrack.push(filter);
  }

  async deleteTable(): Promise<void> {
    this.table = undefined;
  }
}

// The executor contract (executor-contract.ts) against a fake kernel and against nft in a namespace.
import { describe, test } from 'node:test';
import { NetnsRunner } from '../../src/proxy/executor.ts';
import { type KernelContents, ScriptModelRunner, runExecutorContract } from './executor-contract.ts';
import { sh } from './topology.ts';

const isRoot = process.getuid?.() === 0;

describe('executor contract', () => {
  test('fake kernel', async () => {
    const fake = new ScriptModelRunner();
    await runExecutorContract({ runner: fake, failNext: () => fake.failNext(), read: () => fake.read() });
  });

  test('nft in a network namespace', { skip: isRoot ? false : 'needs root (network namespaces)', timeout: 60_000 }, async () => {
    const netns = `cipx-contract${process.pid}`;
    await sh('ip', ['netns', 'add', netns]);
    const real = new NetnsRunner(netns);
    let breakNext = false;
    // A failure nft itself raises: the script plus an element for a set that does not exist.
    const runner = Object.assign(Object.create(real) as NetnsRunner, {
      runScript: (script: string) => {
        const broken = breakNext ? `${script}add element inet clusterip no-such-set { 1.2.3.4 }\n` : script;
        breakNext = false;
        return real.runScript(broken);
      },
    });
    const read = async (): Promise<KernelContents> => {
      const out = await sh('ip', ['netns', 'exec', netns, 'nft', '-j', 'list', 'table', 'inet', 'clusterip']);
      const doc = JSON.parse(out) as { nftables: Record<string, Record<string, unknown>>[] };
      const contents: KernelContents = { elements: new Map(), chains: new Set() };
      const text = (v: unknown): string => {
        if (typeof v === 'string' || typeof v === 'number') return String(v);
        const o = v as Record<string, unknown>;
        if ('concat' in o) return (o.concat as unknown[]).map(text).join(' . ');
        if ('goto' in o) return `goto ${(o.goto as { target: string }).target}`;
        if ('drop' in o) return 'drop';
        throw new Error(`unexpected element ${JSON.stringify(v)}`);
      };
      for (const item of doc.nftables) {
        const chain = item.chain as { name: string } | undefined;
        if (chain?.name.includes('/')) contents.chains.add(chain.name);
        const set = (item.map ?? item.set) as { name: string; elem?: unknown[] } | undefined;
        if (!set?.elem?.length || set.name.startsWith('affinity')) continue;
        contents.elements.set(
          set.name,
          new Set(set.elem.map((e) => (Array.isArray(e) ? `${text(e[0])} : ${text(e[1])}` : text(e)))),
        );
      }
      return contents;
    };
    try {
      await runExecutorContract({ runner, failNext: () => (breakNext = true), read }, 30);
    } finally {
      real.close();
      await sh('ip', ['netns', 'del', netns]);
    }
  });
});

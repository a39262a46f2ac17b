// `clusterip down` after the supervising `clusterip up` was killed with SIGKILL: the parts it left running,
// the pods' processes and every network namespace of the cluster are gone afterwards. Needs root.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CLI, needsRoot, run, startE2ECluster, type E2ECluster } from '../support/e2e.ts';

let cluster: E2ECluster | undefined;

describe('down after a crashed up', { skip: needsRoot }, () => {
  after(async () => {
    await cluster?.destroy();
  });

  it('removes the orphaned parts, the pods and the namespaces', async () => {
    cluster = await startE2ECluster('crash');
    const state = JSON.parse(await readFile(path.join(cluster.dataDir, 'state.json'), 'utf8')) as { pid: number };
    process.kill(state.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const { stdout: before } = await run('ps', ['-eo', 'args']);
    assert.ok(before.includes(cluster.dataDir), 'the parts outlive their supervisor');

    const { stdout } = await run(CLI, ['down', '--name', cluster.name, '--data-dir', cluster.dataDir], { timeout: 60_000 });
    assert.match(stdout, /Stopped \d+ process\(es\) left running by a supervisor that had died/);
    const { stdout: ps } = await run('ps', ['-eo', 'args']);
    assert.ok(!ps.split('\n').some((l) => l.includes(cluster?.dataDir ?? '?')), 'no part of the cluster remains');
    const { stdout: netns } = await run('ip', ['netns', 'list']);
    assert.ok(!netns.includes(`cip-${cluster.name}_`), netns);
  });
});

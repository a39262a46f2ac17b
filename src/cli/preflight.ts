// Checks before `up` makes anything, each failure saying what is wrong and what to do.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import net from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class PreflightError extends Error {}

export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function have(tool: string): Promise<boolean> {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    try {
      await access(`${dir}/${tool}`);
      return true;
    } catch {
      // next
    }
  }
  return false;
}

/** Problems that stop a cluster with nodes from working here; empty when all is well. */
export async function preflight(options: { nodes: number; apiPort: number }): Promise<string[]> {
  const problems: string[] = [];
  if (!(await portFree(options.apiPort))) {
    problems.push(`port ${options.apiPort} on 127.0.0.1 is in use: stop what holds it (\`ss -ltnp 'sport = :${options.apiPort}'\`) or pass --api-port`);
  }
  if (options.nodes === 0) return problems;
  if (process.getuid?.() !== 0) {
    problems.push('nodes need root (they are network namespaces, veths and nftables rules): run as root, or pass --nodes 0 for the control plane only');
    return problems;
  }
  const tools: [string, string][] = [
    ['ip', 'iproute2'],
    ['nft', 'nftables'],
    ['conntrack', 'conntrack'],
    ['nginx', 'nginx-light'],
  ];
  for (const [tool, pkg] of tools) {
    if (!(await have(tool))) problems.push(`\`${tool}\` is missing: run \`npm run setup\` as root, or \`apt-get install ${pkg}\``);
  }
  if (problems.length) return problems;
  // Kernel features, tried in a throwaway namespace (never the host's own).
  const probe = `cip-preflight-${process.pid}`;
  try {
    await run('ip', ['netns', 'add', probe]);
    try {
      await run('ip', ['netns', 'exec', probe, 'nft', 'add table inet cip_probe']);
    } catch (err) {
      problems.push(`the kernel refused nftables (${(err as Error).message.trim().split('\n').pop()}): load nf_tables (\`modprobe nf_tables\`)`);
    }
    try {
      await run('ip', ['-n', probe, 'link', 'add', 'cipbr', 'type', 'bridge']);
      await run('ip', ['-n', probe, 'link', 'add', 'cipv0', 'type', 'veth', 'peer', 'name', 'cipv1']);
    } catch (err) {
      problems.push(`the kernel refused bridges or veth pairs (${(err as Error).message.trim().split('\n').pop()}): load the bridge and veth modules`);
    }
  } catch (err) {
    problems.push(`cannot create network namespaces (${(err as Error).message.trim().split('\n').pop()})`);
  } finally {
    await run('ip', ['netns', 'del', probe]).catch(() => {});
  }
  return problems;
}

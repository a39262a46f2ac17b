// The clusterip command line: up, down, status, logs.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { down, logs, status } from './commands.ts';
import { DEFAULT_POD_CIDRS, DEFAULT_SERVICE_CIDRS, PlanError } from './plan.ts';
import { defaultDataDir, logDir, processAlive, readState } from './state.ts';
import { cleanupClusterHost } from './cleanup.ts';
import { Supervisor } from './supervisor.ts';
import { AlreadyRunning, UpError, up } from './up.ts';

const int = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${what} must be a whole number`);
  return n;
};

const program = new Command('clusterip')
  .description('Kubernetes Service networking, built for real: a whole cluster from one command')
  .showHelpAfterError();

const nameOption = () => new Option('--name <name>', 'cluster name').default('clusterip');
const dataDirOption = () => new Option('--data-dir <dir>', 'where the cluster keeps its data (default ~/.clusterip/<name>)');
const refOf = (o: { name: string; dataDir?: string }) => ({ name: o.name, dataDir: path.resolve(o.dataDir ?? defaultDataDir(o.name)) });

program
  .command('up')
  .description('start a cluster: API server, controllers, and per node an agent and a proxy, plus cluster DNS')
  .addOption(nameOption())
  .option('--nodes <n>', 'number of nodes (0: control plane only, no root needed)', int('--nodes'), 2)
  .addOption(dataDirOption())
  .option('--api-port <port>', 'API server port on 127.0.0.1', int('--api-port'), 6443)
  .option('--service-cidr <cidrs>', 'Service IP ranges, one per family', DEFAULT_SERVICE_CIDRS)
  .option('--pod-cidr <cidrs>', 'pod IP ranges, one per family', DEFAULT_POD_CIDRS)
  .addOption(new Option('--storage <kind>', 'where objects are stored').choices(['sqlite', 'etcd']).default('sqlite'))
  .option('--etcd-endpoints <urls>', 'etcd client URLs, comma-separated (with --storage etcd)')
  .option('--no-kubeconfig', "don't merge a context into the user's kubeconfig")
  .option('--detach', 'start in the background (logs in <data-dir>/logs)')
  .option('--wait <seconds>', 'how long to wait for each part to be ready', int('--wait'), 60)
  .action(async (o) => {
    const ref = refOf(o);
    if (o.detach) return detach(ref, process.argv.slice(2).filter((a) => a !== '--detach'));
    let stopping = false;
    const supervisor = new Supervisor(logDir(ref.dataDir), (line) => process.stdout.write(` ! ${line}\n`));
    const shutdown = async () => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`\nStopping cluster "${o.name}" ...\n`);
      await supervisor.stopAll();
      if (o.nodes > 0) await cleanupClusterHost(o.name, ref.dataDir).catch(() => {});
      process.exit(0);
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
    try {
      await up({
        name: o.name,
        nodes: o.nodes,
        dataDir: ref.dataDir,
        apiPort: o.apiPort,
        serviceCIDRs: o.serviceCidr,
        podCIDRs: o.podCidr,
        storage: o.storage,
        etcdEndpoints: o.etcdEndpoints,
        kubeconfig: o.kubeconfig,
        wait: o.wait * 1000,
      }, supervisor);
      if (!stopping) process.stdout.write(`Running in the foreground; Ctrl-C stops the cluster (or run: clusterip down --name ${o.name}).\n`);
    } catch (err) {
      if (err instanceof AlreadyRunning) {
        process.stdout.write(`${err.message}\n`);
        process.exit(0);
      }
      const message = err instanceof UpError || err instanceof PlanError ? err.message : `cannot start cluster "${o.name}": ${(err as Error).message}\nSee the logs in ${logDir(ref.dataDir)}`;
      process.stderr.write(`ERROR: ${message}\n`);
      process.exit(1);
    }
  });

async function detach(ref: { name: string; dataDir: string }, args: string[]): Promise<void> {
  await mkdir(logDir(ref.dataDir), { recursive: true });
  const logFile = path.join(logDir(ref.dataDir), 'up.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args], { detached: true, stdio: ['ignore', fd, fd] });
  child.unref();
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const state = await readState(ref.dataDir);
    if (state?.ready && state.pid === child.pid && processAlive(state.pid)) {
      process.stdout.write(`Cluster "${ref.name}" is running in the background (pid ${child.pid}); logs: ${logDir(ref.dataDir)}\n`);
      process.stdout.write(`kubectl --kubeconfig ${state.kubeconfig} get nodes\n`);
      process.exit(0);
    }
    if (exited !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stderr.write(`ERROR: the cluster did not start; see ${logFile}\n`);
  process.exit(1);
}

program
  .command('down')
  .description("stop a cluster and remove everything it made on the host (data stays unless --purge)")
  .addOption(nameOption())
  .addOption(dataDirOption())
  .option('--purge', 'also delete the data directory')
  .action(async (o) => process.exit(await down(refOf(o), !!o.purge, (l) => process.stdout.write(`${l}\n`))));

program
  .command('status')
  .description("each part's state; exits non-zero when something is down")
  .addOption(nameOption())
  .addOption(dataDirOption())
  .action(async (o) => process.exit(await status(refOf(o), (l) => process.stdout.write(`${l}\n`))));

program
  .command('logs <part>')
  .description('a part\'s log: apiserver, controllers, agent-<node>, proxy-<node>, up')
  .addOption(nameOption())
  .addOption(dataDirOption())
  .option('-f, --follow', 'keep printing as the log grows')
  .action(async (part: string, o) => process.exit(await logs(refOf(o), part, !!o.follow, process.stdout)));

await program.parseAsync();

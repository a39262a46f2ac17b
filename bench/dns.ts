// Cluster DNS benchmark: dnsperf against our server and against knot serving the same 10k-name cluster zone,
// in the same run, each server pinned to one core (taskset), dnsperf on the other. Prints QPS, latency and
// the ratios ours/knot. Bounded: DURATION seconds per server (default 10).
//   node bench/dns.ts            (env: DURATION=10 NAMES=10000)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { answer, type AnswerOptions } from '../src/dns/answer.ts';
import { ClusterIndex } from '../src/dns/cluster-index.ts';
import { DnsMetrics } from '../src/dns/metrics.ts';
import { formatRecord } from '../src/dns/records.ts';
import { DnsServer } from '../src/dns/server.ts';

const names = Number(process.env.NAMES ?? 10_000);
const duration = Number(process.env.DURATION ?? 10);
const zone = 'cluster.local';
const answerOptions: AnswerOptions = { zone, ttl: 5, pods: 'disabled' };
const serverCore = String(Math.min(1, os.availableParallelism() - 1));
const clientCore = '0';

/** `svc-<i>.ns-<i % 100>.svc.cluster.local` → 10.96.<i / 250>.<i % 250 + 1>, all ClusterIP with one named port. */
function buildIndex(): ClusterIndex {
  const index = new ClusterIndex({ clock: () => 1_700_000_000_000 });
  for (let i = 0; i < names; i++) {
    const ip = `10.${96 + Math.floor(i / 62500)}.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`;
    index.upsertService({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: `ns-${i % 100}`, name: `svc-${i}` },
      spec: { clusterIP: ip, clusterIPs: [ip], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    });
  }
  index.markSynced();
  return index;
}

function serviceName(i: number): string {
  return `svc-${i}.ns-${i % 100}.svc.${zone}`;
}

async function serve(): Promise<void> {
  const index = buildIndex();
  const server = new DnsServer({
    index,
    answer: answerOptions,
    metrics: process.env.NO_METRICS ? undefined : new DnsMetrics({ server: 'dns://127.0.0.1:0' }),
    host: '127.0.0.1',
    port: 0,
  });
  const { port } = await server.start();
  process.stdout.write(`${port}\n`);
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

function writeZone(dir: string): string {
  const index = buildIndex();
  const lines = [
    `$ORIGIN ${zone}.`,
    `@ 5 IN SOA ns.dns.${zone}. hostmaster.${zone}. 1700000000 7200 1800 86400 5`,
    `@ 5 IN NS ns.dns.${zone}.`,
    `ns.dns 5 IN A 10.96.0.10`,
  ];
  for (let i = 0; i < names; i++) {
    for (const rr of answer({ name: serviceName(i), type: 'A' }, index, answerOptions).answer) lines.push(formatRecord(rr));
  }
  const file = path.join(dir, `${zone}.zone`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function freePort(): number {
  return 20000 + Math.floor(Math.random() * 20000);
}

interface PerfResult {
  qps: number;
  avgLatencyMs: number;
  lostPercent: number;
  completed: number;
}

const rounds = Number(process.env.ROUNDS ?? 5);
const slice = Math.max(1, Math.round(duration / rounds));

/** One dnsperf run: for `seconds`, or once through the queries (undefined: the warm-up pass). */
function dnsperf(port: number, queryFile: string, seconds: number | undefined): PerfResult {
  const limit = seconds === undefined ? ['-n', '1'] : ['-l', String(seconds)];
  const run = spawnSync(
    'taskset',
    ['-c', clientCore, 'dnsperf', '-s', '127.0.0.1', '-p', String(port), '-d', queryFile, ...limit, '-c', '4', '-q', '200', '-t', '2'],
    { encoding: 'utf8', timeout: ((seconds ?? 10) + 20) * 1000 },
  );
  const out = run.stdout ?? '';
  const num = (re: RegExp): number => Number(re.exec(out)?.[1] ?? NaN);
  return {
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgLatencyMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    lostPercent: num(/Queries lost:\s+\d+ \(([\d.]+)%\)/),
    completed: num(/Queries completed:\s+(\d+)/),
  };
}

function median(runs: PerfResult[]): PerfResult {
  const sorted = [...runs].sort((a, b) => a.qps - b.qps);
  return sorted[Math.floor(sorted.length / 2)];
}

function waitForLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('server did not start')), 30_000);
    child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      if (buf.includes('\n')) {
        clearTimeout(timer);
        resolve(buf.split('\n')[0]);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

async function waitForDig(port: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = spawnSync('dig', ['@127.0.0.1', '-p', String(port), '+short', '+tries=1', '+time=1', serviceName(0)], { encoding: 'utf8' });
    if (r.stdout.trim() !== '') return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`no answer on port ${port}`);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterip-dns-bench-'));
  const children: ChildProcess[] = [];
  try {
    const queryFile = path.join(dir, 'queries.txt');
    const q: string[] = [];
    for (let i = 0; i < names; i++) q.push(`${serviceName(i)} A`);
    fs.writeFileSync(queryFile, `${q.join('\n')}\n`);
    const zoneFile = writeZone(dir);

    // Both servers pinned to the same core, measured in alternating slices so that load from other work on
    // the machine hits both alike; each figure is the median slice.
    const ours = spawn('taskset', ['-c', serverCore, process.execPath, import.meta.filename, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(ours);
    const ourPort = Number(await waitForLine(ours));
    await waitForDig(ourPort);

    const knotPort = freePort();
    const conf = path.join(dir, 'knot.conf');
    fs.mkdirSync(path.join(dir, 'db'));
    fs.writeFileSync(
      conf,
      [
        'server:',
        `    rundir: "${dir}"`,
        `    listen: 127.0.0.1@${knotPort}`,
        '    udp-workers: 1',
        '    tcp-workers: 1',
        '    background-workers: 1',
        'database:',
        `    storage: "${path.join(dir, 'db')}"`,
        'log:',
        '  - target: stderr',
        '    any: error',
        'zone:',
        `  - domain: ${zone}`,
        `    file: "${zoneFile}"`,
        `    storage: "${dir}"`,
        '    zonefile-sync: -1',
        '    journal-content: none',
        '',
      ].join('\n'),
    );
    const knot = spawn('taskset', ['-c', serverCore, 'knotd', '-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(knot);
    await waitForDig(knotPort);

    // One pass through the names first: our replies get encoded once (knot's zone is compiled at load).
    dnsperf(ourPort, queryFile, undefined);
    dnsperf(knotPort, queryFile, undefined);
    const ourRuns: PerfResult[] = [];
    const knotRuns: PerfResult[] = [];
    for (let i = 0; i < rounds; i++) {
      ourRuns.push(dnsperf(ourPort, queryFile, slice));
      knotRuns.push(dnsperf(knotPort, queryFile, slice));
    }
    ours.kill('SIGTERM');
    knot.kill('SIGTERM');
    const ourResult = median(ourRuns);
    const knotResult = median(knotRuns);

    const row = (label: string, r: PerfResult): string =>
      `${label.padEnd(8)} ${r.qps.toFixed(0).padStart(9)} QPS  avg latency ${r.avgLatencyMs.toFixed(3)} ms  lost ${r.lostPercent}%  (${r.completed} queries)`;
    console.log(`cluster DNS, ${names} names, ${rounds} alternating ${slice} s slices per server (median shown), servers on core ${serverCore}, dnsperf on core ${clientCore}`);
    console.log(`slices ours: ${ourRuns.map((r) => r.qps.toFixed(0)).join(' ')}  knot: ${knotRuns.map((r) => r.qps.toFixed(0)).join(' ')}`);
    console.log(row('ours', ourResult));
    console.log(row('knot', knotResult));
    console.log(`ratio ours/knot (medians): QPS ${(ourResult.qps / knotResult.qps).toFixed(2)}x, latency ${(ourResult.avgLatencyMs / knotResult.avgLatencyMs).toFixed(2)}x (target QPS ≥ 0.5x)`);
    const best = (runs: PerfResult[]): number => Math.max(...runs.map((r) => r.qps));
    console.log(`best slices: ours ${best(ourRuns).toFixed(0)} QPS, knot ${best(knotRuns).toFixed(0)} QPS, ratio ${(best(ourRuns) / best(knotRuns)).toFixed(2)}x`);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();

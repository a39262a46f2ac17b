// The executor: the thin I/O layer between the planner and the kernel. While the kernel holds the planner's
// previous state (our in-memory copy of what is programmed) it sends only the difference, as one `nft -f -`
// transaction; after any failure it forgets that, so the next sync replaces the whole table atomically (as
// kube-proxy's nftables proxier marks needFullSync). It never lists the table in the sync path (`nft list`
// of 10k Services takes ~1 s).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ConntrackFilter, staleConntrackFilters } from './conntrack.ts';
import { type Delta, type PlannedPort, type Planner, deltaScript, fullScript, TABLE_FAMILY, TABLE_NAME } from './plan.ts';

/** Where scripts and conntrack deletions go. The real one runs in a network namespace; tests may fake it. */
export interface NftRunner {
  /** Runs one nft script as one transaction; rejects with nft's message on failure. */
  runScript(script: string): Promise<void>;
  /** Deletes matching conntrack entries; no match is not an error. */
  deleteConntrack(filter: ConntrackFilter): Promise<void>;
  /** Removes our table (shutdown / tests); absent is not an error. */
  deleteTable(): Promise<void>;
  /** Releases helper processes and files. */
  close?(): void;
}

function run(argv: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    if (!cmd) throw new Error('empty command');
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.on('error', () => {}); // the process may exit before reading everything; its exit code tells
    child.stdin.end(stdin ?? '');
  });
}

/**
 * Runs nft and conntrack inside a named network namespace (`/run/netns/<name>`), from the host namespace.
 * Scripts go through one long-lived shell already inside the namespace (`nsenter --net … sh`), which runs
 * `nft -f <file>` for each: forking a small shell instead of this (large) Node process, and skipping nsenter,
 * takes several milliseconds off every sync — most of the cost of a one-Service change.
 */
export class NetnsRunner implements NftRunner {
  readonly netns: string;
  private readonly prefix: string[];
  private shell: ChildProcessWithoutNullStreams | undefined;
  private dir: string | undefined;
  private seq = 0;
  /** Scripts run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private waiting: ((line: string | Error) => void)[] = [];
  private buffered = '';

  constructor(netns: string) {
    if (!/^[A-Za-z0-9_.-]+$/.test(netns)) throw new Error(`invalid network namespace name "${netns}"`);
    this.netns = netns;
    this.prefix = ['nsenter', `--net=/run/netns/${netns}`, '--'];
  }

  runScript(script: string): Promise<void> {
    const next = this.queue.then(() => this.runOne(script));
    this.queue = next.catch(() => {});
    return next;
  }

  private startShell(): ChildProcessWithoutNullStreams {
    if (!this.dir) {
      // One proxy per namespace: scratch directories of an earlier one that was killed are stale.
      const prefix = `clusterip-proxy-${this.netns}-`;
      for (const name of fs.readdirSync(os.tmpdir())) {
        if (name.startsWith(prefix)) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
      }
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      this.dir = dir;
      process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    }
    // For each file name read: run it, leave nft's messages next to it, answer with the exit code.
    const loop = 'while IFS= read -r f; do nft -f "$f" 2>"$f.err"; echo "$?"; done';
    const shell = spawn(this.prefix[0] as string, [...this.prefix.slice(1), 'sh', '-c', loop], { stdio: ['pipe', 'pipe', 'pipe'] });
    shell.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.buffered += d;
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.waiting.shift()?.(line);
      }
    });
    shell.stderr.resume();
    shell.stdin.on('error', () => {});
    const fail = () => {
      if (this.shell === shell) this.shell = undefined;
      this.buffered = '';
      for (const w of this.waiting.splice(0)) w(new Error(`nft shell in netns ${this.netns} exited`));
    };
    shell.on('exit', fail);
    shell.on('error', fail);
    return shell;
  }

  /** An idle helper shell must not keep the process alive; one with a script in flight must. */
  private hold(shell: ChildProcessWithoutNullStreams, busy: boolean): void {
    const handles = [shell, shell.stdout, shell.stderr, shell.stdin] as unknown as { ref?: () => void; unref?: () => void }[];
    for (const h of handles) (busy ? h.ref : h.unref)?.call(h);
  }

  private async runOne(script: string): Promise<void> {
    const shell = (this.shell ??= this.startShell());
    const file = path.join(this.dir as string, `sync-${++this.seq}.nft`);
    await fs.promises.writeFile(file, script);
    this.hold(shell, true);
    try {
      const answer = await new Promise<string | Error>((resolve) => {
        // The shell may have died meanwhile (its namespace not there yet, say): then nobody would answer.
        if (this.shell !== shell || shell.exitCode !== null || shell.signalCode !== null) {
          resolve(new Error(`nft shell in netns ${this.netns} exited`));
          return;
        }
        this.waiting.push(resolve);
        shell.stdin.write(`${file}\n`);
      });
      if (answer instanceof Error) throw answer;
      if (answer !== '0') {
        const stderr = await fs.promises.readFile(`${file}.err`, 'utf8').catch(() => '');
        throw new Error(`nft -f in netns ${this.netns} failed (exit ${answer}): ${stderr.trim().slice(0, 2000)}`);
      }
    } finally {
      this.hold(shell, false);
      await fs.promises.rm(file, { force: true });
      await fs.promises.rm(`${file}.err`, { force: true });
    }
  }

  async deleteConntrack(f: ConntrackFilter): Promise<void> {
    const argv = [...this.prefix, 'conntrack', '-D', '-p', f.protocol, '--orig-dst', f.origDst, '--dport', String(f.origPortDst)];
    if (f.replySrc) argv.push('--reply-src', f.replySrc);
    if (f.origDst.includes(':')) argv.push('-f', 'ipv6');
    const { code, stderr } = await run(argv);
    // conntrack exits 1 with "0 flow entries have been deleted" when nothing matched.
    if (code !== 0 && !/0 flow entries/.test(stderr)) {
      throw new Error(`conntrack -D in netns ${this.netns} failed (exit ${code}): ${stderr.trim()}`);
    }
  }

  async deleteTable(): Promise<void> {
    await this.runScript(`add table ${TABLE_FAMILY} ${TABLE_NAME}\ndelete table ${TABLE_FAMILY} ${TABLE_NAME}\n`);
  }

  /** Ends the helper shell and removes its scratch directory. */
  close(): void {
    this.shell?.stdin.end();
    this.shell?.kill();
    this.shell = undefined;
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

export interface SyncResult {
  full: boolean;
  /** Bytes of nft script sent (0: nothing changed). */
  scriptBytes: number;
  conntrackDeleted: number;
}

export interface ExecutorOptions {
  /** Called for conntrack failures, which do not fail the sync. */
  onConntrackError?: (err: Error) => void;
}

export class Executor {
  private readonly runner: NftRunner;
  private readonly options: ExecutorOptions;
  /** Whether the kernel holds exactly the planner's state (our in-memory copy of what is programmed). */
  private inSync = false;
  private everSynced = false;
  /** Ports as they were before deltas whose conntrack clean-up has not run yet (their sync failed). */
  private pendingBefore = new Map<string, PlannedPort>();

  constructor(runner: NftRunner, options: ExecutorOptions = {}) {
    this.runner = runner;
    this.options = options;
  }

  /** Whether the next sync replaces the whole table (start-up, after a failure, or when asked). */
  get needsFullSync(): boolean {
    return !this.inSync;
  }

  requestFullSync(): void {
    this.inSync = false;
  }

  /**
   * Brings the kernel to the planner's state: only `delta` (what the planner's last update changed) when the
   * kernel is known to hold the previous state, else the whole table in one atomic transaction (which is
   * also how a restarted proxy adopts the table it finds). On failure the next sync is a full one.
   */
  async sync(planner: Planner, delta: Delta): Promise<SyncResult> {
    const full = !this.inSync;
    const script = full ? fullScript(planner.state()) : deltaScript(delta);
    const before = new Map(this.pendingBefore);
    for (const [id, port] of delta.portsBefore) if (!before.has(id)) before.set(id, port);
    for (const id of delta.portsAfter.keys()) if (!before.has(id)) before.set(id, { ...(delta.portsAfter.get(id) as PlannedPort), backends: [] });
    try {
      if (script !== '') await this.runner.runScript(script);
    } catch (err) {
      this.inSync = false;
      this.pendingBefore = before;
      throw err;
    }
    this.inSync = true;
    this.pendingBefore = new Map();
    // After the rules are in place, so a deleted flow's next packet meets the new rules. On the first sync
    // after start there is no "before": flows found then are left alone (they may be live, NATed by us).
    let conntrackDeleted = 0;
    if (this.everSynced) {
      const now = planner.ports();
      const after = new Map<string, PlannedPort>();
      for (const id of before.keys()) {
        const port = now.get(id);
        if (port) after.set(id, port);
      }
      for (const f of staleConntrackFilters(before, after)) {
        try {
          await this.runner.deleteConntrack(f);
          conntrackDeleted++;
        } catch (err) {
          this.options.onConntrackError?.(err as Error);
        }
      }
    }
    this.everSynced = true;
    return { full, scriptBytes: Buffer.byteLength(script), conntrackDeleted };
  }
}

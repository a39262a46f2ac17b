// A work queue as client-go's: keys are deduplicated while waiting, a key is never processed by two
// workers at once (a change during processing re-queues it once), and failures retry with exponential
// back-off per key.

export interface WorkQueueOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  workers?: number;
}

export type Reconcile = (key: string) => Promise<void>;

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly waiting = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly options: Required<WorkQueueOptions>;
  private readonly reconcile: Reconcile;
  private readonly onError: (key: string, err: unknown) => void;
  private active = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(reconcile: Reconcile, options: WorkQueueOptions = {}, onError: (key: string, err: unknown) => void = () => {}) {
    this.reconcile = reconcile;
    this.onError = onError;
    this.options = { baseDelayMs: options.baseDelayMs ?? 5, maxDelayMs: options.maxDelayMs ?? 30_000, workers: options.workers ?? 4 };
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.waiting.has(key)) return;
    this.waiting.add(key);
    this.queue.push(key);
    this.pump();
  }

  addAfter(key: string, delayMs: number): void {
    if (this.stopped || this.timers.has(key)) return;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, delayMs),
    );
  }

  get length(): number {
    return this.queue.length + this.active;
  }

  /** Resolves when nothing is queued or running; delayed retries still pending do not count (tests). */
  idle(): Promise<void> {
    if (!this.queue.length && !this.active) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private pump(): void {
    while (!this.stopped && this.active < this.options.workers && this.queue.length) {
      const key = this.queue.shift() as string;
      this.waiting.delete(key);
      this.processing.add(key);
      this.active++;
      void this.run(key);
    }
    if (!this.queue.length && !this.active) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.reconcile(key);
      this.failures.delete(key);
    } catch (err) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.onError(key, err);
      const delay = Math.min(this.options.baseDelayMs * 2 ** (n - 1), this.options.maxDelayMs);
      this.addAfter(key, delay);
    } finally {
      this.processing.delete(key);
      this.active--;
      if (this.dirtyWhileProcessing.delete(key)) this.add(key);
      this.pump();
    }
  }
}

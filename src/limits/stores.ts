/** Counts hits of a key in a fixed window: the count so far (this hit included) and when the window ends. */
export interface CounterStore {
  hit(key: string, windowMs: number, now?: number): Promise<{ count: number; resetInMs: number }>;
  close(): Promise<void>;
  readonly describe: string;
}

/** One process's counters. Expired windows are swept every minute. */
export class MemoryCounters implements CounterStore {
  readonly describe = 'memory (this process only)';
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    }, 60_000).unref();
  }

  async hit(key: string, windowMs: number, now = Date.now()): Promise<{ count: number; resetInMs: number }> {
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return { count: w.count, resetInMs: w.resetAt - now };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }
}
